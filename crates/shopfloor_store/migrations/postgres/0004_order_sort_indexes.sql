-- Indexes that serve the common order-board queries in index order, including the id
-- tie-break every paged query sorts by (issue 7: find on 1,000,000 orders). Nulls sort first
-- ascending (as on SQLite), so the nullable dates are indexed NULLS FIRST; descending queries
-- (NULLS LAST) read the same index backwards.
DROP INDEX ix_production_orders_status_due;
DROP INDEX ix_production_orders_due;
DROP INDEX ix_production_orders_created;
CREATE INDEX ix_production_orders_status_due ON production_orders (status, due_date NULLS FIRST, id);
CREATE INDEX ix_production_orders_due ON production_orders (due_date NULLS FIRST, id);
CREATE INDEX ix_production_orders_created ON production_orders (created_date, id);
CREATE INDEX ix_production_orders_name ON production_orders (name, id);
