-- Shopfloor schema, version 1 (PostgreSQL). Released migrations are never edited; add a new file.
-- Columns mirror the record catalogue (shopfloor_core::schema). Timestamps are epoch
-- milliseconds (UTC), booleans 0/1, ids the dashed ULID text. `name_key` holds the
-- case-folded name so that names are unique and looked up regardless of letter case.
-- Mirrors migrations/sqlite/0001_init.sql one-to-one (same tables, columns, constraint and index
-- names; a test compares them). Text columns use the "C" collation so that sorting is by code
-- point, as SQLite's BINARY collation sorts; INTEGER is BIGINT and REAL DOUBLE PRECISION.

-- sf_fold(text): letter case folded like Rust's to_lowercase (what the SQLite backend registers
-- under the same name): lower() under the ICU root collation where the server has ICU (the
-- "C" collation's lower() folds ASCII only), the database's own lower() otherwise.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_collation WHERE collname = 'und-x-icu') THEN
        EXECUTE $f$CREATE FUNCTION sf_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                   AS 'SELECT lower($1 COLLATE "und-x-icu")'$f$;
    ELSE
        EXECUTE $f$CREATE FUNCTION sf_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
                   AS 'SELECT lower($1)'$f$;
    END IF;
END
$$;

CREATE TABLE units_of_measure (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_units_of_measure PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    symbol TEXT COLLATE "C" NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_units_of_measure_name ON units_of_measure (name_key);

CREATE TABLE material_classes (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_material_classes PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C",
    parent_id TEXT COLLATE "C" CONSTRAINT fk_material_classes_parent REFERENCES material_classes (id),
    path TEXT COLLATE "C" NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_material_classes_name ON material_classes (COALESCE(parent_id, ''), name_key);
CREATE INDEX ix_material_classes_parent ON material_classes (parent_id);

CREATE TABLE materials (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_materials PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C",
    material_class_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_materials_class REFERENCES material_classes (id),
    unit_of_measure_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_materials_unit REFERENCES units_of_measure (id),
    erp_id TEXT COLLATE "C",
    shelf_life_days BIGINT,
    path TEXT COLLATE "C" NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_materials_name ON materials (material_class_id, name_key);
CREATE UNIQUE INDEX uq_materials_erp_id ON materials (erp_id);
CREATE INDEX ix_materials_unit ON materials (unit_of_measure_id);

CREATE TABLE unit_of_measure_conversions (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_unit_of_measure_conversions PRIMARY KEY,
    from_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_uom_conversions_from REFERENCES units_of_measure (id),
    to_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_uom_conversions_to REFERENCES units_of_measure (id),
    conversion_factor DOUBLE PRECISION NOT NULL,
    material_id TEXT COLLATE "C" CONSTRAINT fk_uom_conversions_material REFERENCES materials (id),
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_uom_conversions ON unit_of_measure_conversions (from_id, to_id, COALESCE(material_id, ''));
CREATE INDEX ix_uom_conversions_to ON unit_of_measure_conversions (to_id);
CREATE INDEX ix_uom_conversions_material ON unit_of_measure_conversions (material_id);

CREATE TABLE locations (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_locations PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C",
    parent_id TEXT COLLATE "C" CONSTRAINT fk_locations_parent REFERENCES locations (id),
    type TEXT COLLATE "C" NOT NULL,
    path TEXT COLLATE "C" NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_locations_name ON locations (COALESCE(parent_id, ''), name_key);
CREATE INDEX ix_locations_parent ON locations (parent_id);

CREATE TABLE customers (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_customers PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C",
    address TEXT COLLATE "C", city TEXT COLLATE "C", state TEXT COLLATE "C", country TEXT COLLATE "C", zip TEXT COLLATE "C",
    primary_contact TEXT COLLATE "C", primary_contact_email TEXT COLLATE "C", primary_contact_phone TEXT COLLATE "C",
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_customers_name ON customers (name_key);

CREATE TABLE shifts (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_shifts PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C",
    location_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_shifts_location REFERENCES locations (id),
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_shifts_name ON shifts (location_id, name_key);

CREATE TABLE shift_records (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_shift_records PRIMARY KEY,
    shift_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_shift_records_shift REFERENCES shifts (id),
    location_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_shift_records_location REFERENCES locations (id),
    start_date BIGINT,
    end_date BIGINT,
    status TEXT COLLATE "C" NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX ix_shift_records_location ON shift_records (location_id, status, start_date);
CREATE INDEX ix_shift_records_shift ON shift_records (shift_id);

CREATE TABLE production_orders (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_production_orders PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    product_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_production_orders_product REFERENCES materials (id),
    customer_id TEXT COLLATE "C" CONSTRAINT fk_production_orders_customer REFERENCES customers (id),
    location_id TEXT COLLATE "C" CONSTRAINT fk_production_orders_location REFERENCES locations (id),
    status TEXT COLLATE "C" NOT NULL,
    schedule_priority TEXT COLLATE "C" NOT NULL,
    quantity DOUBLE PRECISION NOT NULL,
    quantity_produced DOUBLE PRECISION NOT NULL,
    quantity_scheduled DOUBLE PRECISION NOT NULL,
    start_date BIGINT,
    end_date BIGINT,
    due_date BIGINT,
    unit_of_measure_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_production_orders_unit REFERENCES units_of_measure (id),
    shift_record_id TEXT COLLATE "C" CONSTRAINT fk_production_orders_shift_record REFERENCES shift_records (id),
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT ck_production_orders_quantities CHECK (quantity >= 0 AND quantity_produced >= 0 AND quantity_scheduled >= 0)
);
CREATE UNIQUE INDEX uq_production_orders_name ON production_orders (name_key);
CREATE INDEX ix_production_orders_status_due ON production_orders (status, due_date);
CREATE INDEX ix_production_orders_due ON production_orders (due_date);
CREATE INDEX ix_production_orders_location ON production_orders (location_id, status);
CREATE INDEX ix_production_orders_product ON production_orders (product_id);
CREATE INDEX ix_production_orders_customer ON production_orders (customer_id);
CREATE INDEX ix_production_orders_unit ON production_orders (unit_of_measure_id);
CREATE INDEX ix_production_orders_shift_record ON production_orders (shift_record_id);
CREATE INDEX ix_production_orders_created ON production_orders (created_date);

CREATE TABLE history_events (
    sequence BIGINT GENERATED BY DEFAULT AS IDENTITY CONSTRAINT pk_history_events PRIMARY KEY,
    at BIGINT NOT NULL,
    user_name TEXT COLLATE "C" NOT NULL,
    entity TEXT COLLATE "C" NOT NULL,
    entity_id TEXT COLLATE "C" NOT NULL,
    order_id TEXT COLLATE "C",
    action TEXT COLLATE "C" NOT NULL,
    changes TEXT COLLATE "C" NOT NULL,
    reason TEXT COLLATE "C"
);
CREATE INDEX ix_history_events_order ON history_events (order_id, sequence);
