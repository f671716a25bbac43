//! The server's background work, started in one place ([`spawn_all`]) and stopped together
//! ([`Workers::join`]) once shutdown is signalled:
//! - the import-queue runner (`imports`), which applies queued import rows;
//! - the commit followers (`follower`): work that follows the history's commits from a
//!   sequence cursor, each fed by the one generic runner. Today that is `history_metrics`;
//! - webhook delivery (`webhooks`), which follows the history from one durable cursor per hook;
//! - the MQTT publisher (`mqtt`), a commit follower with a durable cursor, when configured.

pub mod follower;
mod history_metrics;
mod imports;
pub mod mqtt;
pub mod webhooks;

use crate::metrics::Metrics;
use follower::CommitFollower;
use shopfloor_store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Settings of the background work.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// How long finished import jobs stay readable.
    pub import_retention: Duration,
    pub webhooks: webhooks::WebhookConfig,
    /// Where to publish events over MQTT (`None`: nowhere).
    pub mqtt: Option<mqtt::MqttConfig>,
}

/// The running background tasks.
pub struct Workers {
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

/// Starts every background task; each stops once `shutdown` turns true (or its sender is
/// dropped).
pub fn spawn_all(store: &Store, metrics: &Arc<Metrics>, shutdown: &watch::Receiver<bool>, config: &WorkerConfig) -> Workers {
    let imports = imports::run(store.clone(), shutdown.clone(), config.import_retention);
    let history = history_metrics::HistoryMetrics { metrics: metrics.clone() };
    let hooks = webhooks::run(store.clone(), metrics.clone(), shutdown.clone(), config.webhooks.clone());
    let mut tasks = vec![
        ("import_queue", tokio::spawn(imports)),
        follow(history, store, metrics, shutdown),
        ("webhooks", tokio::spawn(hooks)),
    ];
    if let Some(mqtt) = &config.mqtt {
        tracing::info!(broker = %mqtt.redacted(), "publishing events over MQTT");
        tasks.push(follow(
            mqtt::MqttPublisher::new(mqtt.clone(), store.clone()),
            store,
            metrics,
            shutdown,
        ));
    }
    Workers { tasks }
}

/// Starts the generic runner for one follower.
fn follow<F: CommitFollower>(
    follower: F,
    store: &Store,
    metrics: &Arc<Metrics>,
    shutdown: &watch::Receiver<bool>,
) -> (&'static str, JoinHandle<()>) {
    let name = follower.name();
    let run = follower::run(follower, store.clone(), metrics.clone(), shutdown.clone());
    (name, tokio::spawn(run))
}

impl Workers {
    /// Waits for every task to stop (signal shutdown first).
    pub async fn join(self) {
        for (name, task) in self.tasks {
            if let Err(e) = task.await {
                tracing::error!(worker = name, error = %e, "a background task ended abnormally");
            }
        }
    }
}

/// Whether shutdown is signalled, or its sender is gone (the application was dropped).
fn stopping(shutdown: &watch::Receiver<bool>) -> bool {
    *shutdown.borrow() || shutdown.has_changed().is_err()
}

/// Resolves once [`stopping`].
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    let _ = shutdown.wait_for(|stopping| *stopping).await;
}
