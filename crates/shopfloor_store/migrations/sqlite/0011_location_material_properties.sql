-- Location fields of the original scripting API, location and material properties with their
-- values, and material reason codes (issue 18). Property values keep the value as JSON text for
-- the wire and a typed copy in the column of its data type, like production-order values (0002).


ALTER TABLE locations ADD COLUMN process_type TEXT NOT NULL DEFAULT 'NONE';
ALTER TABLE locations ADD COLUMN sort_order INTEGER NOT NULL DEFAULT 0;
ALTER TABLE locations ADD COLUMN allow_negative_inventory INTEGER NOT NULL DEFAULT 0;
ALTER TABLE locations ADD COLUMN storage_capacity REAL;
ALTER TABLE locations ADD COLUMN storage_capacity_unit_id TEXT CONSTRAINT fk_locations_storage_capacity_unit REFERENCES units_of_measure (id);
ALTER TABLE locations ADD COLUMN lot_storage_strategy TEXT NOT NULL DEFAULT 'NO_STORAGE';
ALTER TABLE locations ADD COLUMN lot_use_strategy TEXT NOT NULL DEFAULT 'FIFO';
CREATE INDEX ix_locations_storage_capacity_unit ON locations (storage_capacity_unit_id);

CREATE TABLE location_properties (
    id TEXT NOT NULL CONSTRAINT pk_location_properties PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    description TEXT,
    data_type TEXT NOT NULL,
    low_limit REAL,
    high_limit REAL,
    format TEXT,
    unit_of_measure_id TEXT CONSTRAINT fk_location_properties_unit REFERENCES units_of_measure (id),
    options TEXT,
    nullable INTEGER NOT NULL DEFAULT 0,
    default_value TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_location_properties_name ON location_properties (name_key);
CREATE INDEX ix_location_properties_unit ON location_properties (unit_of_measure_id);

CREATE TABLE location_property_values (
    id TEXT NOT NULL CONSTRAINT pk_location_property_values PRIMARY KEY,
    location_id TEXT NOT NULL CONSTRAINT fk_location_property_values_location REFERENCES locations (id),
    property_id TEXT NOT NULL CONSTRAINT fk_location_property_values_property REFERENCES location_properties (id),
    data_type TEXT NOT NULL,
    value TEXT,
    string_value TEXT,
    integer_value REAL,
    float_value REAL,
    boolean_value INTEGER,
    date_value INTEGER,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_location_property_values_location_property ON location_property_values (location_id, property_id);
CREATE INDEX ix_location_property_values_property ON location_property_values (property_id, location_id);

CREATE TABLE material_properties (
    id TEXT NOT NULL CONSTRAINT pk_material_properties PRIMARY KEY,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    material_class_id TEXT NOT NULL CONSTRAINT fk_material_properties_class REFERENCES material_classes (id),
    description TEXT,
    data_type TEXT NOT NULL,
    low_limit REAL,
    high_limit REAL,
    format TEXT,
    unit_of_measure_id TEXT CONSTRAINT fk_material_properties_unit REFERENCES units_of_measure (id),
    options TEXT,
    nullable INTEGER NOT NULL DEFAULT 0,
    default_value TEXT,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_material_properties_name ON material_properties (name_key);
CREATE INDEX ix_material_properties_class ON material_properties (material_class_id);
CREATE INDEX ix_material_properties_unit ON material_properties (unit_of_measure_id);

CREATE TABLE material_property_values (
    id TEXT NOT NULL CONSTRAINT pk_material_property_values PRIMARY KEY,
    material_id TEXT NOT NULL CONSTRAINT fk_material_property_values_material REFERENCES materials (id),
    material_property_id TEXT NOT NULL CONSTRAINT fk_material_property_values_property REFERENCES material_properties (id),
    data_type TEXT NOT NULL,
    value TEXT,
    string_value TEXT,
    integer_value REAL,
    float_value REAL,
    boolean_value INTEGER,
    date_value INTEGER,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_material_property_values_material_property ON material_property_values (material_id, material_property_id);
CREATE INDEX ix_material_property_values_property ON material_property_values (material_property_id, material_id);

CREATE TABLE material_reason_codes (
    id TEXT NOT NULL CONSTRAINT pk_material_reason_codes PRIMARY KEY,
    lot_record_type TEXT NOT NULL,
    reason_code TEXT NOT NULL,
    description TEXT,
    require_comments INTEGER,
    enabled INTEGER NOT NULL DEFAULT 1,
    notes TEXT, spare1 TEXT, spare2 TEXT, spare3 TEXT,
    created_date INTEGER NOT NULL, created_by TEXT NOT NULL,
    modified_date INTEGER, modified_by TEXT,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_material_reason_codes_code ON material_reason_codes (reason_code);
