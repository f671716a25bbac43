//! The definitions of the typed-property families (SPEC §2.3): one family per owner kind —
//! production orders, locations, materials (defined per material class). Every family has a
//! definition entity (name, data type, limits, options, default) and a value entity (one value
//! per owner and property, with a hidden typed copy per data type for queries). The fields of
//! both are declared once here, by [`definition_fields`] and [`value_fields`]; an owner kind
//! only adds its own keys (the owner reference, a class scope).

use super::fields::{d, f, fields, hidden, req, with_default, DATA_TYPES, LONG_TEXT, SIGNED, TEXT};
use super::types::{Default, DerivedDef, Entity, Entity::*, EntityDef, FieldDef, Kind, Lookup, UniqueName};

/// The fields of a property definition, `scope` (a class reference) after the name.
fn definition_fields(scope: Option<FieldDef>) -> Vec<FieldDef> {
    let mut own = vec![req("name", "name", Kind::Name)];
    own.extend(scope);
    own.extend([
        f("description", "description", LONG_TEXT),
        with_default(req("dataType", "data_type", Kind::Enum(DATA_TYPES)), Default::Text("STRING")),
        f("lowLimit", "low_limit", SIGNED),
        f("highLimit", "high_limit", SIGNED),
        f("format", "format", TEXT),
        f("unitOfMeasureId", "unit_of_measure_id", Kind::Ref(UnitOfMeasure)),
        f("options", "options", LONG_TEXT),
        with_default(req("nullable", "nullable", Kind::Bool), Default::Bool(false)),
        f("defaultValue", "default_value", Kind::Json),
    ]);
    fields(own)
}

/// The fields of a property value: its owner and property references, the data type, the value
/// as given and its hidden typed copies.
fn value_fields(owner: FieldDef, property: FieldDef) -> Vec<FieldDef> {
    fields(vec![
        owner,
        property,
        f("dataType", "data_type", Kind::Enum(DATA_TYPES)),
        f("value", "value", Kind::Json),
        hidden("stringValue", "string_value", LONG_TEXT),
        hidden("integerValue", "integer_value", SIGNED),
        hidden("floatValue", "float_value", SIGNED),
        hidden("booleanValue", "boolean_value", Kind::Bool),
        hidden("dateValue", "date_value", Kind::Time),
    ])
}

/// What differs between the families' entities: names, module, table and REST segment.
struct Names {
    entity: Entity,
    noun: &'static str,
    plural: &'static str,
    label: &'static str,
    module: &'static str,
    permission_prefix: &'static str,
    table: &'static str,
    rest: &'static str,
    params: Option<(&'static str, &'static str)>,
}

fn definition(n: Names, scope: Option<FieldDef>, derived: Vec<DerivedDef>) -> EntityDef {
    EntityDef {
        entity: n.entity,
        noun: n.noun,
        plural: n.plural,
        label: n.label,
        module: n.module,
        permission_prefix: n.permission_prefix,
        table: n.table,
        rest: n.rest,
        unique_name: UniqueName::Global,
        lookup: Lookup::Name,
        fields: definition_fields(scope),
        derived,
        aliases: &[],
        params: n.params,
    }
}

fn value(n: Names, owner: FieldDef, property: FieldDef, derived: Vec<DerivedDef>) -> EntityDef {
    EntityDef {
        entity: n.entity,
        noun: n.noun,
        plural: n.plural,
        label: n.label,
        module: n.module,
        permission_prefix: n.permission_prefix,
        table: n.table,
        rest: n.rest,
        unique_name: UniqueName::None,
        lookup: Lookup::IdOnly,
        fields: value_fields(owner, property),
        derived,
        aliases: &[],
        params: n.params,
    }
}

pub(super) fn production_order_property() -> EntityDef {
    definition(
        Names {
            entity: ProductionOrderProperty,
            noun: "ProductionOrderProperty",
            plural: "ProductionOrderProperties",
            label: "production order property",
            module: "productionOrder",
            permission_prefix: "PRODUCTION_ORDER",
            table: "production_order_properties",
            rest: "production-order-properties",
            params: Some(("propertyIdOrName", "propertyData")),
        },
        None,
        vec![d("unitOfMeasureSymbol", "unitOfMeasureId", "symbol")],
    )
}

pub(super) fn production_order_property_value() -> EntityDef {
    value(
        Names {
            entity: ProductionOrderPropertyValue,
            noun: "ProductionOrderPropertyValue",
            plural: "ProductionOrderPropertyValues",
            label: "property value",
            module: "productionOrder",
            permission_prefix: "PRODUCTION_ORDER",
            table: "production_order_property_values",
            rest: "production-order-property-values",
            params: Some(("propertyValueId", "propertyValueData")),
        },
        req("productionOrderId", "production_order_id", Kind::Ref(ProductionOrder)),
        req("propertyId", "property_id", Kind::Ref(ProductionOrderProperty)),
        vec![
            d("propertyName", "propertyId", "name"),
            d("productionOrderName", "productionOrderId", "name"),
        ],
    )
}

pub(super) fn location_property() -> EntityDef {
    definition(
        Names {
            entity: LocationProperty,
            noun: "LocationProperty",
            plural: "LocationProperties",
            label: "location property",
            module: "location",
            permission_prefix: "LOCATION",
            table: "location_properties",
            rest: "location-properties",
            params: Some(("propertyIdOrName", "propertyData")),
        },
        None,
        vec![
            d("unitOfMeasureName", "unitOfMeasureId", "name"),
            d("unitOfMeasureSymbol", "unitOfMeasureId", "symbol"),
        ],
    )
}

pub(super) fn location_property_value() -> EntityDef {
    value(
        Names {
            entity: LocationPropertyValue,
            noun: "LocationPropertyValue",
            plural: "LocationPropertyValues",
            label: "location property value",
            module: "location",
            permission_prefix: "LOCATION",
            table: "location_property_values",
            rest: "location-property-values",
            params: Some(("propertyValueId", "propertyValueData")),
        },
        req("locationId", "location_id", Kind::Ref(Location)),
        req("propertyId", "property_id", Kind::Ref(LocationProperty)),
        vec![d("propertyName", "propertyId", "name"), d("locationPath", "locationId", "path")],
    )
}

pub(super) fn material_property() -> EntityDef {
    definition(
        Names {
            entity: MaterialProperty,
            noun: "MaterialProperty",
            plural: "MaterialProperties",
            label: "material property",
            module: "material",
            permission_prefix: "MATERIAL",
            table: "material_properties",
            rest: "material-properties",
            params: Some(("propertyIdOrName", "propertyData")),
        },
        Some(req("materialClassId", "material_class_id", Kind::Ref(MaterialClass))),
        vec![
            d("materialClassPath", "materialClassId", "path"),
            d("unitOfMeasureName", "unitOfMeasureId", "name"),
            d("unitOfMeasureSymbol", "unitOfMeasureId", "symbol"),
        ],
    )
}

pub(super) fn material_property_value() -> EntityDef {
    value(
        Names {
            entity: MaterialPropertyValue,
            noun: "MaterialPropertyValue",
            plural: "MaterialPropertyValues",
            label: "material property value",
            module: "material",
            permission_prefix: "MATERIAL",
            table: "material_property_values",
            rest: "material-property-values",
            params: Some(("propertyValueId", "propertyValueData")),
        },
        req("materialId", "material_id", Kind::Ref(Material)),
        req("materialPropertyId", "material_property_id", Kind::Ref(MaterialProperty)),
        vec![
            d("propertyName", "materialPropertyId", "name"),
            d("materialPath", "materialId", "path"),
        ],
    )
}
