//! Test data: master data through the services (or the API), and production orders through the
//! bulk loader (rows written straight into the database file before the server starts) or the
//! API (`--url`).
//!
//! Bulk-loaded orders are valid rows of the real schema (dashed ULIDs, `name_key`, audit
//! columns, version 1, enums, references to existing master data) but have no history `CREATE`
//! events: nothing the benchmark measures reads them, and writing 1,000,000 of them would
//! measure the loader, not the server.

use super::driver::Client;
use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::{params, Connection};
use serde_json::{json, Map, Value};
use shopfloor_core::id::Id;
use shopfloor_core::name_key::name_key;
use shopfloor_core::record::Record;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::entity;
use shopfloor_core::time::Timestamp;
use shopfloor_core::tx::{Caller, Tx};
use shopfloor_store::search::priority_rank;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub const DAY_MS: i64 = 86_400_000;
/// Due dates spread over this many days either side of now.
pub const DUE_SPREAD_DAYS: i64 = 180;
const STATUSES: &[(&str, u32)] = &[
    ("IDLE", 20),
    ("SCHEDULED", 20),
    ("RUNNING", 15),
    ("PAUSED", 5),
    ("STOPPED", 10),
    ("CLOSED", 25),
    ("CANCELLED", 5),
];
const PRIORITIES: &[&str] = &["LOW", "NORMAL", "NORMAL", "NORMAL", "HIGH", "URGENT"];
/// Most order ids kept in memory for `update`.
const SAMPLE_IDS: u64 = 100_000;

/// Ids of the master data orders refer to.
#[derive(Debug, Clone)]
pub struct Master {
    pub unit: String,
    pub products: Vec<String>,
    pub lines: Vec<String>,
    pub customers: Vec<String>,
}

/// What the scenarios need to know about the loaded data.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub master: Master,
    /// Loaded orders are named `{prefix}{n:07}` for n in 0..orders.
    pub prefix: String,
    pub orders: u64,
    /// Ids of (a sample of) the loaded orders.
    pub sample_ids: Vec<String>,
    /// Now, when the data was made (due dates lie within ±DUE_SPREAD_DAYS of it).
    pub now_ms: i64,
    /// Distinguishes the names this run creates.
    pub tag: String,
}

impl Fixture {
    pub fn order_name(&self, n: u64) -> String {
        format!("{}{:07}", self.prefix, n)
    }
}

/// A short tag unique to this run (for names on a shared server).
pub fn run_tag() -> String {
    let id = Id::generate().to_string();
    id[id.len() - 6..].to_string()
}

/// One production-order row, as the bulk loader and the baselines write it.
pub struct OrderRow {
    pub id: String,
    pub name: String,
    pub product_id: String,
    pub customer_id: Option<String>,
    pub location_id: String,
    pub status: &'static str,
    pub priority: &'static str,
    pub quantity: f64,
    pub produced: f64,
    pub scheduled: f64,
    pub start_date: Option<i64>,
    pub end_date: Option<i64>,
    pub due_date: i64,
    pub unit_id: String,
    pub created_date: i64,
}

impl OrderRow {
    pub fn random(rng: &mut StdRng, master: &Master, name: String, now: i64) -> OrderRow {
        let mut pick = rng.gen_range(0..100u32);
        let mut status = "IDLE";
        for (s, weight) in STATUSES {
            if pick < *weight {
                status = s;
                break;
            }
            pick -= weight;
        }
        let quantity = (rng.gen_range(10..200) * 10) as f64;
        let started = matches!(status, "RUNNING" | "PAUSED" | "STOPPED" | "CLOSED");
        let ended = matches!(status, "STOPPED" | "CLOSED" | "CANCELLED");
        let created = now - rng.gen_range(0..30 * DAY_MS);
        OrderRow {
            id: Id::generate().to_string(),
            name,
            product_id: master.products[rng.gen_range(0..master.products.len())].clone(),
            customer_id: rng
                .gen_bool(0.7)
                .then(|| master.customers[rng.gen_range(0..master.customers.len())].clone()),
            location_id: master.lines[rng.gen_range(0..master.lines.len())].clone(),
            status,
            priority: PRIORITIES[rng.gen_range(0..PRIORITIES.len())],
            quantity,
            produced: if started {
                (quantity * rng.gen_range(0.0..1.0)).round()
            } else {
                0.0
            },
            scheduled: if status == "IDLE" { 0.0 } else { quantity },
            start_date: started.then_some(created + DAY_MS),
            end_date: ended.then_some(created + 2 * DAY_MS),
            due_date: now + rng.gen_range(-DUE_SPREAD_DAYS * DAY_MS..DUE_SPREAD_DAYS * DAY_MS),
            unit_id: master.unit.clone(),
            created_date: created,
        }
    }

    /// The same order as `saveProductionOrder` data.
    pub fn to_json(&self) -> Value {
        let mut data = json!({
            "name": self.name,
            "productId": self.product_id,
            "locationId": self.location_id,
            "unitOfMeasureId": self.unit_id,
            "status": self.status,
            "schedulePriority": self.priority,
            "quantity": self.quantity,
            "quantityScheduled": self.scheduled,
            "dueDate": self.due_date,
        });
        if let Some(c) = &self.customer_id {
            data["customerId"] = json!(c);
        }
        data
    }
}

/// Whether order `n` belongs to the sample of ids kept for `update` (every `every`-th order).
fn sampled(n: u64, every: u64) -> bool {
    n.checked_rem(every) == Some(0)
}

pub const INSERT_ORDER: &str = "INSERT INTO production_orders (id, name, name_key, product_id, customer_id, location_id, status, \
     schedule_priority, quantity, quantity_produced, quantity_scheduled, start_date, end_date, due_date, unit_of_measure_id, \
     enabled, created_date, created_by, version, schedule_priority_rank) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 1, ?16, 'bench', 1, ?17)";

pub fn insert_order(stmt: &mut rusqlite::CachedStatement<'_>, r: &OrderRow) -> rusqlite::Result<usize> {
    stmt.execute(params![
        r.id,
        r.name,
        name_key(&r.name),
        r.product_id,
        r.customer_id,
        r.location_id,
        r.status,
        r.priority,
        r.quantity,
        r.produced,
        r.scheduled,
        r.start_date,
        r.end_date,
        r.due_date,
        r.unit_id,
        r.created_date,
        priority_rank(r.priority),
    ])
}

fn save(tx: &mut dyn Tx, caller: &Caller, e: Entity, data: Value) -> shopfloor_core::errors::CoreResult<String> {
    let map: Map<String, Value> = data.as_object().cloned().unwrap_or_default();
    let record: Record = entity::save(tx, caller, e, &map)?;
    Ok(record.id().map(|i| i.to_string()).unwrap_or_default())
}

/// The master-data calls, in order, as (entity, data); `$n` in a value refers to the id made by call n.
fn master_plan(tag: &str) -> Vec<(Entity, Value)> {
    vec![
        (Entity::UnitOfMeasure, json!({"name": format!("Bench Case {tag}"), "symbol": "cs"})),
        (Entity::MaterialClass, json!({"name": format!("BENCH-FG-{tag}")})),
        (
            Entity::Material,
            json!({"name": "Bench Product A", "materialClassId": "$1", "unitOfMeasureId": "$0"}),
        ),
        (
            Entity::Material,
            json!({"name": "Bench Product B", "materialClassId": "$1", "unitOfMeasureId": "$0"}),
        ),
        (
            Entity::Material,
            json!({"name": "Bench Product C", "materialClassId": "$1", "unitOfMeasureId": "$0"}),
        ),
        (
            Entity::Material,
            json!({"name": "Bench Product D", "materialClassId": "$1", "unitOfMeasureId": "$0"}),
        ),
        (Entity::Location, json!({"name": format!("BenchCo-{tag}"), "type": "ENTERPRISE"})),
        (Entity::Location, json!({"name": "Site", "type": "SITE", "parentId": "$6"})),
        (Entity::Location, json!({"name": "Area", "type": "AREA", "parentId": "$7"})),
        (Entity::Location, json!({"name": "Line1", "type": "LINE", "parentId": "$8"})),
        (Entity::Location, json!({"name": "Line2", "type": "LINE", "parentId": "$8"})),
        (Entity::Location, json!({"name": "Line3", "type": "LINE", "parentId": "$8"})),
        (Entity::Customer, json!({"name": format!("Bench Customer 1 {tag}")})),
        (Entity::Customer, json!({"name": format!("Bench Customer 2 {tag}")})),
        (Entity::Customer, json!({"name": format!("Bench Customer 3 {tag}")})),
    ]
}

fn resolve(data: &Value, ids: &[String]) -> Value {
    let mut out = data.clone();
    if let Some(map) = out.as_object_mut() {
        for v in map.values_mut() {
            if let Some(n) = v.as_str().and_then(|s| s.strip_prefix('$')).and_then(|n| n.parse::<usize>().ok()) {
                *v = json!(ids[n]);
            }
        }
    }
    out
}

fn master_from_ids(ids: &[String]) -> Master {
    Master {
        unit: ids[0].clone(),
        products: ids[2..6].to_vec(),
        lines: ids[9..12].to_vec(),
        customers: ids[12..15].to_vec(),
    }
}

/// Creates (migrating first) the database at `url` with master data made by the real services.
pub async fn master_data(url: &str) -> anyhow::Result<Master> {
    let store = shopfloor_store::Store::open(&shopfloor_store::StoreConfig::new(url.to_string())).context("opening the bench database")?;
    let outcome = store
        .write(|tx| {
            let caller = Caller {
                user: "bench".into(),
                ..Caller::system()
            };
            let mut ids = Vec::new();
            for (e, data) in master_plan("") {
                let data = resolve(&data, &ids);
                ids.push(save(tx, &caller, e, data)?);
            }
            Ok(ids)
        })
        .await;
    store.close();
    let ids = outcome.map_err(|e| anyhow::anyhow!("creating master data: {e}"))?;
    Ok(master_from_ids(&ids))
}

/// Master data through the script API of a running server.
async fn master_data_api(client: &Client, tag: &str) -> anyhow::Result<Master> {
    let mut ids: Vec<String> = Vec::new();
    for (e, data) in master_plan(tag) {
        let data = resolve(&data, &ids);
        let def = e.def();
        let answer = client
            .call_ok(def.module, &format!("save{}", def.noun), &data)
            .await
            .with_context(|| format!("creating {} {}", def.label, data))?;
        let id = answer.get("id").and_then(Value::as_str).context("the saved record has no id")?;
        ids.push(id.to_string());
    }
    Ok(master_from_ids(&ids))
}

/// Opens the database for the loader and the baselines with the server writer's settings.
pub fn open_raw(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open(path).with_context(|| format!("opening {}", path.display()))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Writes `orders` rows straight into the (closed) database: secondary indexes of
/// `production_orders` are dropped, rows inserted in transactions of 50,000, and the indexes
/// recreated from their own definitions (a sorted build is much faster than random inserts).
pub fn bulk(path: &Path, master: &Master, orders: u64) -> anyhow::Result<Fixture> {
    let mut conn = open_raw(path)?;
    conn.pragma_update(None, "cache_size", -262_144)?; // 256 MiB
    let indexes: Vec<(String, String)> = {
        let mut stmt = conn
            .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'production_orders' AND sql IS NOT NULL")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<Result<_, _>>()?
    };
    for (name, _) in &indexes {
        conn.execute_batch(&format!("DROP INDEX \"{name}\""))?;
    }
    let now = Timestamp::now().millis();
    let mut rng = StdRng::seed_from_u64(7);
    let prefix = "BENCH-".to_string();
    let every = orders.div_ceil(SAMPLE_IDS).max(1);
    let mut sample_ids = Vec::with_capacity(orders.min(SAMPLE_IDS) as usize);
    let mut n = 0u64;
    while n < orders {
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(INSERT_ORDER)?;
            let end = (n + 50_000).min(orders);
            while n < end {
                let row = OrderRow::random(&mut rng, master, format!("{prefix}{n:07}"), now);
                insert_order(&mut stmt, &row).with_context(|| format!("inserting order {n}"))?;
                if sampled(n, every) {
                    sample_ids.push(row.id);
                }
                n += 1;
            }
        }
        tx.commit()?;
    }
    for (name, sql) in &indexes {
        conn.execute_batch(sql).with_context(|| format!("recreating index {name}"))?;
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
    Ok(Fixture {
        master: master.clone(),
        prefix,
        orders,
        sample_ids,
        now_ms: now,
        tag: run_tag(),
    })
}

/// Loads orders through `saveProductionOrder` of a running server (`--url`), concurrently.
pub async fn through_api(client: &Client, orders: u64, clients: usize) -> anyhow::Result<Fixture> {
    let tag = run_tag();
    let master = master_data_api(client, &tag).await?;
    let prefix = format!("BENCH-{tag}-");
    let now = Timestamp::now().millis();
    let next = Arc::new(AtomicU64::new(0));
    let every = orders.div_ceil(SAMPLE_IDS).max(1);
    let mut tasks = Vec::new();
    for worker in 0..clients {
        let (client, next, master, prefix) = (client.clone(), next.clone(), master.clone(), prefix.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(worker as u64);
            let mut ids = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= orders {
                    return Ok::<_, anyhow::Error>(ids);
                }
                let row = OrderRow::random(&mut rng, &master, format!("{prefix}{n:07}"), now);
                let saved = client.call_ok("productionOrder", "saveProductionOrder", &row.to_json()).await?;
                if sampled(n, every) {
                    ids.push(saved.get("id").and_then(Value::as_str).unwrap_or_default().to_string());
                }
            }
        }));
    }
    let mut sample_ids = Vec::new();
    for t in tasks {
        sample_ids.extend(t.await??);
    }
    Ok(Fixture {
        master,
        prefix,
        orders,
        sample_ids,
        now_ms: now,
        tag,
    })
}
