//! The types of the record catalogue: entities, field kinds and access, defaults, derived names,
//! unique-name scopes and lookup rules, and the description of one entity.

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
    LocationProperty,
    LocationPropertyValue,
    MaterialProperty,
    MaterialPropertyValue,
    MaterialReasonCode,
    Webhook,
    Department,
    Person,
    StopReason,
}

impl Entity {
    pub const ALL: [Entity; 24] = [
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
        Entity::LocationProperty,
        Entity::LocationPropertyValue,
        Entity::MaterialProperty,
        Entity::MaterialPropertyValue,
        Entity::MaterialReasonCode,
        Entity::Webhook,
        Entity::Department,
        Entity::Person,
        Entity::StopReason,
    ];

    pub fn def(self) -> &'static EntityDef {
        &super::CATALOGUE[self as usize]
    }

    /// The entity whose script-API noun this is (`Material`), as history events name it.
    pub fn from_noun(noun: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.def().noun == noun)
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
    Int(i64),
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
    /// By the value of this text field (compared like other text: case and look-alikes
    /// ignored), e.g. a material reason code's `reasonCode`.
    Field(&'static str),
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

impl FieldDef {
    /// Whether the field may hold null: neither required nor given a default (the columns of
    /// required and defaulted fields are `NOT NULL`).
    pub fn nullable(&self) -> bool {
        !self.required && self.default == Default::Null
    }
}

impl EntityDef {
    /// What reading this entity's records needs: `getX` asks for it, and the change feed shows
    /// the records' events only to callers who hold it. `<prefix>.READ.GET`, and `SYSTEM.ADMIN`
    /// for the security records (users, roles, tokens), which only administrators read.
    pub fn read_permission(&self) -> String {
        match self.permission_prefix {
            "SYSTEM" => "SYSTEM.ADMIN".to_string(),
            prefix => format!("{prefix}.READ.GET"),
        }
    }

    pub fn field(&self, key: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.key == key)
    }

    pub fn derived(&self, key: &str) -> Option<&DerivedDef> {
        self.derived.iter().find(|d| d.key == key)
    }

    /// The canonical key of an input key: itself, or the key an alias stands for.
    pub fn canonical_key<'a>(&self, raw: &'a str) -> &'a str {
        self.aliases.iter().find(|(a, _)| *a == raw).map(|(_, k)| *k).unwrap_or(raw)
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
            Lookup::Field(_) => "IdOrKey",
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
