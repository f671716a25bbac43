//! The typed query a store turns into SQL: fields (stored, derived or custom properties),
//! filters with their operands, sort, page, and the builders the services use.

use super::conditions::Condition;
use crate::id::Id;
use crate::record::Value;
use crate::schema::{Access, Entity, EntityDef, Kind};

pub const MAX_PAGE_SIZE: u64 = 10_000;

/// A filterable, sortable field: a stored column or a derived name.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FieldRef {
    pub key: &'static str,
    pub kind: Kind,
    /// For derived names: the reference field (key) they come through, and the column there.
    pub via: Option<(&'static str, &'static str)>,
    /// For `property:<name>` fields of orders: the property and the typed value column.
    pub property: Option<PropertyColumn>,
}

/// A custom property addressed by a query (`property:Batch Size`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PropertyColumn {
    pub property_id: Id,
    /// The typed column of `production_order_property_values` holding its values.
    pub column: &'static str,
}

/// Resolves the name after `property:` to the property's column and kind (`None`: unknown).
pub type PropertyResolver<'a> = &'a dyn Fn(&str) -> Option<(PropertyColumn, Kind)>;

/// The prefix of query fields that address custom properties.
pub const PROPERTY_PREFIX: &str = "property:";

/// The filter field that searches several names of a record at once (the order board's search
/// box): a row matches when any of the entity's [`SEARCHED`] fields meets the condition.
pub const SEARCH_FIELD: &str = "search";

/// The fields a `search` filter covers, per entity: an order by its name, its product's name
/// or its customer's name.
pub const SEARCHED: &[(Entity, &[&str])] = &[(Entity::ProductionOrder, &["name", "productName", "customerName"])];

/// The conditions a `search` filter takes: those a row meets through one matching name.
const SEARCH_CONDITIONS: &[Condition] = &[
    Condition::Equals,
    Condition::In,
    Condition::Contains,
    Condition::StartsWith,
    Condition::EndsWith,
];

impl FieldRef {
    /// Any field of the entity, hidden ones included (for the services' own queries; callers'
    /// queries go through `resolve_with`).
    pub fn resolve(def: &EntityDef, key: &str) -> Option<FieldRef> {
        if let Some(f) = def.field(key) {
            return Some(FieldRef {
                key: f.key,
                kind: f.kind,
                via: None,
                property: None,
            });
        }
        def.derived(key).map(|d| FieldRef {
            key: d.key,
            kind: Kind::Text { max: 255 },
            via: Some((d.via, d.column)),
            property: None,
        })
    }

    /// A field a client may filter and sort by: not a hidden one (password and token hashes,
    /// the typed copies of property values), which would otherwise leak by comparison.
    pub(super) fn resolve_with(def: &EntityDef, key: &str, properties: PropertyResolver) -> Option<FieldRef> {
        if def.field(key).is_some_and(|f| f.access == Access::Hidden) {
            return None;
        }
        if key == SEARCH_FIELD && def.field(key).is_none() && Self::searched(def.entity).is_some() {
            return Some(FieldRef {
                key: SEARCH_FIELD,
                kind: Kind::Name,
                via: None,
                property: None,
            });
        }
        match key.strip_prefix(PROPERTY_PREFIX) {
            Some(name) => properties(name.trim()).map(|(column, kind)| FieldRef {
                key: "property",
                kind,
                via: None,
                property: Some(column),
            }),
            None => FieldRef::resolve(def, key),
        }
    }

    fn searched(entity: Entity) -> Option<&'static [&'static str]> {
        SEARCHED.iter().find(|(e, _)| *e == entity).map(|(_, keys)| *keys)
    }

    /// For the `search` field: the fields it stands for (any of them may match).
    pub fn search_fields(&self, def: &EntityDef) -> Option<Vec<FieldRef>> {
        if self.key != SEARCH_FIELD || def.field(SEARCH_FIELD).is_some() {
            return None;
        }
        let keys = Self::searched(def.entity)?;
        Some(
            keys.iter()
                .map(|k| FieldRef::resolve(def, k).expect("searched fields exist"))
                .collect(),
        )
    }

    /// Why `condition` cannot be used on this field, for the `search` field (`None`: it can).
    pub(super) fn refuses(&self, condition: Condition) -> Option<String> {
        (self.key == SEARCH_FIELD && !SEARCH_CONDITIONS.contains(&condition))
            .then(|| format!("'{SEARCH_FIELD}' takes EQUALS, IN, CONTAINS, STARTS_WITH or ENDS_WITH"))
    }

    /// Free text and names compare case-insensitively (operands lower-cased); ids and enums
    /// are compared in their canonical spelling, so their indexes serve.
    pub fn is_text(&self) -> bool {
        matches!(self.kind, Kind::Name | Kind::Text { .. })
    }
}

/// The operand of a filter, already converted to the field's storage type. Text operands of
/// text fields are lower-cased: string comparisons ignore case.
#[derive(Clone, Debug, PartialEq)]
pub enum Operand {
    None,
    One(Value),
    Range(Value, Value),
    List(Vec<Value>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    pub field: FieldRef,
    pub condition: Condition,
    pub operand: Operand,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Sort {
    pub field: FieldRef,
    pub descending: bool,
    /// Where rows without a value go. By default (`Sort::new`) nulls are the smallest value:
    /// first ascending, last descending; a QueryRequest's `sortNulls` asks for the other end
    /// (the board: orders without a due date after the dated ones).
    pub nulls_last: bool,
}

impl Sort {
    /// A sort with nulls where the smallest value goes (first ascending, last descending).
    pub fn new(field: FieldRef, descending: bool) -> Sort {
        Sort {
            field,
            descending,
            nulls_last: descending,
        }
    }

    /// Whether nulls go to the end the default would not put them (ascending with nulls last,
    /// descending with nulls first): a store says `NULLS LAST` / `NULLS FIRST` for it.
    pub fn nulls_reversed(&self) -> bool {
        self.nulls_last != self.descending
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Page {
    pub size: u64,
    pub index: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Query {
    pub filters: Vec<Filter>,
    pub sort: Vec<Sort>,
    pub page: Option<Page>,
}

impl Query {
    /// A query with one equality filter on a stored field (used by the services).
    pub fn eq(def: &EntityDef, key: &str, value: Value) -> Query {
        let field = FieldRef::resolve(def, key).expect("known field");
        let value = match value {
            Value::Text(s) if field.is_text() => Value::Text(crate::name_key::name_key(&s).into()),
            v => v,
        };
        Query {
            filters: vec![Filter {
                field,
                condition: Condition::Equals,
                operand: Operand::One(value),
            }],
            ..Query::default()
        }
    }

    pub fn and_eq(mut self, def: &EntityDef, key: &str, value: Value) -> Query {
        self.filters.extend(Query::eq(def, key, value).filters);
        self
    }

    pub fn is_null(def: &EntityDef, key: &str) -> Filter {
        Filter {
            field: FieldRef::resolve(def, key).expect("known field"),
            condition: Condition::IsNull,
            operand: Operand::None,
        }
    }
}
