//! Export of master data: the records of an exchange (all, or a selection), each as the row an
//! import reads back — its path (when it has one), its input fields, and every reference as
//! the natural key of the record it points at ([`super::key_column`]).

use super::{key_column, Exchange, RECORD_TYPE};
use crate::Format;
use serde_json::{Map, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::id::Id;
use shopfloor_core::record::Record;
use shopfloor_core::schema::{Access, Entity, Kind};
use shopfloor_core::service::entity;
use shopfloor_core::tx::Tx;
use std::collections::HashMap;

/// Which records to export.
pub enum Selection<'a> {
    All,
    /// Records by id or natural key (path, name), of any entity of the exchange; one that
    /// names nothing is an error of `param`.
    Some {
        keys: &'a [String],
        param: &'a str,
    },
}

/// The file of exchange `x` in `format` (`json` or `csv`, with a header row), records in the
/// order of `x.entities` and, within one entity, by path or name, so that parents come before
/// their children and the file imports in one pass.
pub fn export(tx: &mut dyn Tx, x: &Exchange, format: Format, selection: Selection) -> CoreResult<String> {
    let rows = rows(tx, x, selection)?;
    match format {
        Format::Csv => crate::csv::write(&columns(x), &rows),
        Format::Json => serde_json::to_string(&rows).map_err(|e| CoreError::Internal(format!("writing JSON: {e}"))),
        other => Err(CoreError::field(
            "format",
            format!("master data is exchanged as json or csv, not {}", other.as_str()),
        )),
    }
}

/// The rows [`export`] writes, as JSON objects (a JSON export is their list).
pub fn rows(tx: &mut dyn Tx, x: &Exchange, selection: Selection) -> CoreResult<Vec<Map<String, Json>>> {
    let chosen = selected(tx, x, selection)?;
    let mut rows = Vec::new();
    let mut names = NaturalKeys::default();
    for (e, records) in x.entities.iter().zip(chosen) {
        for record in &records {
            rows.push(row(tx, x, *e, record, &mut names)?);
        }
    }
    Ok(rows)
}

/// Text as a byte array for a script (`exportAsCsvBytes`): a list of numbers from 0 to 255,
/// which Python's `bytes(…)` takes as is.
pub fn bytes_json(text: &str) -> Json {
    Json::Array(text.bytes().map(Json::from).collect())
}

/// The records of each entity of `x` to export, in the order of `x.entities`.
fn selected(tx: &mut dyn Tx, x: &Exchange, selection: Selection) -> CoreResult<Vec<Vec<Record>>> {
    let Selection::Some { keys, param } = selection else {
        return x.entities.iter().map(|e| entity::all(tx, *e)).collect();
    };
    let mut ids: Vec<Vec<Id>> = vec![Vec::new(); x.entities.len()];
    for key in keys {
        let mut found = false;
        for (i, e) in x.entities.iter().enumerate() {
            if let Some(id) = entity::lookup(tx, *e, key)?.and_then(|r| r.id()) {
                if !ids[i].contains(&id) {
                    ids[i].push(id);
                }
                found = true;
                break;
            }
        }
        if !found {
            let labels: Vec<&str> = x.entities.iter().map(|e| e.def().label).collect();
            return Err(CoreError::field(param, format!("no {} '{key}'", labels.join(" or "))));
        }
    }
    // Kept in the order a full export has, so that parents still come first.
    x.entities
        .iter()
        .zip(ids)
        .map(|(e, ids)| {
            Ok(entity::all(tx, *e)?
                .into_iter()
                .filter(|r| r.id().is_some_and(|id| ids.contains(&id)))
                .collect())
        })
        .collect()
}

/// The columns of a file of `x`: `recordType` in a file of several records, `path`, then each
/// entity's input fields with references as natural-key columns, each column once.
fn columns(x: &Exchange) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    let mut add = |c: String| {
        if !columns.contains(&c) {
            columns.push(c);
        }
    };
    if x.entities.len() > 1 {
        add(RECORD_TYPE.to_string());
    }
    if x.entities.iter().any(|e| e.def().has_path()) {
        add("path".to_string());
    }
    for e in x.entities {
        for field in &e.def().fields {
            if field.access != Access::Input || matches!(field.kind, Kind::Id) {
                continue;
            }
            add(key_column(field).map_or_else(|| field.key.to_string(), |(c, _, _)| c));
        }
    }
    columns
}

/// The natural keys of referenced records, read once per export.
#[derive(Default)]
struct NaturalKeys(HashMap<(Entity, Id), Json>);

impl NaturalKeys {
    fn of(&mut self, tx: &mut dyn Tx, target: Entity, key: &str, id: Id) -> CoreResult<Json> {
        if let Some(known) = self.0.get(&(target, id)) {
            return Ok(known.clone());
        }
        let name = tx
            .get(target, id)?
            .and_then(|r| r.text(key).map(|t| Json::String(t.to_string())))
            .unwrap_or(Json::Null);
        self.0.insert((target, id), name.clone());
        Ok(name)
    }
}

/// One record as a row of the file.
fn row(tx: &mut dyn Tx, x: &Exchange, e: Entity, record: &Record, names: &mut NaturalKeys) -> CoreResult<Map<String, Json>> {
    let def = e.def();
    let Json::Object(mut all) = record.to_json(def) else {
        return Err(CoreError::Internal("a record is a JSON object".into()));
    };
    let mut out = Map::new();
    if x.entities.len() > 1 {
        out.insert(RECORD_TYPE.into(), Json::String(def.noun.into()));
    }
    if def.has_path() {
        out.insert("path".into(), all.remove("path").unwrap_or(Json::Null));
    }
    for field in &def.fields {
        if field.access != Access::Input || matches!(field.kind, Kind::Id) {
            continue;
        }
        let value = all.remove(field.key).unwrap_or(Json::Null);
        match key_column(field) {
            Some((column, target, key)) => {
                let name = match value.as_str().and_then(|t| Id::parse(t).ok()) {
                    Some(id) => names.of(tx, target, key, id)?,
                    None => Json::Null,
                };
                out.insert(column, name);
            }
            None => {
                out.insert(field.key.into(), value);
            }
        }
    }
    Ok(out)
}
