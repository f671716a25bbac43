//! The definitions of master data: units and their conversions, material classes and
//! materials, locations, customers, shifts and shift records.

use super::fields::{
    d, f, fields, read_only, req, with_default, LOCATION_TYPES, LONG_TEXT, LOT_STORAGE_STRATEGIES, LOT_USE_STRATEGIES, PROCESS_TYPES,
    QUANTITY, RUNNING_CONFLICT_STRATEGIES, SHIFT_RECORD_STATUSES, SHIFT_SCHEDULE_SOURCES, STOP_REASON_USES, TEXT, TRIGGER_TYPES,
};
use super::types::{Default, Entity::*, EntityDef, Kind, Lookup, UniqueName};

pub(super) fn unit_of_measure() -> EntityDef {
    EntityDef {
        entity: UnitOfMeasure,
        noun: "UnitOfMeasure",
        plural: "UnitsOfMeasure",
        label: "unit of measure",
        module: "unitOfMeasure",
        permission_prefix: "UNIT_OF_MEASURE",
        table: "units_of_measure",
        rest: "units-of-measure",
        unique_name: UniqueName::Global,
        lookup: Lookup::Name,
        fields: fields(vec![
            req("name", "name", Kind::Name),
            req("symbol", "symbol", Kind::Text { max: 32 }),
        ]),
        derived: vec![],
        aliases: &[],
        params: None,
    }
}

pub(super) fn unit_of_measure_conversion() -> EntityDef {
    EntityDef {
        entity: UnitOfMeasureConversion,
        noun: "UnitOfMeasureConversion",
        plural: "UnitOfMeasureConversions",
        label: "unit of measure conversion",
        module: "unitOfMeasure",
        permission_prefix: "UNIT_OF_MEASURE",
        table: "unit_of_measure_conversions",
        rest: "unit-of-measure-conversions",
        unique_name: UniqueName::None,
        lookup: Lookup::IdOnly,
        fields: fields(vec![
            req("fromId", "from_id", Kind::Ref(UnitOfMeasure)),
            req("toId", "to_id", Kind::Ref(UnitOfMeasure)),
            req(
                "conversionFactor",
                "conversion_factor",
                Kind::Real {
                    positive: true,
                    signed: false,
                },
            ),
            f("materialId", "material_id", Kind::Ref(Material)),
        ]),
        derived: vec![
            d("fromName", "fromId", "name"),
            d("toName", "toId", "name"),
            d("materialPath", "materialId", "path"),
        ],
        aliases: &[],
        params: None,
    }
}

pub(super) fn material_class() -> EntityDef {
    EntityDef {
        entity: MaterialClass,
        noun: "MaterialClass",
        plural: "MaterialClasses",
        label: "material class",
        module: "material",
        permission_prefix: "MATERIAL",
        table: "material_classes",
        rest: "material-classes",
        unique_name: UniqueName::Within("parentId"),
        lookup: Lookup::Path,
        fields: fields(vec![
            req("name", "name", Kind::Name),
            f("description", "description", LONG_TEXT),
            f("parentId", "parent_id", Kind::Ref(MaterialClass)),
            read_only("path", "path", LONG_TEXT),
        ]),
        derived: vec![],
        aliases: &[],
        params: None,
    }
}

pub(super) fn material() -> EntityDef {
    EntityDef {
        entity: Material,
        noun: "Material",
        plural: "Materials",
        label: "material",
        module: "material",
        permission_prefix: "MATERIAL",
        table: "materials",
        rest: "materials",
        unique_name: UniqueName::Within("materialClassId"),
        lookup: Lookup::Path,
        fields: fields(vec![
            req("name", "name", Kind::Name),
            f("description", "description", LONG_TEXT),
            req("materialClassId", "material_class_id", Kind::Ref(MaterialClass)),
            req("unitOfMeasureId", "unit_of_measure_id", Kind::Ref(UnitOfMeasure)),
            f("erpId", "erp_id", TEXT),
            f("shelfLifeDays", "shelf_life_days", Kind::Int),
            read_only("path", "path", LONG_TEXT),
        ]),
        derived: vec![
            d("materialClassName", "materialClassId", "name"),
            d("unitOfMeasureName", "unitOfMeasureId", "name"),
            d("unitOfMeasureSymbol", "unitOfMeasureId", "symbol"),
        ],
        aliases: &[],
        params: None,
    }
}

pub(super) fn location() -> EntityDef {
    EntityDef {
        entity: Location,
        noun: "Location",
        plural: "Locations",
        label: "location",
        module: "location",
        permission_prefix: "LOCATION",
        table: "locations",
        rest: "locations",
        unique_name: UniqueName::Within("parentId"),
        lookup: Lookup::Path,
        fields: fields(vec![
            req("name", "name", Kind::Name),
            f("description", "description", LONG_TEXT),
            f("parentId", "parent_id", Kind::Ref(Location)),
            with_default(req("type", "type", Kind::Enum(LOCATION_TYPES)), Default::Text("ENTERPRISE")),
            with_default(req("processType", "process_type", Kind::Enum(PROCESS_TYPES)), Default::Text("NONE")),
            with_default(f("sortOrder", "sort_order", Kind::Int), Default::Int(0)),
            with_default(
                f("allowNegativeInventory", "allow_negative_inventory", Kind::Bool),
                Default::Bool(false),
            ),
            f("storageCapacity", "storage_capacity", QUANTITY),
            f("storageCapacityUnitId", "storage_capacity_unit_id", Kind::Ref(UnitOfMeasure)),
            with_default(
                f("lotStorageStrategy", "lot_storage_strategy", Kind::Enum(LOT_STORAGE_STRATEGIES)),
                Default::Text("NO_STORAGE"),
            ),
            with_default(
                f("lotUseStrategy", "lot_use_strategy", Kind::Enum(LOT_USE_STRATEGIES)),
                Default::Text("FIFO"),
            ),
            read_only("path", "path", LONG_TEXT),
        ]),
        derived: vec![],
        aliases: &[],
        params: None,
    }
}

/// Why lots were scrapped, consumed, adjusted…: a code (`SCRP001`) for one kind of lot action.
/// The kinds (`lotRecordType`) are not listed by the reference, so they are free text.
pub(super) fn material_reason_code() -> EntityDef {
    EntityDef {
        entity: MaterialReasonCode,
        noun: "MaterialReasonCode",
        plural: "MaterialReasonCodes",
        label: "material reason code",
        module: "material",
        permission_prefix: "MATERIAL",
        table: "material_reason_codes",
        rest: "material-reason-codes",
        unique_name: UniqueName::None,
        lookup: Lookup::Field("reasonCode"),
        fields: fields(vec![
            req("lotRecordType", "lot_record_type", TEXT),
            req("reasonCode", "reason_code", TEXT),
            f("description", "description", LONG_TEXT),
            f("requireComments", "require_comments", Kind::Bool),
        ]),
        derived: vec![],
        aliases: &[],
        params: Some(("materialReasonCodeIdOrCode", "materialReasonCodeData")),
    }
}

/// Why an order was paused or stopped, as the plant names it ("Waiting for material"): the
/// pick list of the line view and the order page; the chosen name is stored as the status
/// change's `reason` (docs/adr/0016). Read with the orders (`PRODUCTION_ORDER.READ`), so every
/// role that pauses or stops orders can read the list.
pub(super) fn stop_reason() -> EntityDef {
    EntityDef {
        entity: StopReason,
        noun: "StopReason",
        plural: "StopReasons",
        label: "stop reason",
        module: "productionOrder",
        permission_prefix: "PRODUCTION_ORDER",
        table: "stop_reasons",
        rest: "stop-reasons",
        unique_name: UniqueName::Global,
        lookup: Lookup::Name,
        fields: fields(vec![
            req("name", "name", Kind::Name),
            f("description", "description", LONG_TEXT),
            with_default(req("appliesTo", "applies_to", Kind::Enum(STOP_REASON_USES)), Default::Text("BOTH")),
        ]),
        derived: vec![],
        aliases: &[],
        params: None,
    }
}

pub(super) fn customer() -> EntityDef {
    EntityDef {
        entity: Customer,
        noun: "Customer",
        plural: "Customers",
        label: "customer",
        module: "customer",
        permission_prefix: "CUSTOMER",
        table: "customers",
        rest: "customers",
        unique_name: UniqueName::Global,
        lookup: Lookup::Name,
        fields: fields(vec![
            req("name", "name", Kind::Name),
            f("description", "description", LONG_TEXT),
            f("address", "address", TEXT),
            f("city", "city", TEXT),
            f("state", "state", TEXT),
            f("country", "country", TEXT),
            f("zip", "zip", TEXT),
            f("primaryContact", "primary_contact", TEXT),
            f("primaryContactEmail", "primary_contact_email", TEXT),
            f("primaryContactPhone", "primary_contact_phone", TEXT),
        ]),
        derived: vec![],
        aliases: &[],
        params: None,
    }
}

pub(super) fn shift() -> EntityDef {
    EntityDef {
        entity: Shift,
        noun: "Shift",
        plural: "Shifts",
        label: "shift",
        module: "shift",
        permission_prefix: "SHIFT",
        table: "shifts",
        rest: "shifts",
        unique_name: UniqueName::Within("locationId"),
        lookup: Lookup::IdOnly,
        fields: fields(vec![
            req("name", "name", Kind::Name),
            f("description", "description", LONG_TEXT),
            req("locationId", "location_id", Kind::Ref(Location)),
            f("shiftScheduleName", "shift_schedule_name", TEXT),
            with_default(
                req("shiftScheduleSource", "shift_schedule_source", Kind::Enum(SHIFT_SCHEDULE_SOURCES)),
                Default::Text("IGNITION_SCHEDULE"),
            ),
            // The ACTIVE record of this shift, kept by the shift service (`shift::track_current`).
            read_only("currentRecordId", "current_record_id", Kind::Ref(ShiftRecord)),
            with_default(
                req(
                    "runningConflictStrategy",
                    "running_conflict_strategy",
                    Kind::Enum(RUNNING_CONFLICT_STRATEGIES),
                ),
                Default::Text("STOP_PREVIOUS"),
            ),
            f("startTriggerExpression", "start_trigger_expression", LONG_TEXT),
            with_default(
                req("startTriggerType", "start_trigger_type", Kind::Enum(TRIGGER_TYPES)),
                Default::Text("RISING_EDGE"),
            ),
            f("stopTriggerExpression", "stop_trigger_expression", LONG_TEXT),
            with_default(
                req("stopTriggerType", "stop_trigger_type", Kind::Enum(TRIGGER_TYPES)),
                Default::Text("FALLING_EDGE"),
            ),
        ]),
        derived: vec![d("locationName", "locationId", "name"), d("locationPath", "locationId", "path")],
        aliases: &[],
        params: None,
    }
}

pub(super) fn shift_record() -> EntityDef {
    EntityDef {
        entity: ShiftRecord,
        noun: "ShiftRecord",
        plural: "ShiftRecords",
        label: "shift record",
        module: "shift",
        permission_prefix: "SHIFT",
        table: "shift_records",
        rest: "shift-records",
        unique_name: UniqueName::None,
        lookup: Lookup::IdOnly,
        fields: fields(vec![
            req("shiftId", "shift_id", Kind::Ref(Shift)),
            req("locationId", "location_id", Kind::Ref(Location)),
            f("startDate", "start_date", Kind::Time),
            f("endDate", "end_date", Kind::Time),
            with_default(req("status", "status", Kind::Enum(SHIFT_RECORD_STATUSES)), Default::Text("IDLE")),
        ]),
        derived: vec![
            d("shiftName", "shiftId", "name"),
            d("locationName", "locationId", "name"),
            d("locationPath", "locationId", "path"),
        ],
        aliases: &[],
        params: None,
    }
}
