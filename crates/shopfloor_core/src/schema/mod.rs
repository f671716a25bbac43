//! The record catalogue: one description per entity (fields, kinds, defaults, references,
//! derived names). Input parsing, validation, templates, queries, SQL and the OpenAPI document are
//! all driven by it, so a field is declared once and behaves the same everywhere.
//!
//! One file per group of definitions ([`orders`], [`properties`], [`master_data`], [`personnel`],
//! [`security`], [`integration`]), built from the
//! types in [`types`] with the blocks of [`fields`]; every name is used from this module's root.

mod fields;
mod integration;
mod master_data;
mod orders;
mod personnel;
mod properties;
mod security;
mod types;

pub use fields::{
    DATA_TYPES, DATA_TYPE_ALIASES, LOCATION_TYPES, LOT_STORAGE_STRATEGIES, LOT_USE_STRATEGIES, MATERIAL_TYPES, ORDER_STATUSES,
    PERSON_STATUSES, PRIORITIES, PROCESS_TYPES, ROLE_REQUIREMENT_TYPES, SHIFT_RECORD_STATUSES, TOKEN_KINDS,
};
pub use types::{lower_first, Access, Default, DerivedDef, Entity, EntityDef, FieldDef, Kind, Lookup, UniqueName, ValueType};

use std::sync::LazyLock;

/// The definition of each entity, from the file of its group.
fn definition(entity: Entity) -> EntityDef {
    match entity {
        Entity::ProductionOrder => orders::production_order(),
        Entity::UnitOfMeasure => master_data::unit_of_measure(),
        Entity::UnitOfMeasureConversion => master_data::unit_of_measure_conversion(),
        Entity::MaterialClass => master_data::material_class(),
        Entity::Material => master_data::material(),
        Entity::Location => master_data::location(),
        Entity::Customer => master_data::customer(),
        Entity::Shift => master_data::shift(),
        Entity::ShiftRecord => master_data::shift_record(),
        Entity::ProductionOrderProperty => properties::production_order_property(),
        Entity::ProductionOrderPropertyValue => properties::production_order_property_value(),
        Entity::LocationProperty => properties::location_property(),
        Entity::LocationPropertyValue => properties::location_property_value(),
        Entity::MaterialProperty => properties::material_property(),
        Entity::MaterialPropertyValue => properties::material_property_value(),
        Entity::MaterialReasonCode => master_data::material_reason_code(),
        Entity::StopReason => master_data::stop_reason(),
        Entity::Department => personnel::department(),
        Entity::Person => personnel::person(),
        Entity::BillOfMaterialsItem => orders::bill_of_materials_item(),
        Entity::User => security::user(),
        Entity::Role => security::role(),
        Entity::ApiToken => security::api_token(),
        Entity::Webhook => integration::webhook(),
    }
}

/// Every definition, in the order of [`Entity::ALL`] (so that [`Entity::def`] is an index).
static CATALOGUE: LazyLock<Vec<EntityDef>> = LazyLock::new(|| {
    let defs: Vec<EntityDef> = Entity::ALL.into_iter().map(definition).collect();
    for (i, def) in defs.iter().enumerate() {
        assert_eq!(def.entity as usize, i, "catalogue order must follow the Entity enum");
    }
    defs
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_derived_name_follows_a_reference_field() {
        for e in Entity::ALL {
            let def = e.def();
            for d in &def.derived {
                let via = def.field(d.via).unwrap_or_else(|| panic!("{}.{}", def.noun, d.via));
                assert!(matches!(via.kind, Kind::Ref(_)), "{}.{} is not a reference", def.noun, d.via);
            }
            if let UniqueName::Within(scope) = def.unique_name {
                assert!(def.field(scope).is_some());
            }
        }
    }

    #[test]
    fn lookup_parameters_are_named_as_in_the_catalogue() {
        assert_eq!(Entity::ProductionOrder.def().lookup_param(), "productionOrderIdOrName");
        assert_eq!(Entity::Material.def().lookup_param(), "materialIdOrPath");
        assert_eq!(Entity::ProductionOrder.def().data_param(), "productionOrderData");
    }
}
