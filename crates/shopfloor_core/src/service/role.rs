//! Roles (security.md, docs/adr/0015-role-module.md): named permission sets, held by the users
//! they are assigned to and by every user whose security levels meet their `securityLevels`
//! ([`security_levels`]). One table serves `security.*Role*` and `role.*`.
//!
//! The rules: permission strings are known ones, prefixes of them or `*`; security levels exist
//! (stored in their canonical spelling); the built-in roles keep their names and Administrator
//! keeps `*`; a role that users hold or that a security level of another role names is neither
//! renamed nor deleted; and no change may leave no enabled user holding `*`.

use crate::errors::{CoreError, CoreResult};
use crate::id::Id;
use crate::name_key::name_key;
use crate::permissions::grants;
use crate::record::{Record, Value};
use crate::schema::Entity;
use crate::service::generic::{self, Draft, Hooks};
use crate::service::security::{administrators, RoleChange, ADMINISTRATOR};
use crate::service::security_levels::{self, string_list};
use crate::tx::{Caller, Tx};
use serde_json::{json, Map, Value as Json};

const ROLE: Entity = Entity::Role;
const USER: Entity = Entity::User;

pub static ROLE_HOOKS: Hooks = Hooks {
    save_rules: Some(role_rules),
    ..Hooks::plain(ROLE)
};

/// The permission strings of a role's input, each `*`, known or a prefix of known ones.
fn check_permissions(record: &Record, errors: &mut crate::errors::FieldErrors) -> Vec<String> {
    let known = crate::permissions::KNOWN;
    match record.get("permissions").clone() {
        Value::Null | Value::Json(Json::Null) => vec![],
        Value::Json(Json::Array(items)) => {
            let mut out = Vec::new();
            for item in items {
                match item.as_str().map(str::trim) {
                    Some(p) if p == "*" || known.iter().any(|k| grants(p, k)) || p == "SYSTEM.ADMIN" => out.push(p.to_string()),
                    Some(p) => errors.add("permissions", format!("'{p}' is not a known permission or prefix of one")),
                    None => errors.add("permissions", format!("must be a list of permission strings, got {item}")),
                }
            }
            out
        }
        other => {
            errors.add(
                "permissions",
                format!("must be a list of permission strings, got {}", other.to_json()),
            );
            vec![]
        }
    }
}

/// The security levels of a role's input in their canonical spelling, each once; every level
/// must exist (`role_names`: the names of every role, this one's as it is being saved).
fn check_security_levels(record: &Record, role_names: &[&str], errors: &mut crate::errors::FieldErrors) -> Vec<String> {
    const FIELD: &str = "securityLevels";
    let items = match record.get(FIELD).clone() {
        Value::Null | Value::Json(Json::Null) => return vec![],
        Value::Json(Json::Array(items)) => items,
        other => {
            errors.add(FIELD, format!("must be a list of security-level paths, got {}", other.to_json()));
            return vec![];
        }
    };
    let mut out: Vec<String> = Vec::new();
    for item in items {
        match item.as_str().map(|p| security_levels::canonical_path(p, role_names)) {
            Some(Ok(path)) => {
                if !out.iter().any(|o| name_key(o) == name_key(&path)) {
                    out.push(path);
                }
            }
            Some(Err(message)) => errors.add(FIELD, message),
            None => errors.add(FIELD, format!("must be a list of security-level paths, got {item}")),
        }
    }
    out
}

/// Roles other than `except` whose security levels name the role `name`.
fn naming_roles(tx: &mut dyn Tx, name: &str, except: &[Id]) -> CoreResult<Vec<Record>> {
    Ok(generic::all(tx, ROLE)?
        .into_iter()
        .filter(|r| !r.id().is_some_and(|id| except.contains(&id)))
        .filter(|r| {
            string_list(r.get("securityLevels"))
                .iter()
                .any(|p| security_levels::names_role(p, name))
        })
        .collect())
}

/// Roles: see the module's documentation.
fn role_rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    let perms = check_permissions(&draft.record, &mut draft.errors);
    draft.record.set("permissions", Value::Json(json!(perms)));
    let own_id = draft.record.id();
    let others = generic::all(tx, ROLE)?;
    let mut names: Vec<&str> = others
        .iter()
        .filter(|r| own_id.is_none() || r.id() != own_id)
        .filter_map(|r| r.text("name"))
        .collect();
    names.extend(draft.record.text("name"));
    let levels = check_security_levels(&draft.record, &names, &mut draft.errors);
    draft.record.set("securityLevels", Value::Json(json!(levels)));
    let (record, errors) = (&draft.record, &mut draft.errors);
    let Some(stored) = draft.before else { return Ok(()) };
    let stored_name = stored.text("name").unwrap_or_default();
    let renamed = Some(stored_name) != record.text("name");
    let built_in = stored.get("builtIn") == &Value::Bool(true);
    if built_in && renamed {
        errors.add("name", "a built-in role cannot be renamed");
    }
    if built_in && stored_name == ADMINISTRATOR && !perms.iter().any(|p| p == "*") {
        errors.add("permissions", "the Administrator role must keep *");
    }
    if !built_in && renamed && !holders(tx, stored_name)?.is_empty() {
        errors.add("name", "cannot rename a role that users hold; create a new role instead");
    }
    if renamed && !errors.has("name") {
        let naming = naming_roles(tx, stored_name, &own_id.into_iter().collect::<Vec<_>>())?;
        if !naming.is_empty() {
            let names: Vec<&str> = naming.iter().filter_map(|r| r.text("name")).collect();
            errors.add(
                "name",
                format!(
                    "cannot rename a role whose security level the roles {} name; change their securityLevels first",
                    names.join(", ")
                ),
            );
        }
    }
    if !errors.has("permissions")
        && !errors.has("securityLevels")
        && !administrators(tx, None, None)?.is_empty()
        && administrators(tx, None, Some(RoleChange::Saved(record)))?.is_empty()
    {
        errors.add("permissions", "this change would leave no enabled user holding *");
    }
    Ok(())
}

/// Users that hold the named role by assignment.
pub(crate) fn holders(tx: &mut dyn Tx, role: &str) -> CoreResult<Vec<Record>> {
    let users = generic::all(tx, USER)?;
    Ok(users
        .into_iter()
        .filter(|u| string_list(u.get("roles")).iter().any(|r| name_key(r) == name_key(role)))
        .collect())
}

/// Why the role may not be deleted along with the roles `listed`: the users holding it and
/// the roles (outside the list) whose security levels name it, as references; `None` when
/// nothing refers to it. A built-in role is refused as a field error on `field`.
fn delete_refusal(tx: &mut dyn Tx, role: &Record, listed: &[Id], field: &str) -> CoreResult<Option<Json>> {
    let name = role.text("name").unwrap_or_default();
    if role.get("builtIn") == &Value::Bool(true) {
        return Err(CoreError::field(field, format!("the built-in role '{name}' cannot be deleted")));
    }
    let mut references = Vec::new();
    let users: Vec<Json> = holders(tx, name)?
        .iter()
        .filter_map(Record::id)
        .map(|id| json!({"fkColName": "roles", "id": id.to_string()}))
        .collect();
    if !users.is_empty() {
        references.push(json!({"tableName": "users", "references": users}));
    }
    let roles: Vec<Json> = naming_roles(tx, name, listed)?
        .iter()
        .filter_map(Record::id)
        .map(|id| json!({"fkColName": "security_levels", "id": id.to_string()}))
        .collect();
    if !roles.is_empty() {
        references.push(json!({"tableName": "roles", "references": roles}));
    }
    Ok((!references.is_empty()).then(|| Json::Array(references)))
}

/// Refuses deleting `ids` when that would leave no enabled user holding `*` (a role may give
/// it through security levels, to users who hold no role granting it by assignment).
fn keep_an_administrator(tx: &mut dyn Tx, ids: &[Id], field: &str) -> CoreResult<()> {
    if !administrators(tx, None, None)?.is_empty() && administrators(tx, None, Some(RoleChange::Deleted(ids)))?.is_empty() {
        return Err(CoreError::field(field, "deleting this would leave no enabled user holding *"));
    }
    Ok(())
}

/// `deleteRole`: never a built-in role, never one that users hold or a security level of
/// another role names, never the last way to `*`.
pub fn delete_role(tx: &mut dyn Tx, caller: &Caller, role: &str) -> CoreResult<Json> {
    let stored = generic::require(tx, ROLE, role)?;
    let id = stored.id().ok_or_else(|| CoreError::Internal("role without id".into()))?;
    if let Some(references) = delete_refusal(tx, &stored, &[id], "roleIdOrName")? {
        return Err(CoreError::InUse {
            message: format!(
                "role {} is still held or named by a security level",
                stored.text("name").unwrap_or_default()
            ),
            references,
        });
    }
    keep_an_administrator(tx, &[id], "roleIdOrName")?;
    generic::delete(tx, caller, &ROLE_HOOKS, &id.to_string())
}

/// `deleteRoles(idsOrNames)`: all or none, by the rules of [`delete_role`]; references from
/// roles of the same list do not count. Nothing is deleted until every role passed.
pub fn delete_roles(tx: &mut dyn Tx, caller: &Caller, texts: &[String], field: &str) -> CoreResult<Json> {
    let mut records: Vec<Record> = Vec::with_capacity(texts.len());
    for text in texts {
        let record = generic::require(tx, ROLE, text)?;
        if !records.iter().any(|r| r.id() == record.id()) {
            records.push(record);
        }
    }
    let ids: Vec<Id> = records.iter().filter_map(Record::id).collect();
    let mut refused = Vec::new();
    for r in &records {
        if let Some(references) = delete_refusal(tx, r, &ids, field)? {
            let id = r.id().map(|i| i.to_string()).unwrap_or_default();
            refused.push(json!({"id": id, "name": r.text("name"), "references": references}));
        }
    }
    if !refused.is_empty() {
        let names: Vec<&str> = refused.iter().filter_map(|r| r["name"].as_str()).collect();
        return Err(CoreError::InUse {
            message: format!("nothing deleted: role {} still held or named by a security level", names.join(", ")),
            references: Json::Array(refused),
        });
    }
    keep_an_administrator(tx, &ids, field)?;
    let mut deleted = Vec::with_capacity(ids.len());
    for id in &ids {
        deleted.push(generic::delete(tx, caller, &ROLE_HOOKS, &id.to_string())?["data"].take());
    }
    Ok(generic::api_response(
        true,
        format!("{} role(s) deleted", deleted.len()),
        Json::Array(deleted),
    ))
}

/// The data of `role.saveRole`/`role.validateRole`: roles of the original API have no name. A
/// new role saved without one is named `Role <its id>` (so the name is unique and never changes
/// by itself); an update without a name, or with a null one, keeps the stored name.
pub fn nameless_role_data(tx: &mut dyn Tx, data: &Map<String, Json>) -> CoreResult<Map<String, Json>> {
    let mut data = data.clone();
    if data.get("name").is_some_and(|n| !n.is_null()) {
        return Ok(data);
    }
    let given = match data.get("id") {
        Some(Json::String(text)) => Some(Id::parse(text).map_err(|m| CoreError::field("id", m))?),
        Some(Json::Null) | None => None,
        Some(_) => return Ok(data), // the generic parse names the wrong type
    };
    if let Some(id) = given {
        if tx.exists(ROLE, id)? {
            data.remove("name");
            return Ok(data);
        }
    }
    let id = given.unwrap_or_else(Id::generate);
    data.insert("id".into(), Json::String(id.to_string()));
    data.insert("name".into(), Json::String(format!("Role {id}")));
    Ok(data)
}
