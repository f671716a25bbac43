//! Materials and material classes: paths, ERP ids, classes created along a path, the
//! properties of a class joined with a material's values, and material reason codes.

use crate::errors::{CoreError, CoreResult};
use crate::name_key::name_key;
use crate::query::Query;
use crate::record::{Record, Value};
use crate::schema::Entity;
use crate::service::generic::{self, Draft, Hooks};
use crate::service::location::MATERIAL_CLASS_HOOKS;
use crate::service::property::{self, MATERIAL as PROPERTIES};
use crate::tx::{Caller, Tx};
use serde_json::{json, Map, Value as Json};

pub static MATERIAL_HOOKS: Hooks = Hooks {
    save_rules: Some(rules),
    ..Hooks::plain(Entity::Material)
};

/// Reason codes: the code is unique (compared like names).
pub static REASON_CODE_HOOKS: Hooks = Hooks {
    save_rules: Some(reason_code_rules),
    ..Hooks::plain(Entity::MaterialReasonCode)
};

fn reason_code_rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    let (record, errors) = (&mut draft.record, &mut draft.errors);
    let Some(code) = record.text("reasonCode").map(|c| c.trim().to_string()) else {
        return Ok(());
    };
    if code.is_empty() {
        errors.add("reasonCode", "must not be empty");
        return Ok(());
    }
    record.set("reasonCode", Value::Text(code.as_str().into()));
    let def = Entity::MaterialReasonCode.def();
    let q = Query::eq(def, "reasonCode", Value::Text(code.as_str().into()));
    if let Some(other) = tx.find(Entity::MaterialReasonCode, &q)?.into_iter().find(|r| r.id() != record.id()) {
        errors.add(
            "reasonCode",
            format!(
                "the reason code '{}' already exists (id {})",
                other.text("reasonCode").unwrap_or_default(),
                other.id().map(|i| i.to_string()).unwrap_or_default()
            ),
        );
    }
    Ok(())
}

/// Path = class path + `/` + name; `erpId` unique when set.
fn rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    let (record, before, errors) = (&mut draft.record, draft.before, &mut draft.errors);
    if let (Some(stored), Some(id)) = (before, record.id()) {
        if stored.get("materialClassId") != record.get("materialClassId") && property::owner_has_values(tx, &PROPERTIES, id)? {
            errors.add(
                "materialClassId",
                "cannot change while the material has values of its class's properties (delete them first)",
            );
        }
    }
    if let Some(name) = record.text("name").map(str::to_string) {
        if name.contains('/') && !errors.has("name") {
            errors.add("name", "must not contain '/' (it separates path segments)");
        }
        if let Some(class) = record
            .get("materialClassId")
            .as_id()
            .map(|id| tx.get(Entity::MaterialClass, id))
            .transpose()?
            .flatten()
        {
            record.set(
                "path",
                Value::Text(format!("{}/{}", class.text("path").unwrap_or_default(), name).into()),
            );
        }
    }
    if let Some(erp) = record.text("erpId").map(str::to_string) {
        let clash = tx
            .find(
                Entity::Material,
                &Query::eq(Entity::Material.def(), "erpId", Value::Text(erp.as_str().into())),
            )?
            .into_iter()
            .find(|m| m.id() != record.id());
        if let Some(other) = clash {
            errors.add(
                "erpId",
                format!(
                    "erpId '{erp}' is already used by material {}",
                    other.text("path").unwrap_or_default()
                ),
            );
        }
    }
    Ok(())
}

/// `getMaterialByErpId(erpId)`.
pub fn by_erp_id(tx: &mut dyn Tx, erp_id: &str) -> CoreResult<Option<Record>> {
    Ok(tx
        .find(
            Entity::Material,
            &Query::eq(Entity::Material.def(), "erpId", Value::Text(erp_id.trim().into())),
        )?
        .into_iter()
        .next())
}

/// `createMaterialClassesForPath(path)`: creates the missing classes along `A/B/C`; returns the last.
pub fn create_classes_for_path(tx: &mut dyn Tx, caller: &Caller, path: &str) -> CoreResult<Record> {
    let segments: Vec<&str> = path.trim().trim_matches('/').split('/').map(str::trim).collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(CoreError::field(
            "path",
            format!("'{path}' is not a path of non-empty names separated by '/'"),
        ));
    }
    let mut parent: Option<Record> = None;
    for (i, _) in segments.iter().enumerate() {
        let prefix = segments[..=i].join("/");
        let existing = generic::lookup(tx, Entity::MaterialClass, &prefix)?
            .filter(|r| r.text("path").is_some_and(|p| name_key(p) == name_key(&prefix)));
        let class = match existing {
            Some(c) => c,
            None => {
                let mut data = Map::new();
                data.insert("name".into(), json!(segments[i]));
                data.insert(
                    "parentId".into(),
                    parent
                        .as_ref()
                        .and_then(Record::id)
                        .map(|id| Json::String(id.to_string()))
                        .unwrap_or(Json::Null),
                );
                generic::save(tx, caller, &MATERIAL_CLASS_HOOKS, &data)?
            }
        };
        parent = Some(class);
    }
    parent.ok_or_else(|| CoreError::field("path", "is empty"))
}

/// `getPropertiesForMaterialClass(idOrPath)`: the properties defined for the class, by name;
/// `None` when there is no such class.
pub fn properties_of_class(tx: &mut dyn Tx, class: &str) -> CoreResult<Option<Vec<Record>>> {
    let Some(id) = generic::lookup(tx, Entity::MaterialClass, class)?.and_then(|c| c.id()) else {
        return Ok(None);
    };
    let def = Entity::MaterialProperty.def();
    let mut q = Query::eq(def, "materialClassId", Value::Id(id));
    q.sort = vec![crate::query::Sort::new(
        crate::query::FieldRef::resolve(def, "name").expect("name"),
        false,
    )];
    Ok(Some(tx.find(Entity::MaterialProperty, &q)?))
}

/// `getPropertiesAndValuesForMaterial(idOrPath)`: one row per property of the material's class,
/// joined with the material's value of it (value keys null where it has none); `None` when
/// there is no such material.
pub fn properties_and_values(tx: &mut dyn Tx, material: &str) -> CoreResult<Option<Vec<Json>>> {
    let Some(m) = generic::lookup(tx, Entity::Material, material)? else {
        return Ok(None);
    };
    let Some(class) = m.get("materialClassId").as_id() else {
        return Ok(Some(vec![]));
    };
    let properties = properties_of_class(tx, &class.to_string())?.unwrap_or_default();
    let values = match m.id() {
        Some(id) => property::values_of(tx, &PROPERTIES, id)?,
        None => vec![],
    };
    let rows = properties
        .iter()
        .map(|p| {
            let v = values.iter().find(|v| v.get("materialPropertyId").as_id() == p.id());
            let pick = |r: Option<&Record>, key: &str| r.map(|r| r.get(key).to_json()).unwrap_or(Json::Null);
            let mut row = Map::new();
            row.insert("materialClassId".into(), pick(Some(p), "materialClassId"));
            row.insert("materialId".into(), pick(Some(&m), "id"));
            row.insert("materialPropertyId".into(), pick(Some(p), "id"));
            row.insert("materialPropertyValueId".into(), pick(v, "id"));
            row.insert("materialPropertyNotes".into(), pick(Some(p), "notes"));
            row.insert("materialPropertyValueNotes".into(), pick(v, "notes"));
            row.insert("materialPropertyEnabled".into(), pick(Some(p), "enabled"));
            row.insert("materialPropertyValueEnabled".into(), pick(v, "enabled"));
            for key in [
                "name",
                "description",
                "dataType",
                "lowLimit",
                "highLimit",
                "format",
                "unitOfMeasureId",
                "unitOfMeasureName",
                "unitOfMeasureSymbol",
                "options",
                "nullable",
                "defaultValue",
            ] {
                row.insert(key.into(), pick(Some(p), key));
            }
            row.insert("value".into(), pick(v, "value"));
            Json::Object(row)
        })
        .collect();
    Ok(Some(rows))
}
