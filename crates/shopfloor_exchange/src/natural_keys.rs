//! How an imported row names its references: natural keys (paths, names, ERP ids) resolved to
//! ids, and the master data `createMissing` adds when the database lacks it.

use serde_json::{json, Map, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult, FieldErrors};
use shopfloor_core::id::Id;
use shopfloor_core::query::Query;
use shopfloor_core::record::{Record, Value};
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{entity, material};
use shopfloor_core::tx::{Caller, Tx};

/// Keys of an imported order that are not stored as given: the natural keys (resolved to ids),
/// the embedded lists (applied after the order), and what belongs to the sending system (its
/// id and version, its shift records).
pub(crate) const ORDER_SKIPPED: [&str; 13] = [
    "importNotes",
    "productDefinitionId",
    "unitOfMeasure",
    "id",
    "version",
    "shiftRecordId",
    "billOfMaterials",
    "propertyValues",
    "productPath",
    "productErpId",
    "unitOfMeasureName",
    "locationPath",
    "customerName",
];

/// Whether an imported order's key is one the import uses or deliberately skips: a field of a
/// saved order (as `saveProductionOrder` takes it), a natural key, or a key of the sending
/// system that is ignored ([`ORDER_SKIPPED`]). Others are refused as unknown fields of the row.
pub(crate) fn is_known_order_key(key: &str) -> bool {
    ORDER_SKIPPED.contains(&key) || ORDER_KEYS.iter().any(|k| k.key == key) || shopfloor_core::record::is_input_key(crate::ORDER.def(), key)
}

/// A natural key: the input key, the id field it sets, the entity and how it is looked up.
pub(crate) struct NaturalKey {
    pub(crate) key: &'static str,
    pub(crate) field: &'static str,
    pub(crate) entity: Entity,
    pub(crate) by: &'static [&'static str],
}

pub(crate) const ORDER_KEYS: [NaturalKey; 7] = [
    NaturalKey {
        key: "productPath",
        field: "productId",
        entity: Entity::Material,
        by: &["path"],
    },
    NaturalKey {
        key: "productErpId",
        field: "productId",
        entity: Entity::Material,
        by: &["erpId"],
    },
    NaturalKey {
        key: "productDefinitionId",
        field: "productId",
        entity: Entity::Material,
        by: &["erpId", "path"],
    },
    UNIT_OF_MEASURE_NAME,
    NaturalKey {
        key: "unitOfMeasure",
        field: "unitOfMeasureId",
        entity: Entity::UnitOfMeasure,
        by: &["name", "symbol"],
    },
    NaturalKey {
        key: "locationPath",
        field: "locationId",
        entity: Entity::Location,
        by: &["path"],
    },
    NaturalKey {
        key: "customerName",
        field: "customerId",
        entity: Entity::Customer,
        by: &["name"],
    },
];

/// A unit by its name, for orders and items alike.
const UNIT_OF_MEASURE_NAME: NaturalKey = NaturalKey {
    key: "unitOfMeasureName",
    field: "unitOfMeasureId",
    entity: Entity::UnitOfMeasure,
    by: &["name"],
};

pub(crate) const ITEM_KEYS: [NaturalKey; 6] = [
    NaturalKey {
        key: "materialPath",
        field: "materialId",
        entity: Entity::Material,
        by: &["path"],
    },
    NaturalKey {
        key: "materialErpId",
        field: "materialId",
        entity: Entity::Material,
        by: &["erpId"],
    },
    NaturalKey {
        key: "materialDefinitionId",
        field: "materialId",
        entity: Entity::Material,
        by: &["erpId", "path"],
    },
    UNIT_OF_MEASURE_NAME,
    NaturalKey {
        key: "unitOfMeasureSymbol",
        field: "unitOfMeasureId",
        entity: Entity::UnitOfMeasure,
        by: &["symbol"],
    },
    NaturalKey {
        key: "unitOfMeasure",
        field: "unitOfMeasureId",
        entity: Entity::UnitOfMeasure,
        by: &["name", "symbol"],
    },
];

/// The fields of a BOM item an import sets (the rest is the order's or the server's).
pub(crate) const ITEM_FIELDS: [&str; 6] = [
    "materialId",
    "quantityPerProducedUnit",
    "quantityOrder",
    "unitOfMeasureId",
    "materialGroup",
    "materialType",
];

/// Resolves the natural keys present in `row` into `data` (a natural key wins over an id given
/// alongside it: ids belong to the sending system). Unknown keys are field errors. Names and
/// paths are compared by their key (`shopfloor_core::name_key`, which `Query::eq` applies and
/// the store keeps), so a file that spells a name in another Unicode form or case finds it.
pub(crate) fn resolve_keys(
    tx: &mut dyn Tx,
    keys: &[NaturalKey],
    row: &Map<String, Json>,
    data: &mut Map<String, Json>,
    prefix: &str,
    errors: &mut FieldErrors,
    missing: &mut CreateMissing,
) -> CoreResult<()> {
    let mut resolved: Vec<&str> = Vec::new();
    // Units first: a material created for the row takes the row's unit.
    let units_first = keys
        .iter()
        .filter(|k| k.entity == Entity::UnitOfMeasure)
        .chain(keys.iter().filter(|k| k.entity != Entity::UnitOfMeasure));
    for k in units_first {
        let Some(given) = row.get(k.key).filter(|v| !v.is_null()) else {
            continue;
        };
        let Some(text) = given.as_str().map(str::trim).filter(|t| !t.is_empty()) else {
            errors.add(format!("{prefix}{}", k.key), format!("must be a non-empty string, got {given}"));
            continue;
        };
        let def = k.entity.def();
        // Keys are listed most specific first (a unit's name before its symbol): one per field.
        if resolved.contains(&k.field) {
            continue;
        }
        resolved.push(k.field);
        let mut outcome = Err(format!("no {} with {} '{text}'", def.label, k.by.join(" or ")));
        let mut none = true;
        for by in k.by {
            let value = if *by == "path" { text.trim_start_matches('/') } else { text };
            let mut q = Query::eq(def, by, Value::Text(value.into()));
            q.page = Some(shopfloor_core::query::Page { size: 2, index: 0 });
            match tx.find(k.entity, &q)?.as_slice() {
                [one] => {
                    outcome = one.id().ok_or_else(|| "a record without id".to_string());
                    none = false;
                    break;
                }
                [] => {}
                _ => {
                    outcome = Err(format!("more than one {} has {by} '{text}'; give its id", def.label));
                    none = false;
                    break;
                }
            }
        }
        if none {
            if let Some(created) = missing.create(tx, k, text, data)? {
                outcome = created;
            }
        }
        match outcome {
            Ok(id) => {
                data.insert(k.field.into(), Json::String(id.to_string()));
            }
            Err(m) => errors.add(format!("{prefix}{}", k.key), m),
        }
    }
    Ok(())
}

/// Units and materials created for a row by `createMissing` (`caller` is `None` without it).
pub(crate) struct CreateMissing<'c> {
    pub(crate) caller: Option<&'c Caller>,
    /// What was created, for the row's notes.
    pub(crate) created: Vec<String>,
}

/// The material class of materials created from an ERP id alone (a path names its class).
pub(crate) const IMPORTED_CLASS: &str = "IMPORTED";

impl CreateMissing<'_> {
    /// Creates the order property a row's value names, when asked to and allowed, typed from the
    /// value as the file gives it (true/false: BOOLEAN, a whole number: INTEGER, another number:
    /// FLOAT, anything else: STRING). `None` without `createMissing`; `Some(Err(why))` when the
    /// caller may not create it.
    pub(crate) fn create_property(&mut self, tx: &mut dyn Tx, name: &str, value: &Json) -> CoreResult<Option<Result<Record, String>>> {
        let Some(caller) = self.caller else {
            return Ok(None);
        };
        let e = Entity::ProductionOrderProperty;
        let permission = format!("{}.WRITE.SAVE", e.def().permission_prefix);
        if caller.require(&permission).is_err() {
            return Ok(Some(Err(format!(
                "no production order property '{name}'; creating it needs the permission {permission}"
            ))));
        }
        let data_type = match value {
            Json::Bool(_) => "BOOLEAN",
            Json::Number(n) if n.is_i64() || n.is_u64() => "INTEGER",
            Json::Number(_) => "FLOAT",
            _ => "STRING",
        };
        let fields = json!({"name": name, "dataType": data_type});
        let record = entity::save(tx, caller, e, fields.as_object().expect("an object"))?;
        self.created
            .push(format!("created production order property '{name}' ({data_type})"));
        Ok(Some(Ok(record)))
    }

    /// Creates the unit or material that key `k` names as `text`, when asked to and allowed:
    /// `Some(id)`, or `Some(Err(why))` when it cannot be; `None` leaves the key unresolved.
    /// A unit is named (and symbolized) `text`. A material named by path `Class/…/Name` goes
    /// into that class (created along the path); one named by ERP id is called after it, in
    /// the class `IMPORTED`, with that ERP id, so that the next import finds it again. A
    /// material takes the row's unit.
    fn create(&mut self, tx: &mut dyn Tx, k: &NaturalKey, text: &str, data: &Map<String, Json>) -> CoreResult<Option<Result<Id, String>>> {
        let Some(caller) = self.caller.filter(|_| matches!(k.entity, Entity::UnitOfMeasure | Entity::Material)) else {
            return Ok(None);
        };
        let def = k.entity.def();
        let not_found = format!("no {} with {} '{text}'", def.label, k.by.join(" or "));
        let permission = format!("{}.WRITE.SAVE", def.permission_prefix);
        if caller.require(&permission).is_err() {
            return Ok(Some(Err(format!("{not_found}; creating it needs the permission {permission}"))));
        }
        let mut fields = Map::new();
        let what = if k.entity == Entity::UnitOfMeasure {
            fields.insert("name".into(), json!(text));
            fields.insert("symbol".into(), json!(text.chars().take(32).collect::<String>()));
            format!("unit of measure '{text}'")
        } else {
            let Some(unit) = data.get("unitOfMeasureId") else {
                return Ok(Some(Err(format!("{not_found}; to create it, the row needs its unit"))));
            };
            let (class, name) = match text.trim_matches('/').rsplit_once('/') {
                Some((class, name)) if k.by.contains(&"path") => (class.to_string(), name.to_string()),
                _ if k.by == ["path"] => {
                    return Ok(Some(Err(format!(
                        "{not_found}; to create it, the path must name its class (Class/Name)"
                    ))));
                }
                _ => {
                    fields.insert("erpId".into(), json!(text));
                    (IMPORTED_CLASS.to_string(), text.to_string())
                }
            };
            let class_id = material::create_classes_for_path(tx, caller, &class)?.id();
            fields.insert("materialClassId".into(), json!(class_id.map(|i| i.to_string())));
            fields.insert("name".into(), json!(name));
            fields.insert("unitOfMeasureId".into(), unit.clone());
            format!("material '{class}/{name}'")
        };
        match entity::save(tx, caller, k.entity, &fields) {
            Ok(record) => {
                self.created.push(format!("created {what}"));
                Ok(Some(record.id().ok_or_else(|| "a record without id".to_string())))
            }
            Err(CoreError::Validation(e)) => {
                let why: Vec<String> = e.0.iter().map(|(f, m)| format!("{f} {}", m.join("; "))).collect();
                Ok(Some(Err(format!("{not_found}; it could not be created: {}", why.join(", ")))))
            }
            Err(e) => Err(e),
        }
    }
}
