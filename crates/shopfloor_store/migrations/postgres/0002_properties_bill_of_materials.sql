-- Custom properties, property values and bill-of-materials items (issue 3).
-- Property values keep the value as JSON text for the wire and a typed copy in the column of
-- its data type, so that queries compare numbers as numbers and dates as dates.

CREATE TABLE production_order_properties (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_production_order_properties PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    name_key TEXT COLLATE "C" NOT NULL,
    description TEXT COLLATE "C",
    data_type TEXT COLLATE "C" NOT NULL,
    low_limit DOUBLE PRECISION,
    high_limit DOUBLE PRECISION,
    format TEXT COLLATE "C",
    unit_of_measure_id TEXT COLLATE "C" CONSTRAINT fk_po_properties_unit REFERENCES units_of_measure (id),
    options TEXT COLLATE "C",
    nullable BIGINT NOT NULL DEFAULT 0,
    default_value TEXT COLLATE "C",
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX uq_production_order_properties_name ON production_order_properties (name_key);
CREATE INDEX ix_po_properties_unit ON production_order_properties (unit_of_measure_id);

CREATE TABLE production_order_property_values (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_production_order_property_values PRIMARY KEY,
    production_order_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_po_property_values_order REFERENCES production_orders (id),
    property_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_po_property_values_property REFERENCES production_order_properties (id),
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
CREATE UNIQUE INDEX uq_po_property_values_order_property ON production_order_property_values (production_order_id, property_id);
CREATE INDEX ix_po_property_values_property ON production_order_property_values (property_id, production_order_id);

CREATE TABLE bill_of_materials_items (
    id TEXT COLLATE "C" NOT NULL CONSTRAINT pk_bill_of_materials_items PRIMARY KEY,
    production_order_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_bom_items_order REFERENCES production_orders (id),
    product_id TEXT COLLATE "C" CONSTRAINT fk_bom_items_product REFERENCES materials (id),
    material_id TEXT COLLATE "C" NOT NULL CONSTRAINT fk_bom_items_material REFERENCES materials (id),
    quantity_per_produced_unit DOUBLE PRECISION NOT NULL,
    quantity_order DOUBLE PRECISION,
    unit_of_measure_id TEXT COLLATE "C" CONSTRAINT fk_bom_items_unit REFERENCES units_of_measure (id),
    position BIGINT NOT NULL,
    material_group TEXT COLLATE "C",
    material_type TEXT COLLATE "C" NOT NULL,
    enabled BIGINT NOT NULL DEFAULT 1,
    notes TEXT COLLATE "C", spare1 TEXT COLLATE "C", spare2 TEXT COLLATE "C", spare3 TEXT COLLATE "C",
    created_date BIGINT NOT NULL, created_by TEXT COLLATE "C" NOT NULL,
    modified_date BIGINT, modified_by TEXT COLLATE "C",
    version BIGINT NOT NULL DEFAULT 1,
    CONSTRAINT ck_bom_items_quantities CHECK (quantity_per_produced_unit >= 0 AND (quantity_order IS NULL OR quantity_order >= 0))
);
CREATE UNIQUE INDEX uq_bom_items_order_material ON bill_of_materials_items (production_order_id, material_id);
CREATE UNIQUE INDEX uq_bom_items_order_position ON bill_of_materials_items (production_order_id, position);
CREATE INDEX ix_bom_items_material ON bill_of_materials_items (material_id);
CREATE INDEX ix_bom_items_product ON bill_of_materials_items (product_id);
CREATE INDEX ix_bom_items_unit ON bill_of_materials_items (unit_of_measure_id);
