//! Result rows read once for both drivers: each driver says what one cell of a row holds
//! ([`Row::cell`]: a whole number, a real, text or null), and the decoding of a row into the
//! core's [`Record`] and [`Event`] (and the import queue's rows, `crate::import_queue`) is
//! written here against that alone.
//!
//! Both schemas store values in the same shapes (epoch milliseconds, 0/1 booleans, ULID text,
//! JSON as text), so one decoding serves both.

use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::history::Event;
use shopfloor_core::id::Id;
use shopfloor_core::record::{Record, Value};
use shopfloor_core::schema::{EntityDef, Kind};
use shopfloor_core::time::Timestamp;
use std::borrow::Cow;

/// One cell of a result row, borrowed from the row where it is text.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell<'r> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'r str),
}

/// A result row of either driver.
pub trait Row {
    /// The cell in column `i` (0-based).
    fn cell(&self, i: usize) -> CoreResult<Cell<'_>>;
}

impl<'r> Cell<'r> {
    /// The cell as text; numbers are spelled out.
    pub fn text(self) -> Option<Cow<'r, str>> {
        match self {
            Cell::Null => None,
            Cell::Text(s) => Some(Cow::Borrowed(s)),
            Cell::Int(i) => Some(Cow::Owned(i.to_string())),
            Cell::Real(r) => Some(Cow::Owned(r.to_string())),
        }
    }

    pub fn int(self) -> Option<i64> {
        match self {
            Cell::Int(i) => Some(i),
            Cell::Real(r) => Some(r as i64),
            Cell::Text(s) => s.parse().ok(),
            Cell::Null => None,
        }
    }

    pub fn real(self) -> Option<f64> {
        match self {
            Cell::Real(r) => Some(r),
            Cell::Int(i) => Some(i as f64),
            Cell::Text(s) => s.parse().ok(),
            Cell::Null => None,
        }
    }
}

fn missing(i: usize) -> CoreError {
    CoreError::Internal(format!("column {i} of a stored row is empty or not of its type"))
}

/// Column `i` as a whole number that may be null.
pub fn opt_int(row: &dyn Row, i: usize) -> CoreResult<Option<i64>> {
    Ok(row.cell(i)?.int())
}

/// Column `i` as a whole number that may not be null.
pub fn int(row: &dyn Row, i: usize) -> CoreResult<i64> {
    opt_int(row, i)?.ok_or_else(|| missing(i))
}

/// Column `i` as text that may be null.
pub fn opt_text(row: &dyn Row, i: usize) -> CoreResult<Option<String>> {
    Ok(row.cell(i)?.text().map(Cow::into_owned))
}

/// Column `i` as text that may not be null.
pub fn text(row: &dyn Row, i: usize) -> CoreResult<String> {
    opt_text(row, i)?.ok_or_else(|| missing(i))
}

/// Column `i` as an id (ULID text).
pub fn id(row: &dyn Row, i: usize) -> CoreResult<Id> {
    let text = text(row, i)?;
    Id::parse(&text).map_err(|e| CoreError::Internal(format!("bad stored id '{text}': {e}")))
}

/// A row of `EntitySql::select`: the entity's fields in catalogue order, then its derived names.
/// A stored value that does not fit its field's kind is kept as text (ids, JSON) rather than
/// refused, so that a damaged row can still be seen and mended.
pub fn record(def: &EntityDef, row: &dyn Row) -> CoreResult<Record> {
    let mut r = Record::default();
    for (i, f) in def.fields.iter().enumerate() {
        let c = row.cell(i)?;
        let v = match f.kind {
            Kind::Id | Kind::Ref(_) => c.text().map(|s| Id::parse(&s).map(Value::Id).unwrap_or(Value::Text(s.into()))),
            Kind::Name | Kind::Text { .. } | Kind::Enum(_) => c.text().map(|s| Value::Text(s.into())),
            Kind::Real { .. } => c.real().map(Value::Real),
            Kind::Int => c.int().map(Value::Int),
            Kind::Bool => c.int().map(|b| Value::Bool(b != 0)),
            Kind::Time => c.int().map(|t| Value::Time(Timestamp(t))),
            Kind::Json => c
                .text()
                .map(|s| Value::Json(serde_json::from_str(&s).unwrap_or_else(|_| serde_json::Value::String(s.into_owned())))),
        };
        r.set(f.key, v.unwrap_or(Value::Null));
    }
    let n = def.fields.len();
    for (i, d) in def.derived.iter().enumerate() {
        let name = row.cell(n + i)?.text().map(|s| Value::Text(s.into()));
        r.set(d.key, name.unwrap_or(Value::Null));
    }
    Ok(r)
}

/// A row of `crate::sql::ORDER_EVENTS` or `crate::sql::EVENTS_AFTER` (the columns of `event_columns!`).
pub fn event(row: &dyn Row) -> CoreResult<Event> {
    Ok(Event {
        sequence: int(row, 0)?,
        at: Timestamp(int(row, 1)?),
        user: text(row, 2)?,
        entity: text(row, 3)?,
        entity_id: text(row, 4)?,
        order_id: opt_text(row, 5)?,
        action: text(row, 6)?,
        changes: serde_json::from_str(&text(row, 7)?).unwrap_or(serde_json::Value::Null),
        reason: opt_text(row, 8)?,
        person: opt_text(row, 9)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row held in memory, to test the decoding without a database.
    struct Cells(Vec<Cell<'static>>);

    impl Row for Cells {
        fn cell(&self, i: usize) -> CoreResult<Cell<'_>> {
            self.0.get(i).cloned().ok_or_else(|| missing(i))
        }
    }

    #[test]
    fn an_event_row_decodes_with_its_changes_as_json() {
        let row = Cells(vec![
            Cell::Int(7),
            Cell::Int(1_700_000_000_000),
            Cell::Text("admin"),
            Cell::Text("ProductionOrder"),
            Cell::Text("01HZY"),
            Cell::Null,
            Cell::Text("CREATE"),
            Cell::Text(r#"{"name":[null,"A"]}"#),
            Cell::Null,
            Cell::Text("jdoe"),
        ]);
        let e = event(&row).unwrap();
        assert_eq!((e.sequence, e.at, e.user.as_str()), (7, Timestamp(1_700_000_000_000), "admin"));
        assert_eq!(e.changes["name"][1], "A");
        assert_eq!((e.order_id, e.reason), (None, None));
        assert_eq!(e.person.as_deref(), Some("jdoe"));
    }

    #[test]
    fn a_required_column_that_is_null_is_an_internal_error_not_a_panic() {
        let row = Cells(vec![Cell::Int(7), Cell::Null]);
        assert!(matches!(event(&row), Err(CoreError::Internal(_))));
    }

    #[test]
    fn cells_convert_between_number_and_text_shapes() {
        assert_eq!(Cell::Int(3).real(), Some(3.0));
        assert_eq!(Cell::Text("42").int(), Some(42));
        assert_eq!(Cell::Int(5).text().as_deref(), Some("5"));
        assert_eq!(Cell::Null.text(), None);
    }
}
