-- Shopfloor schema, version 1 (SQLite). Released migrations are never edited; add a new file.
-- Columns mirror the record catalogue (shopfloor_core::schema). Timestamps are epoch
-- milliseconds (UTC), booleans 0/1, ids the dashed ULID text. `name_key` holds the
-- case-folded name so that names are unique and looked up regardless of letter case.

CREATE TABLE units_of_measure (
    id TEXT NOT NULL CONSTRAINT pk_units_of_measure PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    symbol TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_units_of_measure_name ON units_of_measure (name_key);

CREATE TABLE material_classes (
    id TEXT NOT NULL CONSTRAINT pk_material_classes PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    parent_id TEXT CONSTRAINT fk_material_classes_parent REFERENCES material_classes (id),
    path TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_material_classes_name ON material_classes (COALESCE(parent_id, ''), name_key);
CREATE INDEX ix_material_classes_parent ON material_classes (parent_id);

CREATE TABLE materials (
    id TEXT NOT NULL CONSTRAINT pk_materials PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    material_class_id TEXT NOT NULL CONSTRAINT fk_materials_class REFERENCES material_classes (id),
    unit_of_measure_id TEXT NOT NULL CONSTRAINT fk_materials_unit REFERENCES units_of_measure (id),
    erp_id TEXT,
    shelf_life_days INTEGER,
    path TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_materials_name ON materials (material_class_id, name_key);
CREATE UNIQUE INDEX uq_materials_erp_id ON materials (erp_id);
CREATE INDEX ix_materials_unit ON materials (unit_of_measure_id);

CREATE TABLE unit_of_measure_conversions (
    id TEXT NOT NULL CONSTRAINT pk_unit_of_measure_conversions PRIMARY KEY,
    from_id TEXT NOT NULL CONSTRAINT fk_uom_conversions_from REFERENCES units_of_measure (id),
    to_id TEXT NOT NULL CONSTRAINT fk_uom_conversions_to REFERENCES units_of_measure (id),
    conversion_factor REAL NOT NULL,
    material_id TEXT CONSTRAINT fk_uom_conversions_material REFERENCES materials (id),
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_uom_conversions ON unit_of_measure_conversions (from_id, to_id, COALESCE(material_id, ''));
CREATE INDEX ix_uom_conversions_to ON unit_of_measure_conversions (to_id);
CREATE INDEX ix_uom_conversions_material ON unit_of_measure_conversions (material_id);

CREATE TABLE locations (
    id TEXT NOT NULL CONSTRAINT pk_locations PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    parent_id TEXT CONSTRAINT fk_locations_parent REFERENCES locations (id),
    type TEXT NOT NULL,
    path TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_locations_name ON locations (COALESCE(parent_id, ''), name_key);
CREATE INDEX ix_locations_parent ON locations (parent_id);

CREATE TABLE customers (
    id TEXT NOT NULL CONSTRAINT pk_customers PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    address TEXT, city TEXT, state TEXT, country TEXT, zip TEXT,
    primary_contact TEXT, primary_contact_email TEXT, primary_contact_phone TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_customers_name ON customers (name_key);

CREATE TABLE shifts (
    id TEXT NOT NULL CONSTRAINT pk_shifts PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    location_id TEXT NOT NULL CONSTRAINT fk_shifts_location REFERENCES locations (id),
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_shifts_name ON shifts (location_id, name_key);

CREATE TABLE shift_records (
    id TEXT NOT NULL CONSTRAINT pk_shift_records PRIMARY KEY,
    shift_id TEXT NOT NULL CONSTRAINT fk_shift_records_shift REFERENCES shifts (id),
    location_id TEXT NOT NULL CONSTRAINT fk_shift_records_location REFERENCES locations (id),
    start_date INTEGER,
    end_date INTEGER,
    status TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ix_shift_records_location ON shift_records (location_id, status, start_date);
CREATE INDEX ix_shift_records_shift ON shift_records (shift_id);

CREATE TABLE production_orders (
    id TEXT NOT NULL CONSTRAINT pk_production_orders PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    product_id TEXT NOT NULL CONSTRAINT fk_production_orders_product REFERENCES materials (id),
    customer_id TEXT CONSTRAINT fk_production_orders_customer REFERENCES customers (id),
    location_id TEXT CONSTRAINT fk_production_orders_location REFERENCES locations (id),
    status TEXT NOT NULL,
    schedule_priority TEXT NOT NULL,
    quantity REAL NOT NULL,
    quantity_produced REAL NOT NULL,
    quantity_scheduled REAL NOT NULL,
    start_date INTEGER,
    end_date INTEGER,
    due_date INTEGER,
    unit_of_measure_id TEXT NOT NULL CONSTRAINT fk_production_orders_unit REFERENCES units_of_measure (id),
    shift_record_id TEXT CONSTRAINT fk_production_orders_shift_record REFERENCES shift_records (id),
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1,
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
    sequence INTEGER NOT NULL CONSTRAINT pk_history_events PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    user_name TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    order_id TEXT,
    action TEXT NOT NULL,
    changes TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX ix_history_events_order ON history_events (order_id, sequence);
