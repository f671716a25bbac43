//! An import file parsed and checked before any transaction (issue 22, ADR 0006). The server
//! reads a file into a [`ParsedFile`] on a blocking thread of the request, so that the write
//! job only stores rows ([`crate::queue::enqueue_parsed`]) or applies them
//! ([`crate::import_parsed`]): a file that is malformed or beyond a limit is refused without
//! the writer, and a slow parse never makes a plain save wait.
//!
//! Rows are kept as compact JSON text (what the queue stores anyway), not as JSON trees: a
//! tree costs several times its text (a map per row, a string per key). A row becomes a tree
//! only while it is applied, one at a time.

use super::{for_each_input_row, Format, Kind, Source};
use serde_json::Value as Json;
use shopfloor_core::errors::{CoreError, CoreResult};

/// The rows of an import file, parsed and checked, with the file's warnings.
#[derive(Debug)]
pub struct ParsedFile {
    kind: Kind,
    format: Format,
    rows: Vec<ParsedRow>,
    warnings: Vec<String>,
}

/// One row: its order name (what the queue lists before the row is applied) and its data as
/// JSON text.
#[derive(Debug)]
struct ParsedRow {
    name: Option<Box<str>>,
    data: Box<str>,
}

/// The order name a row gives, if any.
pub(crate) fn row_name(row: &Json) -> Option<&str> {
    row.get("name").and_then(Json::as_str)
}

impl ParsedFile {
    /// Reads every row of `data` (a JSON array, the text of a file in `format`, or a file's
    /// bytes); a file that cannot be read, or is beyond a limit, fails as a whole.
    pub fn parse<'a>(data: impl Into<Source<'a>>, format: Format) -> CoreResult<ParsedFile> {
        ParsedFile::collect(Kind::Orders, format, row_name, |each| for_each_input_row(data, format, each))
    }

    /// The rows `feed` hands to its callback (`feed` answers the file's warnings), each listed
    /// under the name `name_of` finds in it: the one home of a parsed file's rows, for every
    /// kind of import.
    pub(crate) fn collect(
        kind: Kind,
        format: Format,
        name_of: fn(&Json) -> Option<&str>,
        feed: impl FnOnce(&mut dyn FnMut(u64, Json) -> CoreResult<()>) -> CoreResult<Vec<String>>,
    ) -> CoreResult<ParsedFile> {
        let mut rows = Vec::new();
        let warnings = feed(&mut |_, row| {
            rows.push(ParsedRow {
                name: name_of(&row).map(Into::into),
                data: row.to_string().into_boxed_str(),
            });
            Ok(())
        })?;
        Ok(ParsedFile {
            kind,
            format,
            rows,
            warnings,
        })
    }

    /// What the file imports: orders, or the master data of one exchange.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// How many rows the file has.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// What the file names that the import does not know (a CSV file's unknown columns).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// The bytes the rows hold on the heap (their text and the list of them).
    pub fn heap_bytes(&self) -> usize {
        let text: usize = self
            .rows
            .iter()
            .map(|r| r.data.len() + r.name.as_ref().map_or(0, |n| n.len()))
            .sum();
        text + self.rows.capacity() * std::mem::size_of::<ParsedRow>()
    }

    /// The rows as (number from 1, name, JSON text).
    pub(crate) fn rows(&self) -> impl Iterator<Item = (u64, Option<&str>, &str)> {
        self.rows
            .iter()
            .enumerate()
            .map(|(i, r)| (i as u64 + 1, r.name.as_deref(), &*r.data))
    }

    /// Calls `each(rowNumber, row)` with each row as JSON, one row at a time.
    pub(crate) fn for_each_row(&self, each: &mut dyn FnMut(u64, Json) -> CoreResult<()>) -> CoreResult<()> {
        for (n, _, data) in self.rows() {
            let row = serde_json::from_str(data).map_err(|e| CoreError::Internal(format!("a parsed import row is not JSON: {e}")))?;
            each(n, row)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_numbers_names_and_data_and_the_file_its_warnings() {
        let file = Json::String("name,quantity,colour\nA,1,\nB,,x\n,3,\n".into());
        let parsed = ParsedFile::parse(&file, Format::Csv).unwrap();
        let rows: Vec<(u64, Option<&str>, &str)> = parsed.rows().collect();
        assert_eq!(
            rows,
            [
                (1, Some("A"), r#"{"name":"A","quantity":"1"}"#),
                (2, Some("B"), r#"{"name":"B","colour":"x"}"#),
                (3, None, r#"{"quantity":"3"}"#)
            ]
        );
        assert_eq!(parsed.warnings().len(), 1);
        assert!(parsed.warnings()[0].contains("'colour'"));
    }

    #[test]
    fn a_big_file_is_held_as_compact_text() {
        let rows = 80_000;
        let mut text = String::from("name,productPath,unitOfMeasureName,quantity,notes\n");
        for i in 0..rows {
            text.push_str(&format!("PO-{i:06},FG/Widget,Each,{},batch {i:06} ok\n", i % 97 + 1));
        }
        let file = ParsedFile::parse(&Json::String(text.clone()), Format::Csv).unwrap();
        assert_eq!(file.len(), rows);
        // A row's JSON text repeats the header's keys: about 3.6 times its CSV line (a JSON tree
        // per row, a map of five entries with their strings, would be over 10 times).
        let ratio = file.heap_bytes() as f64 / text.len() as f64;
        assert!(ratio < 4.5, "{ratio}");
    }

    #[test]
    fn a_file_that_cannot_be_read_fails_as_a_whole() {
        let file = Json::String("name\nA\nB,extra\n".into());
        assert!(matches!(ParsedFile::parse(&file, Format::Csv), Err(CoreError::Validation(_))));
    }
}
