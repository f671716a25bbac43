//! The PostgreSQL URL and the pool settings carried in its query string.
//!
//! `postgres://user:pass@host:5432/db?pool_size=16&pool_timeout=5&connect_timeout=5&statement_timeout=30`
//! — `pool_size` (connections per instance, default 20: writers run concurrently, see
//! `postgres/mod.rs`), `pool_timeout` (seconds a request
//! waits for a free connection, default 5), `statement_timeout` (seconds, default 30) and
//! `feed_poll_ms` (how often the change feed also polls, default 1000) and `feed_horizon_ms`
//! (the shortest time between two feed horizons, `feed.rs`, default 50) are Shopfloor's; every
//! other parameter (`connect_timeout`, `sslmode`, `application_name`, …) goes to the driver.

use crate::StoreError;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct PgSettings {
    pub config: postgres::Config,
    pub pool_size: usize,
    pub pool_timeout: Duration,
    pub statement_timeout: Duration,
    pub feed_poll: Duration,
    /// Whether feed readers are held to the feed horizon (`feed.rs`). Only the test switch
    /// `unsafe_feed_without_horizon=1` turns it off, to show that the two-instance test
    /// catches a feed without it; never for a real deployment.
    pub feed_horizon: bool,
    /// The shortest time between two feed horizons (`feed_horizon_ms`, default 50): each one
    /// makes new writes wait for the writes in flight, so under a steady stream of commits the
    /// feed advances in steps of this length instead of stalling writers once per commit.
    pub feed_horizon_every: Duration,
}

/// Whether the URL names a PostgreSQL database.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

fn bad(url: &str, why: impl std::fmt::Display) -> StoreError {
    StoreError::Config(format!("{}: {why}", redact(url)))
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub fn parse(url: &str) -> Result<PgSettings, StoreError> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, q),
        None => (url, ""),
    };
    let mut pool_size = 20usize;
    let mut pool_timeout = Duration::from_secs(5);
    let mut statement_timeout = Duration::from_secs(30);
    let mut feed_poll = Duration::from_millis(1000);
    let mut feed_horizon = true;
    let mut feed_horizon_every = Duration::from_millis(50);
    let mut rest = Vec::new();
    let mut has_connect_timeout = false;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let number = || {
            v.parse::<u64>()
                .map_err(|_| bad(url, format!("{k} must be a whole number, not '{v}'")))
        };
        match k {
            "pool_size" => {
                pool_size = number()? as usize;
                if pool_size == 0 {
                    return Err(bad(url, "pool_size must be at least 1"));
                }
            }
            "pool_timeout" => pool_timeout = Duration::from_secs(number()?),
            "statement_timeout" => statement_timeout = Duration::from_secs(number()?),
            "feed_poll_ms" => feed_poll = Duration::from_millis(number()?.max(10)),
            "unsafe_feed_without_horizon" => feed_horizon = number()? == 0,
            "feed_horizon_ms" => feed_horizon_every = Duration::from_millis(number()?),
            _ => {
                has_connect_timeout |= k == "connect_timeout";
                rest.push(pair);
            }
        }
    }
    let driver_url = if rest.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    let mut config: postgres::Config = driver_url.parse().map_err(|e| bad(url, e))?;
    if !has_connect_timeout {
        config.connect_timeout(Duration::from_secs(5));
    }
    if config.get_application_name().is_none() {
        config.application_name("shopfloor");
    }
    Ok(PgSettings {
        config,
        pool_size,
        pool_timeout,
        statement_timeout,
        feed_poll,
        feed_horizon,
        feed_horizon_every,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shopfloor_parameters_are_taken_out_and_the_rest_goes_to_the_driver() {
        let s = parse("postgres://u:secret@localhost:5433/mes?pool_size=3&connect_timeout=2&pool_timeout=7&application_name=x").unwrap();
        assert_eq!(s.pool_size, 3);
        assert_eq!(s.pool_timeout, Duration::from_secs(7));
        assert_eq!(s.config.get_connect_timeout(), Some(&Duration::from_secs(2)));
        assert_eq!(s.config.get_application_name(), Some("x"));
        assert_eq!(s.config.get_dbname(), Some("mes"));
    }

    #[test]
    fn bad_settings_are_refused_with_the_password_hidden() {
        let e = parse("postgres://u:secret@localhost/mes?pool_size=zero").unwrap_err().to_string();
        assert!(e.contains("pool_size must be a whole number"), "{e}");
        assert!(!e.contains("secret"), "{e}");
        assert!(parse("postgres://u@localhost/mes?pool_size=0").is_err());
    }
}
