//! What makes sorts and name searches use indexes (docs/adr/0014-order-search-and-priority.md):
//! the stored rank of ranked enumerations (`schedulePriority`), the sort terms of nulls placed
//! at the other end (docs/adr/0016), and the index-served pre-filter the SQL generator (`sql`)
//! puts beside a text condition on a stored key.

use crate::sql::{Dialect, Param};
use shopfloor_core::query::{Condition, FieldRef, Filter, Operand, Query, Sort};
use shopfloor_core::record::Value;
use shopfloor_core::schema::{Entity, EntityDef, FieldDef, Kind};

/// The enumerated fields that sort by rank — the order of their values in the catalogue
/// (`PRIORITIES` is LOW < NORMAL < HIGH < URGENT) — as (entity, field key, column holding the
/// rank). The rank is computed here from the catalogue and stored with the row, so that a sort
/// on the field reads an index (migration 14) instead of sorting the words alphabetically.
pub(crate) const RANKED: &[(Entity, &str, &str)] = &[(Entity::ProductionOrder, "schedulePriority", "schedule_priority_rank")];

/// The ranked fields of `def` with their rank columns, in [`RANKED`] order.
pub(crate) fn ranked(def: &EntityDef) -> impl Iterator<Item = (&FieldDef, &'static str)> {
    RANKED
        .iter()
        .filter(move |(e, _, _)| *e == def.entity)
        .filter_map(move |(_, key, column)| def.field(key).map(|f| (f, *column)))
}

/// The rank column of `field` when it is a ranked field of `def` (not a property, not joined).
pub(crate) fn rank_column(def: &EntityDef, field: &FieldRef) -> Option<&'static str> {
    if field.property.is_some() || field.via.is_some() {
        return None;
    }
    ranked(def).find(|(f, _)| f.key == field.key).map(|(_, column)| column)
}

/// The stored rank of a ranked field's value: its position among the field's values.
pub fn rank(field: &FieldDef, value: &Value) -> Param {
    match (&field.kind, value) {
        (Kind::Enum(values), Value::Text(s)) => values.iter().position(|v| *v == &**s).map_or(Param::Null, |i| Param::Int(i as i64)),
        _ => Param::Null,
    }
}

/// The stored rank of an order's schedule priority, for writers that bypass the catalogue's
/// statements (the bench's bulk loader).
pub fn priority_rank(priority: &str) -> Option<i64> {
    let def = Entity::ProductionOrder.def();
    let field = def.field("schedulePriority").expect("orders have a schedule priority");
    match rank(field, &Value::Text(priority.into())) {
        Param::Int(i) => Some(i),
        _ => None,
    }
}

/// The fields an index leads with, and the field its next column sorts by, so that the rows of
/// one value come in that order: `status`, then `dueDate`
/// (`ix_production_orders_status_due (status, due_date, id)`). A paged find with an `IN` on the
/// first, sorted by the second alone, reads each value's range in order and merges them
/// (`EntitySql::find_split`) instead of sorting every match of all values. Sorted by anything
/// else, each value's range would have to be sorted whole — no better than the plain query —
/// so it is not split.
const SPLIT_IN: &[(Entity, &str, &str)] = &[(Entity::ProductionOrder, "status", "dueDate")];

/// The most values an `IN` is split into, and the deepest page (offset + size) split: each
/// value reads up to offset + size rows.
const SPLIT_MAX_VALUES: usize = 8;
const SPLIT_MAX_ROWS: u64 = 2_000;

/// The position of an `IN` filter of a paged `query` worth splitting by value, with its
/// values; `None` when there is none or the page is too deep.
pub(crate) fn split_in(def: &EntityDef, query: &Query) -> Option<(usize, Vec<Value>)> {
    let page = query.page?;
    if page.size.saturating_mul(page.index.saturating_add(1)) > SPLIT_MAX_ROWS {
        return None;
    }
    query
        .filters
        .iter()
        .enumerate()
        .find_map(|(at, f)| match (&f.condition, &f.operand) {
            (Condition::In, Operand::List(values))
                if (2..=SPLIT_MAX_VALUES).contains(&values.len())
                    && f.field.via.is_none()
                    && f.field.property.is_none()
                    && SPLIT_IN.iter().any(|(e, key, sorted_by)| {
                        *e == def.entity
                            && *key == f.field.key
                            && matches!(query.sort.as_slice(), [s] if s.field.key == *sorted_by && s.field.via.is_none() && s.field.property.is_none())
                    }) =>
            {
                let mut distinct: Vec<Value> = Vec::with_capacity(values.len());
                for v in values {
                    if !distinct.contains(v) {
                        distinct.push(v.clone());
                    }
                }
                Some((at, distinct))
            }
            _ => None,
        })
}

/// The ORDER BY term of one sort key. Nulls sort first ascending and last descending (SQLite's
/// rule; PostgreSQL is told) unless the sort asks for the other end (`sortNulls`): both say
/// `NULLS LAST` / `NULLS FIRST`. SQLite serves that from the plain index of the column (it
/// reads the values, then the nulls — EXPLAIN QUERY PLAN shows the index and, with a status
/// filter, the same bounded sort as the default placement); PostgreSQL from the indexes
/// declared `NULLS LAST` (migration 19: due dates), in either direction.
pub(crate) fn sort_terms(dialect: Dialect, column: &str, sort: &Sort) -> String {
    let dir = if sort.descending { "DESC" } else { "ASC" };
    let nulls = if sort.nulls_last { "NULLS LAST" } else { "NULLS FIRST" };
    match dialect {
        Dialect::Sqlite if !sort.nulls_reversed() => format!("{column} {dir}"),
        Dialect::Sqlite | Dialect::Postgres => format!("{column} {dir} {nulls}"),
    }
}

/// The shortest operand a trigram index can serve (one trigram).
const TRIGRAM: usize = 3;

/// The least text greater than every text that starts with `prefix` (the last character that
/// has a successor, incremented, after what precedes it), in code point order — the order of
/// SQLite's BINARY and PostgreSQL's "C" collation, which the keys use; `None` when no text is
/// (an empty prefix, or only U+10FFFF).
fn prefix_successor(prefix: &str) -> Option<String> {
    let mut chars: Vec<char> = prefix.chars().collect();
    while let Some(last) = chars.pop() {
        if let Some(next) = (u32::from(last) + 1..=u32::from(char::MAX)).find_map(char::from_u32) {
            chars.push(next);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

/// A pre-filter an index answers, for a text match on a stored key (docs/adr/0014): a range
/// of the key's b-tree index for `STARTS_WITH`; the trigram index of order names for
/// `CONTAINS` and `ENDS_WITH` of at least [`TRIGRAM`] characters (FTS5 on SQLite, `pg_trgm`
/// on PostgreSQL, both filled from `name_key` by migration 14). It selects a superset of
/// the matches and the exact condition beside it decides, so results and counts are those
/// of the scan; shorter operands scan.
pub(crate) fn indexed_search(dialect: Dialect, def: &EntityDef, key: &str, f: &Filter, params: &mut Vec<Param>) -> Option<String> {
    let Operand::One(Value::Text(value)) = &f.operand else {
        return None;
    };
    let mut put = |text: String| {
        params.push(Param::Text(text));
        dialect.text(params.len())
    };
    match f.condition {
        Condition::StartsWith => {
            let upper = prefix_successor(value)?;
            Some(format!("{key} >= {} AND {key} < {}", put(value.to_string()), put(upper)))
        }
        Condition::Contains | Condition::EndsWith
            if def.entity == Entity::ProductionOrder && key == "t.name_key" && value.chars().count() >= TRIGRAM =>
        {
            match dialect {
                Dialect::Sqlite => Some(format!(
                    "t.id IN (SELECT m.production_order_id FROM production_order_name_search s \
                     JOIN production_order_search_rows m ON m.search_rowid = s.rowid \
                     WHERE production_order_name_search MATCH {})",
                    put(format!("\"{}\"", value.replace('"', "\"\"")))
                )),
                Dialect::Postgres => {
                    let escaped = value.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                    let pattern = match f.condition {
                        Condition::Contains => format!("%{escaped}%"),
                        _ => format!("%{escaped}"),
                    };
                    Some(format!("{key} LIKE {}", put(pattern)))
                }
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_successor_bounds_every_text_with_the_prefix() {
        assert_eq!(prefix_successor("abc").as_deref(), Some("abd"));
        assert_eq!(prefix_successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(prefix_successor("\u{D7FF}").as_deref(), Some("\u{E000}"));
        assert_eq!(prefix_successor(""), None);
        assert_eq!(prefix_successor("\u{10FFFF}"), None);
        let upper = prefix_successor("bench-0012").unwrap();
        for text in ["bench-0012", "bench-00129999", "bench-0012\u{10FFFF}"] {
            assert!(text >= "bench-0012" && text < upper.as_str(), "{text}");
        }
        assert!("bench-0013" >= upper.as_str());
    }

    #[test]
    fn nulls_at_the_other_end_are_asked_for_in_words_on_both_databases() {
        let due = FieldRef::resolve(Entity::ProductionOrder.def(), "dueDate").unwrap();
        let terms = |dialect, descending, nulls_last| {
            let mut sort = Sort::new(due, descending);
            sort.nulls_last = nulls_last;
            sort_terms(dialect, "t.due_date", &sort)
        };
        assert_eq!(terms(Dialect::Sqlite, false, false), "t.due_date ASC");
        assert_eq!(terms(Dialect::Sqlite, false, true), "t.due_date ASC NULLS LAST");
        assert_eq!(terms(Dialect::Sqlite, true, false), "t.due_date DESC NULLS FIRST");
        assert_eq!(terms(Dialect::Sqlite, true, true), "t.due_date DESC");
        assert_eq!(terms(Dialect::Postgres, false, true), "t.due_date ASC NULLS LAST");
        assert_eq!(terms(Dialect::Postgres, true, true), "t.due_date DESC NULLS LAST");
    }

    #[test]
    fn priorities_rank_in_catalogue_order() {
        let ranks: Vec<_> = ["LOW", "NORMAL", "HIGH", "URGENT", "other"]
            .iter()
            .map(|p| priority_rank(p))
            .collect();
        assert_eq!(ranks, [Some(0), Some(1), Some(2), Some(3), None]);
    }
}
