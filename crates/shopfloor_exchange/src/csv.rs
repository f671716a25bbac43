//! CSV import files, read record by record from a reader. Two kinds:
//! - orders (`csv`): one row per order; the header names the fields of `saveProductionOrder`
//!   (natural keys such as `productPath` included) and `property:<name>` columns set values;
//! - bill-of-materials lines (`csv-bom`): one row per item, keyed by `productionOrderName`;
//!   the lines of one order (in file order) become its whole bill of materials.
//!
//! Empty cells are "not given" (the stored value is kept).

use serde_json::{Map, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult};
use std::io::BufRead;

pub const PROPERTY_PREFIX: &str = "property:";
pub const ORDER_KEY: &str = "productionOrderName";

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
    let headers: Vec<String> = rdr.headers().map_err(file_error)?.iter().map(|h| h.trim().to_string()).collect();
    if headers.iter().all(String::is_empty) {
        return Err(CoreError::field("data", "the CSV import file has no header line"));
    }
    for (i, h) in headers.iter().enumerate() {
        if h.is_empty() {
            return Err(CoreError::field("data", format!("CSV header column {} has no name", i + 1)));
        }
        if headers[..i].contains(h) {
            return Err(CoreError::field("data", format!("CSV header names '{h}' twice")));
        }
    }
    Ok((rdr, headers))
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

/// Orders: `each(rowNumber, order)` per record, as it is read.
pub fn for_each_order(input: impl BufRead, each: &mut dyn FnMut(u64, Json) -> CoreResult<()>) -> CoreResult<()> {
    let (mut rdr, headers) = reader(input)?;
    if !headers.iter().any(|h| h == "name") {
        return Err(CoreError::field(
            "data",
            "the CSV header needs a 'name' column (orders are matched by name)",
        ));
    }
    let mut record = csv::StringRecord::new();
    let mut n = 0;
    while rdr.read_record(&mut record).map_err(file_error)? {
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
    while rdr.read_record(&mut record).map_err(file_error)? {
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
        Json::String(s) => s.clone(),
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
    fn malformed_files_are_refused() {
        for bad in ["", "name,name\nA,B\n", "name,quantity\nA,1,extra\n", "quantity\n1\n", ",\n"] {
            let r = for_each_order(bad.as_bytes(), &mut |_, _| Ok(()));
            assert!(matches!(r, Err(CoreError::Validation(ref f)) if f.has("data")), "{bad:?}: {r:?}");
        }
    }
}
