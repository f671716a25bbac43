-- Order search and priority sorting (issue 19, docs/adr/0014-order-search-and-priority.md).
--
-- The schedule priority sorts by rank (LOW < NORMAL < HIGH < URGENT, the order of
-- `PRIORITIES` in the catalogue), stored beside the word by the store (`search::RANKED`) and indexed
-- with the id tie-break. Existing rows get the same ranks here.
ALTER TABLE production_orders ADD COLUMN schedule_priority_rank INTEGER;
UPDATE production_orders SET schedule_priority_rank = CASE schedule_priority
    WHEN 'LOW' THEN 0 WHEN 'NORMAL' THEN 1 WHEN 'HIGH' THEN 2 WHEN 'URGENT' THEN 3 END;
CREATE INDEX ix_production_orders_priority ON production_orders (schedule_priority_rank, id);

-- Order names are searched (CONTAINS, ENDS_WITH of three characters or more) through an FTS5
-- trigram index of `name_key`, the stored comparison key (docs/adr/0010), case-sensitive since
-- the key is already folded. The index is contentless (it holds only trigrams) and keyed by
-- `production_order_search_rows.search_rowid`, a stable integer per order: the orders' own
-- rowid is not stable (VACUUM may renumber a table without an INTEGER PRIMARY KEY). Triggers
-- keep both in step with every insert, rename and delete, whoever writes.
CREATE TABLE production_order_search_rows (
    search_rowid INTEGER NOT NULL CONSTRAINT pk_production_order_search_rows PRIMARY KEY,
    production_order_id TEXT NOT NULL
);
CREATE UNIQUE INDEX uq_production_order_search_rows_order ON production_order_search_rows (production_order_id);
CREATE VIRTUAL TABLE production_order_name_search USING fts5 (
    name_key, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1'
);
INSERT INTO production_order_search_rows (production_order_id) SELECT id FROM production_orders ORDER BY id;
INSERT INTO production_order_name_search (rowid, name_key)
    SELECT m.search_rowid, p.name_key FROM production_order_search_rows m JOIN production_orders p ON p.id = m.production_order_id;
CREATE TRIGGER tr_production_orders_search_insert AFTER INSERT ON production_orders BEGIN
    INSERT INTO production_order_search_rows (production_order_id) VALUES (new.id);
    INSERT INTO production_order_name_search (rowid, name_key)
        VALUES ((SELECT search_rowid FROM production_order_search_rows WHERE production_order_id = new.id), new.name_key);
END;
CREATE TRIGGER tr_production_orders_search_rename AFTER UPDATE OF name_key ON production_orders
WHEN old.name_key IS NOT new.name_key BEGIN
    DELETE FROM production_order_name_search
        WHERE rowid = (SELECT search_rowid FROM production_order_search_rows WHERE production_order_id = old.id);
    INSERT INTO production_order_name_search (rowid, name_key)
        VALUES ((SELECT search_rowid FROM production_order_search_rows WHERE production_order_id = old.id), new.name_key);
END;
CREATE TRIGGER tr_production_orders_search_delete AFTER DELETE ON production_orders BEGIN
    DELETE FROM production_order_name_search
        WHERE rowid = (SELECT search_rowid FROM production_order_search_rows WHERE production_order_id = old.id);
    DELETE FROM production_order_search_rows WHERE production_order_id = old.id;
END;
