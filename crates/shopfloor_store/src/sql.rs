//! SQL text built from the record catalogue: select lists with joins for derived names,
//! inserts, updates, and WHERE / ORDER BY clauses from a typed query — one generator for both
//! dialects (SQLite and PostgreSQL); the few spellings that differ are asked of [`Dialect`].
//!
//! Semantics fixed here (and documented in docs/API.md): text comparisons compare keys
//! (`shopfloor_core::name_key`: letter case and look-alike forms ignored) — names and paths by
//! their stored `name_key` / `path_key` columns, computed in Rust, other text through [`FOLD`];
//! `NOT_EQUALS` / `NOT_IN` also match nulls, other conditions never do; ranked enumerations
//! (`schedulePriority`) sort by rank, not alphabetically; nulls sort first ascending and last descending unless a sort asks otherwise (`Sort::nulls_last`); ties are broken by `id` in the direction of the last sort key.

use crate::search::{self, rank, rank_column, ranked};
use shopfloor_core::query::{Condition, FieldRef, Filter, Operand, Page, Query, Sort};
use shopfloor_core::record::{Record, Value};
use shopfloor_core::schema::{Entity, EntityDef, Kind};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::LazyLock;

/// The SQL dialect a statement is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Name of the SQL function that keys text columns without a stored key (symbols, ERP ids,
/// notes). On SQLite it is `shopfloor_core::name_key` itself, registered on every connection; on
/// PostgreSQL the schema defines it as close as SQL can (migrations/postgres/0008: NFKC, ICU
/// lower case, default-ignorable characters removed; it differs from the key only where full
/// case folding differs from lower case, e.g. `ß`). Names and paths never go through it: their
/// keys are stored (`name_key`, `path_key`) and operands are keyed in Rust.
pub const FOLD: &str = "sf_fold";

impl Dialect {
    /// The `n`-th (1-based) statement parameter.
    pub fn mark(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// The clause that locks the rows read from table alias `alias` until the transaction ends,
    /// where writers of several instances share the database (PostgreSQL); SQLite has one
    /// writer, whose reads need no lock.
    pub fn row_lock(self, alias: &str) -> Option<String> {
        match self {
            Dialect::Sqlite => None,
            Dialect::Postgres => Some(format!("FOR UPDATE OF {alias}")),
        }
    }

    /// A parameter used as text (PostgreSQL must be told where the context does not say).
    pub(crate) fn text(self, n: usize) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}::text"),
        }
    }
}

/// A statement parameter, independent of the driver; each backend converts it.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
}

impl From<&str> for Param {
    fn from(s: &str) -> Self {
        Param::Text(s.to_string())
    }
}

impl From<Option<String>> for Param {
    fn from(s: Option<String>) -> Self {
        s.map_or(Param::Null, Param::Text)
    }
}

impl From<Option<i64>> for Param {
    fn from(i: Option<i64>) -> Self {
        i.map_or(Param::Null, Param::Int)
    }
}

pub struct EntitySql {
    /// `SELECT t.a, …, j0.name FROM table t LEFT JOIN … j0 ON …`
    pub select: String,
    /// The joins alone, for counts that filter on derived names.
    pub joins: String,
    pub insert: String,
    pub update: String,
    pub delete: String,
    pub exists: String,
    pub dialect: Dialect,
    /// Join alias per reference field key.
    aliases: HashMap<&'static str, String>,
}

static SQL: LazyLock<HashMap<(Dialect, Entity), EntitySql>> = LazyLock::new(|| {
    [Dialect::Sqlite, Dialect::Postgres]
        .iter()
        .flat_map(|d| Entity::ALL.iter().map(move |e| ((*d, *e), build(*d, e.def()))))
        .collect()
});

/// The statement with its parameters spelled for `dialect` (`?N` → `$N` on PostgreSQL). The
/// shared statements (history here, the import queue's in `import_queue`) have no `?` other
/// than parameter marks.
pub fn for_dialect(dialect: Dialect, text: &'static str) -> Cow<'static, str> {
    match dialect {
        Dialect::Sqlite => Cow::Borrowed(text),
        Dialect::Postgres => Cow::Owned(text.replace('?', "$")),
    }
}

/// The columns of a history event, in the order `crate::row::event` decodes them.
macro_rules! event_columns {
    () => {
        "sequence, at, user_name, entity, entity_id, order_id, action, changes, reason, person"
    };
}

/// `Tx::append_event`, answering the event's sequence number.
pub const INSERT_EVENT: &str = "INSERT INTO history_events (at, user_name, entity, entity_id, order_id, action, changes, reason, person) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) RETURNING sequence";
/// `Tx::order_events`.
pub const ORDER_EVENTS: &str = concat!(
    "SELECT ",
    event_columns!(),
    " FROM history_events WHERE order_id = ?1 ORDER BY sequence"
);
/// `Tx::events_after`.
pub const EVENTS_AFTER: &str = concat!(
    "SELECT ",
    event_columns!(),
    " FROM history_events WHERE sequence > ?1 ORDER BY sequence LIMIT ?2"
);

pub fn sql(dialect: Dialect, entity: Entity) -> &'static EntitySql {
    &SQL[&(dialect, entity)]
}

fn build(dialect: Dialect, def: &EntityDef) -> EntitySql {
    let mut aliases = HashMap::new();
    let mut joins = String::new();
    for d in &def.derived {
        if aliases.contains_key(d.via) {
            continue;
        }
        let alias = format!("j{}", aliases.len());
        let via = def.field(d.via).expect("derived via a known field");
        let Kind::Ref(target) = via.kind else {
            panic!("{} is not a reference", d.via)
        };
        let _ = write!(joins, " LEFT JOIN {} {alias} ON {alias}.id = t.{}", target.def().table, via.column);
        aliases.insert(d.via, alias);
    }
    let mut cols: Vec<String> = def.fields.iter().map(|f| format!("t.{}", f.column)).collect();
    cols.extend(def.derived.iter().map(|d| format!("{}.{}", aliases[d.via], d.column)));
    let select = format!("SELECT {} FROM {} t{}", cols.join(", "), def.table, joins);

    let mut names: Vec<&str> = def.fields.iter().map(|f| f.column).collect();
    if def.has_name() {
        names.push("name_key");
    }
    if def.has_path() {
        names.push("path_key");
    }
    names.extend(ranked(def).map(|(_, rank)| rank));
    let marks: Vec<String> = (1..=names.len()).map(|i| dialect.mark(i)).collect();
    let insert = format!("INSERT INTO {} ({}) VALUES ({})", def.table, names.join(", "), marks.join(", "));
    let sets: Vec<String> = names
        .iter()
        .enumerate()
        .filter(|(_, n)| **n != "id")
        .map(|(i, n)| format!("{n} = {}", dialect.mark(i + 1)))
        .collect();
    let one = dialect.mark(1);
    let update = format!("UPDATE {} SET {} WHERE id = {one}", def.table, sets.join(", "));
    let delete = format!("DELETE FROM {} WHERE id = {one}", def.table);
    let exists = format!("SELECT 1 FROM {} WHERE id = {one}", def.table);
    EntitySql {
        dialect,
        select,
        joins,
        insert,
        update,
        delete,
        exists,
        aliases,
    }
}

/// The parameters of `insert` / `update`: every field in catalogue order, then `name_key` and
/// `path_key` where the entity has them, then the rank of each ranked field (`search::RANKED`).
pub fn row_params(def: &EntityDef, record: &Record) -> Vec<Param> {
    let mut params: Vec<Param> = def.fields.iter().map(|f| to_sql(record.get(f.key))).collect();
    if def.has_name() {
        params.push(name_key(record.get("name")));
    }
    if def.has_path() {
        params.push(name_key(record.get("path")));
    }
    params.extend(ranked(def).map(|(field, _)| rank(field, record.get(field.key))));
    params
}

/// The stored key of a name or path (`shopfloor_core::name_key`), which unique indexes, look-ups
/// and conditions compare; a path's key is the key of its text (a name's key never holds `/`
/// unless the name does, so keying the whole path equals keying each segment).
pub fn name_key(name: &Value) -> Param {
    match name {
        Value::Text(s) => Param::Text(shopfloor_core::name_key::name_key(s)),
        _ => Param::Null,
    }
}

/// The column holding the stored key of the names or paths `column` holds, for the tables that
/// keep one (see `build`).
fn key_column(column: &str) -> Option<&'static str> {
    match column {
        "name" => Some("name_key"),
        "path" => Some("path_key"),
        _ => None,
    }
}

pub fn to_sql(v: &Value) -> Param {
    match v {
        Value::Null => Param::Null,
        Value::Id(id) => Param::Text(id.to_string()),
        Value::Text(s) => Param::Text(s.to_string()),
        Value::Real(r) => Param::Real(*r),
        Value::Int(i) => Param::Int(*i),
        Value::Bool(b) => Param::Int(i64::from(*b)),
        Value::Time(t) => Param::Int(t.millis()),
        Value::Json(j) => Param::Text(j.to_string()),
    }
}

impl EntitySql {
    fn column(&self, def: &EntityDef, field: &FieldRef) -> String {
        if let Some(p) = field.property {
            // The order's value of one custom property, in the column of its type (ids are
            // canonical ULID text, safe to inline).
            return format!(
                "(SELECT v.{} FROM production_order_property_values v WHERE v.production_order_id = t.id AND v.property_id = '{}')",
                p.column, p.property_id
            );
        }
        match field.via {
            Some((via, column)) => format!("{}.{column}", self.aliases[via]),
            None => {
                let column = def.field(field.key).map(|f| f.column).unwrap_or(field.key);
                format!("t.{column}")
            }
        }
    }

    /// The `SELECT` of `Tx::find`. Paged, it pages the ids first, reading only what filters
    /// and sorts need (an index can often answer it alone), then reads those few rows whole
    /// with their derived names.
    pub fn find(&self, def: &EntityDef, query: &Query, params: &mut Vec<Param>) -> String {
        if let (Some(page), Some((at, values))) = (query.page, search::split_in(def, query)) {
            return self.find_split(def, query, page, at, values, params);
        }
        let filter = self.where_clause(def, &query.filters, params);
        match query.page {
            Some(_) => {
                let joins = if Self::needs_joins(&query.filters) || query.sort.iter().any(|o| o.field.via.is_some()) {
                    self.joins.as_str()
                } else {
                    ""
                };
                let unpaged = Query {
                    page: None,
                    ..query.clone()
                };
                format!(
                    "{} WHERE t.id IN (SELECT t.id FROM {} t{joins}{filter}{}){}",
                    self.select,
                    def.table,
                    self.order_and_page(def, query),
                    self.order_and_page(def, &unpaged)
                )
            }
            None => format!("{}{filter}{}", self.select, self.order_and_page(def, query)),
        }
    }

    /// A paged find whose filter `at` is an `IN` over `values` that an index leads with
    /// (`search::split_in`): each value's first `offset + size` ids in sort order (an index
    /// range read in order, no sort), merged and paged — instead of sorting every match.
    fn find_split(&self, def: &EntityDef, query: &Query, page: Page, at: usize, values: Vec<Value>, params: &mut Vec<Param>) -> String {
        let joins = if Self::needs_joins(&query.filters) || query.sort.iter().any(|o| o.field.via.is_some()) {
            self.joins.as_str()
        } else {
            ""
        };
        let sort = self.sort_columns(def, query);
        let picked: Vec<String> = sort.iter().enumerate().map(|(i, (c, _))| format!(", {c} AS s{i}")).collect();
        let first = Page {
            size: page.size.saturating_add(page.size.saturating_mul(page.index)),
            index: 0,
        };
        let mut branches = Vec::with_capacity(values.len());
        for value in values {
            let mut one = query.clone();
            one.filters[at].condition = Condition::Equals;
            one.filters[at].operand = Operand::One(value);
            one.page = Some(first);
            let filter = self.where_clause(def, &one.filters, params);
            branches.push(format!(
                "SELECT b.* FROM (SELECT t.id AS id{} FROM {} t{joins}{filter}{}) b",
                picked.concat(),
                def.table,
                self.order_and_page(def, &one)
            ));
        }
        let mut merged: Vec<String> = sort
            .iter()
            .enumerate()
            .map(|(i, (_, sort))| search::sort_terms(self.dialect, &format!("s{i}"), sort))
            .collect();
        merged.push(format!("id {}", Self::tie_break(query)));
        let unpaged = Query {
            page: None,
            ..query.clone()
        };
        format!(
            "{} WHERE t.id IN (SELECT id FROM ({}) u ORDER BY {} LIMIT {} OFFSET {}){}",
            self.select,
            branches.join(" UNION ALL "),
            merged.join(", "),
            page.size,
            page.size.saturating_mul(page.index).min(i64::MAX as u64),
            self.order_and_page(def, &unpaged)
        )
    }

    /// The `SELECT COUNT(*)` of `Tx::count`.
    pub fn count(&self, def: &EntityDef, filters: &[Filter], params: &mut Vec<Param>) -> String {
        let joins = if Self::needs_joins(filters) { self.joins.as_str() } else { "" };
        format!(
            "SELECT COUNT(*) FROM {} t{joins}{}",
            def.table,
            self.where_clause(def, filters, params)
        )
    }

    /// The `UPDATE` of `Tx::update_fields`: only the named fields (and the name's folded key
    /// with the name), `None` when there is nothing to write.
    pub fn update_fields(&self, def: &EntityDef, record: &Record, keys: &[&'static str]) -> Option<(String, Vec<Param>)> {
        let mut sets = Vec::with_capacity(keys.len() + 1);
        let mut params = vec![Param::Text(record.id().map(|i| i.to_string()).unwrap_or_default())];
        for f in def.fields.iter().filter(|f| keys.contains(&f.key) && f.key != "id") {
            params.push(to_sql(record.get(f.key)));
            sets.push(format!("{} = {}", f.column, self.dialect.mark(params.len())));
            let keyed = (f.key == "name" && def.has_name()) || (f.key == "path" && def.has_path());
            if let Some(key) = key_column(f.column).filter(|_| keyed) {
                params.push(name_key(record.get(f.key)));
                sets.push(format!("{key} = {}", self.dialect.mark(params.len())));
            }
            if let Some((_, column)) = ranked(def).find(|(r, _)| r.key == f.key) {
                params.push(rank(f, record.get(f.key)));
                sets.push(format!("{column} = {}", self.dialect.mark(params.len())));
            }
        }
        if sets.is_empty() {
            return None;
        }
        let text = format!("UPDATE {} SET {} WHERE id = {}", def.table, sets.join(", "), self.dialect.mark(1));
        Some((text, params))
    }

    /// Whether any filter needs the joins.
    pub fn needs_joins(filters: &[Filter]) -> bool {
        filters.iter().any(|f| f.field.via.is_some())
    }

    /// ` WHERE …` (or nothing) for the filters, pushing operands onto `params`.
    pub fn where_clause(&self, def: &EntityDef, filters: &[Filter], params: &mut Vec<Param>) -> String {
        let mut parts = Vec::with_capacity(filters.len());
        for f in filters {
            parts.push(self.condition(def, f, params));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", parts.join(" AND "))
        }
    }

    /// The stored key column (`t.name_key`, `j0.path_key`, …) when `field` is a name or path
    /// of a table that keeps its key.
    fn stored_key(&self, def: &EntityDef, field: &FieldRef) -> Option<String> {
        if field.property.is_some() {
            return None;
        }
        match field.via {
            None => {
                let f = def.field(field.key)?;
                let keyed = (f.key == "name" && def.has_name()) || (f.key == "path" && def.has_path());
                key_column(f.column).filter(|_| keyed).map(|k| format!("t.{k}"))
            }
            Some((via, column)) => {
                let Kind::Ref(target) = def.field(via)?.kind else { return None };
                let target = target.def();
                let keyed = (column == "name" && target.has_name()) || (column == "path" && target.has_path());
                key_column(column).filter(|_| keyed).map(|k| format!("{}.{k}", self.aliases[via]))
            }
        }
    }

    fn condition(&self, def: &EntityDef, f: &Filter, params: &mut Vec<Param>) -> String {
        if let Some(fields) = f.field.search_fields(def) {
            // `search`: any of the names matches — the union of the ids each name finds, each
            // through its own index (an OR of the three would scan every order). A derived name
            // (product, customer) is asked of its own small table first and reaches the orders
            // through the reference's index.
            let any: Vec<String> = fields
                .into_iter()
                .map(|field| {
                    let part = Filter { field, ..f.clone() };
                    let condition = match field.via {
                        Some((via, column)) => self.through_reference(def, via, column, &part, params),
                        None => self.condition(def, &part, params),
                    };
                    format!("SELECT t.id FROM {} t WHERE {condition}", def.table)
                })
                .collect();
            return format!("t.id IN ({})", any.join(" UNION "));
        }
        let raw = self.column(def, &f.field);
        // Text compares keys: the stored key of names and paths, or the keyed column, with the
        // operand the query model already keyed. The string conditions key ids and enums too:
        // their operand is always keyed.
        let matches_text = matches!(f.condition, Condition::Contains | Condition::StartsWith | Condition::EndsWith);
        let col = if let Some(key) = self.stored_key(def, &f.field) {
            key
        } else if f.field.is_text() || matches_text {
            format!("{FOLD}({raw})")
        } else {
            raw.clone()
        };
        let dialect = self.dialect;
        // Pushes an operand; `as_text` where the statement alone does not tell PostgreSQL its type.
        let mut put = |v: &Value, as_text: bool| {
            params.push(to_sql(v));
            match (dialect, as_text, params.last()) {
                (_, true, _) => dialect.text(params.len()),
                // A fraction compared with a whole-number column compares as a double (as on
                // SQLite), not as a whole number PostgreSQL would fail to convert it to.
                (Dialect::Postgres, false, Some(Param::Real(_))) => format!("{}::double precision", dialect.mark(params.len())),
                _ => dialect.mark(params.len()),
            }
        };
        let exact = match (&f.condition, &f.operand) {
            (Condition::IsNull, _) => format!("{raw} IS NULL"),
            (Condition::IsNotNull, _) => format!("{raw} IS NOT NULL"),
            (Condition::True, _) => format!("{raw} = 1"),
            (Condition::False, _) => format!("{raw} = 0"),
            (Condition::Equals, Operand::One(v)) => format!("{col} = {}", put(v, false)),
            (Condition::NotEquals, Operand::One(v)) => format!("({raw} IS NULL OR {col} <> {})", put(v, false)),
            (Condition::GreaterThan, Operand::One(v)) => format!("{col} > {}", put(v, false)),
            (Condition::GreaterThanOrEqualTo, Operand::One(v)) => format!("{col} >= {}", put(v, false)),
            (Condition::LessThan, Operand::One(v)) => format!("{col} < {}", put(v, false)),
            (Condition::LessThanOrEqualTo, Operand::One(v)) => format!("{col} <= {}", put(v, false)),
            (Condition::Between, Operand::Range(a, b)) => format!("{col} BETWEEN {} AND {}", put(a, false), put(b, false)),
            (Condition::Contains, Operand::One(v)) => match dialect {
                Dialect::Sqlite => format!("instr({col}, {}) > 0", put(v, false)),
                Dialect::Postgres => format!("strpos({col}, {}) > 0", put(v, true)),
            },
            (Condition::StartsWith, Operand::One(v)) => match dialect {
                Dialect::Sqlite => {
                    let p = put(v, false);
                    format!("substr({col}, 1, length({p})) = {p}")
                }
                Dialect::Postgres => {
                    let p = put(v, true);
                    format!("left({col}, length({p})) = {p}")
                }
            },
            (Condition::EndsWith, Operand::One(v)) => match dialect {
                Dialect::Sqlite => {
                    let p = put(v, false);
                    format!("({raw} IS NOT NULL AND (length({p}) = 0 OR substr({col}, -length({p})) = {p}))")
                }
                Dialect::Postgres => {
                    let p = put(v, true);
                    format!("({raw} IS NOT NULL AND right({col}, length({p})) = {p})")
                }
            },
            (Condition::In, Operand::List(vs)) => {
                let marks: Vec<String> = vs.iter().map(|v| put(v, false)).collect();
                format!("{col} IN ({})", marks.join(", "))
            }
            (Condition::NotIn, Operand::List(vs)) => {
                let marks: Vec<String> = vs.iter().map(|v| put(v, false)).collect();
                format!("({raw} IS NULL OR {col} NOT IN ({}))", marks.join(", "))
            }
            // The parser never pairs a condition with the wrong operand shape.
            _ => "0 = 1".to_string(),
        };
        let key = self.stored_key(def, &f.field);
        match key.and_then(|key| search::indexed_search(self.dialect, def, &key, f, params)) {
            Some(candidates) => format!("({candidates} AND {exact})"),
            None => exact,
        }
    }

    /// `t.<reference> IN (SELECT id FROM <target> WHERE <condition on its column>)`: a condition
    /// on a derived name that never matches a missing reference (the `search` field's
    /// conditions), answered by the referenced table and the reference's index. The
    /// subquery's own alias `t` is its table (it is not correlated).
    fn through_reference(&self, def: &EntityDef, via: &str, column: &'static str, f: &Filter, params: &mut Vec<Param>) -> String {
        let reference = def.field(via).expect("derived via a known field");
        let Kind::Ref(target) = reference.kind else {
            panic!("{via} is not a reference")
        };
        let target_def = target.def();
        let inner = Filter {
            field: FieldRef::resolve(target_def, column).expect("derived from a known column"),
            ..f.clone()
        };
        let condition = sql(self.dialect, target).condition(target_def, &inner, params);
        format!(
            "t.{} IN (SELECT t.id FROM {} t WHERE {condition})",
            reference.column, target_def.table
        )
    }

    /// What each sort key sorts by (a ranked field by its rank), with the sort itself.
    fn sort_columns<'q>(&self, def: &EntityDef, query: &'q Query) -> Vec<(String, &'q Sort)> {
        query
            .sort
            .iter()
            .map(|s| {
                let column = match rank_column(def, &s.field) {
                    Some(rank) => format!("t.{rank}"),
                    None => self.column(def, &s.field),
                };
                (column, s)
            })
            .collect()
    }

    /// The direction of the `id` that breaks ties: that of the last sort key.
    fn tie_break(query: &Query) -> &'static str {
        if query.sort.last().is_some_and(|s| s.descending) {
            "DESC"
        } else {
            "ASC"
        }
    }

    /// ` ORDER BY …` with the id tie-break, and ` LIMIT … OFFSET …` when paged.
    pub fn order_and_page(&self, def: &EntityDef, query: &Query) -> String {
        let mut parts: Vec<String> = self
            .sort_columns(def, query)
            .into_iter()
            .map(|(column, sort)| search::sort_terms(self.dialect, &column, sort))
            .collect();
        parts.push(format!("t.id {}", Self::tie_break(query)));
        let mut out = format!(" ORDER BY {}", parts.join(", "));
        if let Some(p) = query.page {
            let _ = write!(
                out,
                " LIMIT {} OFFSET {}",
                p.size,
                p.size.saturating_mul(p.index).min(i64::MAX as u64)
            );
        }
        out
    }
}
