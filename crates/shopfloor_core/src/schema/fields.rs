//! Building blocks of the entity definitions: the spellings of enumerated fields, the common
//! field kinds, field constructors and the fields every entity shares (SPEC §1).

use super::types::{Access, Default, DerivedDef, FieldDef, Kind};

/// The order statuses as stored, spelled by the lifecycle (`Status::as_str`), in its order.
pub const ORDER_STATUSES: &[&str] = &{
    use crate::lifecycle::Status;
    let mut out = [""; Status::ALL.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = Status::ALL[i].as_str();
        i += 1;
    }
    out
};
pub const PRIORITIES: &[&str] = &["LOW", "NORMAL", "HIGH", "URGENT"];
pub const LOCATION_TYPES: &[&str] = &["ENTERPRISE", "COMPANY", "SITE", "AREA", "LINE", "CELL_GROUP", "CELL", "UNIT"];
/// Location fields of the original scripting API (`processType`, `lotStorageStrategy`,
/// `lotUseStrategy`), spelled as its reference lists them; `LIFO` comes from its data model.
pub const PROCESS_TYPES: &[&str] = &["STORAGE", "CONTINUOUS", "BATCH", "DISCRETE", "NONE"];
pub const LOT_STORAGE_STRATEGIES: &[&str] = &[
    "ALLOW_MULTIPLE",
    "ALLOW_SINGLE_OR_THROW",
    "MERGE_INTO_PREVIOUS",
    "MERGE_INTO_NEW",
    "NO_STORAGE",
];
pub const LOT_USE_STRATEGIES: &[&str] = &["FIFO", "FEFO", "LIFO"];
pub const SHIFT_RECORD_STATUSES: &[&str] = &["IDLE", "ACTIVE", "CLOSED", "VERIFIED"];
/// Where a shift's timings come from in the original API (kept; Shopfloor starts shifts by call).
pub const SHIFT_SCHEDULE_SOURCES: &[&str] = &["IGNITION_SCHEDULE", "IGNITION_EXPRESSION", "MES_SCHEDULE"];
/// What starting a shift does while another runs at the location.
pub const RUNNING_CONFLICT_STRATEGIES: &[&str] = &["STOP_PREVIOUS", "THROW_EXCEPTION"];
pub const TRIGGER_TYPES: &[&str] = &["RISING_EDGE", "FALLING_EDGE", "CHANGE"];
pub const DATA_TYPES: &[&str] = &["STRING", "INTEGER", "FLOAT", "BOOLEAN", "DATETIME"];
pub const TOKEN_KINDS: &[&str] = &["TOKEN", "SESSION"];
/// Whether a role needs all or any of its security levels (the original API's data model).
pub const ROLE_REQUIREMENT_TYPES: &[&str] = &["ALL_OF", "ANY_OF"];
pub const MATERIAL_TYPES: &[&str] = &["COMPONENT", "PRODUCT", "BYPRODUCT"];
pub const PERSON_STATUSES: &[&str] = &["ACTIVE", "INACTIVE"];
/// Which status changes a stop reason is offered for (`StopReason.appliesTo`).
pub const STOP_REASON_USES: &[&str] = &["PAUSE", "STOP", "BOTH"];

/// Accepted spellings of data types besides the canonical ones (SPEC §2.3), matched ignoring case.
pub const DATA_TYPE_ALIASES: &[(&str, &str)] = &[
    ("INT", "INTEGER"),
    ("INT4", "INTEGER"),
    ("INT8", "INTEGER"),
    ("LONG", "INTEGER"),
    ("FLOAT4", "FLOAT"),
    ("FLOAT8", "FLOAT"),
    ("DOUBLE", "FLOAT"),
    ("BOOL", "BOOLEAN"),
    ("DATE", "DATETIME"),
    ("INSTANT", "DATETIME"),
];

const NAME_MAX: usize = 255;
pub(super) const TEXT: Kind = Kind::Text { max: NAME_MAX };
pub(super) const LONG_TEXT: Kind = Kind::Text { max: 10_000 };
pub(super) const QUANTITY: Kind = Kind::Real {
    positive: false,
    signed: false,
};
/// A number of either sign (limits, typed property values).
pub(super) const SIGNED: Kind = Kind::Real {
    positive: false,
    signed: true,
};

pub(super) fn f(key: &'static str, column: &'static str, kind: Kind) -> FieldDef {
    FieldDef {
        key,
        column,
        kind,
        required: false,
        default: Default::Null,
        access: Access::Input,
    }
}

pub(super) fn req(key: &'static str, column: &'static str, kind: Kind) -> FieldDef {
    FieldDef {
        required: true,
        ..f(key, column, kind)
    }
}

pub(super) fn with_default(mut field: FieldDef, default: Default) -> FieldDef {
    field.default = default;
    field
}

pub(super) fn read_only(key: &'static str, column: &'static str, kind: Kind) -> FieldDef {
    FieldDef {
        access: Access::ReadOnly,
        ..f(key, column, kind)
    }
}

pub(super) fn hidden(key: &'static str, column: &'static str, kind: Kind) -> FieldDef {
    FieldDef {
        access: Access::Hidden,
        ..f(key, column, kind)
    }
}

pub(super) fn d(key: &'static str, via: &'static str, column: &'static str) -> DerivedDef {
    DerivedDef { key, via, column }
}

/// `id` first, then the entity's own fields, then the common fields of SPEC §1.
pub(super) fn fields(own: Vec<FieldDef>) -> Vec<FieldDef> {
    let mut all = vec![f("id", "id", Kind::Id)];
    all.extend(own);
    all.extend([
        with_default(f("enabled", "enabled", Kind::Bool), Default::Bool(true)),
        f("notes", "notes", LONG_TEXT),
        f("spare1", "spare1", LONG_TEXT),
        f("spare2", "spare2", LONG_TEXT),
        f("spare3", "spare3", LONG_TEXT),
        read_only("createdDate", "created_date", Kind::Time),
        read_only("createdBy", "created_by", TEXT),
        read_only("modifiedDate", "modified_date", Kind::Time),
        read_only("modifiedBy", "modified_by", TEXT),
        read_only("version", "version", Kind::Int),
    ]);
    all
}
