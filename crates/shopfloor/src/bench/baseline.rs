//! The two baselines, measured in the same run on the same disk as the server's database: raw
//! SQLite (rusqlite, the bundled SQLite the server uses) inserting the production-order row shape
//! into a fresh database of the real schema, with the server writer's settings (WAL,
//! `synchronous=FULL`, foreign keys on).

use super::load::{self, Master, OrderRow};
use super::stats::Measured;
use super::Limit;
use rand::rngs::StdRng;
use rand::SeedableRng;
use shopfloor_core::time::Timestamp;
use std::path::Path;
use std::time::Instant;

/// Creates the baseline database: the real migrations and master data made by the services.
pub async fn prepare(path: &Path) -> anyhow::Result<Master> {
    let url = path.to_str().ok_or_else(|| anyhow::anyhow!("temporary path is not UTF-8"))?;
    load::master_data(url).await
}

/// The naive limit: one row per durable commit, one thread, for the scenario's duration or op count.
pub fn naive(path: &Path, master: &Master, limit: Limit) -> anyhow::Result<Measured> {
    let conn = load::open_raw(path)?;
    let mut stmt = conn.prepare_cached(load::INSERT_ORDER)?;
    let mut rng = StdRng::seed_from_u64(1);
    let now = Timestamp::now().millis();
    let mut latencies = Vec::new();
    let started = Instant::now();
    let mut n = 0u64;
    loop {
        match limit {
            Limit::Ops(ops) if n >= ops => break,
            Limit::Time(d) if started.elapsed() >= d => break,
            _ => {}
        }
        let row = OrderRow::random(&mut rng, master, format!("NAIVE-{n:08}"), now);
        let t = Instant::now();
        load::insert_order(&mut stmt, &row)?; // autocommit: its own durable transaction
        latencies.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
        n += 1;
    }
    Ok(Measured::from_latencies(latencies, started.elapsed()))
}

/// The physical ceiling: the same rows in transactions of 10,000, one thread, indexes in place.
/// Only throughput is reported: a row is acknowledged when its whole batch commits.
pub fn ceiling(path: &Path, master: &Master, rows: u64) -> anyhow::Result<Measured> {
    let mut conn = load::open_raw(path)?;
    let mut rng = StdRng::seed_from_u64(2);
    let now = Timestamp::now().millis();
    let started = Instant::now();
    let mut n = 0u64;
    while n < rows {
        let tx = conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(load::INSERT_ORDER)?;
            let end = (n + 10_000).min(rows);
            while n < end {
                let row = OrderRow::random(&mut rng, master, format!("CEIL-{n:08}"), now);
                load::insert_order(&mut stmt, &row)?;
                n += 1;
            }
        }
        tx.commit()?;
    }
    Ok(Measured::rows(rows, started.elapsed()))
}
