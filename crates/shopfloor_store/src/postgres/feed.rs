//! Keeps `Store::last_event` current with events committed by any instance: a thread LISTENs on
//! the events channel (writers NOTIFY on commit) and also polls now and then, so that a
//! notification lost with a dropped connection delays a waiter, never strands it.
//!
//! What it publishes is the feed *horizon* ([`horizon`]), not simply the highest sequence:
//! writers run concurrently and draw history sequences before they commit, so sequence N+1 may
//! be visible while N is still in flight. Every write transaction holds [`LOCK`] shared from its
//! first statement to its end; taking it exclusively waits for the writers in flight (new ones
//! queue behind), so the highest sequence read then has every sequence below it committed or
//! gone for good. Feed readers (`Tx::events_after`, `head_sequence`) are held to the horizon
//! their transaction started with (`SqlTx::horizon`), and a reader that has seen N never later
//! finds a committed event below N. Horizons are taken when a writer's notification says there
//! is something new, at most every `feed_horizon_ms`, and announced on the same channel: a
//! horizon is valid for every instance, so one heard from another instance counts as this
//! one's, and several instances together take about one horizon per interval, not one each.

use super::driver::EVENTS_CHANNEL;
use super::settings::PgSettings;
use postgres::fallible_iterator::FallibleIterator;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The feed lock (key 0x73686f70666c6f72, the bytes of "shopflor"): shared by every write
/// transaction, exclusive for the instant a horizon is taken.
pub const LOCK: i64 = 0x7368_6f70_666c_6f72;

/// The feed horizon: the highest sequence with every sequence at or below it committed or
/// rolled back. Taken under [`LOCK`] held exclusively for the span of one round-trip (a session
/// lock, released in the same batch; a dropped connection releases it too). `guarded = false`
/// (the test switch `unsafe_feed_without_horizon`) reads the highest sequence without the lock,
/// as a reader without the horizon would, which the two-instance test catches.
pub fn horizon(client: &mut postgres::Client, guarded: bool) -> Result<i64, postgres::Error> {
    let text = if guarded {
        // The other instances hear it too (`HORIZON_MARK`) and need not take one of their own.
        format!(
            "SELECT pg_advisory_lock({LOCK}); \
             SELECT h AS horizon, pg_notify('{EVENTS_CHANNEL}', '{HORIZON_MARK}' || h) \
             FROM (SELECT COALESCE(MAX(sequence), 0) AS h FROM history_events) m; \
             SELECT pg_advisory_unlock({LOCK})"
        )
    } else {
        "SELECT COALESCE(MAX(sequence), 0) AS horizon FROM history_events".to_string()
    };
    Ok(horizon_in(&client.simple_query(&text)?).unwrap_or(0))
}

/// A horizon only if no writer is in flight now (`pg_try_advisory_lock`: it never waits, so
/// it never holds up writers), in one statement that also lets go of the lock; `horizon` is
/// null when a writer is in flight. Sent by a writer right after its `COMMIT`: every sequence
/// drawn before the lock was granted is then committed or gone, so the highest one read (by
/// however old a snapshot) is a horizon, and the writer's own event is in the feed when its
/// answer arrives — unless writers are in flight, when the feed thread's next horizon comes
/// within `feed_horizon_ms`.
pub const TRY_HORIZON: &str = "SELECT s.h AS horizon, u.released FROM \
     (SELECT CASE WHEN pg_try_advisory_lock(8316019240485023602) \
      THEN (SELECT COALESCE(MAX(sequence), 0) FROM history_events) END AS h OFFSET 0) s, \
     LATERAL (SELECT CASE WHEN s.h IS NOT NULL THEN pg_advisory_unlock(8316019240485023602) END AS released) u";

/// The horizon among the rows of a batch of statements: the column named `horizon`.
pub fn horizon_in(messages: &[postgres::SimpleQueryMessage]) -> Option<i64> {
    messages.iter().find_map(|message| match message {
        postgres::SimpleQueryMessage::Row(row) if row.columns().first().map(|c| c.name()) == Some("horizon") => {
            row.get(0).and_then(|n| n.parse::<i64>().ok())
        }
        _ => None,
    })
}

/// Marks a notification that carries a horizon another instance took (`h<sequence>`), as
/// opposed to a writer's `<sequence>`: a horizon is valid for every instance, so one taken
/// anywhere spares the others theirs for `feed_horizon_ms`.
const HORIZON_MARK: &str = "h";

/// The horizon a notification carries, if it is one.
fn heard_horizon(payload: &str) -> Option<i64> {
    payload.strip_prefix(HORIZON_MARK)?.parse().ok()
}

pub struct Feed {
    stop: Arc<AtomicBool>,
}

impl Feed {
    pub fn start(settings: PgSettings, events: Arc<watch::Sender<i64>>) -> std::io::Result<Feed> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("shopfloor-pg-feed".into())
            .spawn(move || run(&settings, &events, &flag))?;
        Ok(Feed { stop })
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(settings: &PgSettings, events: &watch::Sender<i64>, stop: &AtomicBool) {
    let poll = settings.feed_poll;
    let done = || stop.load(Ordering::Relaxed);
    // Reconnect after 0.5 s, doubling up to 5 s while the database stays away; say so once per
    // outage, not once per attempt.
    let mut backoff = Duration::from_millis(500);
    let mut failing = false;
    while !done() {
        let mut connected = false;
        match listen(settings, events, poll, &done, &mut connected) {
            Ok(()) => return,
            Err(e) => {
                if connected {
                    backoff = Duration::from_millis(500);
                    failing = false;
                }
                if !failing {
                    tracing::warn!(error = %super::driver::describe(&e), "change-feed listener lost the database; reconnecting");
                    failing = true;
                }
                let until = std::time::Instant::now() + backoff;
                while std::time::Instant::now() < until {
                    if done() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

/// Listens until stopped (`Ok`) or the connection fails (`Err`).
fn listen(
    settings: &PgSettings,
    events: &watch::Sender<i64>,
    poll: Duration,
    done: &dyn Fn() -> bool,
    connected: &mut bool,
) -> Result<(), postgres::Error> {
    let mut client = settings.config.connect(postgres::NoTls)?;
    client.batch_execute(&format!("LISTEN {EVENTS_CHANNEL}"))?;
    *connected = true;
    tracing::debug!("change-feed listener connected");
    let publish = |latest: i64| {
        events.send_if_modified(|last| {
            let newer = latest > *last;
            if newer {
                *last = latest;
            }
            newer
        });
    };
    // When the last horizon (this instance's or another's) was taken, and whether events may
    // have committed above it (a writer's notification, the start, or a poll falling due).
    let mut fresh_since: Option<Instant> = None;
    let mut behind = true;
    loop {
        if done() || events.is_closed() {
            return Ok(());
        }
        let stale = fresh_since.is_none_or(|t| t.elapsed() >= settings.feed_horizon_every);
        if behind && stale {
            publish(horizon(&mut client, settings.feed_horizon)?);
            fresh_since = Some(Instant::now());
            behind = false;
        }
        let mut heard = Vec::new();
        let mut notifications = client.notifications();
        if behind {
            // A horizon is due but the last one is recent: no sooner than `feed_horizon_every`
            // after it (each one makes new writes wait for the writes in flight).
            if let Some(rest) = fresh_since.and_then(|t| settings.feed_horizon_every.checked_sub(t.elapsed())) {
                std::thread::sleep(rest);
            }
        } else {
            // Wake on the first notification, or after `poll` take a horizon anyway (a
            // notification lost with a dropped connection delays a waiter, never strands it).
            match notifications.timeout_iter(poll).next()? {
                Some(n) => heard.push(n),
                None => behind = true,
            }
        }
        let mut pending = notifications.iter();
        while let Some(n) = pending.next()? {
            heard.push(n);
        }
        // Horizons taken by other instances count as this one's.
        if let Some(h) = heard.iter().filter_map(|n| heard_horizon(n.payload())).max() {
            publish(h);
            fresh_since = Some(Instant::now());
        }
        let published = *events.borrow();
        behind |= heard
            .iter()
            .any(|n| heard_horizon(n.payload()).is_none() && n.payload().parse::<i64>().map_or(true, |seq| seq > published));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statements_name_the_feed_lock() {
        // Written out in the SQL text (no const formatting here); one key for all three.
        assert_eq!(TRY_HORIZON.matches(&LOCK.to_string()).count(), 2);
        assert!(super::super::BEGIN_WRITE.contains(&format!("pg_advisory_xact_lock_shared({LOCK})")));
    }

    #[test]
    fn a_horizon_notification_is_told_from_a_writers_sequence() {
        assert_eq!(heard_horizon("h42"), Some(42));
        assert_eq!(heard_horizon("42"), None);
        assert_eq!(heard_horizon("h"), None);
    }
}
