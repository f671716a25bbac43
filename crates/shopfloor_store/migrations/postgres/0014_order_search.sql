-- Order search and priority sorting (issue 19, docs/adr/0014-order-search-and-priority.md).
--
-- The schedule priority sorts by rank (LOW < NORMAL < HIGH < URGENT, the order of
-- `PRIORITIES` in the catalogue), stored beside the word by the store (`search::RANKED`) and indexed
-- with the id tie-break (NULLS FIRST, as every ascending sort). Existing rows get the same ranks here.
ALTER TABLE production_orders ADD COLUMN schedule_priority_rank BIGINT;
UPDATE production_orders SET schedule_priority_rank = CASE schedule_priority
    WHEN 'LOW' THEN 0 WHEN 'NORMAL' THEN 1 WHEN 'HIGH' THEN 2 WHEN 'URGENT' THEN 3 END;
CREATE INDEX ix_production_orders_priority ON production_orders (schedule_priority_rank NULLS FIRST, id);

-- Order names are searched (CONTAINS, ENDS_WITH of three characters or more) through a
-- pg_trgm GIN index of `name_key`, the stored comparison key (docs/adr/0010); PostgreSQL keeps
-- it in step with every write. pg_trgm ships with PostgreSQL (contrib) and is a trusted
-- extension: the database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX ix_production_orders_name_trgm ON production_orders USING gin (name_key gin_trgm_ops);
