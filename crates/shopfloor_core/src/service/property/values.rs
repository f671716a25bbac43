//! The calls over the values of any property family: the values of one owner, the value of one
//! (owner, property) pair, setting one or many, the owners holding a value, deleting several
//! all or none, and find-or-create of a definition.

use super::typing::{data_type, typed};
use super::Family;
use crate::errors::{CoreError, CoreResult, FieldErrors};
use crate::id::Id;
use crate::query::{FieldRef, Query, Sort};
use crate::record::{Record, Value};
use crate::service::generic;
use crate::tx::{Caller, Tx};
use serde_json::{json, Map, Value as Json};

fn id_text(r: &Record) -> String {
    r.id().map(|i| i.to_string()).unwrap_or_default()
}

/// Every value of one owner, by property name.
pub fn values_of(tx: &mut dyn Tx, family: &Family, owner: Id) -> CoreResult<Vec<Record>> {
    let def = family.value.def();
    let mut q = Query::eq(def, family.owner_key, Value::Id(owner));
    q.sort = vec![Sort::new(
        FieldRef::resolve(def, "propertyName").expect("property values derive propertyName"),
        false,
    )];
    tx.find(family.value, &q)
}

/// The value of one (owner, property) pair, both named by id, name or path; `None` when either
/// or the value does not exist.
pub fn value_for(tx: &mut dyn Tx, family: &Family, owner: &str, property: &str) -> CoreResult<Option<Record>> {
    let (Some(o), Some(p)) = (
        generic::lookup(tx, family.owner, owner)?,
        generic::lookup(tx, family.property, property)?,
    ) else {
        return Ok(None);
    };
    stored_value(tx, family, &o, &p)
}

fn stored_value(tx: &mut dyn Tx, family: &Family, owner: &Record, property: &Record) -> CoreResult<Option<Record>> {
    let (Some(oid), Some(pid)) = (owner.id(), property.id()) else {
        return Ok(None);
    };
    let def = family.value.def();
    let q = Query::eq(def, family.owner_key, Value::Id(oid)).and_eq(def, family.property_key, Value::Id(pid));
    Ok(tx.find(family.value, &q)?.into_iter().next())
}

/// `setPropertyValue(ownerIdOr…, propertyIdOrName, value)`: creates or updates the value row.
pub fn set_value(tx: &mut dyn Tx, caller: &Caller, family: &Family, owner: &str, property: &str, value: &Json) -> CoreResult<Record> {
    let o = generic::require_as_field(tx, family.owner, owner, family.owner_param)?;
    let p = generic::require_as_field(tx, family.property, property, "propertyIdOrName")?;
    let existing = stored_value(tx, family, &o, &p)?;
    save_value_of(tx, caller, family, &o, &p, existing.as_ref(), value)
}

/// Sets the value of property `p` of owner `o` whose stored value (if any) is `existing`.
pub fn save_value_of(
    tx: &mut dyn Tx,
    caller: &Caller,
    family: &Family,
    o: &Record,
    p: &Record,
    existing: Option<&Record>,
    value: &Json,
) -> CoreResult<Record> {
    let mut data = Map::new();
    match existing {
        Some(existing) => {
            data.insert("id".into(), json!(id_text(existing)));
        }
        None => {
            data.insert(family.owner_key.into(), json!(id_text(o)));
            data.insert(family.property_key.into(), json!(id_text(p)));
        }
    }
    data.insert("value".into(), value.clone());
    generic::save(tx, caller, family.value_hooks(), &data)
}

/// `setPropertyValues(ownerIdOr…, values)`: all or none (the caller's transaction is rolled
/// back on the first error, which names the property).
pub fn set_values(tx: &mut dyn Tx, caller: &Caller, family: &Family, owner: &str, values: &Map<String, Json>) -> CoreResult<Vec<Record>> {
    let mut out = Vec::with_capacity(values.len());
    for (property, value) in values {
        match set_value(tx, caller, family, owner, property, value) {
            Ok(r) => out.push(r),
            Err(CoreError::Validation(fields)) => {
                let mut prefixed = FieldErrors::new();
                for (k, msgs) in fields.0 {
                    for m in msgs {
                        prefixed.add(format!("values.{property}.{k}"), m);
                    }
                }
                return Err(CoreError::Validation(prefixed));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// `get…PropertyOrCreateNew(**propertyData)`: by `id` or `name`, else created (which needs the
/// family's save permission).
pub fn get_or_create(tx: &mut dyn Tx, caller: &Caller, family: &Family, data: &Map<String, Json>) -> CoreResult<Record> {
    for key in ["id", "name"] {
        if let Some(text) = data.get(key).and_then(Json::as_str) {
            if let Some(found) = generic::lookup(tx, family.property, text)? {
                return Ok(found);
            }
        }
    }
    caller.require(family.save_permission)?;
    generic::save(tx, caller, family.property_hooks(), data)
}

/// `getLocationsByPropertyValue(propertyIdOrName, propertyValue)`: the owners whose value of
/// the property equals `value`, compared as the property's type (text ignoring case).
pub fn owners_with_value(tx: &mut dyn Tx, family: &Family, property: &str, value: &Json) -> CoreResult<Vec<Record>> {
    let p = generic::require_as_field(tx, family.property, property, "propertyIdOrName")?;
    let (Some(pid), Some(t)) = (p.id(), data_type(&p)) else {
        return Ok(vec![]);
    };
    let def = family.value.def();
    let mut q = Query::eq(def, family.property_key, Value::Id(pid));
    q = match value {
        Json::Null => {
            q.filters.push(Query::is_null(def, "value"));
            q
        }
        given => {
            let (_, typed_value) = typed(t, given).map_err(|m| CoreError::field("propertyValue", m))?;
            q.and_eq(def, t.column_key(), typed_value)
        }
    };
    let mut owners = Vec::new();
    for v in tx.find(family.value, &q)? {
        if let Some(owner) = v
            .get(family.owner_key)
            .as_id()
            .map(|id| tx.get(family.owner, id))
            .transpose()?
            .flatten()
        {
            owners.push(owner);
        }
    }
    owners.sort_by(|a, b| a.text("path").or(a.text("name")).cmp(&b.text("path").or(b.text("name"))));
    Ok(owners)
}

/// Deletes the given (found) values; nothing references a value, so none is refused. Answers
/// the ApiResponse with the deleted values.
pub fn delete_values(tx: &mut dyn Tx, caller: &Caller, family: &Family, values: Vec<Record>) -> CoreResult<Json> {
    let mut deleted = Vec::with_capacity(values.len());
    for v in &values {
        let answer = generic::delete(tx, caller, family.value_hooks(), &id_text(v))?;
        deleted.push(answer["data"].clone());
    }
    Ok(generic::api_response(
        true,
        format!("{} {} deleted", deleted.len(), family.value.def().label),
        Json::Array(deleted),
    ))
}

/// The stored values with these ids, all found or a not-found error naming the first missing.
pub fn values_by_id(tx: &mut dyn Tx, family: &Family, ids: &[String]) -> CoreResult<Vec<Record>> {
    ids.iter().map(|id| generic::require(tx, family.value, id)).collect()
}

/// The owner's values of the named properties, all found or a not-found error naming the first
/// missing owner, property or value.
pub fn values_named(tx: &mut dyn Tx, family: &Family, owner: &str, properties: &[String]) -> CoreResult<Vec<Record>> {
    let o = generic::require(tx, family.owner, owner)?;
    let mut out = Vec::with_capacity(properties.len());
    for name in properties {
        let p = generic::require(tx, family.property, name)?;
        let v = stored_value(tx, family, &o, &p)?.ok_or_else(|| {
            CoreError::NotFound(format!(
                "the {} {} has no value for property {}",
                family.owner.def().label,
                owner,
                p.text("name").unwrap_or(name)
            ))
        })?;
        out.push(v);
    }
    Ok(out)
}
