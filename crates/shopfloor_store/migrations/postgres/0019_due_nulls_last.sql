-- The order board sorts by due date with undated orders last (`sortNulls: LAST`): these
-- indexes serve `due_date ASC NULLS LAST, id` (and, read backwards, DESC NULLS FIRST) in
-- index order — over all orders, and within one status (issue 21).
CREATE INDEX ix_production_orders_due_nulls_last ON production_orders (due_date NULLS LAST, id);
CREATE INDEX ix_production_orders_status_due_nulls_last ON production_orders (status, due_date NULLS LAST, id);
