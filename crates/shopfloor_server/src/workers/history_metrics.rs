//! The first commit follower: counts committed history events by entity and action
//! (`shopfloor_history_events_total`), so that a dashboard shows the shop floor's activity —
//! orders created, started, reported — as rates, without querying the database.

use super::follower::{CommitFollower, FollowError};
use crate::metrics::{EventLabels, Metrics};
use shopfloor_core::history::Event;
use std::sync::Arc;

pub struct HistoryMetrics {
    pub metrics: Arc<Metrics>,
}

impl CommitFollower for HistoryMetrics {
    fn name(&self) -> &'static str {
        "history_metrics"
    }

    async fn handle(&mut self, events: &[Event]) -> Result<(), FollowError> {
        for event in events {
            let labels = EventLabels {
                entity: event.entity.clone(),
                action: event.action.clone(),
            };
            self.metrics.history_events.get_or_create(&labels).inc();
        }
        Ok(())
    }
}
