//! Generic record services driven by the catalogue: lookup, save (create or merge-update),
//! validate, find, references and delete of any entity. Every write and delete of every entity
//! appends its history event here, in the same transaction ([`record_event`] is the one place
//! events are made). What one entity adds (its save rules, the order its records belong to,
//! what follows a write, extra query fields) comes in as that entity's [`Hooks`],
//! declared in its own service module; this module knows no entity by name, so the per-entity
//! modules depend on it and never the reverse. `service::entity` holds the table that gives each
//! entity its hooks.

use crate::errors::{CoreError, CoreResult, FieldErrors};
use crate::history::{Action, NewEvent};
use crate::id::Id;
use crate::name_key::name_key;
use crate::query::{self, Query, ANSWER_FIELDS};
use crate::record::{parse_input, Input, Record, Value};
use crate::schema::{Access, Entity, EntityDef, Kind, Lookup, UniqueName};
use crate::tx::{Caller, Tx};
use serde_json::{json, Map, Value as Json};

/// Fields the server keeps itself on every write; they never make a change on their own.
const AUDIT_FIELDS: [&str; 5] = ["createdDate", "createdBy", "modifiedDate", "modifiedBy", "version"];

/// At most this many referencing ids are listed per table by `getXReferences`.
pub const MAX_LISTED_REFERENCES: u64 = 100;

/// Finds a record by id, or by name/path as the entity's lookup rule says (SPEC §1).
pub fn lookup(tx: &mut dyn Tx, entity: Entity, text: &str) -> CoreResult<Option<Record>> {
    let def = entity.def();
    if let Ok(id) = Id::parse(text) {
        if let Some(r) = tx.get(entity, id)? {
            return Ok(Some(r));
        }
    }
    let q = match def.lookup {
        Lookup::IdOnly => return Ok(None),
        Lookup::Name => Query::eq(def, "name", Value::Text(text.trim().into())),
        Lookup::Path => Query::eq(def, "path", Value::Text(text.trim().trim_start_matches('/').into())),
        Lookup::Field(key) => Query::eq(def, key, Value::Text(text.trim().into())),
    };
    Ok(tx.find(entity, &q)?.into_iter().next())
}

/// Like [`lookup`], but "not found" is an error naming the argument.
pub fn require(tx: &mut dyn Tx, entity: Entity, text: &str) -> CoreResult<Record> {
    lookup(tx, entity, text)?.ok_or_else(|| CoreError::NotFound(format!("no {} '{}'", entity.def().label, text)))
}

/// Like [`require`], but reports a missing record as a validation error on `field`.
pub fn require_as_field(tx: &mut dyn Tx, entity: Entity, text: &str, field: &str) -> CoreResult<Record> {
    lookup(tx, entity, text)?.ok_or_else(|| CoreError::field(field, format!("no {} '{}'", entity.def().label, text)))
}

/// A save rule of one entity: the rules beyond types, required fields, references and unique
/// names (derived fields, cross-record checks, the lifecycle of orders).
pub type SaveRules = fn(&mut dyn Tx, &mut Draft) -> CoreResult<()>;

/// What follows a write of one entity inside the same transaction: `(caller, entity, stored,
/// before)`. Records it changes in turn get their events through [`record_event`].
pub type AfterWrite = fn(&mut dyn Tx, &Caller, Entity, &Record, Option<&Record>) -> CoreResult<()>;

/// Resolves the names after `property:` of a query to columns (`findProductionOrders`).
pub type QueryProperties = fn(&mut dyn Tx, &[String]) -> CoreResult<Vec<(String, query::PropertyColumn, Kind)>>;

/// What one entity adds to the generic services; `Hooks::plain` adds nothing. Each entity's
/// hooks are declared in its service module and listed once in `service::entity::hooks`.
#[derive(Clone, Copy, Debug)]
pub struct Hooks {
    pub entity: Entity,
    pub save_rules: Option<SaveRules>,
    pub after_write: Option<AfterWrite>,
    /// The field holding the id of the order the record belongs to (`id` for an order
    /// itself), which its events carry as `orderId`; `None`: master data, whose events carry
    /// none. Every entity's writes are in the history either way.
    pub order_field: Option<&'static str>,
    pub query_properties: Option<QueryProperties>,
}

impl Hooks {
    /// The hooks of an entity with no rules of its own.
    pub const fn plain(entity: Entity) -> Hooks {
        Hooks {
            entity,
            save_rules: None,
            after_write: None,
            order_field: None,
            query_properties: None,
        }
    }

    /// The order a record belongs to (its events' `orderId`).
    pub fn order_of(&self, record: &Record) -> Option<Id> {
        self.order_field.and_then(|key| record.get(key).as_id())
    }
}

/// A record on its way to being saved, as an entity's [`SaveRules`] see it.
pub struct Draft<'a> {
    pub caller: &'a Caller,
    pub entity: Entity,
    /// The stored record (for an update) overlaid with the input; rules may derive fields.
    pub record: Record,
    pub before: Option<&'a Record>,
    pub input: &'a Input,
    pub errors: FieldErrors,
    /// The history action when it is not plain CREATE / UPDATE (TRANSITION for a status change).
    pub action: Option<Action>,
}

/// The outcome of checking a save: the merged record, the stored one when it is an update, and
/// the history action the entity's rules chose (`None`: CREATE or UPDATE).
pub struct Checked {
    pub record: Record,
    pub before: Option<Record>,
    pub action: Option<Action>,
}

/// Parses, merges and validates `data` without writing. Validation problems come back as
/// `Err(CoreError::Validation)`; a version mismatch as `Err(CoreError::Conflict)`.
pub fn check(tx: &mut dyn Tx, caller: &Caller, hooks: &Hooks, data: &Map<String, Json>) -> CoreResult<Checked> {
    let def = hooks.entity.def();
    let mut errors = FieldErrors::new();
    let input = parse_input(def, data, &mut errors);
    let before = match input.present.get("id").and_then(Value::as_id) {
        Some(id) => tx.get_for_update(hooks.entity, id)?,
        None => None,
    };
    if let (Some(stored), Some(v)) = (&before, input.version) {
        if stored.version() != v {
            return Err(conflict(def, stored, v));
        }
    }
    let record = merge(def, before.as_ref(), &input);
    for f in &def.fields {
        if f.required && f.access == Access::Input && record.get(f.key).is_null() && !errors.has(f.key) {
            errors.add(f.key, "is required");
        }
    }
    check_references(tx, def, &record, before.as_ref(), &mut errors)?;
    let mut draft = Draft {
        caller,
        entity: hooks.entity,
        record,
        before: before.as_ref(),
        input: &input,
        errors,
        action: None,
    };
    if let Some(rules) = hooks.save_rules {
        rules(tx, &mut draft)?;
    }
    let Draft {
        record,
        mut errors,
        action,
        ..
    } = draft;
    // An update that keeps the name where it was cannot create a clash: skip the lookup.
    let name_kept = before.as_ref().is_some_and(|b| {
        b.get("name") == record.get("name")
            && match def.unique_name {
                UniqueName::Within(scope) => b.get(scope) == record.get(scope),
                UniqueName::Global | UniqueName::None => true,
            }
    });
    if !name_kept {
        check_unique_name(tx, def, &record, &mut errors)?;
    }
    errors.into_result()?;
    Ok(Checked { record, before, action })
}

fn conflict(def: &EntityDef, stored: &Record, sent: i64) -> CoreError {
    let by = stored
        .text("modifiedBy")
        .or(stored.text("createdBy"))
        .unwrap_or("someone")
        .to_string();
    let at = stored.get("modifiedDate").as_time().or(stored.get("createdDate").as_time());
    CoreError::Conflict {
        message: format!(
            "the {} was changed by {} at {} (stored version {}, sent version {})",
            def.label,
            by,
            at.map(|t| t.to_string()).unwrap_or_default(),
            stored.version(),
            sent
        ),
        current: stored.to_json(def),
    }
}

fn merge(def: &EntityDef, before: Option<&Record>, input: &Input) -> Record {
    let mut record = match before {
        Some(stored) => stored.clone(),
        None => Record::template(def),
    };
    for (k, v) in &input.present {
        record.set(k, v.clone());
    }
    // Derived names of the stored record may be stale after a reference change.
    for d in &def.derived {
        record.remove(d.key);
    }
    record
}

/// Every reference that is new or changed must point at an existing record (an unchanged one
/// was checked when it was saved, and deletes refuse while it is used).
fn check_references(
    tx: &mut dyn Tx,
    def: &EntityDef,
    record: &Record,
    before: Option<&Record>,
    errors: &mut FieldErrors,
) -> CoreResult<()> {
    for f in &def.fields {
        let Kind::Ref(target) = f.kind else { continue };
        let Some(id) = record.get(f.key).as_id() else { continue };
        if errors.has(f.key) || before.is_some_and(|b| b.get(f.key).as_id() == Some(id)) {
            continue;
        }
        if !tx.exists(target, id)? {
            errors.add(f.key, format!("no {} with id {}", target.def().label, id));
        }
    }
    Ok(())
}

fn check_unique_name(tx: &mut dyn Tx, def: &EntityDef, record: &Record, errors: &mut FieldErrors) -> CoreResult<()> {
    let Some(name) = record.text("name") else { return Ok(()) };
    let scope = match def.unique_name {
        UniqueName::None => return Ok(()),
        UniqueName::Global => None,
        UniqueName::Within(scope) => Some(scope),
    };
    if errors.has("name") || scope.is_some_and(|s| errors.has(s)) {
        return Ok(());
    }
    let mut q = Query::eq(def, "name", Value::Text(name.into()));
    if let Some(scope) = scope {
        match record.get(scope) {
            Value::Null => q.filters.push(Query::is_null(def, scope)),
            v => q = q.and_eq(def, scope, v.clone()),
        }
    }
    let clash = tx.find(def.entity, &q)?.into_iter().find(|other| other.id() != record.id());
    if let Some(other) = clash {
        let place = if scope.is_some() { " at the same place" } else { "" };
        errors.add(
            "name",
            format!(
                "a {} named '{}' already exists{place} (id {})",
                def.label,
                other.text("name").unwrap_or(name),
                other.id().map(|i| i.to_string()).unwrap_or_default()
            ),
        );
    }
    Ok(())
}

/// `end` must not be before `start` when both are set.
pub fn check_dates(record: &Record, start: &str, end: &str, errors: &mut FieldErrors) {
    if let (Some(s), Some(e)) = (record.get(start).as_time(), record.get(end).as_time()) {
        if e < s && !errors.has(end) {
            errors.add(end, format!("must not be before {start} ({s})"));
        }
    }
}

/// `validateX(**data)`: the field-error map, `{}` when valid. Writes nothing.
pub fn validate(tx: &mut dyn Tx, caller: &Caller, hooks: &Hooks, data: &Map<String, Json>) -> CoreResult<Json> {
    match check(tx, caller, hooks, data) {
        Ok(_) => Ok(json!({})),
        Err(CoreError::Validation(e)) => Ok(e.to_json()),
        Err(CoreError::Conflict { message, .. }) => Ok(json!({"version": [message]})),
        Err(other) => Err(other),
    }
}

/// `saveX(**data)`: creates or merges, appends its history event, returns the stored record.
pub fn save(tx: &mut dyn Tx, caller: &Caller, hooks: &Hooks, data: &Map<String, Json>) -> CoreResult<Record> {
    let Checked { record, before, action } = check(tx, caller, hooks, data)?;
    write(tx, caller, hooks, record, before, Event { action, reason: None })
}

/// How the history event of a write is told apart: the action when it is not plain CREATE /
/// UPDATE, and the caller's reason.
#[derive(Default)]
pub struct Event {
    pub action: Option<Action>,
    pub reason: Option<String>,
}

/// Writes a checked record: audit fields, version, history; returns it as stored (with derived
/// names). An update that changes nothing writes nothing. Only the services call it: outside
/// the core, records are written by `saveX` and the services' own calls, so an order's status
/// never changes but through `production_order::change_status`.
pub(crate) fn write(
    tx: &mut dyn Tx,
    caller: &Caller,
    hooks: &Hooks,
    mut record: Record,
    before: Option<Record>,
    event: Event,
) -> CoreResult<Record> {
    let entity = hooks.entity;
    let def = entity.def();
    let changes = match &before {
        Some(stored) => {
            // The fields this update changes (hidden ones included), then the audit fields.
            let mut keys: Vec<&'static str> = def
                .fields
                .iter()
                .filter(|f| !AUDIT_FIELDS.contains(&f.key) && stored.get(f.key) != record.get(f.key))
                .map(|f| f.key)
                .collect();
            if keys.is_empty() {
                return Ok(stored.clone());
            }
            keys.extend(["modifiedDate", "modifiedBy", "version"]);
            record.set("modifiedDate", Value::Time(caller.now));
            record.set("modifiedBy", Value::Text(caller.user.as_str().into()));
            record.set("version", Value::Int(stored.version() + 1));
            tx.update_fields(entity, &record, &keys)?;
            diff(def, stored, &record)
        }
        None => {
            if record.id().is_none() {
                record.set("id", Value::Id(Id::generate()));
            }
            record.set("createdDate", Value::Time(caller.now));
            record.set("createdBy", Value::Text(caller.user.as_str().into()));
            record.set("modifiedDate", Value::Null);
            record.set("modifiedBy", Value::Null);
            record.set("version", Value::Int(1));
            tx.insert(entity, &record)?;
            diff(def, &Record::default(), &record)
        }
    };
    let id = record.id().ok_or_else(|| CoreError::Internal("record without id".into()))?;
    let action = event.action.unwrap_or(match &before {
        None => Action::Create,
        Some(_) => Action::Update,
    });
    let order = hooks.order_of(&record);
    record_event(tx, caller, entity, id, order, action, changes, event.reason)?;
    if let Some(after_write) = hooks.after_write {
        after_write(tx, caller, entity, &record, before.as_ref())?;
    }
    // Derived names only change with the references they come through: an update that kept
    // them (reports, transitions, most edits) answers with the names read in this transaction;
    // otherwise the record is read back with its joins.
    if let Some(stored) = before
        .as_ref()
        .filter(|b| def.derived.iter().all(|d| b.get(d.via) == record.get(d.via)))
    {
        for d in &def.derived {
            record.set(d.key, stored.get(d.key).clone());
        }
        return Ok(record);
    }
    tx.get(entity, id)?
        .ok_or_else(|| CoreError::Internal("record vanished after write".into()))
}

/// `{field: [old, new]}` over the fields that differ (audit fields aside).
pub fn diff(def: &EntityDef, old: &Record, new: &Record) -> String {
    let mut changes = Vec::with_capacity(256);
    changes.push(b'{');
    for f in def.fields.iter().filter(|f| f.access != Access::Hidden) {
        if AUDIT_FIELDS.contains(&f.key) {
            continue;
        }
        let (a, b) = (old.get(f.key), new.get(f.key));
        if a != b {
            if changes.len() > 1 {
                changes.push(b',');
            }
            changes.push(b'"');
            changes.extend_from_slice(f.key.as_bytes());
            changes.extend_from_slice(b"\":[");
            a.write_json(&mut changes);
            changes.push(b',');
            b.write_json(&mut changes);
            changes.push(b']');
        }
    }
    changes.push(b'}');
    String::from_utf8(changes).expect("JSON written from UTF-8 text")
}

/// Appends the history event of one change of one record (`changes` as [`diff`] writes them):
/// the one place events are made, called by every write and delete of the services.
#[allow(clippy::too_many_arguments)]
pub(crate) fn record_event(
    tx: &mut dyn Tx,
    caller: &Caller,
    entity: Entity,
    entity_id: Id,
    order_id: Option<Id>,
    action: Action,
    changes: String,
    reason: Option<String>,
) -> CoreResult<i64> {
    tx.append_event(&NewEvent {
        at: caller.now,
        user: caller.user.clone(),
        entity: entity.def().noun,
        entity_id,
        order_id,
        action,
        changes,
        reason,
        person: caller.person.clone(),
    })
}

/// The record keys a find answers with: `None` (every field and derived name, the default) when
/// `fields` is absent or null, else the keys it lists in their catalogue spelling (any letter
/// case), each once; an unknown or hidden key is a field error naming it.
pub fn answer_fields(def: &EntityDef, fields: Option<&Json>) -> CoreResult<Option<Vec<&'static str>>> {
    let items = match fields {
        None | Some(Json::Null) => return Ok(None),
        Some(Json::Array(items)) if !items.is_empty() => items,
        Some(other) => {
            return Err(CoreError::field(
                ANSWER_FIELDS,
                format!("must be a non-empty list of field names, got {other}"),
            ))
        }
    };
    let answered = def
        .fields
        .iter()
        .filter(|f| f.access != Access::Hidden)
        .map(|f| f.key)
        .chain(def.derived.iter().map(|d| d.key));
    let known: Vec<&'static str> = answered.collect();
    let mut keys = Vec::with_capacity(items.len());
    let mut errors = FieldErrors::new();
    for item in items {
        let Some(name) = item.as_str() else {
            errors.add(ANSWER_FIELDS, format!("must be a list of field names, got {item}"));
            continue;
        };
        match known.iter().find(|k| k.eq_ignore_ascii_case(name.trim())) {
            Some(key) if !keys.contains(key) => keys.push(*key),
            Some(_) => {}
            None => errors.add(ANSWER_FIELDS, format!("unknown field '{name}' for {}", def.label)),
        }
    }
    errors.into_result()?;
    Ok(Some(keys))
}

/// `findXs(**queryRequest)`: the QueryResult; with `fields` ([`ANSWER_FIELDS`]) each record
/// answers only with the fields listed.
pub fn find(tx: &mut dyn Tx, hooks: &Hooks, request: &Map<String, Json>) -> CoreResult<Json> {
    let entity = hooks.entity;
    let def = entity.def();
    let fields = answer_fields(def, request.get(ANSWER_FIELDS))?;
    let properties = match hooks.query_properties {
        Some(resolve) => resolve(tx, &query::property_names(request))?,
        None => Vec::new(),
    };
    let resolver = |name: &str| {
        let key = name_key(name);
        properties.iter().find(|(n, _, _)| name_key(n) == key).map(|(_, c, k)| (*c, *k))
    };
    let query = query::parse_query_with(def, request, &resolver).map_err(CoreError::Validation)?;
    let rows = tx.find(entity, &query)?;
    let total = match query.page {
        Some(_) => tx.count(entity, &query.filters)?,
        None => rows.len() as u64,
    };
    let content = rows
        .iter()
        .map(|r| match &fields {
            None => r.to_json(def),
            Some(keys) => Json::Object(keys.iter().map(|k| (k.to_string(), r.get(k).to_json())).collect()),
        })
        .collect();
    Ok(query::result(content, total, query.page))
}

/// Every record, sorted by path or name where there is one.
pub fn all(tx: &mut dyn Tx, entity: Entity) -> CoreResult<Vec<Record>> {
    let def = entity.def();
    let sort_key = if def.has_path() {
        Some("path")
    } else if def.has_name() {
        Some("name")
    } else {
        None
    };
    let sort = sort_key
        .and_then(|k| query::FieldRef::resolve(def, k))
        .map(|field| vec![query::Sort::new(field, false)])
        .unwrap_or_default();
    tx.find(entity, &Query { sort, ..Query::default() })
}

/// `getXReferences`: `[{tableName, references: [{fkColName, id}]}]` over every reference field
/// of every entity that points at `entity`.
pub fn references(tx: &mut dyn Tx, entity: Entity, id: Id) -> CoreResult<Vec<Json>> {
    let mut out = Vec::new();
    for other in Entity::ALL {
        let odef = other.def();
        let mut refs = Vec::new();
        for f in odef.fields.iter().filter(|f| f.kind == Kind::Ref(entity)) {
            let mut q = Query::eq(odef, f.key, Value::Id(id));
            q.page = Some(query::Page {
                size: MAX_LISTED_REFERENCES,
                index: 0,
            });
            for r in tx.find(other, &q)? {
                if let Some(rid) = r.id() {
                    refs.push(json!({"fkColName": f.column, "id": rid.to_string()}));
                }
            }
        }
        if !refs.is_empty() {
            out.push(json!({"tableName": odef.table, "references": refs}));
        }
    }
    Ok(out)
}

/// The ApiResponse object of delete functions (api.md).
pub fn api_response(success: bool, message: String, data: Json) -> Json {
    let error = if success { Json::Null } else { Json::String(message.clone()) };
    json!({"success": success, "message": message, "data": data, "error": error})
}

/// `deleteX(idOr…)`: refused with [`CoreError::InUse`] while referenced.
pub fn delete(tx: &mut dyn Tx, caller: &Caller, hooks: &Hooks, text: &str) -> CoreResult<Json> {
    let entity = hooks.entity;
    let def = entity.def();
    let record = require(tx, entity, text)?;
    let id = record.id().ok_or_else(|| CoreError::Internal("record without id".into()))?;
    let refs = references(tx, entity, id)?;
    if !refs.is_empty() {
        let tables: Vec<&str> = refs.iter().filter_map(|r| r["tableName"].as_str()).collect();
        return Err(CoreError::InUse {
            message: format!("{} {} is still referenced by {}", def.label, id, tables.join(", ")),
            references: Json::Array(refs),
        });
    }
    tx.delete(entity, id)?;
    let changes = diff(def, &record, &Record::default());
    record_event(tx, caller, entity, id, hooks.order_of(&record), Action::Delete, changes, None)?;
    Ok(api_response(true, format!("{} {} deleted", def.label, id), record.to_json(def)))
}
