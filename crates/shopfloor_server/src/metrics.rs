//! The metrics behind `GET /metrics`, in the Prometheus text format (version 0.0.4) through the
//! `prometheus-client` crate. Every metric's name and help is registered here, once: the
//! request middleware, the store's counters (read at each scrape) and the commit followers
//! (`workers`) update them.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use shopfloor_store::Store;
use std::time::Duration;

/// The content type of [`Metrics::render`]'s text.
pub use prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Labels of `shopfloor_http_requests_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusClass {
    class: &'static str,
}

/// Labels of `shopfloor_follower_last_sequence`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FollowerLabels {
    pub follower: &'static str,
}

/// Labels of `shopfloor_webhook_lag` (the webhook's id: its name may change).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WebhookLabels {
    pub webhook: String,
}

/// Labels of `shopfloor_history_events_total`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EventLabels {
    pub entity: String,
    pub action: String,
}

/// The registry and the metrics the server's code updates.
pub struct Metrics {
    registry: Registry,
    /// Requests answered with a 2xx, 4xx and 5xx status (other classes are not counted).
    responses: [Counter; 3],
    duration: Histogram,
    /// The sequence of the last history event each commit follower has handled.
    pub follower_last_sequence: Family<FollowerLabels, Gauge>,
    /// History events committed since the server started, by entity and action.
    pub history_events: Family<EventLabels, Counter>,
    /// Events each webhook delivered here is behind the history's head.
    pub webhook_lag: Family<WebhookLabels, Gauge>,
}

impl Metrics {
    pub fn new(store: Store) -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<StatusClass, Counter>::default();
        // Created up front, so that every class is shown (at 0) before its first request.
        let responses = ["2xx", "4xx", "5xx"].map(|class| requests.get_or_create(&StatusClass { class }).clone());
        registry.register("shopfloor_http_requests", "HTTP requests answered, by status class", requests);
        // 1 ms to about 16 s: a request slower than the default 60 s timeout is answered 408.
        let duration = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        registry.register(
            "shopfloor_http_request_duration_seconds",
            "Time spent answering requests",
            duration.clone(),
        );
        let follower_last_sequence = Family::<FollowerLabels, Gauge>::default();
        registry.register(
            "shopfloor_follower_last_sequence",
            "Sequence number of the last history event a commit follower has handled",
            follower_last_sequence.clone(),
        );
        let history_events = Family::<EventLabels, Counter>::default();
        registry.register(
            "shopfloor_history_events",
            "History events committed since the server started, by entity and action",
            history_events.clone(),
        );
        let webhook_lag = Family::<WebhookLabels, Gauge>::default();
        registry.register(
            "shopfloor_webhook_lag",
            "History events not yet delivered to a webhook (head sequence minus its cursor), on the instance delivering it",
            webhook_lag.clone(),
        );
        registry.register_collector(Box::new(StoreCollector(store)));
        Metrics {
            registry,
            responses,
            duration,
            follower_last_sequence,
            history_events,
            webhook_lag,
        }
    }

    /// Counts one answered request.
    pub fn observe(&self, status: u16, elapsed: Duration) {
        self.duration.observe(elapsed.as_secs_f64());
        let class = match status {
            200..=299 => 0,
            400..=499 => 1,
            500..=599 => 2,
            _ => return,
        };
        self.responses[class].inc();
    }

    /// Every metric in the Prometheus text format ([`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing to a String fails only if a metric's own encoding does, which ours do not.
        if let Err(e) = prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry) {
            tracing::error!(error = %e, "encoding the metrics failed");
        }
        text
    }
}

/// The store's own counters, read at each scrape (the store keeps them; nothing copies them).
/// Help texts end with a full stop, as the registry adds one to those registered with it.
struct StoreCollector(Store);

impl std::fmt::Debug for StoreCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreCollector")
    }
}

impl Collector for StoreCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats = self.0.stats();
        let counters = [
            ("shopfloor_store_commits", "Group commits of the writer.", stats.commits),
            ("shopfloor_store_write_jobs", "Write jobs run by the writer.", stats.jobs),
            ("shopfloor_store_failed_commits", "Group commits that failed.", stats.failed_commits),
        ];
        for (name, help, value) in counters {
            let counter = ConstCounter::new(value);
            counter.encode(encoder.encode_descriptor(name, help, None, counter.metric_type())?)?;
        }
        let last = ConstGauge::new(*self.0.last_event().borrow());
        last.encode(encoder.encode_descriptor(
            "shopfloor_history_last_sequence",
            "Sequence number of the latest history event.",
            None,
            last.metric_type(),
        )?)
    }
}
