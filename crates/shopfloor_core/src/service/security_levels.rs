//! Who holds a role, and so which permissions a user has (docs/adr/0015-role-module.md).
//!
//! A role is held by the users it is assigned to (`users.roles`, Shopfloor's model) and by every
//! user whose **security levels** meet its `securityLevels` — all of them (`ALL_OF`) or any
//! (`ANY_OF`), the original scripting API's model. Shopfloor has no identity provider handing out
//! levels, so it derives them from what it knows: every signed-in user holds `Authenticated`,
//! a user holding at least one role `Authenticated/Roles`, and `Authenticated/Roles/<name>` for
//! each role assigned to the user. Levels come from assignments only, never from roles held
//! through levels, so nothing here is recursive.
//!
//! [`permissions_from`] is the one rule turning roles into a user's permissions; the login, every
//! request and the last-administrator checks all go through it.

use crate::name_key::name_key;
use crate::record::{Record, Value};
use serde_json::{json, Value as Json};

pub const AUTHENTICATED: &str = "Authenticated";
pub const ROLES: &str = "Roles";

/// A security level as Shopfloor derives it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Level {
    /// Every signed-in user.
    Authenticated,
    /// Every user holding at least one role.
    Roles,
    /// The users the role of this name (as written) is assigned to.
    Role(String),
}

/// Reads a path (`Authenticated/Roles/Operator`, any letter case, outer slashes ignored). A role
/// name may itself hold a slash: everything after `Authenticated/Roles/` is the name.
fn parse(path: &str) -> Result<Level, String> {
    let trimmed = path.trim().trim_matches('/').trim();
    let (first, rest) = match trimmed.split_once('/') {
        Some((f, r)) => (f.trim(), Some(r.trim())),
        None => (trimmed, None),
    };
    if name_key(first) != name_key(AUTHENTICATED) {
        return Err(format!(
            "'{path}' is not a security level: every level starts with '{AUTHENTICATED}' (getAllSecurityLevelPaths lists them)"
        ));
    }
    let Some(rest) = rest else { return Ok(Level::Authenticated) };
    let (second, name) = match rest.split_once('/') {
        Some((s, n)) => (s.trim(), Some(n.trim())),
        None => (rest, None),
    };
    if name_key(second) != name_key(ROLES) {
        return Err(format!(
            "'{path}' is not a security level: below '{AUTHENTICATED}' there is only '{ROLES}' (getAllSecurityLevelPaths lists them)"
        ));
    }
    Ok(match name {
        None | Some("") => Level::Roles,
        Some(name) => Level::Role(name.to_string()),
    })
}

fn path_of(level: &Level) -> String {
    match level {
        Level::Authenticated => AUTHENTICATED.to_string(),
        Level::Roles => format!("{AUTHENTICATED}/{ROLES}"),
        Level::Role(name) => format!("{AUTHENTICATED}/{ROLES}/{name}"),
    }
}

/// The path in its canonical spelling when it names a level that exists (`role_names`: the names
/// of every role); otherwise what is wrong, for a field error.
pub fn canonical_path(path: &str, role_names: &[&str]) -> Result<String, String> {
    match parse(path)? {
        Level::Role(name) => match role_names.iter().find(|r| name_key(r) == name_key(&name)) {
            Some(stored) => Ok(path_of(&Level::Role(stored.to_string()))),
            None => Err(format!(
                "no security level '{path}': there is no role named '{name}' (getAllSecurityLevelPaths lists the levels)"
            )),
        },
        level => Ok(path_of(&level)),
    }
}

/// Whether the level `path` names the role `role_name` (`Authenticated/Roles/<role_name>`): such
/// a path must follow the role (it cannot be renamed or deleted while a path names it).
pub fn names_role(path: &str, role_name: &str) -> bool {
    matches!(parse(path), Ok(Level::Role(name)) if name_key(&name) == name_key(role_name))
}

/// The strings of a JSON list field (`roles`, `permissions`, `securityLevels`).
pub fn string_list(v: &Value) -> Vec<String> {
    match v {
        Value::Json(Json::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// Whether a user assigned the roles whose name keys are `assigned` holds the level `path`.
fn holds(assigned: &[String], path: &str) -> bool {
    match parse(path) {
        Ok(Level::Authenticated) => true,
        Ok(Level::Roles) => !assigned.is_empty(),
        Ok(Level::Role(name)) => assigned.contains(&name_key(&name)),
        Err(_) => false,
    }
}

/// Whether a user assigned the roles whose name keys are `assigned` holds `role` through its
/// security levels. A role
/// without levels is held by no one this way — also with `ALL_OF`, where "all of none" would
/// otherwise grant it to everybody.
fn met_by_levels(role: &Record, assigned: &[String]) -> bool {
    let levels = string_list(role.get("securityLevels"));
    if levels.is_empty() {
        return false;
    }
    match role.text("roleRequirementType") {
        Some("ALL_OF") => levels.iter().all(|p| holds(assigned, p)),
        _ => levels.iter().any(|p| holds(assigned, p)),
    }
}

/// The permissions of `user` given every role there is: the union of the permissions of the
/// enabled roles the user holds, by assignment or by security levels. The one rule; see the
/// module's documentation.
pub fn permissions_from(roles: &[Record], user: &Record) -> Vec<String> {
    // Every request asks this: each name is keyed once, not once per comparison.
    let assigned: Vec<String> = string_list(user.get("roles")).iter().map(|a| name_key(a)).collect();
    let mut out: Vec<String> = Vec::new();
    for role in roles.iter().filter(|r| r.get("enabled") != &Value::Bool(false)) {
        let by_assignment = assigned.contains(&name_key(role.text("name").unwrap_or_default()));
        if by_assignment || met_by_levels(role, &assigned) {
            for p in string_list(role.get("permissions")) {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    out
}

/// `getSecurityLevelTree()`: the roots (`Authenticated`), each node `{name, path, description,
/// children}`; one leaf per role, in the order given.
pub fn tree(roles: &[Record]) -> Json {
    let leaves: Vec<Json> = roles
        .iter()
        .filter_map(|r| r.text("name"))
        .map(|name| {
            json!({
                "name": name,
                "path": path_of(&Level::Role(name.to_string())),
                "description": format!("Users the role '{name}' is assigned to"),
                "children": [],
            })
        })
        .collect();
    json!([{
        "name": AUTHENTICATED,
        "path": path_of(&Level::Authenticated),
        "description": "Every signed-in user",
        "children": [{
            "name": ROLES,
            "path": path_of(&Level::Roles),
            "description": "Users holding at least one assigned role",
            "children": leaves,
        }],
    }])
}

/// `getAllSecurityLevelPaths()`: the paths of the leaves of [`tree`].
pub fn leaf_paths(tree: &Json) -> Vec<String> {
    fn walk(node: &Json, out: &mut Vec<String>) {
        match node["children"].as_array() {
            Some(children) if !children.is_empty() => children.iter().for_each(|c| walk(c, out)),
            _ => out.extend(node["path"].as_str().map(str::to_string)),
        }
    }
    let mut out = Vec::new();
    for root in tree.as_array().into_iter().flatten() {
        walk(root, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(name: &str, levels: &[&str], requirement: &str, permissions: &[&str]) -> Record {
        let mut r = Record::default();
        r.set("name", Value::Text(name.into()));
        r.set("securityLevels", Value::Json(json!(levels)));
        r.set("roleRequirementType", Value::Text(requirement.into()));
        r.set("permissions", Value::Json(json!(permissions)));
        r.set("enabled", Value::Bool(true));
        r
    }

    fn user(roles: &[&str]) -> Record {
        let mut u = Record::default();
        u.set("roles", Value::Json(json!(roles)));
        u
    }

    #[test]
    fn paths_are_read_ignoring_case_and_outer_slashes_and_spelled_canonically() {
        let names = ["Operator", "Line/2"];
        assert_eq!(
            canonical_path("/authenticated/roles/operator/", &names).unwrap(),
            "Authenticated/Roles/Operator"
        );
        assert_eq!(
            canonical_path("Authenticated/Roles/line/2", &names).unwrap(),
            "Authenticated/Roles/Line/2"
        );
        assert_eq!(canonical_path("AUTHENTICATED", &names).unwrap(), "Authenticated");
        assert!(canonical_path("Authenticated/Roles/Nobody", &names)
            .unwrap_err()
            .contains("no role named 'Nobody'"));
        assert!(canonical_path("Public", &names).is_err());
        assert!(canonical_path("Authenticated/Zones", &names).is_err());
        assert!(canonical_path("", &names).is_err());
    }

    #[test]
    fn a_role_is_held_by_assignment_or_by_meeting_its_levels() {
        let roles = [
            role("Operator", &[], "ANY_OF", &["A"]),
            role("Everyone", &["Authenticated"], "ANY_OF", &["B"]),
            role(
                "Both",
                &["Authenticated/Roles/Operator", "Authenticated/Roles/Planner"],
                "ALL_OF",
                &["C"],
            ),
            role(
                "Either",
                &["Authenticated/Roles/Operator", "Authenticated/Roles/Planner"],
                "ANY_OF",
                &["D"],
            ),
            role("Nothing", &[], "ALL_OF", &["E"]),
            role("Planner", &[], "ANY_OF", &[]),
        ];
        assert_eq!(permissions_from(&roles, &user(&[])), ["B"]);
        assert_eq!(permissions_from(&roles, &user(&["operator"])), ["A", "B", "D"]);
        assert_eq!(permissions_from(&roles, &user(&["Operator", "Planner"])), ["A", "B", "C", "D"]);
    }

    #[test]
    fn a_disabled_role_grants_nothing() {
        let mut r = role("Operator", &["Authenticated"], "ANY_OF", &["A"]);
        r.set("enabled", Value::Bool(false));
        assert!(permissions_from(&[r], &user(&["Operator"])).is_empty());
    }

    #[test]
    fn the_tree_has_one_leaf_per_role() {
        let t = tree(&[role("Operator", &[], "ANY_OF", &[]), role("Viewer", &[], "ANY_OF", &[])]);
        assert_eq!(leaf_paths(&t), ["Authenticated/Roles/Operator", "Authenticated/Roles/Viewer"]);
        assert_eq!(leaf_paths(&tree(&[])), ["Authenticated/Roles"]);
        assert!(names_role("authenticated/roles/OPERATOR", "Operator"));
        assert!(!names_role("Authenticated/Roles", "Operator"));
    }
}
