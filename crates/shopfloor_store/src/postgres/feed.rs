//! Keeps `Store::last_event` current with events committed by any instance: a thread LISTENs on
//! the events channel (writers NOTIFY on commit) and also polls `MAX(sequence)` now and then,
//! so that a notification lost with a dropped connection delays a waiter, never strands it.

use super::driver::EVENTS_CHANNEL;
use super::settings::PgSettings;
use postgres::fallible_iterator::FallibleIterator;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

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
        let row = client.query_one("SELECT COALESCE(MAX(sequence), 0) FROM history_events", &[])?;
        let latest: i64 = row.try_get(0)?;
        events.send_if_modified(|last| {
            let newer = latest > *last;
            if newer {
                *last = latest;
            }
            newer
        });
        // Wake on the first notification (or after `poll`), then take any that queued up.
        let mut notifications = client.notifications();
        notifications.timeout_iter(poll).next()?;
        let mut pending = notifications.iter();
        while pending.next()?.is_some() {}
    }
}
