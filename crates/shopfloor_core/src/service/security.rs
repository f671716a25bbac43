//! Users, API tokens and sessions (security.md; roles are in [`role`]): built-in roles, hashing (argon2id for
//! passwords, SHA-256 for high-entropy tokens), authentication of a token, and the rule that the
//! last enabled user holding `*` cannot lose it.

use crate::errors::{CoreError, CoreResult};
use crate::id::Id;
use crate::query::{Condition, FieldRef, Filter, Operand, Query};
use crate::record::{Record, Value};
use crate::schema::Entity;
pub use crate::service::credentials::{hash_password, hash_token, new_secret, verify_password};
use crate::service::generic::{self, Draft, Event, Hooks};
use crate::service::{role, security_levels};
use crate::time::Timestamp;
use crate::tx::{Caller, Tx};
use serde_json::{json, Map, Value as Json};

const USER: Entity = Entity::User;
const ROLE: Entity = Entity::Role;
const TOKEN: Entity = Entity::ApiToken;

pub const ADMINISTRATOR: &str = "Administrator";

pub static USER_HOOKS: Hooks = Hooks {
    save_rules: Some(user_rules),
    ..Hooks::plain(USER)
};

pub static TOKEN_HOOKS: Hooks = Hooks {
    save_rules: Some(token_rules),
    ..Hooks::plain(TOKEN)
};

/// The roles created on first start: (name, description, permissions).
pub const BUILT_IN_ROLES: [(&str, &str, &[&str]); 4] = [
    (ADMINISTRATOR, "Everything, including users, roles and tokens", &["*"]),
    (
        "Supervisor",
        "Plans and edits production orders; reads master data",
        &[
            "PRODUCTION_ORDER",
            "MATERIAL.READ",
            "LOCATION.READ",
            "UNIT_OF_MEASURE.READ",
            "CUSTOMER.READ",
            "SHIFT.READ",
            "PERSONNEL.READ",
            "QUERY.READ",
            "SCHEDULE.READ",
        ],
    ),
    (
        "Operator",
        "Runs orders at the line: reads them, their lines and shifts; starts, pauses and stops them and reports production (cannot schedule, close or cancel)",
        &[
            "PRODUCTION_ORDER.READ",
            "PRODUCTION_ORDER.EXECUTE.START",
            "PRODUCTION_ORDER.EXECUTE.PAUSE",
            "PRODUCTION_ORDER.EXECUTE.STOP",
            "PRODUCTION_ORDER.EXECUTE.REPORT",
            "LOCATION.READ.GET",
            "SHIFT.READ.GET",
            "PERSONNEL.READ.GET",
            "SCHEDULE.READ.GET",
        ],
    ),
    (
        "Viewer",
        "Reads everything, changes nothing",
        &[
            "PRODUCTION_ORDER.READ.GET",
            "MATERIAL.READ.GET",
            "LOCATION.READ.GET",
            "UNIT_OF_MEASURE.READ.GET",
            "CUSTOMER.READ.GET",
            "SHIFT.READ.GET",
            "PERSONNEL.READ.GET",
            "SCHEDULE.READ.GET",
        ],
    ),
];

/// What earlier versions created for a built-in role: a stored role whose permissions are still
/// exactly one of these was never edited, and is brought to today's [`BUILT_IN_ROLES`] on start.
/// A role an administrator changed is left as it is.
const EARLIER_BUILT_IN_PERMISSIONS: &[(&str, &[&str])] = &[
    (
        "Supervisor",
        &[
            "PRODUCTION_ORDER",
            "MATERIAL.READ",
            "LOCATION.READ",
            "UNIT_OF_MEASURE.READ",
            "CUSTOMER.READ",
            "SHIFT.READ",
            "QUERY.READ",
        ],
    ),
    (
        "Supervisor",
        &[
            "PRODUCTION_ORDER",
            "MATERIAL.READ",
            "LOCATION.READ",
            "UNIT_OF_MEASURE.READ",
            "CUSTOMER.READ",
            "SHIFT.READ",
            "PERSONNEL.READ",
            "QUERY.READ",
        ],
    ),
    ("Operator", &["PRODUCTION_ORDER.READ", "PRODUCTION_ORDER.EXECUTE"]),
    (
        "Operator",
        &["PRODUCTION_ORDER.READ", "PRODUCTION_ORDER.EXECUTE", "PERSONNEL.READ.GET"],
    ),
    (
        "Viewer",
        &[
            "PRODUCTION_ORDER.READ.GET",
            "MATERIAL.READ.GET",
            "LOCATION.READ.GET",
            "UNIT_OF_MEASURE.READ.GET",
            "CUSTOMER.READ.GET",
            "SHIFT.READ.GET",
        ],
    ),
    (
        "Viewer",
        &[
            "PRODUCTION_ORDER.READ.GET",
            "MATERIAL.READ.GET",
            "LOCATION.READ.GET",
            "UNIT_OF_MEASURE.READ.GET",
            "CUSTOMER.READ.GET",
            "SHIFT.READ.GET",
            "PERSONNEL.READ.GET",
        ],
    ),
];

fn same_permissions(stored: &[String], listed: &[&str]) -> bool {
    stored.len() == listed.len() && listed.iter().all(|p| stored.iter().any(|s| s == p))
}

/// The permissions of a user: those of the roles it holds, by assignment or by security
/// levels (the one rule: [`security_levels::permissions_from`]).
pub fn permissions_of(tx: &mut dyn Tx, user: &Record) -> CoreResult<Vec<String>> {
    Ok(security_levels::permissions_from(&generic::all(tx, ROLE)?, user))
}

/// Who a request acts as, once its token or session checked out.
#[derive(Clone, Debug)]
pub struct Principal {
    pub user: String,
    pub user_id: Id,
    pub permissions: Vec<String>,
    pub token_id: Id,
    pub session: bool,
    /// Hash of the session's CSRF token (sessions only).
    pub csrf_hash: Option<String>,
    pub last_used: Option<Timestamp>,
    /// When the token stops working by itself (a cached caller ends then too).
    pub expires: Option<Timestamp>,
}

/// Resolves a bearer token or session secret. `None` when unknown, revoked, expired, or its
/// user is disabled or gone. It reads the stored state as it is now; the server keeps what it
/// returns only while the database's security generation stays the same (`Tx::security_generation`,
/// crates/shopfloor_server/src/auth_cache.rs), so a change takes effect on the next request.
pub fn authenticate(tx: &mut dyn Tx, secret: &str, now: Timestamp) -> CoreResult<Option<Principal>> {
    let q = Query::eq(TOKEN.def(), "tokenHash", Value::Text(hash_token(secret).into()));
    let Some(token) = tx.find(TOKEN, &q)?.into_iter().next() else {
        return Ok(None);
    };
    if !token.get("revokedDate").is_null() || token.get("enabled") == &Value::Bool(false) {
        return Ok(None);
    }
    if token.get("expiresDate").as_time().is_some_and(|t| t <= now) {
        return Ok(None);
    }
    let Some(user) = token.get("userId").as_id().map(|id| tx.get(USER, id)).transpose()?.flatten() else {
        return Ok(None);
    };
    if user.get("enabled") != &Value::Bool(true) {
        return Ok(None);
    }
    Ok(Some(Principal {
        user: user.text("name").unwrap_or_default().to_string(),
        user_id: user.id().ok_or_else(|| CoreError::Internal("user without id".into()))?,
        permissions: permissions_of(tx, &user)?,
        token_id: token.id().ok_or_else(|| CoreError::Internal("token without id".into()))?,
        session: token.text("kind") == Some("SESSION"),
        csrf_hash: token.text("csrfHash").map(str::to_string),
        last_used: token.get("lastUsedDate").as_time(),
        expires: token.get("expiresDate").as_time(),
    }))
}

/// Records that a token was used (the caller throttles how often). The row is read locked: the
/// whole row is written back, and a revocation committed meanwhile by another writer must not
/// be overwritten.
pub fn touch_token(tx: &mut dyn Tx, id: Id, now: Timestamp) -> CoreResult<()> {
    if let Some(mut token) = tx.get_for_update(TOKEN, id)? {
        token.set("lastUsedDate", Value::Time(now));
        tx.update(TOKEN, &token)?;
    }
    Ok(())
}

/// Creates the built-in roles that do not exist yet, and brings a built-in role nobody edited
/// (its permissions still one of [`EARLIER_BUILT_IN_PERMISSIONS`]) to today's permissions.
pub fn ensure_built_in_roles(tx: &mut dyn Tx, caller: &Caller) -> CoreResult<()> {
    for (name, description, permissions) in BUILT_IN_ROLES {
        let stored = generic::lookup(tx, ROLE, name)?;
        let (record, before, reason) = match stored {
            None => (Record::template(ROLE.def()), None, None),
            Some(role) => {
                let held = security_levels::string_list(role.get("permissions"));
                let untouched = role.get("builtIn") == &Value::Bool(true)
                    && EARLIER_BUILT_IN_PERMISSIONS
                        .iter()
                        .any(|(n, earlier)| *n == name && same_permissions(&held, earlier));
                if !untouched {
                    continue;
                }
                let reason = Some(format!("built-in role {name} brought to this version's permissions"));
                (role.clone(), Some(role), reason)
            }
        };
        let mut r = record;
        r.set("name", Value::Text(name.into()));
        r.set("description", Value::Text(description.into()));
        r.set("permissions", Value::Json(json!(permissions)));
        r.set("builtIn", Value::Bool(true));
        generic::write(tx, caller, &role::ROLE_HOOKS, r, before, Event { action: None, reason })?;
    }
    Ok(())
}

/// On a database without users: creates `admin` (Administrator) and returns its first token.
pub fn bootstrap(tx: &mut dyn Tx, caller: &Caller) -> CoreResult<Option<String>> {
    ensure_built_in_roles(tx, caller)?;
    let any = Query {
        page: Some(crate::query::Page { size: 1, index: 0 }),
        ..Query::default()
    };
    if !tx.find(USER, &any)?.is_empty() {
        return Ok(None);
    }
    let mut data = Map::new();
    data.insert("name".into(), json!("admin"));
    data.insert("displayName".into(), json!("Administrator"));
    data.insert("roles".into(), json!([ADMINISTRATOR]));
    generic::save(tx, caller, &USER_HOOKS, &data)?;
    let (_, secret) = create_token(tx, caller, "admin", Some("created on first start".into()), None)?;
    Ok(Some(secret))
}

/// Creates an API token for a user; returns the record and the secret (shown once).
pub fn create_token(
    tx: &mut dyn Tx,
    caller: &Caller,
    user: &str,
    label: Option<String>,
    expires: Option<Timestamp>,
) -> CoreResult<(Record, String)> {
    let user = generic::require_as_field(tx, USER, user, "userIdOrName")?;
    if expires.is_some_and(|t| t <= caller.now) {
        return Err(CoreError::field("expiresDate", "must be in the future"));
    }
    let secret = new_secret("sft");
    let mut r = Record::template(TOKEN.def());
    r.set("userId", user.get("id").clone());
    r.set("label", label.map(|l| Value::Text(l.into())).unwrap_or(Value::Null));
    r.set("kind", Value::Text("TOKEN".into()));
    r.set("expiresDate", expires.map(Value::Time).unwrap_or(Value::Null));
    r.set("tokenHash", Value::Text(hash_token(&secret).into()));
    let saved = generic::write(tx, caller, &TOKEN_HOOKS, r, None, Event::default())?;
    Ok((saved, secret))
}

/// `saveApiToken(**apiTokenData)`: with an `id`, a change to that token (label, expiry); without,
/// a new token for `userId` — then the secret comes back too, shown only this once.
pub fn save_api_token(tx: &mut dyn Tx, caller: &Caller, data: &Map<String, Json>) -> CoreResult<(Record, Option<String>)> {
    if data.get("id").is_some_and(|v| !v.is_null()) {
        return Ok((generic::save(tx, caller, &TOKEN_HOOKS, data)?, None));
    }
    let user = data
        .get("userId")
        .and_then(Json::as_str)
        .ok_or_else(|| CoreError::field("userId", "is required"))?
        .to_string();
    let label = data.get("label").and_then(Json::as_str).map(str::to_string);
    let expires = match data.get("expiresDate") {
        None | Some(Json::Null) => None,
        Some(v) => Some(crate::record::parse_time(v).map_err(|m| CoreError::field("expiresDate", m))?),
    };
    let (record, secret) = create_token(tx, caller, &user, label, expires)?;
    Ok((record, Some(secret)))
}

/// A login session: a token of kind SESSION with a CSRF token; returns (record, secret, csrf).
pub fn create_session(tx: &mut dyn Tx, caller: &Caller, user: Id, lifetime_ms: i64) -> CoreResult<(Record, String, String)> {
    let secret = new_secret("sfs");
    let csrf = new_secret("csrf");
    let mut r = Record::template(TOKEN.def());
    r.set("userId", Value::Id(user));
    r.set("label", Value::Text("web session".into()));
    r.set("kind", Value::Text("SESSION".into()));
    r.set("expiresDate", Value::Time(Timestamp(caller.now.millis() + lifetime_ms)));
    r.set("tokenHash", Value::Text(hash_token(&secret).into()));
    r.set("csrfHash", Value::Text(hash_token(&csrf).into()));
    let saved = generic::write(tx, caller, &TOKEN_HOOKS, r, None, Event::default())?;
    Ok((saved, secret, csrf))
}

/// `revokeApiToken(tokenId)`: the token stops working at once.
pub fn revoke_token(tx: &mut dyn Tx, caller: &Caller, id: &str) -> CoreResult<Record> {
    let token = generic::require(tx, TOKEN, id)?;
    if !token.get("revokedDate").is_null() {
        return Ok(token);
    }
    revoke(tx, caller, token)
}

fn revoke(tx: &mut dyn Tx, caller: &Caller, token: Record) -> CoreResult<Record> {
    let mut revoked = token.clone();
    revoked.set("revokedDate", Value::Time(caller.now));
    generic::write(tx, caller, &TOKEN_HOOKS, revoked, Some(token), Event::default())
}

/// `setUserPassword(userIdOrName, password)`; `None` removes the password (token-only user).
pub fn set_password(tx: &mut dyn Tx, caller: &Caller, user: &str, hash: Option<String>) -> CoreResult<Record> {
    let stored = generic::require(tx, USER, user)?;
    let mut changed = stored.clone();
    changed.set("passwordHash", hash.map(|h| Value::Text(h.into())).unwrap_or(Value::Null));
    let saved = generic::write(tx, caller, &USER_HOOKS, changed, Some(stored), Event::default())?;
    if let Some(id) = saved.id() {
        end_sessions(tx, caller, id)?;
    }
    Ok(saved)
}

/// Revokes the user's open login sessions (a password reset ends them); API tokens stay.
fn end_sessions(tx: &mut dyn Tx, caller: &Caller, user: Id) -> CoreResult<()> {
    let def = TOKEN.def();
    let q = Query::eq(def, "userId", Value::Id(user)).and_eq(def, "kind", Value::Text("SESSION".into()));
    for session in tx.find(TOKEN, &q)? {
        if session.get("revokedDate").is_null() {
            revoke(tx, caller, session)?;
        }
    }
    Ok(())
}

/// `saveUser(**userData)`: the generic save, with `password` (a string sets it, null or absent
/// keeps it) stored only as its argon2id hash.
pub fn save_user(tx: &mut dyn Tx, caller: &Caller, data: &Map<String, Json>) -> CoreResult<Record> {
    let mut data = data.clone();
    let password = data.remove("password");
    let saved = generic::save(tx, caller, &USER_HOOKS, &data)?;
    match password {
        Some(Json::String(p)) => {
            let id = saved.id().map(|i| i.to_string()).unwrap_or_default();
            set_password(tx, caller, &id, Some(hash_password(&p)?))
        }
        Some(Json::Null) | None => Ok(saved),
        Some(other) => Err(CoreError::field("password", format!("must be a string, got {other}"))),
    }
}

/// The user's stored password hash, for a login check outside the transaction.
pub fn login_lookup(tx: &mut dyn Tx, name: &str) -> CoreResult<Option<(Record, Option<String>)>> {
    let q = Query::eq(USER.def(), "name", Value::Text(name.trim().into()));
    Ok(tx.find(USER, &q)?.into_iter().next().map(|u| {
        let hash = u.text("passwordHash").map(str::to_string);
        (u, hash)
    }))
}

/// A change of roles not yet written, for [`administrators`]: a role saved as this record, or
/// these roles deleted.
pub(crate) enum RoleChange<'a> {
    Saved(&'a Record),
    Deleted(&'a [Id]),
}

/// Enabled users who hold `*`, by the one rule of permissions, with `user_override` (a user
/// about to change) and `role_change` (roles about to change) as if written.
pub(crate) fn administrators(tx: &mut dyn Tx, user_override: Option<&Record>, role_change: Option<RoleChange>) -> CoreResult<Vec<Id>> {
    let def = USER.def();
    let enabled = Filter {
        field: FieldRef::resolve(def, "enabled").expect("enabled"),
        condition: Condition::True,
        operand: Operand::None,
    };
    let mut users = tx.find(
        USER,
        &Query {
            filters: vec![enabled],
            ..Query::default()
        },
    )?;
    if let Some(u) = user_override {
        users.retain(|x| x.id() != u.id());
        if u.get("enabled") == &Value::Bool(true) {
            users.push(u.clone());
        }
    }
    let mut roles = generic::all(tx, ROLE)?;
    match role_change {
        Some(RoleChange::Saved(r)) => {
            roles.retain(|x| x.id() != r.id());
            roles.push(r.clone());
        }
        Some(RoleChange::Deleted(ids)) => roles.retain(|x| !x.id().is_some_and(|id| ids.contains(&id))),
        None => {}
    }
    Ok(users
        .iter()
        .filter(|u| security_levels::permissions_from(&roles, u).iter().any(|p| p == "*"))
        .filter_map(Record::id)
        .collect())
}

/// Users: roles must exist (stored in their canonical spelling); the last administrator stays.
fn user_rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    let (record, before, errors) = (&mut draft.record, draft.before, &mut draft.errors);
    match record.get("roles").clone() {
        Value::Null | Value::Json(Json::Null) => record.set("roles", Value::Json(json!([]))),
        Value::Json(Json::Array(items)) => {
            let mut canonical = Vec::new();
            for item in &items {
                match item.as_str() {
                    Some(name) => match generic::lookup(tx, ROLE, name)? {
                        Some(r) => canonical.push(Json::String(r.text("name").unwrap_or(name).to_string())),
                        None => errors.add("roles", format!("no role named '{name}'")),
                    },
                    None => errors.add("roles", format!("must be a list of role names, got {item}")),
                }
            }
            canonical.dedup();
            record.set("roles", Value::Json(Json::Array(canonical)));
        }
        other => errors.add("roles", format!("must be a list of role names, got {}", other.to_json())),
    }
    if let Some(stored) = before {
        let was_admin = match stored.id() {
            Some(id) => administrators(tx, None, None)?.contains(&id),
            None => false,
        };
        if !errors.has("roles") && was_admin && administrators(tx, Some(record), None)?.is_empty() {
            errors.add(
                "roles",
                "the last enabled administrator (a user holding *) cannot be disabled or lose that permission",
            );
        }
    }
    Ok(())
}

/// Tokens: a token stays with its user.
fn token_rules(_: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    if draft.before.is_some_and(|b| b.get("userId") != draft.record.get("userId")) {
        draft.errors.add("userId", "a token cannot move to another user");
    }
    Ok(())
}

/// `deleteUser`: never the last administrator, never a user a person is linked to; the user's
/// tokens and sessions go with it.
pub fn delete_user(tx: &mut dyn Tx, caller: &Caller, user: &str) -> CoreResult<Json> {
    let stored = generic::require(tx, USER, user)?;
    let id = stored.id().ok_or_else(|| CoreError::Internal("user without id".into()))?;
    let mut gone = stored.clone();
    gone.set("enabled", Value::Bool(false));
    if administrators(tx, None, None)?.contains(&id) && administrators(tx, Some(&gone), None)?.is_empty() {
        return Err(CoreError::field("userIdOrName", "the last enabled administrator cannot be deleted"));
    }
    // Refused before the tokens go: a refused delete answers `success: false` in a transaction
    // that commits, so nothing may have been removed by then.
    let others: Vec<Json> = generic::references(tx, USER, id)?
        .into_iter()
        .filter(|r| r["tableName"] != TOKEN.def().table)
        .collect();
    if !others.is_empty() {
        let tables: Vec<&str> = others.iter().filter_map(|r| r["tableName"].as_str()).collect();
        return Err(CoreError::InUse {
            message: format!("user {} is still referenced by {}", id, tables.join(", ")),
            references: Json::Array(others),
        });
    }
    for token in tx.find(TOKEN, &Query::eq(TOKEN.def(), "userId", Value::Id(id)))? {
        if let Some(tid) = token.id() {
            generic::delete(tx, caller, &TOKEN_HOOKS, &tid.to_string())?;
        }
    }
    generic::delete(tx, caller, &USER_HOOKS, &id.to_string())
}
