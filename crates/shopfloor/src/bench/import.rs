//! `shopfloor bench import` (issue 9): one JSON file of N orders with 5 BOM items and 3
//! property values each, imported the way `shopfloor import` does it (queued, then applied in
//! batches through the services, one savepoint per row), next to a raw-SQLite batch baseline
//! writing the same rows (orders, items, values; no history) in transactions of 10,000 orders,
//! both in this run on the same disk. Peak memory of this process is read from /proc; the file
//! is streamed as `shopfloor import` streams it, so the peak is not the file's size.

use anyhow::Context;
use rusqlite::params;
use serde_json::{json, Map, Value};
use shopfloor_core::id::Id;
use shopfloor_core::name_key::name_key;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::entity;
use shopfloor_core::time::Timestamp;
use shopfloor_core::tx::Caller;
use shopfloor_exchange::Format;
use shopfloor_store::search::priority_rank;
use shopfloor_store::{Store, StoreConfig};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

const ITEMS: usize = 5;
const VALUES: usize = 3;

/// Units, a product, 5 components and 3 properties, through the services; returns the ids
/// (unit, product, components, properties) for the baseline.
async fn master_data(url: &str) -> anyhow::Result<(String, String, Vec<String>, Vec<String>)> {
    let store = Store::open(&StoreConfig::new(url.to_string())).context("opening the bench database")?;
    let outcome = store
        .write(|tx| {
            let caller = Caller {
                user: "bench".into(),
                ..Caller::system()
            };
            let mut save = |e: Entity, data: Value| -> shopfloor_core::errors::CoreResult<String> {
                let map: Map<String, Value> = data.as_object().cloned().unwrap_or_default();
                Ok(entity::save(tx, &caller, e, &map)?.id().map(|i| i.to_string()).unwrap_or_default())
            };
            let unit = save(Entity::UnitOfMeasure, json!({"name": "Each", "symbol": "ea"}))?;
            let class = save(Entity::MaterialClass, json!({"name": "BENCH"}))?;
            let product = save(
                Entity::Material,
                json!({"name": "Product", "materialClassId": class, "unitOfMeasureId": unit}),
            )?;
            let mut components = Vec::new();
            for i in 0..ITEMS {
                components.push(save(
                    Entity::Material,
                    json!({"name": format!("Component{i}"), "materialClassId": class, "unitOfMeasureId": unit}),
                )?);
            }
            let mut properties = Vec::new();
            for (name, t) in [("batch", "INTEGER"), ("color", "STRING"), ("weight", "FLOAT")] {
                properties.push(save(Entity::ProductionOrderProperty, json!({"name": name, "dataType": t}))?);
            }
            Ok((unit, product, components, properties))
        })
        .await;
    store.close();
    Ok(outcome?)
}

/// Whether order `i` is an error row (`bad_every`: every Nth order's `batch` is not a whole
/// number, which the import finds after writing the order and its items).
fn is_bad(i: u64, bad_every: Option<u64>) -> bool {
    bad_every.is_some_and(|n| i % n == n - 1)
}

fn order(i: u64, bad: bool) -> Value {
    let items: Vec<Value> = (0..ITEMS)
        .map(|c| json!({"materialPath": format!("BENCH/Component{c}"), "quantityPerProducedUnit": c + 1}))
        .collect();
    let color = ["red", "blue"][(i % 2) as usize];
    json!({
        "name": format!("IMP-{i:07}"), "productPath": "BENCH/Product", "unitOfMeasureName": "Each",
        "quantity": 10 + i % 90, "schedulePriority": "NORMAL", "dueDate": "2026-12-01T00:00:00Z",
        "billOfMaterials": items,
        "propertyValues": {"batch": if bad { json!("many") } else { json!(i) }, "color": color, "weight": (i % 100) as f64 / 4.0}
    })
}

fn write_file(path: &Path, orders: u64, bad_every: Option<u64>) -> anyhow::Result<u64> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    w.write_all(b"[")?;
    for i in 0..orders {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut w, &order(i, is_bad(i, bad_every)))?;
    }
    w.write_all(b"]\n")?;
    w.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The raw-SQLite batch: the same rows with prepared statements, 10,000 orders a transaction.
fn baseline(path: &Path, orders: u64, ids: &(String, String, Vec<String>, Vec<String>)) -> anyhow::Result<f64> {
    let (unit, product, components, properties) = ids;
    let mut conn = super::load::open_raw(path)?;
    let now = Timestamp::now().millis();
    let started = Instant::now();
    let mut n = 0u64;
    while n < orders {
        let tx = conn.transaction()?;
        {
            let mut o = tx.prepare_cached(
                "INSERT INTO production_orders (id, name, name_key, product_id, status, schedule_priority, quantity, quantity_produced, \
                 quantity_scheduled, due_date, unit_of_measure_id, enabled, created_date, created_by, version, schedule_priority_rank) \
                 VALUES (?1, ?2, ?3, ?4, 'IDLE', 'NORMAL', ?5, 0, 0, ?6, ?7, 1, ?8, 'bench', 1, ?9)",
            )?;
            let mut b = tx.prepare_cached(
                "INSERT INTO bill_of_materials_items (id, production_order_id, product_id, material_id, quantity_per_produced_unit, \
                 quantity_order, unit_of_measure_id, position, material_type, enabled, created_date, created_by, version) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'COMPONENT', 1, ?9, 'bench', 1)",
            )?;
            let mut v = tx.prepare_cached(
                "INSERT INTO production_order_property_values (id, production_order_id, property_id, data_type, value, string_value, \
                 enabled, created_date, created_by, version) VALUES (?1, ?2, ?3, 'STRING', ?4, ?4, 1, ?5, 'bench', 1)",
            )?;
            let end = (n + 10_000).min(orders);
            while n < end {
                let id = Id::generate().to_string();
                let name = format!("IMP-{n:07}");
                let quantity = (10 + n % 90) as f64;
                o.execute(params![
                    id,
                    name,
                    name_key(&name),
                    product,
                    quantity,
                    now,
                    unit,
                    now,
                    priority_rank("NORMAL")
                ])?;
                for (c, material) in components.iter().enumerate() {
                    let per = (c + 1) as f64;
                    b.execute(params![
                        Id::generate().to_string(),
                        id,
                        product,
                        material,
                        per,
                        per * quantity,
                        unit,
                        c as i64 + 1,
                        now
                    ])?;
                }
                for p in properties.iter().take(VALUES) {
                    v.execute(params![Id::generate().to_string(), id, p, n.to_string(), now])?;
                }
                n += 1;
            }
        }
        tx.commit()?;
    }
    Ok(started.elapsed().as_secs_f64())
}

pub async fn run(orders: u64, bad_every: Option<u64>, json_output: bool) -> anyhow::Result<()> {
    let dir = tempfile::Builder::new().prefix("shopfloor-bench-import-").tempdir()?;
    let progress = |m: &str| eprintln!("bench import: {m}");
    let file = dir.path().join("orders.json");
    progress(&format!(
        "writing {orders} orders × {ITEMS} BOM items × {VALUES} values to a JSON file"
    ));
    let bytes = write_file(&file, orders, bad_every)?;
    // Orders n-1, 2n-1, … of 0..orders are bad.
    let bad = bad_every.map_or(0, |n| orders / n);
    progress(&format!("  {:.1} MB", bytes as f64 / 1e6));

    progress("baseline: raw SQLite, the same rows in transactions of 10,000 orders");
    let base_db = dir.path().join("baseline.db");
    let base_url = base_db.to_str().context("temporary path is not UTF-8")?.to_string();
    let ids = master_data(&base_url).await?;
    let base_seconds = baseline(&base_db, orders, &ids)?;
    progress(&format!("  {base_seconds:.1} s ({:.0} orders/s)", orders as f64 / base_seconds));

    let db = dir.path().join("import.db");
    let url = db.to_str().context("temporary path is not UTF-8")?.to_string();
    master_data(&url).await?;
    progress("shopfloor import (queue the file, apply through the services)");
    let rss_before = peak_rss_kib();
    let started = Instant::now();
    let store = Store::open(&StoreConfig::new(url.clone()))?;
    let outcome = crate::exchange::run_import(&store, crate::exchange::open_import_file(&file)?, Format::Json, Default::default()).await;
    let seconds = started.elapsed().as_secs_f64();
    let summary = outcome?;
    progress(&format!("  {summary}"));
    let again_started = Instant::now();
    let again = crate::exchange::run_import(&store, crate::exchange::open_import_file(&file)?, Format::Json, Default::default()).await?;
    let again_seconds = again_started.elapsed().as_secs_f64();
    store.close();
    let peak = peak_rss_kib();
    let good = orders - bad;
    let expected = format!("{orders} rows: {good} created, 0 updated, 0 unchanged, {bad} errors");
    if !summary.contains(&expected) {
        anyhow::bail!("the import did not create every order: {summary}");
    }
    if !again.contains(&format!("{good} unchanged")) {
        anyhow::bail!("re-importing the same file changed something: {again}");
    }
    let result = json!({
        "orders": orders, "errorRows": bad, "bomItemsPerOrder": ITEMS, "valuesPerOrder": VALUES, "fileBytes": bytes,
        "importSeconds": seconds, "importOrdersPerSecond": orders as f64 / seconds,
        "reimportUnchangedSeconds": again_seconds,
        "baselineSeconds": base_seconds, "baselineOrdersPerSecond": orders as f64 / base_seconds,
        "ratio": seconds / base_seconds,
        "peakRssKiB": peak, "rssBeforeKiB": rss_before,
    });
    if json_output {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        println!(
            "import benchmark: {orders} orders × {ITEMS} BOM items × {VALUES} property values ({:.1} MB JSON)",
            bytes as f64 / 1e6
        );
        if bad > 0 {
            println!(
                "  of which error rows       {bad:>8} (every {}th has a bad value)",
                bad_every.unwrap_or(0)
            );
        }
        println!(
            "  shopfloor import          {seconds:>8.1} s  {:>8.0} orders/s",
            orders as f64 / seconds
        );
        println!("  re-import (all unchanged) {again_seconds:>8.1} s");
        println!(
            "  raw SQLite batch baseline {base_seconds:>8.1} s  {:>8.0} orders/s",
            orders as f64 / base_seconds
        );
        println!("  ratio import / baseline   {:>8.1}×", seconds / base_seconds);
        if let Some(kib) = peak {
            println!("  peak RSS of this process  {:>8.1} MiB", kib as f64 / 1024.0);
        }
    }
    Ok(())
}
