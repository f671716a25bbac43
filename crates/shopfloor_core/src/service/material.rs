//! Materials and material classes: paths, ERP ids, classes created along a path.

use crate::errors::{CoreError, CoreResult};
use crate::name_key::name_key;
use crate::query::Query;
use crate::record::{Record, Value};
use crate::schema::Entity;
use crate::service::generic::{self, Draft, Hooks};
use crate::service::location::MATERIAL_CLASS_HOOKS;
use crate::tx::{Caller, Tx};
use serde_json::{json, Map, Value as Json};

pub static MATERIAL_HOOKS: Hooks = Hooks {
    save_rules: Some(rules),
    ..Hooks::plain(Entity::Material)
};

/// Path = class path + `/` + name; `erpId` unique when set.
fn rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    let (record, errors) = (&mut draft.record, &mut draft.errors);
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
