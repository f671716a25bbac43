//! The `report` scenario's targets (RUNNING orders made through the API) and the check that
//! every acknowledged report was counted exactly once.

use super::driver::{Client, Context};
use super::load::{Fixture, OrderRow};
use anyhow::Context as _;
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::Value;
use std::sync::atomic::Ordering;

/// The outcome of comparing each order's `quantityProduced` with the acknowledged reports.
#[derive(Debug, Clone)]
pub struct ReportCheck {
    pub exact: bool,
    pub orders: usize,
    pub acknowledged: u64,
    pub counted: u64,
    pub detail: String,
}

/// Creates `n` orders directly in RUNNING (with `quantityProduced` 0) through `saveProductionOrder`.
pub async fn create_running_orders(client: &Client, fixture: &Fixture, n: usize) -> anyhow::Result<Vec<String>> {
    let mut rng = StdRng::seed_from_u64(99);
    let mut names = Vec::with_capacity(n);
    for i in 0..n {
        let mut row = OrderRow::random(&mut rng, &fixture.master, format!("REPORT-{}-{i:04}", fixture.tag), fixture.now_ms);
        row.status = "RUNNING";
        let data = row.to_json();
        client
            .call_ok("productionOrder", "saveProductionOrder", &data)
            .await
            .with_context(|| format!("creating RUNNING order {}", row.name))?;
        names.push(row.name);
    }
    Ok(names)
}

/// Reads every report order back and compares `quantityProduced` with the acknowledged units.
pub async fn check_totals(client: &Client, ctx: &Context) -> anyhow::Result<ReportCheck> {
    let mut wrong = Vec::new();
    let (mut acknowledged, mut counted) = (0u64, 0u64);
    for (i, name) in ctx.report_orders.iter().enumerate() {
        let order = client
            .call_ok(
                "productionOrder",
                "getProductionOrder",
                &Value::Array(vec![Value::String(name.clone())]),
            )
            .await?;
        let produced = order.get("quantityProduced").and_then(Value::as_f64).unwrap_or(-1.0);
        let acked = ctx.acknowledged[i].load(Ordering::Relaxed);
        let unknown = ctx.unknown[i].load(Ordering::Relaxed);
        acknowledged += acked;
        counted += produced.max(0.0) as u64;
        // A report with no answer may or may not have been applied; anything else must match exactly.
        let ok = produced >= acked as f64 && produced <= (acked + unknown) as f64 && produced.fract() == 0.0;
        if !ok {
            wrong.push(format!(
                "{name}: quantityProduced {produced}, acknowledged {acked} (+{unknown} unanswered)"
            ));
        }
    }
    let exact = wrong.is_empty();
    Ok(ReportCheck {
        exact,
        orders: ctx.report_orders.len(),
        acknowledged,
        counted,
        detail: if exact {
            format!("all {} orders: quantityProduced = acknowledged reports", ctx.report_orders.len())
        } else {
            wrong.into_iter().take(5).collect::<Vec<_>>().join("; ")
        },
    })
}
