//! The background work seen from outside: the history-metrics follower counts, in `/metrics`,
//! exactly the events the change feed shows, and catches up with each commit.

use crate::helpers::{spawn_app, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// `/metrics` as (series, value) pairs.
async fn metrics(app: &TestApp) -> BTreeMap<String, f64> {
    let m = app.send(Method::GET, "/metrics", None, &[]).await;
    m.text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.rsplit_once(' '))
        .map(|(series, value)| (series.to_string(), value.parse().expect("a number")))
        .collect()
}

const FOLLOWER: &str = "shopfloor_follower_last_sequence{follower=\"history_metrics\"}";
const HEAD: &str = "shopfloor_history_last_sequence";

/// The metrics once the history-metrics follower has handled every committed event (or after
/// 30 s, as they are then).
async fn caught_up(app: &TestApp) -> BTreeMap<String, f64> {
    let mut shown = metrics(app).await;
    for _ in 0..300 {
        if shown.contains_key(FOLLOWER) && shown.get(FOLLOWER) == shown.get(HEAD) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        shown = metrics(app).await;
    }
    shown
}

#[tokio::test]
async fn metrics_count_the_history_events_the_change_feed_shows_since_the_start() {
    let app = spawn_app().await;
    let start = caught_up(&app).await;
    let from = start[HEAD];
    assert_eq!(start.get(FOLLOWER), Some(&from), "the follower starts at the head:\n{start:?}");

    let (unit, material) = app.master_data().await;
    app.order("O1", &unit, &material).await;
    app.order("O2", &unit, &material).await;
    app.ok("productionOrder", "startProductionOrder", json!(["O1"])).await;
    app.ok("productionOrder", "reportProduction", json!(["O1", 3])).await;
    let shown = caught_up(&app).await;

    assert_eq!(shown.get(FOLLOWER), shown.get(HEAD), "the follower caught up:\n{shown:?}");
    let feed = app
        .send(Method::GET, &format!("/api/v1/events?after={from}&timeout=0"), None, &[])
        .await;
    let mut expected: BTreeMap<String, f64> = BTreeMap::new();
    for line in feed.text.lines() {
        let event: Value = serde_json::from_str(line).expect("each line is JSON");
        let series = format!(
            "shopfloor_history_events_total{{entity=\"{}\",action=\"{}\"}}",
            event["entity"].as_str().unwrap(),
            event["action"].as_str().unwrap()
        );
        *expected.entry(series).or_default() += 1.0;
    }
    let counted: BTreeMap<String, f64> = shown
        .into_iter()
        .filter(|(series, _)| series.starts_with("shopfloor_history_events_total"))
        .collect();
    assert_eq!(counted, expected);
    assert_eq!(
        counted["shopfloor_history_events_total{entity=\"ProductionOrder\",action=\"CREATE\"}"],
        2.0
    );
    app.stop().await;
}
