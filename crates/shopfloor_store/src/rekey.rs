//! The Rust step of the migrations that change the name comparison rule: every stored
//! `name_key` and `path_key` is computed again with `shopfloor_core::name_key`, in the
//! migration's transaction, on SQLite and PostgreSQL alike (issue 22 #7,
//! docs/adr/0010-name-comparison.md).
//!
//! Rows written before were keyed by lower case alone, so two records may differ there and be
//! equal under the new rule (`ÄPFEL` composed and decomposed, `ＡＢＣ` and `ABC`). Such a pair is
//! never merged, renamed or dropped here: the step refuses, the transaction rolls back, the
//! database stays as it was, and the start-up (or `shopfloor migrate`) fails with a message that
//! names every such group by table, id and name, so that someone renames one of each and starts
//! again.

use crate::sql::Dialect;
use crate::StoreError;
use shopfloor_core::name_key::name_key;
use shopfloor_core::schema::{Entity, UniqueName};
use std::collections::HashMap;
use std::fmt::Write;

/// The migrations after whose SQL this step runs (a later change of the rule, or of the Unicode
/// version of the key's data, adds its own).
pub(crate) const AFTER_MIGRATIONS: &[u32] = &[8];

/// What the step needs of a connection inside the migration's transaction.
pub(crate) trait KeyedRows {
    fn dialect(&self) -> Dialect;
    /// The rows of `select`, every column read as nullable text.
    fn query(&mut self, select: &str) -> Result<Vec<Vec<Option<String>>>, StoreError>;
    /// Runs `statement` (parameter marks as [`Dialect::mark`] spells them).
    fn execute(&mut self, statement: &str, params: &[&str]) -> Result<(), StoreError>;
}

/// One stored row: what the keys are computed from and what is stored now.
struct Row {
    id: String,
    name: String,
    name_key: String,
    scope: Option<String>,
    path: Option<String>,
    path_key: Option<String>,
}

fn table_exists(db: &mut dyn KeyedRows, table: &str) -> Result<bool, StoreError> {
    let select = match db.dialect() {
        Dialect::Sqlite => format!("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '{table}'"),
        Dialect::Postgres => format!("SELECT CAST(to_regclass('{table}') AS TEXT)"),
    };
    Ok(db
        .query(&select)?
        .first()
        .is_some_and(|row| row.first().is_some_and(Option::is_some)))
}

/// Re-keys every table with a name; answers how many rows changed.
pub(crate) fn run(db: &mut dyn KeyedRows) -> Result<usize, StoreError> {
    let mut changed = 0;
    let mut collisions = String::new();
    for entity in Entity::ALL.iter().filter(|e| e.def().has_name()) {
        let def = entity.def();
        // Tables of later migrations do not exist yet when this step runs on an older schema
        // (their rows are keyed by the current rule from the start).
        if !table_exists(db, def.table)? {
            continue;
        }
        let scope = match def.unique_name {
            UniqueName::Within(key) => def.field(key).map(|f| f.column),
            _ => None,
        };
        let text = |column: Option<&str>| column.map_or("CAST(NULL AS TEXT)".to_string(), str::to_string);
        let (path, path_key) = if def.has_path() {
            (Some("path"), Some("path_key"))
        } else {
            (None, None)
        };
        let select = format!(
            "SELECT id, name, name_key, {}, {}, {} FROM {} ORDER BY id",
            text(scope),
            text(path),
            text(path_key),
            def.table
        );
        let rows: Vec<Row> = db
            .query(&select)?
            .into_iter()
            .map(|mut r| Row {
                id: r[0].take().unwrap_or_default(),
                name: r[1].take().unwrap_or_default(),
                name_key: r[2].take().unwrap_or_default(),
                scope: r[3].take(),
                path: r[4].take(),
                path_key: r[5].take(),
            })
            .collect();
        // Rows that share a scope and a new key: the unique index would refuse them.
        let mut groups: HashMap<(Option<&str>, String), Vec<&Row>> = HashMap::new();
        for row in &rows {
            groups.entry((row.scope.as_deref(), name_key(&row.name))).or_default().push(row);
        }
        let mut clashing: Vec<&Vec<&Row>> = groups.values().filter(|g| g.len() > 1).collect();
        clashing.sort_by(|a, b| a[0].id.cmp(&b[0].id));
        for group in clashing {
            let names: Vec<String> = group.iter().map(|r| format!("'{}' (id {})", r.name.escape_debug(), r.id)).collect();
            let _ = writeln!(collisions, "  {}: {}", def.table, names.join(", "));
        }
        if !collisions.is_empty() {
            continue;
        }
        let d = db.dialect();
        let update = if def.has_path() {
            format!(
                "UPDATE {} SET name_key = {}, path_key = {} WHERE id = {}",
                def.table,
                d.mark(1),
                d.mark(2),
                d.mark(3)
            )
        } else {
            format!("UPDATE {} SET name_key = {} WHERE id = {}", def.table, d.mark(1), d.mark(2))
        };
        for row in &rows {
            let key = name_key(&row.name);
            match &row.path {
                Some(path) => {
                    let path_key = name_key(path);
                    if key != row.name_key || Some(&path_key) != row.path_key.as_ref() {
                        db.execute(&update, &[&key, &path_key, &row.id])?;
                        changed += 1;
                    }
                }
                None if key != row.name_key => {
                    db.execute(&update, &[&key, &row.id])?;
                    changed += 1;
                }
                None => {}
            }
        }
    }
    if !collisions.is_empty() {
        return Err(StoreError::NameCollisions(format!(
            "cannot upgrade the database: names are now compared after Unicode normalisation \
             (NFKC, case folding, zero-width characters ignored; docs/adr/0010-name-comparison.md), \
             and these records have names that become equal. Nothing was changed. Rename all but \
             one of each group with the previous version (or in SQL), then start again:\n{}",
            collisions.trim_end()
        )));
    }
    Ok(changed)
}
