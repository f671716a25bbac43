//! Deleting several records of one entity in one call (`deleteMaterials`,
//! `deleteMaterialClasses`): all or none, with the reference rules of a single delete.

use crate::errors::{CoreError, CoreResult};
use crate::record::Record;
use crate::service::generic::{api_response, delete, references, require, Hooks};
use crate::tx::{Caller, Tx};
use serde_json::{json, Value as Json};

/// `deleteXs(idsOr…)`: all or none. Every record is found and its references checked before
/// anything is deleted — references from records of the same list do not count, they go too —
/// and the call is refused (nothing deleted) when one is missing or still referenced. Records
/// with paths go deepest first, so children leave before their parents.
pub fn delete_many(tx: &mut dyn Tx, caller: &Caller, hooks: &Hooks, texts: &[String]) -> CoreResult<Json> {
    let entity = hooks.entity;
    let def = entity.def();
    let mut records: Vec<Record> = Vec::with_capacity(texts.len());
    for text in texts {
        let record = require(tx, entity, text)?;
        if !records.iter().any(|r| r.id() == record.id()) {
            records.push(record);
        }
    }
    let listed: Vec<String> = records.iter().filter_map(Record::id).map(|id| id.to_string()).collect();
    let mut refused = Vec::new();
    for r in &records {
        let Some(id) = r.id() else { continue };
        let outside: Vec<Json> = references(tx, entity, id)?
            .into_iter()
            .filter_map(|mut table| {
                let refs = table["references"].as_array_mut()?;
                refs.retain(|x| !x["id"].as_str().is_some_and(|rid| listed.iter().any(|l| l == rid)));
                (!refs.is_empty()).then_some(table)
            })
            .collect();
        if !outside.is_empty() {
            let name = r.text("path").or(r.text("name")).unwrap_or_default().to_string();
            refused.push(json!({"id": id.to_string(), "name": name, "references": outside}));
        }
    }
    if !refused.is_empty() {
        let names: Vec<&str> = refused.iter().filter_map(|r| r["name"].as_str()).collect();
        return Err(CoreError::InUse {
            message: format!("nothing deleted: {} {} still referenced", def.label, names.join(", ")),
            references: Json::Array(refused),
        });
    }
    records.sort_by_key(|r| std::cmp::Reverse(r.text("path").map_or(0, |p| p.matches('/').count())));
    let mut deleted = Vec::with_capacity(records.len());
    for r in &records {
        let id = r.id().map(|i| i.to_string()).unwrap_or_default();
        deleted.push(delete(tx, caller, hooks, &id)?["data"].take());
    }
    Ok(api_response(
        true,
        format!("{} {} record(s) deleted", deleted.len(), def.label),
        Json::Array(deleted),
    ))
}
