//! CSV import files, read record by record from a reader. Two kinds:
//! - orders (`csv`): one row per order; the header names the fields of `saveProductionOrder`
//!   (natural keys such as `productPath` included) and `property:<name>` columns set values;
//! - bill-of-materials lines (`csv-bom`): one row per item, keyed by `productionOrderName`;
//!   the lines of one order (in file order) become its whole bill of materials.
//!
//! Empty cells are "not given" (the stored value is kept).
//!
//! Limits (docs/RELIABILITY.md): at most [`MAX_COLUMNS`] columns and [`MAX_FIELD_BYTES`] bytes
//! in a cell; a file beyond either is refused, naming the limit.
//!
//! Text that a spreadsheet would run as a formula (a cell starting with `=`, `+`, `-`, `@`, TAB or
//! CR) is written with a leading `'`, as spreadsheet-injection guidance recommends, and the
//! importer takes that `'` away again, so an export imports back exactly ([`guard_formula`]).

use serde_json::{Map, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult};
use std::io::BufRead;

pub const PROPERTY_PREFIX: &str = "property:";
pub const ORDER_KEY: &str = "productionOrderName";
/// The most columns an import file may have (an order has about 40 fields, and property columns).
pub const MAX_COLUMNS: usize = 1_000;
/// The largest cell an import file may have.
pub const MAX_FIELD_BYTES: usize = 64 * 1024;

/// The first characters that make a spreadsheet read a cell as a formula.
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `text`, after any leading `'`s, starts with a formula trigger: such text is written
/// with one more leading `'` (and read back with one less), which keeps the round trip exact
/// also for text that itself starts with `'=`.
fn needs_guard(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_TRIGGERS)
}

/// Text as written to a CSV cell: formula-leading text gets a leading `'`.
pub fn guard_formula(text: &str) -> std::borrow::Cow<'_, str> {
    if needs_guard(text) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// A CSV cell as imported: the `'` that [`guard_formula`] added is taken away.
pub fn unguard_formula(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

fn file_error(e: csv::Error) -> CoreError {
    let at = e.position().map(|p| format!(" (line {})", p.line())).unwrap_or_default();
    let what = match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "the file is not UTF-8 text".to_string(),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("a record has {len} fields where the header has {expected_len}")
        }
        _ => e.to_string(),
    };
    CoreError::field("data", format!("malformed CSV import file{at}: {what}"))
}

fn reader<R: BufRead>(input: R) -> CoreResult<(csv::Reader<R>, Vec<String>)> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(input);
    let header = rdr.headers().map_err(file_error)?;
    if header.len() > MAX_COLUMNS {
        return Err(CoreError::field(
            "data",
            format!(
                "the CSV import file has {} columns; at most {MAX_COLUMNS} are accepted",
                header.len()
            ),
        ));
    }
    check_field_sizes(header, 1)?;
    let headers: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    if headers.iter().all(String::is_empty) {
        return Err(CoreError::field("data", "the CSV import file has no header line"));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            return Err(CoreError::field("data", format!("CSV header column {} has no name", i + 1)));
        }
        if !seen.insert(h.as_str()) {
            return Err(CoreError::field("data", format!("CSV header names '{h}' twice")));
        }
    }
    Ok((rdr, headers))
}

/// Refuses a record with a cell larger than [`MAX_FIELD_BYTES`].
fn check_field_sizes(record: &csv::StringRecord, line: u64) -> CoreResult<()> {
    match record.iter().position(|cell| cell.len() > MAX_FIELD_BYTES) {
        Some(i) => Err(CoreError::field(
            "data",
            format!(
                "line {line}, column {}: a cell is larger than {MAX_FIELD_BYTES} bytes (the limit)",
                i + 1
            ),
        )),
        None => Ok(()),
    }
}

/// Reads the next record into `record`, refusing oversized cells.
fn next_record<R: std::io::Read>(rdr: &mut csv::Reader<R>, record: &mut csv::StringRecord) -> CoreResult<bool> {
    if !rdr.read_record(record).map_err(file_error)? {
        return Ok(false);
    }
    check_field_sizes(record, record.position().map_or(0, |p| p.line()))?;
    Ok(true)
}

/// The cells of a record as an object (empty cells left out), `property:` columns gathered in
/// `propertyValues`.
fn to_row(headers: &[String], record: &csv::StringRecord) -> Map<String, Json> {
    let mut row = Map::new();
    let mut values = Map::new();
    for (h, cell) in headers.iter().zip(record.iter()) {
        if cell.is_empty() {
            continue;
        }
        let cell = unguard_formula(cell);
        match h.strip_prefix(PROPERTY_PREFIX) {
            Some(name) => {
                values.insert(name.to_string(), Json::String(cell.to_string()));
            }
            None => {
                row.insert(h.clone(), Json::String(cell.to_string()));
            }
        }
    }
    if !values.is_empty() {
        row.insert("propertyValues".into(), Json::Object(values));
    }
    row
}

/// The warnings about the header of an orders file: one per column that names nothing an
/// order has (a field, a natural key, `property:<name>`). A cell in such a column makes its row
/// an error (an unknown field); an empty one is not given, so without the warning the column
/// would pass unnoticed.
fn unknown_columns(headers: &[String]) -> Vec<String> {
    headers
        .iter()
        .filter(|h| !h.starts_with(PROPERTY_PREFIX) && !crate::natural_keys::is_known_order_key(h))
        .map(|h| format!("unknown column '{h}': not a field of a production order, a natural key or '{PROPERTY_PREFIX}<name>'"))
        .collect()
}

/// Orders: `each(rowNumber, order)` per record, as it is read. Answers the file's warnings
/// (unknown columns).
pub fn for_each_order(input: impl BufRead, each: &mut dyn FnMut(u64, Json) -> CoreResult<()>) -> CoreResult<Vec<String>> {
    let (mut rdr, headers) = reader(input)?;
    if !headers.iter().any(|h| h == "name") {
        return Err(CoreError::field(
            "data",
            "the CSV header needs a 'name' column (orders are matched by name)",
        ));
    }
    let warnings = unknown_columns(&headers);
    let mut record = csv::StringRecord::new();
    let mut n = 0;
    while next_record(&mut rdr, &mut record)? {
        n += 1;
        each(n, Json::Object(to_row(&headers, &record)))?;
    }
    Ok(warnings)
}

/// Records of any kind: `check_header(columns)` refuses a header (a master-data file's
/// unknown columns), then `each(rowNumber, row)` per record, as it is read, its empty cells
/// left out.
pub fn for_each_record(
    input: impl BufRead,
    check_header: &dyn Fn(&[String]) -> CoreResult<()>,
    each: &mut dyn FnMut(u64, Json) -> CoreResult<()>,
) -> CoreResult<()> {
    let (mut rdr, headers) = reader(input)?;
    check_header(&headers)?;
    let mut record = csv::StringRecord::new();
    let mut n = 0;
    while next_record(&mut rdr, &mut record)? {
        n += 1;
        each(n, Json::Object(to_row(&headers, &record)))?;
    }
    Ok(())
}

/// Bill-of-materials lines: `each(n, {name, billOfMaterials: [...]})` per order, in the order
/// orders first appear. The whole file is read (and checked) before the first order is given,
/// since an order's lines may be anywhere in it: memory holds the file's items (as JSON).
pub fn for_each_bill_of_materials(input: impl BufRead, each: &mut dyn FnMut(u64, Json) -> CoreResult<()>) -> CoreResult<()> {
    let (mut rdr, headers) = reader(input)?;
    if !headers.iter().any(|h| h == ORDER_KEY) {
        return Err(CoreError::field(
            "data",
            format!("the bill-of-materials CSV needs a '{ORDER_KEY}' column"),
        ));
    }
    let mut orders: Map<String, Json> = Map::new();
    let mut record = csv::StringRecord::new();
    let mut line = 1;
    while next_record(&mut rdr, &mut record)? {
        line += 1;
        let mut item = to_row(&headers, &record);
        let Some(Json::String(order)) = item.remove(ORDER_KEY) else {
            return Err(CoreError::field("data", format!("line {line}: '{ORDER_KEY}' is empty")));
        };
        match orders.entry(order).or_insert_with(|| Json::Array(Vec::new())) {
            Json::Array(items) => items.push(Json::Object(item)),
            _ => unreachable!("only lists are inserted"),
        }
    }
    for (n, (name, items)) in orders.into_iter().enumerate() {
        let mut row = Map::new();
        row.insert("name".into(), Json::String(name));
        row.insert("billOfMaterials".into(), items);
        each(n as u64 + 1, Json::Object(row))?;
    }
    Ok(())
}

/// A JSON value as a CSV cell.
fn cell(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => guard_formula(s).into_owned(),
        other => other.to_string(),
    }
}

/// Writes `rows` (objects) under `columns` as CSV text.
pub fn write(columns: &[String], rows: &[Map<String, Json>]) -> CoreResult<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| CoreError::Internal(format!("writing CSV: {e}"));
    w.write_record(columns).map_err(fail)?;
    for row in rows {
        w.write_record(columns.iter().map(|c| cell(row.get(c).unwrap_or(&Json::Null))))
            .map_err(fail)?;
    }
    let bytes = w.into_inner().map_err(|e| CoreError::Internal(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| CoreError::Internal(format!("writing CSV: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_and_bill_of_materials_lines() {
        let mut rows = Vec::new();
        for_each_order(
            "name,quantity,property:color\nA,1,red\n\"B, the second\",,\n".as_bytes(),
            &mut |_, r| {
                rows.push(r);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(
            rows[0],
            serde_json::json!({"name": "A", "quantity": "1", "propertyValues": {"color": "red"}})
        );
        assert_eq!(rows[1], serde_json::json!({"name": "B, the second"}));
        let mut orders = Vec::new();
        for_each_bill_of_materials(
            "productionOrderName,materialPath\nA,RAW/x\nB,RAW/y\nA,RAW/z\n".as_bytes(),
            &mut |_, r| {
                orders.push(r);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(orders.len(), 2);
        assert_eq!(orders[0]["billOfMaterials"][1]["materialPath"], "RAW/z");
    }

    #[test]
    fn formula_cells_are_guarded_on_export_and_restored_on_import() {
        let names = [
            "=1+2", "+x", "-5", "@SUM(A1)", "\tx", "\rx", "'=1", "''=1", "'plain", "plain", "'", "a=b",
        ];
        let rows: Vec<Map<String, Json>> = names
            .iter()
            .map(|n| serde_json::json!({"name": n}).as_object().unwrap().clone())
            .collect();
        let text = write(&["name".to_string()], &rows).unwrap();
        for line in text.lines().skip(1) {
            let cell = line.trim_matches('"');
            assert!(!cell.starts_with(FORMULA_TRIGGERS), "{line:?} would run as a formula");
        }
        let mut back = Vec::new();
        for_each_order(text.as_bytes(), &mut |_, r| {
            back.push(r["name"].as_str().unwrap().to_string());
            Ok(())
        })
        .unwrap();
        assert_eq!(back, names);
    }

    #[test]
    fn files_beyond_the_column_or_cell_limit_are_refused() {
        let header: Vec<String> = (0..200_000).map(|i| format!("c{i}")).collect();
        let file = format!("name,{}\n", header.join(","));
        let r = for_each_order(file.as_bytes(), &mut |_, _| Ok(()));
        assert!(
            matches!(r, Err(CoreError::Validation(ref f)) if f.to_json().to_string().contains("at most 1000")),
            "{r:?}"
        );
        let huge = format!("name\n{}\n", "x".repeat(MAX_FIELD_BYTES + 1));
        let r = for_each_order(huge.as_bytes(), &mut |_, _| Ok(()));
        assert!(
            matches!(r, Err(CoreError::Validation(ref f)) if f.to_json().to_string().contains("larger than")),
            "{r:?}"
        );
    }

    #[test]
    fn unknown_columns_are_warned_about_by_name() {
        let file = "name,quantity,colour,property:color,productPath,unitOfMeasureName,id,version,Name\nA,1,,red,FG/W,Each,,,\n";
        let warnings = for_each_order(file.as_bytes(), &mut |_, _| Ok(())).unwrap();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("unknown column 'colour'"), "{warnings:?}");
        assert!(warnings[1].starts_with("unknown column 'Name'"), "{warnings:?}");
        assert!(for_each_order("name,notes\nA,x\n".as_bytes(), &mut |_, _| Ok(()))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn malformed_files_are_refused() {
        for bad in ["", "name,name\nA,B\n", "name,quantity\nA,1,extra\n", "quantity\n1\n", ",\n"] {
            let r = for_each_order(bad.as_bytes(), &mut |_, _| Ok(()));
            assert!(matches!(r, Err(CoreError::Validation(ref f)) if f.has("data")), "{bad:?}: {r:?}");
        }
    }
}
