//! `shopfloor export` and `shopfloor import` on a database: export, re-import (all unchanged),
//! import renamed copies (created), dry run (nothing written), bad files refused; the file is
//! streamed in every format, and a file that fails half-way (malformed, not UTF-8) writes
//! nothing.

use serde_json::Value;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_shopfloor");

fn shopfloor(db: &Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .arg("--database")
        .arg(db)
        .args(args)
        .output()
        .expect("shopfloor runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn export_json(db: &Path) -> Vec<Value> {
    let (ok, out, err) = shopfloor(db, &["export", "--format", "json"]);
    assert!(ok, "{err}");
    serde_json::from_str::<Value>(&out).expect("JSON").as_array().cloned().unwrap()
}

#[test]
fn export_and_import_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shopfloor.db");
    let (ok, _, err) = shopfloor(&db, &["demo"]);
    assert!(ok, "{err}");
    let orders = export_json(&db);
    assert!(!orders.is_empty());
    let file = dir.path().join("orders.json");
    let (ok, _, err) = shopfloor(&db, &["export", "--format", "json", "-o", file.to_str().unwrap()]);
    assert!(ok, "{err}");

    let (ok, out, err) = shopfloor(&db, &["import", file.to_str().unwrap()]);
    assert!(ok, "{err}");
    let n = orders.len();
    assert!(
        out.contains(&format!("{n} rows: 0 created, 0 updated, {n} unchanged, 0 errors")),
        "{out}{err}"
    );
    // Standard error is not a terminal here: plain progress lines, no bar repainted with \r.
    assert!(err.contains(&format!("import: {n}/{n} rows applied (100%)")), "progress: {err}");
    assert!(!err.contains('\r'), "{err}");

    let copies: Vec<Value> = orders
        .iter()
        .map(|o| {
            let mut o = o.clone();
            o["name"] = Value::String(format!("{}-copy", o["name"].as_str().unwrap()));
            o
        })
        .collect();
    let copies_file = dir.path().join("copies.json");
    std::fs::write(&copies_file, Value::Array(copies).to_string()).unwrap();
    let (ok, out, err) = shopfloor(&db, &["import", "--dry-run", copies_file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("dry run") && out.contains(&format!("{n} created")), "{out}{err}");
    assert_eq!(export_json(&db).len(), n, "a dry run writes nothing");
    let (ok, out, err) = shopfloor(&db, &["import", copies_file.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("{n} created")), "{out}{err}");
    assert_eq!(export_json(&db).len(), 2 * n);

    // CSV and B2MML exports read back as unchanged.
    for (format, ext) in [("csv", "csv"), ("b2mml", "xml")] {
        let path = dir.path().join(format!("orders.{ext}"));
        let (ok, _, err) = shopfloor(&db, &["export", "--format", format, "-o", path.to_str().unwrap()]);
        assert!(ok, "{err}");
        let (ok, out, err) = shopfloor(&db, &["import", "--dry-run", path.to_str().unwrap()]);
        assert!(ok, "{format}: {err}");
        assert!(out.contains(" 0 created") && out.contains(" 0 errors"), "{format}: {out}{err}");
    }

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "[{\"name\": \"X\"},").unwrap();
    let (ok, _, err) = shopfloor(&db, &["import", broken.to_str().unwrap()]);
    assert!(!ok && err.contains("malformed JSON"), "{err}");
    let binary = dir.path().join("binary.csv");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let (ok, _, err) = shopfloor(&db, &["import", binary.to_str().unwrap()]);
    assert!(!ok && err.contains("not UTF-8"), "{err}");
    assert_eq!(export_json(&db).len(), 2 * n, "refused files write nothing");
}

/// `shopfloor export | head`: a reader that goes away early is not an error.
#[test]
fn export_to_a_reader_that_closes_early_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let (db, ..) = demo(dir.path());
    let mut child = Command::new(BIN)
        .arg("--database")
        .arg(&db)
        .args(["export", "--format", "json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("shopfloor runs");
    // Close the reading end before the export has written anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("shopfloor ends");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.is_empty(), "nothing on stderr: {err}");
}

/// A demo database and natural keys in it: (product path and unit name of an order, the path
/// of a raw material).
fn demo(dir: &Path) -> (std::path::PathBuf, String, String, String) {
    let db = dir.join("shopfloor.db");
    let (ok, _, err) = shopfloor(&db, &["demo"]);
    assert!(ok, "{err}");
    let orders = export_json(&db);
    let key = |v: &Value| v.as_str().unwrap().to_string();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let material: String = conn
        .query_row(
            "SELECT path FROM materials WHERE path LIKE 'RAW/%' ORDER BY path LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (db, key(&orders[0]["productPath"]), key(&orders[0]["unitOfMeasureName"]), material)
}

/// The names of the orders in the database that start with `prefix`.
fn names_with(db: &Path, prefix: &str) -> Vec<String> {
    export_json(db)
        .iter()
        .filter_map(|o| o["name"].as_str().filter(|n| n.starts_with(prefix)).map(str::to_string))
        .collect()
}

/// How many import jobs and queued rows the database holds.
fn queue_rows(db: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let jobs = conn.query_row("SELECT COUNT(*) FROM import_jobs", [], |r| r.get(0)).unwrap();
    let rows = conn.query_row("SELECT COUNT(*) FROM import_job_rows", [], |r| r.get(0)).unwrap();
    (jobs, rows)
}

fn b2mml(requests: &[(String, &str, &str)]) -> String {
    let body: String = requests
        .iter()
        .map(|(name, product, unit)| {
            format!(
                "<ProductionRequest><ID>{name}</ID><SegmentRequirement><MaterialRequirement><MaterialDefinitionID>{product}</MaterialDefinitionID>\
                 <MaterialUse>Produced</MaterialUse><Quantity><QuantityString>5</QuantityString><UnitOfMeasure>{unit}</UnitOfMeasure></Quantity>\
                 </MaterialRequirement></SegmentRequirement></ProductionRequest>\n"
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?>\n<SyncProductionSchedule xmlns=\"http://www.mesa.org/xml/B2MML\"><DataArea><ProductionSchedule>\n{body}</ProductionSchedule></DataArea></SyncProductionSchedule>\n")
}

#[test]
fn every_format_imports_from_a_streamed_file() {
    let dir = tempfile::tempdir().unwrap();
    let (db, product, unit, material) = demo(dir.path());
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };

    let rows: Vec<Value> = (1..=300)
        .map(|i| serde_json::json!({"name": format!("S-J{i:03}"), "productPath": product, "unitOfMeasureName": unit, "quantity": i}))
        .collect();
    let json = file("s.json", &Value::Array(rows).to_string());
    let (ok, out, err) = shopfloor(&db, &["import", &json]);
    assert!(ok, "{err}");
    assert!(
        out.contains("300 rows: 300 created, 0 updated, 0 unchanged, 0 errors"),
        "{out}{err}"
    );
    assert_eq!(names_with(&db, "S-J").len(), 300);

    // CSV with a byte-order mark, as ERP systems write one.
    let csv = file(
        "s.csv",
        &format!("\u{feff}name,productPath,unitOfMeasureName,quantity\nS-C1,{product},{unit},4\n\"S-C2, rush\",{product},{unit},5\n"),
    );
    let (ok, out, err) = shopfloor(&db, &["import", &csv]);
    assert!(ok && out.contains("2 rows: 2 created"), "{out}{err}");
    let bom = file(
        "bom.csv",
        &format!("productionOrderName,materialPath,quantityPerProducedUnit\nS-C1,{material},2\n\"S-C2, rush\",{material},1\n"),
    );
    let (ok, out, err) = shopfloor(&db, &["import", "--format", "csv-bom", &bom]);
    assert!(ok && out.contains("2 rows: 0 created, 2 updated"), "{out}{err}");
    let exported = export_json(&db);
    let c1 = exported.iter().find(|o| o["name"] == "S-C1").unwrap();
    assert_eq!(c1["billOfMaterials"][0]["materialPath"].as_str(), Some(material.as_str()), "{c1}");

    let xml = file(
        "s.xml",
        &b2mml(&[
            ("S-X1".into(), product.as_str(), unit.as_str()),
            ("S-X2".into(), product.as_str(), unit.as_str()),
        ]),
    );
    let (ok, out, err) = shopfloor(&db, &["import", "--dry-run", &xml]);
    assert!(ok && out.contains("dry run") && out.contains("2 created"), "{out}{err}");
    assert!(names_with(&db, "S-X").is_empty(), "a dry run writes nothing");
    let (ok, out, err) = shopfloor(&db, &["import", &xml]);
    assert!(ok && out.contains("2 rows: 2 created"), "{out}{err}");
    assert_eq!(names_with(&db, "S-X"), ["S-X1", "S-X2"]);

    // Rows that fail are listed on standard error (read back a page at a time).
    let bad: Vec<Value> = (1..=3)
        .map(|i| serde_json::json!({"name": format!("S-B{i}"), "productPath": if i == 2 { "NO/SUCH" } else { product.as_str() }, "unitOfMeasureName": unit}))
        .collect();
    let bad = file("bad-row.json", &Value::Array(bad).to_string());
    let (ok, out, err) = shopfloor(&db, &["import", &bad]);
    assert!(
        ok && out.contains("3 rows: 2 created, 0 updated, 0 unchanged, 1 errors"),
        "{out}{err}"
    );
    assert!(
        err.contains("row 2 (S-B2): {") && err.contains("no material with path 'NO/SUCH'"),
        "{err}"
    );
}

#[test]
fn a_file_that_fails_half_way_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (db, product, unit, _) = demo(dir.path());
    let before = (export_json(&db).len(), queue_rows(&db));
    // 1000 good rows (past the reader's first 64 KiB), then the fault, then more good rows.
    let good = |prefix: &str, i: usize| -> Value {
        serde_json::json!({"name": format!("{prefix}{i:04}"), "productPath": product, "unitOfMeasureName": unit, "notes": "x".repeat(40)})
    };
    let json_rows = |prefix: &str| -> Vec<String> { (0..1000).map(|i| good(prefix, i).to_string()).collect() };
    let csv_rows = |prefix: &str| -> Vec<String> {
        (0..1000)
            .map(|i| format!("{prefix}{i:04},{product},{unit},{}", "x".repeat(40)))
            .collect()
    };
    let xml_rows = |prefix: &str| -> Vec<(String, &str, &str)> {
        (0..1000)
            .map(|i| (format!("{prefix}{i:04}"), product.as_str(), unit.as_str()))
            .collect()
    };
    let csv_header = "name,productPath,unitOfMeasureName,notes\n";
    let mut cases: Vec<(&str, Vec<u8>, &str)> = Vec::new();
    // Malformed half-way.
    cases.push((
        "json",
        format!(
            "[{},\n{{\"name\": \"H-J-broken\" \"quantity\": 1}},\n{}]",
            json_rows("H-J").join(",\n"),
            good("H-J-after", 1)
        )
        .into_bytes(),
        "malformed JSON import file: expected `,` or `}` at line 1001",
    ));
    cases.push((
        "csv",
        format!(
            "{csv_header}{}\nH-C-broken,{product},{unit},a,b\nH-C-after,{product},{unit},\n",
            csv_rows("H-C").join("\n")
        )
        .into_bytes(),
        "malformed CSV import file (line 1002): a record has 5 fields where the header has 4",
    ));
    let xml = b2mml(&xml_rows("H-X"));
    let cut = xml.rfind("</ProductionSchedule>").unwrap();
    cases.push((
        "xml",
        format!(
            "{}<ProductionRequest><ID>H-X-broken</Oops></ProductionRequest>{}",
            &xml[..cut],
            &xml[cut..]
        )
        .into_bytes(),
        "malformed B2MML import file",
    ));
    // Not UTF-8 half-way: a Latin-1 'é' (0xE9) in a name after 1000 good rows.
    let latin1 = |text: String| -> Vec<u8> {
        let at = text.find("H-BAD").expect("the placeholder");
        [&text.as_bytes()[..at], b"H-\xe9", &text.as_bytes()[at + "H-BAD".len()..]].concat()
    };
    cases.push((
        "json",
        latin1(format!("[{},\n{}]", json_rows("H-U").join(",\n"), good("H-BAD", 1))),
        "not UTF-8 text: a byte that is not part of a UTF-8 character at byte",
    ));
    cases.push((
        "csv",
        latin1(format!("{csv_header}{}\nH-BAD,{product},{unit},\n", csv_rows("H-V").join("\n"))),
        "(line 1002)",
    ));
    let mut requests = xml_rows("H-W");
    requests.push(("H-BAD".into(), product.as_str(), unit.as_str()));
    cases.push(("xml", latin1(b2mml(&requests)), "not UTF-8 text"));
    for (i, (ext, bytes, message)) in cases.into_iter().enumerate() {
        let path = dir.path().join(format!("broken{i}.{ext}"));
        std::fs::write(&path, &bytes).unwrap();
        assert!(bytes.len() > 64 * 1024, "the fault is past the first read");
        for dry_run in [false, true] {
            let mut args = vec!["import"];
            if dry_run {
                args.push("--dry-run");
            }
            args.push(path.to_str().unwrap());
            let (ok, out, err) = shopfloor(&db, &args);
            assert!(!ok, "{ext} #{i} is refused: {out}{err}");
            assert!(err.contains(message), "{ext} #{i}: {err}");
            assert!(!err.contains("panicked"), "{err}");
        }
        assert_eq!(
            (export_json(&db).len(), queue_rows(&db)),
            before,
            "{ext} #{i}: nothing written, nothing queued"
        );
    }
}

#[test]
fn a_file_over_the_size_limit_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shopfloor.db");
    let (ok, _, err) = shopfloor(&db, &["migrate"]);
    assert!(ok, "{err}");
    // A sparse file of 2 GiB: nothing to read, only its size.
    let big = dir.path().join("big.json");
    std::fs::File::create(&big).unwrap().set_len(2 << 30).unwrap();
    let started = std::time::Instant::now();
    let (ok, _, err) = shopfloor(&db, &["import", big.to_str().unwrap()]);
    assert!(
        !ok && err.contains("is 2147483648 bytes; the import reads at most 1073741824 bytes"),
        "{err}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "refused without reading it");
    assert_eq!(queue_rows(&db), (0, 0));
}
