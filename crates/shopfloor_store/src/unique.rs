//! What a violated unique index means, by the index's name. The migrations name every unique
//! index `uq_…` alike in both dialects (the schema parity test holds them to it); each backend
//! finds the name of the index an error is about (PostgreSQL reports it as the constraint,
//! SQLite names the index or its columns, see `sqlite/driver.rs`) and asks here, so that the
//! mapping to the domain has this one home.
//!
//! The services check names and ERP ids before writing; the indexes are the second line of
//! defence, for a duplicate that slips past the check (a save racing another). The other unique
//! indexes guard what no caller can duplicate by its input alone (ids, token hashes) or what a
//! service refuses with its own message first; their violation stays an internal error.

use shopfloor_core::errors::{CoreError, FieldErrors};

/// The field error a violation means: (field, message).
type FieldError = (&'static str, &'static str);

const NAME_TAKEN: Option<FieldError> = Some(("name", "a record with this name already exists"));
const ERP_ID_TAKEN: Option<FieldError> = Some(("erpId", "this erpId is already used"));

/// Every unique index of the schema with the field error its violation means, if any.
const UNIQUE_INDEXES: &[(&str, Option<FieldError>)] = &[
    ("uq_units_of_measure_name", NAME_TAKEN),
    ("uq_material_classes_name", NAME_TAKEN),
    ("uq_materials_name", NAME_TAKEN),
    ("uq_materials_erp_id", ERP_ID_TAKEN),
    ("uq_uom_conversions", None),
    ("uq_locations_name", NAME_TAKEN),
    ("uq_customers_name", NAME_TAKEN),
    ("uq_shifts_name", NAME_TAKEN),
    ("uq_production_orders_name", NAME_TAKEN),
    // SQLite only: one search row number per order (migration 14), kept by triggers.
    ("uq_production_order_search_rows_order", None),
    ("uq_production_order_properties_name", NAME_TAKEN),
    ("uq_po_property_values_order_property", None),
    ("uq_bom_items_order_material", None),
    ("uq_bom_items_order_position", None),
    ("uq_roles_name", NAME_TAKEN),
    ("uq_users_name", NAME_TAKEN),
    ("uq_api_tokens_hash", None),
    ("uq_location_properties_name", NAME_TAKEN),
    ("uq_location_property_values_location_property", None),
    ("uq_material_properties_name", NAME_TAKEN),
    ("uq_material_property_values_material_property", None),
    (
        "uq_material_reason_codes_code",
        Some(("reasonCode", "this reason code is already used")),
    ),
    ("uq_webhooks_name", NAME_TAKEN),
    ("uq_departments_name", NAME_TAKEN),
    ("uq_stop_reasons_name", NAME_TAKEN),
    (
        "uq_people_username",
        Some(("username", "this username already belongs to another person")),
    ),
    (
        "uq_people_user",
        Some(("userId", "this login user already belongs to another person")),
    ),
];

/// The domain error for a violation of the unique index `index`, when it is the caller's
/// mistake; `None` when the violation is a fault (the backend reports it as internal).
pub fn violation(index: &str) -> Option<CoreError> {
    let (_, meaning) = UNIQUE_INDEXES.iter().find(|(name, _)| *name == index)?;
    let (field, message) = (*meaning)?;
    Some(CoreError::Validation(FieldErrors::single(field, message)))
}

/// The names of every unique index the table knows (for the test that holds it to the schema).
#[cfg(test)]
pub fn known() -> impl Iterator<Item = &'static str> {
    UNIQUE_INDEXES.iter().map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duplicate_name_or_erp_id_is_a_field_error_and_other_indexes_are_not() {
        let field = |index: &str| match violation(index) {
            Some(CoreError::Validation(f)) => f.0.keys().next().cloned(),
            _ => None,
        };
        assert_eq!(field("uq_materials_name").as_deref(), Some("name"));
        assert_eq!(field("uq_users_name").as_deref(), Some("name"));
        assert_eq!(field("uq_materials_erp_id").as_deref(), Some("erpId"));
        assert!(violation("uq_api_tokens_hash").is_none());
        assert!(violation("uq_bom_items_order_position").is_none());
        assert!(violation("pk_materials").is_none());
        assert!(violation("").is_none());
    }
}
