//! People (`system.mes.personnel`): the rules beyond the catalogue's. A person's `username` is
//! unique (compared like other text: case and look-alikes ignored); names are trimmed and
//! never empty; the login
//! user a person is linked to (`userId`) belongs to no other person; a person linked to a user
//! and saved without a username takes the user's name; empty initials are made from the names.
//! Departments are trees and follow the tree rules of [`crate::service::location`].

use crate::errors::{CoreError, CoreResult};
use crate::query::Query;
use crate::record::{Record, Value};
use crate::schema::Entity;
use crate::service::generic::{Draft, Hooks};
use crate::tx::{Caller, Tx};

pub static PERSON_HOOKS: Hooks = Hooks {
    save_rules: Some(person_rules),
    ..Hooks::plain(Entity::Person)
};

fn person_rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    let user = match draft.record.get("userId").as_id() {
        Some(id) => tx.get(Entity::User, id)?,
        None => None,
    };
    let (record, errors) = (&mut draft.record, &mut draft.errors);
    if is_empty(record, "username") {
        if let Some(name) = user.as_ref().and_then(|u| u.text("name")) {
            record.set("username", Value::Text(name.into()));
        }
    }
    for key in ["firstName", "lastName", "username", "initials"] {
        if let Some(text) = record.text(key).filter(|t| t.trim() != *t).map(|t| t.trim().to_string()) {
            record.set(key, Value::Text(text.as_str().into()));
        }
    }
    for key in ["firstName", "lastName", "username"] {
        if is_empty(record, key) && !errors.has(key) {
            errors.add(key, "must not be empty");
        }
    }
    if is_empty(record, "initials") {
        let initials: String = ["firstName", "lastName"]
            .iter()
            .filter_map(|k| record.text(k).and_then(|t| t.chars().next()))
            .flat_map(char::to_uppercase)
            .collect();
        record.set("initials", Value::Text(initials.as_str().into()));
    }
    for (key, what) in [("username", "username"), ("userId", "login user")] {
        let value = record.get(key).clone();
        if value.is_null() || errors.has(key) || is_empty(record, key) {
            continue;
        }
        let q = Query::eq(Entity::Person.def(), key, value);
        if let Some(other) = tx.find(Entity::Person, &q)?.into_iter().find(|p| p.id() != record.id()) {
            errors.add(
                key,
                format!(
                    "this {what} already belongs to person {} (id {})",
                    other.text("username").unwrap_or_default(),
                    other.id().map(|i| i.to_string()).unwrap_or_default()
                ),
            );
        }
    }
    Ok(())
}

fn is_empty(record: &Record, key: &str) -> bool {
    match record.get(key) {
        Value::Null => true,
        Value::Text(t) => t.trim().is_empty(),
        _ => false,
    }
}

/// The caller acting for a person, when `person` names one (a username or id of personnel):
/// the history events of the call carry the person's username. A name that finds nobody is an
/// error of `person`; `None` (or blank) leaves the caller as it is.
pub fn acting_for(tx: &mut dyn Tx, caller: &Caller, person: Option<String>) -> CoreResult<Caller> {
    let Some(text) = person.map(|p| p.trim().to_string()).filter(|p| !p.is_empty()) else {
        return Ok(caller.clone());
    };
    let found = crate::service::generic::lookup(tx, Entity::Person, &text)?
        .ok_or_else(|| CoreError::field("person", format!("no person '{text}' (a username or id of personnel)")))?;
    Ok(Caller {
        person: found.text("username").map(str::to_string),
        ..caller.clone()
    })
}
