//! The record catalogue: one description per entity (fields, kinds, defaults, references,
//! derived names). Input parsing, validation, templates, queries, SQL and the OpenAPI document are
//! all driven by it, so a field is declared once and behaves the same everywhere.

use std::sync::LazyLock;

/// Every kind of stored record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    ProductionOrder,
    UnitOfMeasure,
    UnitOfMeasureConversion,
    MaterialClass,
    Material,
    Location,
    Customer,
    Shift,
    ShiftRecord,
    ProductionOrderProperty,
    ProductionOrderPropertyValue,
    BillOfMaterialsItem,
    User,
    Role,
    ApiToken,
}

impl Entity {
    pub const ALL: [Entity; 15] = [
        Entity::ProductionOrder,
        Entity::UnitOfMeasure,
        Entity::UnitOfMeasureConversion,
        Entity::MaterialClass,
        Entity::Material,
        Entity::Location,
        Entity::Customer,
        Entity::Shift,
        Entity::ShiftRecord,
        Entity::ProductionOrderProperty,
        Entity::ProductionOrderPropertyValue,
        Entity::BillOfMaterialsItem,
        Entity::User,
        Entity::Role,
        Entity::ApiToken,
    ];

    pub fn def(self) -> &'static EntityDef {
        &CATALOGUE[self as usize]
    }
}

/// What a field holds; decides parsing, storage type and the filter conditions that fit it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// The record's own ULID.
    Id,
    /// A ULID pointing at a record of another (or the same) entity.
    Ref(Entity),
    /// An identifying name: trimmed, non-empty, at most 255 characters, unique case-insensitively.
    Name,
    /// Free text of at most `max` characters.
    Text {
        max: usize,
    },
    /// A double; `min_exclusive_zero` for factors that must be > 0, otherwise ≥ 0 unless `signed`.
    Real {
        positive: bool,
        signed: bool,
    },
    /// A whole number ≥ 0.
    Int,
    Bool,
    Time,
    /// One of the listed upper-case spellings (input matched case-insensitively).
    Enum(&'static [&'static str]),
    /// Any JSON value, typed by a rule of the entity (a property value, a default value).
    Json,
}

/// The type a filter operand must have for this kind (query.md `type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    String,
    Number,
    Boolean,
    Date,
}

impl Kind {
    pub fn value_type(self) -> ValueType {
        match self {
            Kind::Id | Kind::Ref(_) | Kind::Name | Kind::Text { .. } | Kind::Enum(_) | Kind::Json => ValueType::String,
            Kind::Real { .. } | Kind::Int => ValueType::Number,
            Kind::Bool => ValueType::Boolean,
            Kind::Time => ValueType::Date,
        }
    }
}

/// Who may set a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Accepted on input.
    Input,
    /// Set by the server (audit fields, version, stored paths); ignored on input.
    ReadOnly,
    /// Stored for queries only (typed copies of a property value); never on the wire.
    Hidden,
}

/// The default a `newX()` template and a create start from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default {
    Null,
    Bool(bool),
    Real(f64),
    Text(&'static str),
}

#[derive(Clone, Debug)]
pub struct FieldDef {
    pub key: &'static str,
    pub column: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub default: Default,
    pub access: Access,
}

/// A read-only name taken from a referenced record (`productName` = `materials.name` via `productId`).
#[derive(Clone, Debug)]
pub struct DerivedDef {
    pub key: &'static str,
    /// The reference field (key) of this entity that leads to the other record.
    pub via: &'static str,
    /// The column of the referenced table.
    pub column: &'static str,
}

/// Where an identifying name must be unique.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UniqueName {
    /// No identifying name.
    None,
    Global,
    /// Unique among records with the same value of this reference field (key).
    Within(&'static str),
}

/// How `getX(idOr…)` finds a record besides by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    IdOnly,
    Name,
    Path,
}

#[derive(Clone, Debug)]
pub struct EntityDef {
    pub entity: Entity,
    /// Script-API noun, e.g. `ProductionOrder` (`saveProductionOrder`).
    pub noun: &'static str,
    /// Plural noun, e.g. `ProductionOrders` (`getAllProductionOrders`).
    pub plural: &'static str,
    /// Words for messages, e.g. `production order`.
    pub label: &'static str,
    pub module: &'static str,
    pub permission_prefix: &'static str,
    pub table: &'static str,
    /// REST collection segment, e.g. `production-orders`.
    pub rest: &'static str,
    pub unique_name: UniqueName,
    pub lookup: Lookup,
    pub fields: Vec<FieldDef>,
    pub derived: Vec<DerivedDef>,
    /// Accepted input aliases: (alias, canonical key).
    pub aliases: &'static [(&'static str, &'static str)],
    /// Catalogue names of the lookup and data parameters where they differ from the noun
    /// (`propertyIdOrName`, `billOfMaterialsData`).
    pub params: Option<(&'static str, &'static str)>,
}

impl EntityDef {
    pub fn field(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn derived(&self, key: &str) -> Option<&DerivedDef> {
        self.derived.iter().find(|d| d.key == key)
    }

    /// The argument name of `getX`-style calls: `productionOrderIdOrName`, `materialIdOrPath`.
    pub fn lookup_param(&self) -> String {
        if let Some((lookup, _)) = self.params {
            return lookup.to_string();
        }
        let mut noun = lower_first(self.noun);
        noun.push_str(match self.lookup {
            Lookup::IdOnly => "Id",
            Lookup::Name => "IdOrName",
            Lookup::Path => "IdOrPath",
        });
        noun
    }

    /// The keyword-argument name of `saveX(**data)`: `productionOrderData`.
    pub fn data_param(&self) -> String {
        if let Some((_, data)) = self.params {
            return data.to_string();
        }
        format!("{}Data", lower_first(self.noun))
    }

    pub fn has_name(&self) -> bool {
        self.unique_name != UniqueName::None
    }

    pub fn has_path(&self) -> bool {
        self.field("path").is_some()
    }
}

pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

pub const ORDER_STATUSES: &[&str] = &["IDLE", "SCHEDULED", "RUNNING", "PAUSED", "STOPPED", "CLOSED", "CANCELLED"];
pub const PRIORITIES: &[&str] = &["LOW", "NORMAL", "HIGH", "URGENT"];
pub const LOCATION_TYPES: &[&str] = &["ENTERPRISE", "COMPANY", "SITE", "AREA", "LINE", "CELL_GROUP", "CELL", "UNIT"];
pub const SHIFT_RECORD_STATUSES: &[&str] = &["IDLE", "ACTIVE", "CLOSED", "VERIFIED"];
pub const DATA_TYPES: &[&str] = &["STRING", "INTEGER", "FLOAT", "BOOLEAN", "DATETIME"];
pub const TOKEN_KINDS: &[&str] = &["TOKEN", "SESSION"];
pub const MATERIAL_TYPES: &[&str] = &["COMPONENT", "PRODUCT", "BYPRODUCT"];

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
const TEXT: Kind = Kind::Text { max: NAME_MAX };
const LONG_TEXT: Kind = Kind::Text { max: 10_000 };
const QUANTITY: Kind = Kind::Real {
    positive: false,
    signed: false,
};

fn f(key: &'static str, column: &'static str, kind: Kind) -> FieldDef {
    FieldDef {
        key,
        column,
        kind,
        required: false,
        default: Default::Null,
        access: Access::Input,
    }
}

fn req(key: &'static str, column: &'static str, kind: Kind) -> FieldDef {
    FieldDef {
        required: true,
        ..f(key, column, kind)
    }
}

fn with_default(mut field: FieldDef, default: Default) -> FieldDef {
    field.default = default;
    field
}

fn read_only(key: &'static str, column: &'static str, kind: Kind) -> FieldDef {
    FieldDef {
        access: Access::ReadOnly,
        ..f(key, column, kind)
    }
}

fn d(key: &'static str, via: &'static str, column: &'static str) -> DerivedDef {
    DerivedDef { key, via, column }
}

/// `id` first, then the entity's own fields, then the common fields of SPEC §1.
fn fields(own: Vec<FieldDef>) -> Vec<FieldDef> {
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

static CATALOGUE: LazyLock<Vec<EntityDef>> = LazyLock::new(|| {
    use Entity::*;
    let defs = vec![
        EntityDef {
            entity: ProductionOrder,
            noun: "ProductionOrder",
            plural: "ProductionOrders",
            label: "production order",
            module: "productionOrder",
            permission_prefix: "PRODUCTION_ORDER",
            table: "production_orders",
            rest: "production-orders",
            unique_name: UniqueName::Global,
            lookup: Lookup::Name,
            fields: fields(vec![
                req("name", "name", Kind::Name),
                req("productId", "product_id", Kind::Ref(Material)),
                f("customerId", "customer_id", Kind::Ref(Customer)),
                f("locationId", "location_id", Kind::Ref(Location)),
                with_default(req("status", "status", Kind::Enum(ORDER_STATUSES)), Default::Text("IDLE")),
                with_default(
                    req("schedulePriority", "schedule_priority", Kind::Enum(PRIORITIES)),
                    Default::Text("NORMAL"),
                ),
                with_default(req("quantity", "quantity", QUANTITY), Default::Real(0.0)),
                with_default(req("quantityProduced", "quantity_produced", QUANTITY), Default::Real(0.0)),
                with_default(req("quantityScheduled", "quantity_scheduled", QUANTITY), Default::Real(0.0)),
                f("startDate", "start_date", Kind::Time),
                f("endDate", "end_date", Kind::Time),
                f("dueDate", "due_date", Kind::Time),
                req("unitOfMeasureId", "unit_of_measure_id", Kind::Ref(UnitOfMeasure)),
                f("shiftRecordId", "shift_record_id", Kind::Ref(ShiftRecord)),
            ]),
            derived: vec![
                d("productName", "productId", "name"),
                d("productPath", "productId", "path"),
                d("customerName", "customerId", "name"),
                d("locationName", "locationId", "name"),
                d("locationPath", "locationId", "path"),
                d("unitOfMeasureName", "unitOfMeasureId", "name"),
                d("unitOfMeasureSymbol", "unitOfMeasureId", "symbol"),
            ],
            aliases: &[
                ("scheduleShiftRecordId", "shiftRecordId"),
                ("scheduleShiftId", "shiftRecordId"),
                ("productMaterialId", "productId"),
            ],
            params: None,
        },
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
        },
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
        },
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
        },
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
        },
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
                read_only("path", "path", LONG_TEXT),
            ]),
            derived: vec![],
            aliases: &[],
            params: None,
        },
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
        },
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
            ]),
            derived: vec![d("locationName", "locationId", "name"), d("locationPath", "locationId", "path")],
            aliases: &[],
            params: None,
        },
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
        },
        EntityDef {
            entity: ProductionOrderProperty,
            noun: "ProductionOrderProperty",
            plural: "ProductionOrderProperties",
            label: "production order property",
            module: "productionOrder",
            permission_prefix: "PRODUCTION_ORDER",
            table: "production_order_properties",
            rest: "production-order-properties",
            unique_name: UniqueName::Global,
            lookup: Lookup::Name,
            fields: fields(vec![
                req("name", "name", Kind::Name),
                f("description", "description", LONG_TEXT),
                with_default(req("dataType", "data_type", Kind::Enum(DATA_TYPES)), Default::Text("STRING")),
                f(
                    "lowLimit",
                    "low_limit",
                    Kind::Real {
                        positive: false,
                        signed: true,
                    },
                ),
                f(
                    "highLimit",
                    "high_limit",
                    Kind::Real {
                        positive: false,
                        signed: true,
                    },
                ),
                f("format", "format", TEXT),
                f("unitOfMeasureId", "unit_of_measure_id", Kind::Ref(UnitOfMeasure)),
                f("options", "options", LONG_TEXT),
                with_default(req("nullable", "nullable", Kind::Bool), Default::Bool(false)),
                f("defaultValue", "default_value", Kind::Json),
            ]),
            derived: vec![d("unitOfMeasureSymbol", "unitOfMeasureId", "symbol")],
            aliases: &[],
            params: Some(("propertyIdOrName", "propertyData")),
        },
        EntityDef {
            entity: ProductionOrderPropertyValue,
            noun: "ProductionOrderPropertyValue",
            plural: "ProductionOrderPropertyValues",
            label: "property value",
            module: "productionOrder",
            permission_prefix: "PRODUCTION_ORDER",
            table: "production_order_property_values",
            rest: "production-order-property-values",
            unique_name: UniqueName::None,
            lookup: Lookup::IdOnly,
            fields: fields(vec![
                req("productionOrderId", "production_order_id", Kind::Ref(ProductionOrder)),
                req("propertyId", "property_id", Kind::Ref(ProductionOrderProperty)),
                f("dataType", "data_type", Kind::Enum(DATA_TYPES)),
                f("value", "value", Kind::Json),
                FieldDef {
                    access: Access::Hidden,
                    ..f("stringValue", "string_value", LONG_TEXT)
                },
                FieldDef {
                    access: Access::Hidden,
                    ..f(
                        "integerValue",
                        "integer_value",
                        Kind::Real {
                            positive: false,
                            signed: true,
                        },
                    )
                },
                FieldDef {
                    access: Access::Hidden,
                    ..f(
                        "floatValue",
                        "float_value",
                        Kind::Real {
                            positive: false,
                            signed: true,
                        },
                    )
                },
                FieldDef {
                    access: Access::Hidden,
                    ..f("booleanValue", "boolean_value", Kind::Bool)
                },
                FieldDef {
                    access: Access::Hidden,
                    ..f("dateValue", "date_value", Kind::Time)
                },
            ]),
            derived: vec![
                d("propertyName", "propertyId", "name"),
                d("productionOrderName", "productionOrderId", "name"),
            ],
            aliases: &[],
            params: Some(("propertyValueId", "propertyValueData")),
        },
        EntityDef {
            entity: BillOfMaterialsItem,
            noun: "BillOfMaterialsItem",
            plural: "BillOfMaterialsItems",
            label: "bill of materials item",
            module: "productionOrder",
            permission_prefix: "PRODUCTION_ORDER",
            table: "bill_of_materials_items",
            rest: "bill-of-materials-items",
            unique_name: UniqueName::None,
            lookup: Lookup::IdOnly,
            fields: fields(vec![
                req("productionOrderId", "production_order_id", Kind::Ref(ProductionOrder)),
                f("productId", "product_id", Kind::Ref(Material)),
                req("materialId", "material_id", Kind::Ref(Material)),
                with_default(
                    req("quantityPerProducedUnit", "quantity_per_produced_unit", QUANTITY),
                    Default::Real(0.0),
                ),
                f("quantityOrder", "quantity_order", QUANTITY),
                f("unitOfMeasureId", "unit_of_measure_id", Kind::Ref(UnitOfMeasure)),
                f("position", "position", Kind::Int),
                f("materialGroup", "material_group", TEXT),
                with_default(
                    req("materialType", "material_type", Kind::Enum(MATERIAL_TYPES)),
                    Default::Text("COMPONENT"),
                ),
            ]),
            derived: vec![
                d("materialName", "materialId", "name"),
                d("materialPath", "materialId", "path"),
                d("productName", "productId", "name"),
                d("unitOfMeasureSymbol", "unitOfMeasureId", "symbol"),
                d("productionOrderName", "productionOrderId", "name"),
            ],
            aliases: &[],
            params: Some(("billOfMaterialsId", "billOfMaterialsData")),
        },
        EntityDef {
            entity: User,
            noun: "User",
            plural: "Users",
            label: "user",
            module: "security",
            permission_prefix: "SYSTEM",
            table: "users",
            rest: "users",
            unique_name: UniqueName::Global,
            lookup: Lookup::Name,
            fields: fields(vec![
                req("name", "name", Kind::Name),
                f("displayName", "display_name", TEXT),
                f("roles", "roles", Kind::Json),
                FieldDef {
                    access: Access::Hidden,
                    ..f("passwordHash", "password_hash", TEXT)
                },
            ]),
            derived: vec![],
            aliases: &[],
            params: Some(("userIdOrName", "userData")),
        },
        EntityDef {
            entity: Role,
            noun: "Role",
            plural: "Roles",
            label: "role",
            module: "security",
            permission_prefix: "SYSTEM",
            table: "roles",
            rest: "roles",
            unique_name: UniqueName::Global,
            lookup: Lookup::Name,
            fields: fields(vec![
                req("name", "name", Kind::Name),
                f("description", "description", LONG_TEXT),
                f("permissions", "permissions", Kind::Json),
                FieldDef {
                    default: Default::Bool(false),
                    ..read_only("builtIn", "built_in", Kind::Bool)
                },
            ]),
            derived: vec![],
            aliases: &[],
            params: Some(("roleIdOrName", "roleData")),
        },
        EntityDef {
            entity: ApiToken,
            noun: "ApiToken",
            plural: "ApiTokens",
            label: "API token",
            module: "security",
            permission_prefix: "SYSTEM",
            table: "api_tokens",
            rest: "api-tokens",
            unique_name: UniqueName::None,
            lookup: Lookup::IdOnly,
            fields: fields(vec![
                req("userId", "user_id", Kind::Ref(User)),
                f("label", "label", TEXT),
                read_only("kind", "kind", Kind::Enum(TOKEN_KINDS)),
                f("expiresDate", "expires_date", Kind::Time),
                read_only("lastUsedDate", "last_used_date", Kind::Time),
                read_only("revokedDate", "revoked_date", Kind::Time),
                FieldDef {
                    access: Access::Hidden,
                    ..f("tokenHash", "token_hash", TEXT)
                },
                FieldDef {
                    access: Access::Hidden,
                    ..f("csrfHash", "csrf_hash", TEXT)
                },
            ]),
            derived: vec![d("userName", "userId", "name")],
            aliases: &[],
            params: Some(("tokenId", "tokenData")),
        },
    ];
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
