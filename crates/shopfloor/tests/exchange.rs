//! `shopfloor export` and `shopfloor import` on a database: export, re-import (all unchanged),
//! import renamed copies (created), dry run (nothing written), bad files refused.

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
    assert!(err.contains(&format!("] {n}/{n}")), "a progress bar: {err}");

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
