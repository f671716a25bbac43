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
//! finds a committed event below N.

use super::driver::EVENTS_CHANNEL;
use super::settings::PgSettings;
use postgres::fallible_iterator::FallibleIterator;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The feed lock (key 0x73686f70666c6f72, the bytes of "shopflor"): shared by every write
/// transaction, exclusive for the instant a horizon is taken.
pub const LOCK: i64 = 0x7368_6f70_666c_6f72;

/// Horizons are taken at most this often (each one makes new writes wait for the writes in
/// flight, about one commit): under a steady stream of commits the feed advances in steps of
/// this length instead of stalling writers once per commit.
const HORIZON_EVERY: Duration = Duration::from_millis(10);

/// The feed horizon: the highest sequence with every sequence at or below it committed or
/// rolled back. Taken under [`LOCK`] held exclusively for the span of one round-trip (a session
/// lock, released in the same batch; a dropped connection releases it too). `guarded = false`
/// (the test switch `unsafe_feed_without_horizon`) reads the highest sequence without the lock,
/// as a reader without the horizon would, which the two-instance test catches.
pub fn horizon(client: &mut postgres::Client, guarded: bool) -> Result<i64, postgres::Error> {
    let head = "SELECT COALESCE(MAX(sequence), 0) AS horizon FROM history_events";
    let text = if guarded {
        format!("SELECT pg_advisory_lock({LOCK}); {head}; SELECT pg_advisory_unlock({LOCK})")
    } else {
        head.to_string()
    };
    // The rows of the three statements in one answer; the horizon is the one named so.
    let found = client.simple_query(&text)?.into_iter().find_map(|message| match message {
        postgres::SimpleQueryMessage::Row(row) if row.columns().first().map(|c| c.name()) == Some("horizon") => {
            row.get(0).and_then(|n| n.parse::<i64>().ok())
        }
        _ => None,
    });
    Ok(found.unwrap_or(0))
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
    loop {
        if done() || events.is_closed() {
            return Ok(());
        }
        let taken = std::time::Instant::now();
        let latest = horizon(&mut client, settings.feed_horizon)?;
        events.send_if_modified(|last| {
            let newer = latest > *last;
            if newer {
                *last = latest;
            }
            newer
        });
        // Wake on the first notification (or after `poll`), no sooner than HORIZON_EVERY after
        // the last horizon, then take any that queued up.
        let mut notifications = client.notifications();
        notifications.timeout_iter(poll).next()?;
        if let Some(rest) = HORIZON_EVERY.checked_sub(taken.elapsed()) {
            std::thread::sleep(rest);
        }
        let mut pending = notifications.iter();
        while pending.next()?.is_some() {}
    }
}
