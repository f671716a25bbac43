//! The events the hooks deliver, with their bodies, read once for every hook (ADR 0011).
//!
//! Hooks that keep up stand at about the same place in the history, so they want the same
//! events and the same records. The feed keeps a window of the newest events read (every
//! event in `(after, upto]`, oldest first) with each one's delivery body once built; a hook
//! whose cursor is inside the window is served from it, and only what no hook has read yet is
//! read from the store — events and bodies in one read transaction. The window's lock is held
//! during that read, so hooks asking at once wait for one read instead of making three.
//! A hook behind the window (a replay, a receiver catching up) reads for itself, as before.
//!
//! A body is built from the record as stored when the first hook needed it, so hooks that
//! deliver an event at about the same time send the same body.

use serde_json::{json, Value as Json};
use shopfloor_core::errors::CoreResult;
use shopfloor_core::history::Event;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::entity;
use shopfloor_core::tx::Tx;
use shopfloor_store::Store;
use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

/// Most events kept in the window: hooks this far behind the newest read their own.
const WINDOW: usize = 2000;

/// One event and, once a hook that selects it needed it, its delivery body.
pub struct Item {
    pub event: Event,
    body: OnceLock<Arc<str>>,
}

impl Item {
    fn new(event: Event) -> Arc<Item> {
        Arc::new(Item {
            event,
            body: OnceLock::new(),
        })
    }

    /// The body (`{"event": …, "record": …}`); `None` when no hook selecting it asked yet.
    pub fn body(&self) -> Option<Arc<str>> {
        self.body.get().cloned()
    }
}

/// The newest events read: every event in `(after, upto]`, oldest first.
#[derive(Default)]
struct Window {
    after: i64,
    upto: i64,
    items: VecDeque<Arc<Item>>,
}

impl Window {
    /// The items after `cursor`, at most `limit`, when the window holds them all.
    fn after(&self, cursor: i64, limit: usize) -> Vec<Arc<Item>> {
        let start = self.items.partition_point(|i| i.event.sequence <= cursor);
        self.items.iter().skip(start).take(limit).cloned().collect()
    }

    fn push(&mut self, items: &[Arc<Item>]) {
        for item in items {
            self.upto = item.event.sequence;
            self.items.push_back(item.clone());
        }
        while self.items.len() > WINDOW {
            if let Some(old) = self.items.pop_front() {
                self.after = old.event.sequence;
            }
        }
    }
}

/// Which events a hook delivers: its `entities` and `actions` (`None` or empty: all), and
/// none while it is disabled.
#[derive(Clone, Debug)]
pub struct Selection {
    pub enabled: bool,
    pub entities: Option<Vec<String>>,
    pub actions: Option<Vec<String>>,
}

impl Selection {
    pub fn selects(&self, event: &Event) -> bool {
        let listed = |list: &Option<Vec<String>>, name: &str| match list {
            Some(names) if !names.is_empty() => names.iter().any(|n| n == name),
            _ => true,
        };
        self.enabled && listed(&self.entities, &event.entity) && listed(&self.actions, &event.action)
    }
}

/// The events shared by the hook tasks of one instance.
pub struct Feed {
    store: Store,
    window: tokio::sync::Mutex<Window>,
}

impl Feed {
    pub fn new(store: Store) -> Feed {
        Feed {
            store,
            window: tokio::sync::Mutex::new(Window::default()),
        }
    }

    /// Up to `limit` events after `cursor`, with the bodies of those `selection` picks built.
    pub async fn batch(&self, cursor: i64, limit: u32, selection: &Selection) -> CoreResult<Vec<Arc<Item>>> {
        let mut window = self.window.lock().await;
        if window.items.is_empty() || cursor > window.upto + i64::from(limit) {
            // Nothing to share yet, or the window is far behind this hook: start it here.
            *window = Window {
                after: cursor,
                upto: cursor,
                items: VecDeque::new(),
            };
        }
        if cursor < window.after {
            // Behind the window: this hook reads for itself.
            drop(window);
            return self.read(cursor, limit, selection.clone()).await;
        }
        loop {
            let held = window.after(cursor, limit as usize);
            if !held.is_empty() {
                drop(window);
                let missing: Vec<Arc<Item>> = held
                    .iter()
                    .filter(|i| i.body.get().is_none() && selection.selects(&i.event))
                    .cloned()
                    .collect();
                if !missing.is_empty() {
                    self.fill(missing).await?;
                }
                return Ok(held);
            }
            // This hook has had everything read so far: read what came after, for every hook
            // (at most twice: the cursor is at most `limit` past the window's end).
            let read = self.read(window.upto, limit, selection.clone()).await?;
            if read.is_empty() {
                return Ok(read);
            }
            window.push(&read);
        }
    }

    /// Reads up to `limit` events after `after` and builds the bodies of those `selection`
    /// picks, in one read transaction.
    async fn read(&self, after: i64, limit: u32, selection: Selection) -> CoreResult<Vec<Arc<Item>>> {
        self.store
            .read(move |tx| {
                let items: Vec<Arc<Item>> = tx.events_after(after, limit)?.into_iter().map(Item::new).collect();
                for item in items.iter().filter(|i| selection.selects(&i.event)) {
                    let _ = item.body.set(Arc::from(body_of(tx, &item.event)?));
                }
                Ok(items)
            })
            .await
    }

    /// Builds the bodies of `items` (those not built yet) in one read transaction.
    async fn fill(&self, items: Vec<Arc<Item>>) -> CoreResult<()> {
        self.store
            .read(move |tx| {
                for item in &items {
                    if item.body.get().is_none() {
                        let _ = item.body.set(Arc::from(body_of(tx, &item.event)?));
                    }
                }
                Ok(())
            })
            .await
    }
}

/// The JSON body of an event's delivery: the event, and its record as stored now (`null` after a
/// DELETE or once deleted).
fn body_of(tx: &mut dyn Tx, event: &Event) -> CoreResult<String> {
    let mut record = match Entity::from_noun(&event.entity) {
        Some(_) if event.action == "DELETE" => Json::Null,
        Some(e) => entity::get_answer(tx, e, &event.entity_id)?.unwrap_or(Json::Null),
        None => Json::Null,
    };
    if let Some(map) = record.as_object_mut() {
        // A webhook's own delivery state is no part of its record.
        map.remove("delivery");
    }
    Ok(json!({"event": event.to_json(), "record": record}).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use shopfloor_core::time::Timestamp;

    fn event(sequence: i64, entity: &str, action: &str) -> Event {
        Event {
            sequence,
            at: Timestamp::now(),
            user: "test".into(),
            entity: entity.into(),
            entity_id: "x".into(),
            order_id: None,
            action: action.into(),
            changes: Json::Null,
            reason: None,
            person: None,
        }
    }

    fn sequences(items: &[Arc<Item>]) -> Vec<i64> {
        items.iter().map(|i| i.event.sequence).collect()
    }

    #[test]
    fn the_window_serves_the_events_after_a_cursor_and_forgets_the_oldest_beyond_its_size() {
        let mut window = Window {
            after: 10,
            upto: 10,
            items: VecDeque::new(),
        };
        window.push(&(11..=15).map(|s| Item::new(event(s, "Customer", "CREATE"))).collect::<Vec<_>>());
        assert_eq!(sequences(&window.after(12, 100)), [13, 14, 15]);
        assert_eq!(sequences(&window.after(10, 2)), [11, 12], "at most the limit, oldest first");
        assert!(window.after(15, 100).is_empty(), "nothing after the newest read");
        assert_eq!(window.upto, 15);

        let more: Vec<Arc<Item>> = (16..16 + WINDOW as i64)
            .map(|s| Item::new(event(s, "Customer", "CREATE")))
            .collect();
        window.push(&more);
        assert_eq!(window.items.len(), WINDOW);
        assert_eq!(window.after, 15, "the window holds every event after `after`, and only those");
        assert_eq!(window.items.front().map(|i| i.event.sequence), Some(16));
    }

    #[test]
    fn a_selection_with_empty_lists_takes_everything_and_a_disabled_one_nothing() {
        let all = Selection {
            enabled: true,
            entities: Some(vec![]),
            actions: None,
        };
        assert!(all.selects(&event(1, "Material", "DELETE")));
        let orders = Selection {
            enabled: true,
            entities: Some(vec!["ProductionOrder".into()]),
            actions: Some(vec!["TRANSITION".into()]),
        };
        assert!(orders.selects(&event(1, "ProductionOrder", "TRANSITION")));
        assert!(!orders.selects(&event(1, "ProductionOrder", "UPDATE")));
        assert!(!orders.selects(&event(1, "Material", "TRANSITION")));
        let disabled = Selection { enabled: false, ..all };
        assert!(!disabled.selects(&event(1, "Material", "DELETE")));
    }
}
