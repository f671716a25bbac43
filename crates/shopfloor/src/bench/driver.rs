//! The HTTP driver: concurrent clients (tokio tasks sharing one keep-alive connection pool),
//! each sending one request at a time and timing it from send to the end of the body.

use super::load::{Fixture, OrderRow, DAY_MS, DUE_SPREAD_DAYS};
use super::stats::{Measured, ScenarioResult};
use super::{Limit, Scenario};
use anyhow::{bail, Context as _};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A script-API client: base URL, optional bearer token, a shared connection pool.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

/// The store counters of `/metrics`.
pub struct StoreCounters {
    pub commits: u64,
    pub jobs: u64,
}

impl Client {
    pub fn new(base: &str, token: Option<String>, clients: usize) -> anyhow::Result<Client> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(clients.max(1) * 2)
            .tcp_nodelay(true)
            .timeout(Duration::from_secs(120))
            .build()
            .context("building the HTTP client")?;
        Ok(Client {
            http,
            base: base.trim_end_matches('/').to_string(),
            token,
        })
    }

    /// `POST /api/v1/script/<module>/<function>`; answers the status and the JSON body.
    pub async fn call(&self, module: &str, function: &str, body: &Value) -> anyhow::Result<(u16, Value)> {
        let mut request = self
            .http
            .post(format!("{}/api/v1/script/{module}/{function}", self.base))
            .json(body);
        if let Some(t) = &self.token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)?
        };
        Ok((status, value))
    }

    /// Like `call`, failing unless the status is 2xx.
    pub async fn call_ok(&self, module: &str, function: &str, body: &Value) -> anyhow::Result<Value> {
        let (status, value) = self.call(module, function, body).await?;
        if !(200..300).contains(&status) {
            bail!("{module}.{function} answered {status}: {value}");
        }
        Ok(value)
    }

    /// Group commits and write jobs so far, from `/metrics`.
    pub async fn metrics(&self) -> anyhow::Result<StoreCounters> {
        let mut request = self.http.get(format!("{}/metrics", self.base));
        if let Some(t) = &self.token {
            request = request.bearer_auth(t);
        }
        let text = request.send().await?.error_for_status()?.text().await?;
        let read = |name: &str| -> anyhow::Result<u64> {
            text.lines()
                .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
                .and_then(|v| v.trim().parse::<f64>().ok())
                .map(|v| v as u64)
                .with_context(|| format!("/metrics has no {name}"))
        };
        Ok(StoreCounters {
            commits: read("shopfloor_store_commits_total")?,
            jobs: read("shopfloor_store_write_jobs_total")?,
        })
    }
}

/// What the clients share: the data, the report targets and their acknowledged totals.
pub struct Context {
    pub fixture: Fixture,
    /// Names of the RUNNING orders `report` calls go to.
    pub report_orders: Vec<String>,
    /// Acknowledged (200) units reported per report order.
    pub acknowledged: Vec<AtomicU64>,
    /// Reports whose outcome is unknown (no answer), per report order.
    pub unknown: Vec<AtomicU64>,
    next_save: AtomicU64,
}

impl Context {
    pub fn new(fixture: Fixture, report_orders: Vec<String>) -> Context {
        let n = report_orders.len();
        Context {
            fixture,
            report_orders,
            acknowledged: (0..n).map(|_| AtomicU64::new(0)).collect(),
            unknown: (0..n).map(|_| AtomicU64::new(0)).collect(),
            next_save: AtomicU64::new(0),
        }
    }
}

#[derive(Clone, Copy)]
enum Op {
    Save,
    Update,
    Report,
    Get,
    Find,
    Search,
    FindByPriority,
}

fn pick(scenario: Scenario, rng: &mut StdRng) -> Op {
    match scenario {
        Scenario::Save => Op::Save,
        Scenario::Update => Op::Update,
        Scenario::Report => Op::Report,
        Scenario::Get => Op::Get,
        Scenario::Find => Op::Find,
        Scenario::Search => Op::Search,
        Scenario::FindPriority => Op::FindByPriority,
        Scenario::Mixed => match rng.gen_range(0..100) {
            0..40 => Op::Get,
            40..80 => Op::Find,
            80..90 => Op::Save,
            _ => Op::Report,
        },
    }
}

/// The `find` query: status IN (SCHEDULED, RUNNING), dueDate in a random 30-day window within
/// the loaded range, sorted by dueDate, first page of 50 (with totalElements).
pub fn find_request(fixture: &Fixture, rng: &mut StdRng) -> Value {
    let lo = fixture.now_ms - DUE_SPREAD_DAYS * DAY_MS;
    let span = 2 * DUE_SPREAD_DAYS * DAY_MS - 30 * DAY_MS;
    let from = lo + rng.gen_range(0..span.max(1));
    json!({
        "filters": [
            {"field": "status", "condition": "IN", "stringListValue": ["SCHEDULED", "RUNNING"]},
            {"field": "dueDate", "condition": "BETWEEN", "minDateValue": from, "maxDateValue": from + 30 * DAY_MS},
        ],
        "sortFields": ["dueDate"],
        "pageSize": 50,
        "pageIndex": 0,
    })
}

/// The `search` query: a name `CONTAINS` five digits of a loaded order's number, or
/// `STARTS_WITH` the prefix and its first five digits (half each), first page of 50 with
/// totalElements; both find that order, so at least one match is expected.
pub fn search_request(fixture: &Fixture, rng: &mut StdRng) -> Value {
    let name = fixture.order_name(rng.gen_range(0..fixture.orders));
    let digits = &name[fixture.prefix.len()..];
    let (condition, value) = if rng.gen_bool(0.5) {
        ("CONTAINS", digits[digits.len() - 5..].to_string())
    } else {
        ("STARTS_WITH", name[..fixture.prefix.len() + 5].to_string())
    };
    json!({
        "filters": [{"field": "name", "condition": condition, "stringValue": value}],
        "pageSize": 50,
        "pageIndex": 0,
    })
}

/// The `find-priority` query: every order by schedulePriority (most urgent first) and due date,
/// a random one of the first 20 pages of 50, with totalElements.
pub fn priority_request(rng: &mut StdRng) -> Value {
    json!({
        "sortFields": ["schedulePriority", "dueDate"],
        "sortDirections": ["Descending", "Descending"],
        "pageSize": 50,
        "pageIndex": rng.gen_range(0..20),
    })
}

/// Runs one operation; `Ok(())` when the server answered as expected.
async fn run_op(client: &Client, ctx: &Context, op: Op, rng: &mut StdRng) -> anyhow::Result<()> {
    let f = &ctx.fixture;
    match op {
        Op::Save => {
            let n = ctx.next_save.fetch_add(1, Ordering::Relaxed);
            let mut row = OrderRow::random(rng, &f.master, format!("SAVE-{}-{n:08}", f.tag), f.now_ms);
            row.status = "IDLE";
            row.scheduled = 0.0;
            client.call_ok("productionOrder", "saveProductionOrder", &row.to_json()).await?;
        }
        Op::Update => {
            if f.sample_ids.is_empty() {
                bail!("no order ids to update");
            }
            let id = &f.sample_ids[rng.gen_range(0..f.sample_ids.len())];
            let data = json!({"id": id, "notes": format!("bench update {}", rng.gen::<u32>()), "spare1": "bench"});
            client.call_ok("productionOrder", "saveProductionOrder", &data).await?;
        }
        Op::Report => {
            if ctx.report_orders.is_empty() {
                bail!("no RUNNING orders to report on");
            }
            let i = rng.gen_range(0..ctx.report_orders.len());
            let body = json!({"productionOrderIdOrName": ctx.report_orders[i], "quantity": 1});
            match client.call("productionOrder", "reportProduction", &body).await {
                Ok((status, _)) if (200..300).contains(&status) => {
                    ctx.acknowledged[i].fetch_add(1, Ordering::Relaxed);
                }
                Ok((status, value)) => bail!("reportProduction answered {status}: {value}"),
                Err(e) => {
                    ctx.unknown[i].fetch_add(1, Ordering::Relaxed);
                    return Err(e);
                }
            }
        }
        Op::Get => {
            let name = f.order_name(rng.gen_range(0..f.orders));
            let v = client.call_ok("productionOrder", "getProductionOrder", &json!([name])).await?;
            if v.is_null() {
                bail!("getProductionOrder({name}) found nothing");
            }
        }
        Op::Find => {
            let v = client
                .call_ok("productionOrder", "findProductionOrders", &find_request(f, rng))
                .await?;
            if v.get("totalElements").is_none() {
                bail!("findProductionOrders answered without totalElements: {v}");
            }
        }
        Op::Search => {
            let request = search_request(f, rng);
            let v = client.call_ok("productionOrder", "findProductionOrders", &request).await?;
            if v.get("totalElements").and_then(Value::as_u64).unwrap_or(0) == 0 {
                bail!("the name search {request} found nothing: {v}");
            }
        }
        Op::FindByPriority => {
            let v = client
                .call_ok("productionOrder", "findProductionOrders", &priority_request(rng))
                .await?;
            if v.get("totalElements").and_then(Value::as_u64).unwrap_or(0) == 0 {
                bail!("findProductionOrders by priority found nothing: {v}");
            }
        }
    }
    Ok(())
}

/// Runs `clients` concurrent clients for the limit; every operation's latency counts.
pub async fn run_scenario(client: &Client, ctx: &Arc<Context>, scenario: Scenario, clients: usize, limit: Limit) -> ScenarioResult {
    let claimed = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let first_error: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for worker in 0..clients {
        let (client, ctx, claimed, errors, first_error) =
            (client.clone(), ctx.clone(), claimed.clone(), errors.clone(), first_error.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(1000 + worker as u64 + 7919 * scenario as u64);
            let mut latencies: Vec<u32> = Vec::with_capacity(4096);
            loop {
                match limit {
                    Limit::Time(d) if started.elapsed() >= d => break,
                    Limit::Ops(n) if claimed.fetch_add(1, Ordering::Relaxed) >= n => break,
                    _ => {}
                }
                let op = pick(scenario, &mut rng);
                let t = Instant::now();
                let outcome = run_op(&client, &ctx, op, &mut rng).await;
                latencies.push(t.elapsed().as_micros().min(u32::MAX as u128) as u32);
                if let Err(e) = outcome {
                    errors.fetch_add(1, Ordering::Relaxed);
                    if let Ok(mut first) = first_error.lock() {
                        first.get_or_insert_with(|| format!("{e:#}"));
                    }
                }
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for t in tasks {
        if let Ok(mut l) = t.await {
            latencies.append(&mut l);
        }
    }
    let elapsed = started.elapsed();
    let first_error = first_error.lock().ok().and_then(|mut f| f.take());
    ScenarioResult {
        name: scenario.name(),
        writes: scenario.writes(),
        clients,
        measured: Measured::from_latencies(latencies, elapsed),
        errors: errors.load(Ordering::Relaxed),
        first_error,
        ..ScenarioResult::default()
    }
}
