//! One master-data row applied: natural keys resolved to ids, the record its natural key finds
//! updated (or a new one created) through the entity's save service, in the import's
//! transaction. And [`import_all`], the all-or-nothing import of the documented
//! `importFromCsv`/`importFromJson`.

use super::{key_column, Exchange};
use crate::import_tx::ImportTx;
use crate::{import_parsed, Options, ParsedFile, Report, RowStatus};
use serde_json::{Map, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult, FieldErrors};
use shopfloor_core::id::Id;
use shopfloor_core::query::Query;
use shopfloor_core::record::{describe, Record, Value};
use shopfloor_core::schema::{Access, Entity, EntityDef, Kind as FieldKind, Lookup, UniqueName};
use shopfloor_core::service::entity;
use shopfloor_core::tx::{Caller, Tx};

/// Keys of the sending database that a row never writes: ids are local to a database, and a
/// version would be compared with this one's.
const SENDER_KEYS: [&str; 2] = ["id", "version"];

/// Applies one row of exchange `x`; answers the record's id and whether it was created. Field
/// problems (an unknown natural key, validation) are errors naming the field.
pub fn apply_row(tx: &mut ImportTx, caller: &Caller, x: &Exchange, row: Json) -> CoreResult<(Id, bool)> {
    let Json::Object(mut row) = row else {
        return Err(CoreError::field(
            "row",
            format!("must be an object with the fields of a record, got {}", describe(&row)),
        ));
    };
    let entity = x.entity_of(&mut row)?;
    let def = entity.def();
    for key in SENDER_KEYS {
        row.remove(key);
    }
    json_fields_from_text(def, &mut row)?;
    let given_path = if def.has_path() { row.remove("path") } else { None };
    resolve_natural_keys(tx, entity, &mut row)?;
    let existing = match &given_path {
        Some(Json::String(path)) => entity::lookup(tx, entity, path)?,
        _ => find_existing(tx, entity, &row)?,
    };
    let created = existing.is_none();
    if let Some(id) = existing.as_ref().and_then(Record::id) {
        row.insert("id".into(), Json::String(id.to_string()));
    }
    let saved = entity::save(tx, caller, entity, &row)?;
    if let (true, Some(Json::String(path))) = (created, &given_path) {
        let made = saved.text("path").unwrap_or_default();
        if shopfloor_core::name_key::name_key(made) != shopfloor_core::name_key::name_key(path.trim().trim_start_matches('/')) {
            return Err(CoreError::field(
                "path",
                format!("'{path}' names no {}, and the row's fields make '{made}'", def.label),
            ));
        }
    }
    let id = saved.id().ok_or_else(|| CoreError::Internal("a saved record has an id".into()))?;
    Ok((id, created))
}

/// A JSON-valued field (a role's `permissions`, `securityLevels`) given as its JSON text — as a
/// CSV cell always is, and as an export writes it — is read as that JSON; text that is not
/// JSON is an error of the field.
fn json_fields_from_text(def: &EntityDef, row: &mut Map<String, Json>) -> CoreResult<()> {
    for f in def.fields.iter().filter(|f| f.kind == FieldKind::Json && f.access == Access::Input) {
        let Some(Json::String(text)) = row.get(f.key) else { continue };
        let trimmed = text.trim();
        let value = if trimmed.is_empty() {
            Json::Null
        } else {
            serde_json::from_str(trimmed)
                .map_err(|e| CoreError::field(f.key, format!("must be JSON (a list is written [\"A\", \"B\"]): {e}")))?
        };
        row.insert(f.key.to_string(), value);
    }
    Ok(())
}

/// Replaces each natural-key column (`parentPath`) by the reference field it stands for
/// (`parentId`), with the id of the record it names; a name that finds nothing is an error of
/// that column. All of a row's unknown names are reported together.
fn resolve_natural_keys(tx: &mut dyn Tx, entity: Entity, row: &mut Map<String, Json>) -> CoreResult<()> {
    let mut errors = FieldErrors::new();
    for field in &entity.def().fields {
        let Some((column, target, _)) = key_column(field) else { continue };
        match row.remove(&column) {
            None => {}
            Some(Json::Null) => {
                row.insert(field.key.into(), Json::Null);
            }
            Some(Json::String(text)) => match entity::lookup(tx, target, &text)?.and_then(|r| r.id()) {
                Some(id) => {
                    row.insert(field.key.into(), Json::String(id.to_string()));
                }
                None => errors.add(column, format!("no {} '{text}'", target.def().label)),
            },
            Some(other) => errors.add(column, format!("must be text, got {}", describe(&other))),
        }
    }
    errors.into_result()
}

/// The record a row without a `path` stands for, by the entity's natural key: a person's
/// `username`, a unit's name, a name within its parent (location, class, department) or its
/// location (shift); a material not found by name within its class is found by `erpId`.
fn find_existing(tx: &mut dyn Tx, entity: Entity, row: &Map<String, Json>) -> CoreResult<Option<Record>> {
    let def = entity.def();
    let text = |key: &str| row.get(key).and_then(Json::as_str).map(str::trim).filter(|t| !t.is_empty());
    if let Lookup::Field(key) = def.lookup {
        return match text(key) {
            Some(value) => entity::lookup(tx, entity, value),
            None => Ok(None),
        };
    }
    let Some(name) = text("name") else { return Ok(None) };
    let by_name = Query::eq(def, "name", Value::Text(name.into()));
    let query = match def.unique_name {
        UniqueName::Global => by_name,
        UniqueName::Within(scope) => match row.get(scope).and_then(Json::as_str).map(Id::parse) {
            Some(Ok(id)) => by_name.and_eq(def, scope, Value::Id(id)),
            // Not an id: the save refuses it, naming the field.
            Some(Err(_)) => return Ok(None),
            None => {
                let mut q = by_name;
                q.filters.push(Query::is_null(def, scope));
                q
            }
        },
        UniqueName::None => return Ok(None),
    };
    if let Some(found) = tx.find(entity, &query)?.into_iter().next() {
        return Ok(Some(found));
    }
    match (def.field("erpId"), text("erpId")) {
        (Some(_), Some(erp_id)) => Ok(tx
            .find(entity, &Query::eq(def, "erpId", Value::Text(erp_id.into())))?
            .into_iter()
            .next()),
        _ => Ok(None),
    }
}

const ALL_OR_NOTHING: &str = "master_data_import";
/// Rows whose errors an all-or-nothing import lists at most.
const MAX_LISTED_ROWS: usize = 100;

/// The documented `importFromCsv`/`importFromJson`: every row of `file` applied, or none. Rows
/// are applied as a queued import applies them (one savepoint each, the same report); when any
/// fails, everything is undone and the answer is a validation error naming each failed row's
/// fields as `rows[N].field` (N from 1, as the report counts). Answers the report of a file
/// that applied.
pub fn import_all(tx: &mut dyn Tx, caller: &Caller, file: &ParsedFile) -> CoreResult<Report> {
    tx.savepoint(ALL_OR_NOTHING)?;
    let report = match import_parsed(tx, caller, file, Options::default()) {
        Ok(report) => report,
        Err(e) => {
            let _ = tx.rollback_to(ALL_OR_NOTHING);
            return Err(e);
        }
    };
    let failed: Vec<_> = report.rows.iter().filter(|r| r.status == RowStatus::Error).collect();
    if failed.is_empty() {
        tx.release(ALL_OR_NOTHING)?;
        return Ok(report);
    }
    tx.rollback_to(ALL_OR_NOTHING)?;
    let mut errors = FieldErrors::new();
    for row in failed.iter().take(MAX_LISTED_ROWS) {
        for (field, messages) in &row.errors.0 {
            for message in messages {
                errors.add(format!("rows[{}].{field}", row.row), message.clone());
            }
        }
    }
    if failed.len() > MAX_LISTED_ROWS {
        errors.add(
            "rows",
            format!(
                "{} more rows failed (the first {MAX_LISTED_ROWS} are listed)",
                failed.len() - MAX_LISTED_ROWS
            ),
        );
    }
    Err(CoreError::Validation(errors))
}
