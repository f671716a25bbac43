//! Trees of named records with derived paths: locations, material classes and departments share the rules
//! (path from the root, no cycles, renames and moves re-path everything below).

use crate::errors::{CoreError, CoreResult};
use crate::history::Action;
use crate::id::Id;
use crate::name_key::name_key;
use crate::query::{Condition, FieldRef, Filter, Operand, Query, Sort};
use crate::record::{Record, Value};
use crate::schema::Entity;
use crate::service::generic::{self, Draft, Hooks};
use crate::tx::{Caller, Tx};
use serde_json::{Map, Value as Json};

/// Deepest tree the services walk; a guard against cycles in damaged data.
const MAX_DEPTH: usize = 64;

/// Locations and material classes: the tree rules, and re-pathing after a rename or move.
pub static LOCATION_HOOKS: Hooks = Hooks {
    save_rules: Some(tree_rules),
    after_write: Some(repath_after_write),
    ..Hooks::plain(Entity::Location)
};

pub static MATERIAL_CLASS_HOOKS: Hooks = Hooks {
    save_rules: Some(tree_rules),
    after_write: Some(repath_after_write),
    ..Hooks::plain(Entity::MaterialClass)
};

/// Departments (`system.mes.personnel`): the same tree rules. People show their department's
/// path as a derived name, read at query time, so a re-path touches no person.
pub static DEPARTMENT_HOOKS: Hooks = Hooks {
    save_rules: Some(tree_rules),
    after_write: Some(repath_after_write),
    ..Hooks::plain(Entity::Department)
};

/// Path = parent's path + `/` + name; a record cannot become its own ancestor.
fn tree_rules(tx: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    let (entity, record, errors) = (draft.entity, &mut draft.record, &mut draft.errors);
    let Some(name) = record.text("name").map(str::to_string) else {
        return Ok(());
    };
    if name.contains('/') && !errors.has("name") {
        errors.add("name", "must not contain '/' (it separates path segments)");
        return Ok(());
    }
    let parent = match record.get("parentId").as_id() {
        None => None,
        Some(pid) => match tx.get(entity, pid)? {
            Some(p) => Some(p),
            None => return Ok(()), // reported by the reference check
        },
    };
    if let (Some(parent), Some(own)) = (&parent, record.id()) {
        let mut cursor = Some(parent.clone());
        for _ in 0..MAX_DEPTH {
            let Some(node) = cursor else { break };
            if node.id() == Some(own) {
                errors.add("parentId", format!("a {} cannot be its own ancestor", entity.def().label));
                return Ok(());
            }
            cursor = match node.get("parentId").as_id() {
                Some(up) => tx.get(entity, up)?,
                None => None,
            };
        }
    }
    let path = match &parent {
        Some(p) => format!("{}/{}", p.text("path").unwrap_or_default(), name),
        None => name,
    };
    record.set("path", Value::Text(path.into()));
    Ok(())
}

fn children_query(entity: Entity, id: Id) -> Query {
    let def = entity.def();
    let mut q = Query::eq(def, "parentId", Value::Id(id));
    q.sort = vec![Sort::new(FieldRef::resolve(def, "name").expect("name"), false)];
    q
}

/// A write that changed the path re-paths everything below.
fn repath_after_write(tx: &mut dyn Tx, caller: &Caller, entity: Entity, record: &Record, before: Option<&Record>) -> CoreResult<()> {
    match before {
        Some(stored) if stored.text("path") != record.text("path") => repath_descendants(tx, caller, entity, record),
        _ => Ok(()),
    }
}

/// After a rename or move: recompute the paths of every descendant (and, for material classes,
/// of the materials in them). Paths are derived, so this changes no version; each re-pathed
/// record still gets its UPDATE event, so that a follower of the history sees its new path.
fn repath_descendants(tx: &mut dyn Tx, caller: &Caller, entity: Entity, record: &Record) -> CoreResult<()> {
    let (Some(id), Some(path)) = (record.id(), record.text("path")) else {
        return Ok(());
    };
    if entity == Entity::MaterialClass {
        let def = Entity::Material.def();
        for m in tx.find(Entity::Material, &Query::eq(def, "materialClassId", Value::Id(id)))? {
            let name = m.text("name").unwrap_or_default().to_string();
            repath(tx, caller, Entity::Material, m, format!("{path}/{name}"))?;
        }
    }
    for child in tx.find(entity, &children_query(entity, id))? {
        let name = child.text("name").unwrap_or_default().to_string();
        let child = repath(tx, caller, entity, child, format!("{path}/{name}"))?;
        repath_descendants(tx, caller, entity, &child)?;
    }
    Ok(())
}

/// Stores a record's new path with its UPDATE event; returns the record as stored.
fn repath(tx: &mut dyn Tx, caller: &Caller, entity: Entity, stored: Record, path: String) -> CoreResult<Record> {
    let mut moved = stored.clone();
    moved.set("path", Value::Text(path.into()));
    tx.update(entity, &moved)?;
    if let Some(id) = moved.id() {
        let changes = generic::diff(entity.def(), &stored, &moved);
        generic::record_event(tx, caller, entity, id, None, Action::Update, changes, None)?;
    }
    Ok(moved)
}

/// The record and everything below it, by path prefix.
pub fn subtree(tx: &mut dyn Tx, entity: Entity, root: &Record) -> CoreResult<Vec<Record>> {
    let def = entity.def();
    // Compared with the stored path's key (`path_key`), like every path condition.
    let path = name_key(root.text("path").unwrap_or_default());
    let field = FieldRef::resolve(def, "path").expect("path");
    let mut below = tx.find(
        entity,
        &Query {
            filters: vec![Filter {
                field,
                condition: Condition::StartsWith,
                operand: Operand::One(Value::Text(format!("{path}/").into())),
            }],
            ..Query::default()
        },
    )?;
    below.insert(0, root.clone());
    Ok(below)
}

pub fn subtree_ids(tx: &mut dyn Tx, root: &Record) -> CoreResult<Vec<Id>> {
    Ok(subtree(tx, Entity::Location, root)?.iter().filter_map(Record::id).collect())
}

/// `getChildren(locationIdOrPath)`: direct children by name.
pub fn children(tx: &mut dyn Tx, location: &str) -> CoreResult<Vec<Record>> {
    let parent = generic::require(tx, Entity::Location, location)?;
    let id = parent.id().ok_or_else(|| CoreError::Internal("location without id".into()))?;
    tx.find(Entity::Location, &children_query(Entity::Location, id))
}

/// `getLocationTree(filter=None)`: nested `children`; with a filter (text contained in the name
/// or path, any case), only the matching nodes and their ancestors.
pub fn tree(tx: &mut dyn Tx, filter: Option<&str>) -> CoreResult<Vec<Json>> {
    let def = Entity::Location.def();
    let all = generic::all(tx, Entity::Location)?;
    let needle = filter.map(name_key).filter(|f| !f.is_empty());
    let keep: Vec<bool> = all
        .iter()
        .map(|r| match &needle {
            None => true,
            Some(n) => name_key(r.text("name").unwrap_or_default()).contains(n.as_str()),
        })
        .collect();
    // A node is kept when it matches or lies on the path to a match.
    let kept_paths: Vec<String> = all
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(r, _)| name_key(r.text("path").unwrap_or_default()))
        .collect();
    let visible = |r: &Record| {
        let p = name_key(r.text("path").unwrap_or_default());
        kept_paths.iter().any(|k| *k == p || k.starts_with(&format!("{p}/")))
    };
    fn build(
        parent: Option<Id>,
        all: &[Record],
        visible: &dyn Fn(&Record) -> bool,
        def: &crate::schema::EntityDef,
        depth: usize,
    ) -> Vec<Json> {
        if depth > MAX_DEPTH {
            return vec![];
        }
        all.iter()
            .filter(|r| r.get("parentId").as_id() == parent && visible(r))
            .map(|r| {
                let mut node = match r.to_json(def) {
                    Json::Object(m) => m,
                    _ => Map::new(),
                };
                node.insert("children".into(), Json::Array(build(r.id(), all, visible, def, depth + 1)));
                Json::Object(node)
            })
            .collect()
    }
    Ok(build(None, &all, &visible, def, 0))
}

/// `getLocationsByPartialPath(path)`: the locations whose path contains the text (compared like
/// every path: case and look-alike forms ignored; a leading `/` is ignored), by path.
pub fn by_partial_path(tx: &mut dyn Tx, text: &str) -> CoreResult<Vec<Record>> {
    let def = Entity::Location.def();
    let needle = name_key(text.trim().trim_start_matches('/'));
    if needle.is_empty() {
        return Err(CoreError::field("path", "must not be empty"));
    }
    let field = FieldRef::resolve(def, "path").expect("path");
    tx.find(
        Entity::Location,
        &Query {
            filters: vec![Filter {
                field,
                condition: Condition::Contains,
                operand: Operand::One(Value::Text(needle.into())),
            }],
            sort: vec![Sort::new(field, false)],
            ..Query::default()
        },
    )
}
