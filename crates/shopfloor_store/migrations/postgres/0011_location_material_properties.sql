-- Location fields of the original scripting API, location and material properties with their
-- values, and material reason codes (issue 18). Property values keep the value as JSON text for
-- the wire and a typed copy in the column of its data type, like production-order values (0002).
-- Mirrors migrations/sqlite/0011_location_material_properties.sql.

ALTER TABLE locations ADD COLUMN process_type TEXT COLLATE "C" NOT NULL DEFAULT 'NONE';
ALTER TABLE locations ADD COLUMN sort_order BIGINT NOT NULL DEFAULT 0;
ALTER TABLE locations ADD COLUMN allow_negative_inventory BIGINT NOT NULL DEFAULT 0;
ALTER TABLE locations ADD COLUMN storage_capacity DOUBLE PRECISION;
ALTER TABLE locations ADD COLUMN storage_capacity_unit_id TEXT COLLATE "C" CONSTRAINT fk_locations_storage_capacity_unit REFERENCES units_of_measure (id);
ALTER TABLE locations ADD COLUMN lot_storage_strategy TEXT COLLATE "C" NOT NULL DEFAULT 'NO_STORAGE';
ALTER TABLE locations ADD COLUMN lot_use_strategy TEXT COLLATE "C" NOT NULL DEFAULT 'FIFO';
CREATE INDEX ix_locations_storage_capacity_unit ON locations (storage_capacity_unit_id);

CREATE TABLE location_properties (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_location_properties PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C",
    data_type TEXT COLLATE "C" NOT NULL,
    low_limit DOUBLE PRECISION,
    high_limit DOUBLE PRECISION,
    format TEXT COLLATE "C",
    unit_of_measure_id TEXT COLLATE "C" CONSTRAINT fk_location_properties_unit REFERENCES units_of_measure (id),
    options TEXT COLLATE "C",
    nullable BIGINT NOT NULL DEFAULT 0,
    default_value TEXT COLLATE "C",
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_location_properties_name ON location_properties (name_key);
CREATE INDEX ix_location_properties_unit ON location_properties (unit_of_measure_id);

CREATE TABLE location_property_values (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_location_property_values PRIMARY KEY,
    location_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_location_property_values_location REFERENCES locations (id),
    property_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_location_property_values_property REFERENCES location_properties (id),
    data_type TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C",
    string_value TEXT COLLATE "C",
    integer_value DOUBLE PRECISION,
    float_value DOUBLE PRECISION,
    boolean_value BIGINT,
    date_value BIGINT,
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_location_property_values_location_property ON location_property_values (location_id, property_id);
CREATE INDEX ix_location_property_values_property ON location_property_values (property_id, location_id);

CREATE TABLE material_properties (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_material_properties PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    material_class_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_material_properties_class REFERENCES material_classes (id),
    description TEXT COLLATE "C",
    data_type TEXT COLLATE "C" NOT NULL,
    low_limit DOUBLE PRECISION,
    high_limit DOUBLE PRECISION,
    format TEXT COLLATE "C",
    unit_of_measure_id TEXT COLLATE "C" CONSTRAINT fk_material_properties_unit REFERENCES units_of_measure (id),
    options TEXT COLLATE "C",
    nullable BIGINT NOT NULL DEFAULT 0,
    default_value TEXT COLLATE "C",
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_material_properties_name ON material_properties (name_key);
CREATE INDEX ix_material_properties_class ON material_properties (material_class_id);
CREATE INDEX ix_material_properties_unit ON material_properties (unit_of_measure_id);

CREATE TABLE material_property_values (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_material_property_values PRIMARY KEY,
    material_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_material_property_values_material REFERENCES materials (id),
    material_property_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_material_property_values_property REFERENCES material_properties (id),
    data_type TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C",
    string_value TEXT COLLATE "C",
    integer_value DOUBLE PRECISION,
    float_value DOUBLE PRECISION,
    boolean_value BIGINT,
    date_value BIGINT,
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_material_property_values_material_property ON material_property_values (material_id, material_property_id);
CREATE INDEX ix_material_property_values_property ON material_property_values (material_property_id, material_id);

CREATE TABLE material_reason_codes (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_material_reason_codes PRIMARY KEY,
    lot_record_type TEXT COLLATE "C" NOT NULL,
    reason_code TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C",
    require_comments BIGINT,
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_material_reason_codes_code ON material_reason_codes (reason_code);
