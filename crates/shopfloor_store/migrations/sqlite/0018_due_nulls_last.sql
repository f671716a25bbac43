-- The order board sorts by due date with undated orders last (`sortNulls: LAST`): the store
-- orders by `due_date IS NULL` first, which these indexes serve in index order — over all
-- orders, and within one status (issue 21).
CREATE INDEX ix_production_orders_due_nulls_last ON production_orders (due_date IS NULL, due_date, id);
CREATE INDEX ix_production_orders_status_due_nulls_last ON production_orders (status, due_date IS NULL, due_date, id);
