//! The delivery state of webhooks (migration 12) behind [`Delivery`], written once for both
//! backends over [`SqlTx`] (statements with `?N` parameters, spelled for PostgreSQL by
//! [`for_dialect`]).
//!
//! Leases: [`Delivery::lease_hooks`] runs in a write transaction. On PostgreSQL writers of
//! several instances run at once (READ COMMITTED, `postgres/mod.rs`): the `UPDATE` that takes
//! the free and run-out leases locks each row it changes, and a second instance's `UPDATE`
//! waits for that lock, then re-evaluates its condition on the committed row (now leased by
//! the first, and not run out), so no hook is held by two at once. Cursors move only under the
//! lease (`ADVANCE`, `FOLLOWER_STORE` check the owner in the same statement). SQLite has one
//! writer.
//!
//! [`Delivery`]: shopfloor_core::delivery::Delivery

use crate::row::{self, Row};
use crate::sql::{for_dialect, Param};
use crate::tx::{Driver, SqlTx};
use shopfloor_core::delivery::{Attempt, Delivery, HookState};
use shopfloor_core::errors::CoreResult;
use shopfloor_core::id::Id;
use shopfloor_core::time::Timestamp;

#[cfg(test)]
const COLUMNS: &str =
    "webhook_id, last_sequence, lease_owner, lease_until, failing_since, failures, next_attempt, paused_reason, last_error";
pub const HEAD: &str = "SELECT COALESCE(MAX(sequence), 0) FROM history_events";
pub const STATE: &str = "SELECT webhook_id, last_sequence, lease_owner, lease_until, failing_since, failures, next_attempt, \
     paused_reason, last_error FROM webhook_cursors WHERE webhook_id = ?1";
/// Inserts or replaces a hook's state, keeping whoever holds its lease.
pub const PUT_STATE: &str = "INSERT INTO webhook_cursors (webhook_id, last_sequence, lease_owner, lease_until, failing_since, \
     failures, next_attempt, paused_reason, last_error) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) \
     ON CONFLICT (webhook_id) DO UPDATE SET last_sequence = excluded.last_sequence, failing_since = excluded.failing_since, \
     failures = excluded.failures, next_attempt = excluded.next_attempt, paused_reason = excluded.paused_reason, \
     last_error = excluded.last_error";
/// The deliverer's own update: only while it holds the lease and nobody moved the cursor
/// meanwhile (a replay).
pub const ADVANCE: &str = "UPDATE webhook_cursors SET last_sequence = ?2, failing_since = ?3, failures = ?4, next_attempt = ?5, \
     paused_reason = ?6, last_error = ?7 WHERE webhook_id = ?1 AND lease_owner = ?8 AND last_sequence = ?9";
pub const DELETE_STATE: &str = "DELETE FROM webhook_cursors WHERE webhook_id = ?1";
pub const DELETE_ATTEMPTS: &str = "DELETE FROM webhook_deliveries WHERE webhook_id = ?1";
pub const LEASE: &str = "UPDATE webhook_cursors SET lease_owner = ?1, lease_until = ?3 \
     WHERE lease_owner IS NULL OR lease_owner = ?1 OR lease_until IS NULL OR lease_until < ?2";
pub const LEASED: &str = "SELECT webhook_id, last_sequence, lease_owner, lease_until, failing_since, failures, next_attempt, \
     paused_reason, last_error FROM webhook_cursors WHERE lease_owner = ?1 ORDER BY webhook_id";
pub const ADD_ATTEMPT: &str = "INSERT INTO webhook_deliveries (webhook_id, attempt_id, sequence, at, status, error, duration_ms) \
     SELECT ?1, COALESCE(MAX(attempt_id), 0) + 1, ?2, ?3, ?4, ?5, ?6 FROM webhook_deliveries WHERE webhook_id = ?1";
pub const ATTEMPTS: &str = "SELECT webhook_id, sequence, at, status, error, duration_ms FROM webhook_deliveries \
     WHERE webhook_id = ?1 ORDER BY attempt_id DESC LIMIT ?2 OFFSET ?3";
pub const ATTEMPT_COUNT: &str = "SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?1";
pub const TRIM_ATTEMPTS: &str = "DELETE FROM webhook_deliveries WHERE webhook_id = ?1 AND attempt_id <= \
     (SELECT MAX(attempt_id) FROM webhook_deliveries WHERE webhook_id = ?1) - ?2";

pub const FOLLOWER_INSERT: &str = "INSERT INTO follower_cursors (name, last_sequence) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING";
pub const FOLLOWER: &str = "SELECT last_sequence, lease_owner FROM follower_cursors WHERE name = ?1";
pub const FOLLOWER_LEASE: &str = "UPDATE follower_cursors SET lease_owner = ?2, lease_until = ?4 WHERE name = ?1 \
     AND (lease_owner IS NULL OR lease_owner = ?2 OR lease_until IS NULL OR lease_until < ?3)";
pub const FOLLOWER_STORE: &str = "UPDATE follower_cursors SET last_sequence = ?3 WHERE name = ?1 AND lease_owner = ?2";

fn state(r: &dyn Row) -> CoreResult<HookState> {
    Ok(HookState {
        webhook: row::id(r, 0)?,
        last_sequence: row::int(r, 1)?,
        lease_owner: row::opt_text(r, 2)?,
        lease_until: row::opt_int(r, 3)?.map(Timestamp),
        failing_since: row::opt_int(r, 4)?.map(Timestamp),
        failures: row::int(r, 5)?,
        next_attempt: row::opt_int(r, 6)?.map(Timestamp),
        paused_reason: row::opt_text(r, 7)?,
        last_error: row::opt_text(r, 8)?,
    })
}

fn attempt(r: &dyn Row) -> CoreResult<Attempt> {
    Ok(Attempt {
        webhook: row::id(r, 0)?,
        sequence: row::int(r, 1)?,
        at: Timestamp(row::int(r, 2)?),
        status: row::opt_int(r, 3)?,
        error: row::opt_text(r, 4)?,
        duration_ms: row::int(r, 5)?,
    })
}

fn count(n: u64) -> Param {
    Param::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

impl<D: Driver> SqlTx<'_, D> {
    fn run(&mut self, text: &'static str, params: Vec<Param>) -> CoreResult<u64> {
        self.execute(&for_dialect(D::DIALECT, text), params)
    }
}

impl<D: Driver> Delivery for SqlTx<'_, D> {
    /// The newest committed event, where a new cursor starts ("from now on"). Not held to the
    /// feed horizon (`SqlTx::horizon`), which may lag a few commits behind: a hook created now
    /// must not be sent events committed before it. On PostgreSQL an event still in flight
    /// below the head, from a write concurrent with the cursor's creation, counts as before it.
    fn head_sequence(&mut self) -> CoreResult<i64> {
        Ok(self.number(HEAD, Vec::new())?.unwrap_or(0))
    }

    fn hook_state(&mut self, webhook: Id) -> CoreResult<Option<HookState>> {
        Ok(self
            .rows(&for_dialect(D::DIALECT, STATE), vec![Param::Text(webhook.to_string())], state)?
            .pop())
    }

    fn put_hook_state(&mut self, s: &HookState) -> CoreResult<()> {
        let params = vec![
            Param::Text(s.webhook.to_string()),
            Param::Int(s.last_sequence),
            Param::from(s.lease_owner.clone()),
            Param::from(s.lease_until.map(|t| t.millis())),
            Param::from(s.failing_since.map(|t| t.millis())),
            Param::Int(s.failures),
            Param::from(s.next_attempt.map(|t| t.millis())),
            Param::from(s.paused_reason.clone()),
            Param::from(s.last_error.clone()),
        ];
        self.run(PUT_STATE, params).map(|_| ())
    }

    fn advance(&mut self, owner: &str, from: i64, s: &HookState) -> CoreResult<bool> {
        let params = vec![
            Param::Text(s.webhook.to_string()),
            Param::Int(s.last_sequence),
            Param::from(s.failing_since.map(|t| t.millis())),
            Param::Int(s.failures),
            Param::from(s.next_attempt.map(|t| t.millis())),
            Param::from(s.paused_reason.clone()),
            Param::from(s.last_error.clone()),
            Param::from(owner),
            Param::Int(from),
        ];
        Ok(self.run(ADVANCE, params)? == 1)
    }

    fn delete_hook_state(&mut self, webhook: Id) -> CoreResult<()> {
        self.run(DELETE_ATTEMPTS, vec![Param::Text(webhook.to_string())])?;
        self.run(DELETE_STATE, vec![Param::Text(webhook.to_string())]).map(|_| ())
    }

    fn lease_hooks(&mut self, owner: &str, now: Timestamp, until: Timestamp) -> CoreResult<Vec<HookState>> {
        self.run(
            LEASE,
            vec![Param::from(owner), Param::Int(now.millis()), Param::Int(until.millis())],
        )?;
        self.rows(&for_dialect(D::DIALECT, LEASED), vec![Param::from(owner)], state)
    }

    fn add_attempt(&mut self, a: &Attempt) -> CoreResult<()> {
        let params = vec![
            Param::Text(a.webhook.to_string()),
            Param::Int(a.sequence),
            Param::Int(a.at.millis()),
            Param::from(a.status),
            Param::from(a.error.clone()),
            Param::Int(a.duration_ms),
        ];
        self.run(ADD_ATTEMPT, params).map(|_| ())
    }

    fn follower_cursor(&mut self, name: &str, start: i64) -> CoreResult<i64> {
        self.run(FOLLOWER_INSERT, vec![Param::from(name), Param::Int(start)])?;
        let found = self.rows(&for_dialect(D::DIALECT, FOLLOWER), vec![Param::from(name)], |r| row::int(r, 0))?;
        Ok(found.into_iter().next().unwrap_or(start))
    }

    fn lease_follower(&mut self, name: &str, owner: &str, now: Timestamp, until: Timestamp) -> CoreResult<Option<i64>> {
        let params = vec![
            Param::from(name),
            Param::from(owner),
            Param::Int(now.millis()),
            Param::Int(until.millis()),
        ];
        if self.run(FOLLOWER_LEASE, params)? == 0 {
            return Ok(None);
        }
        let found = self.rows(&for_dialect(D::DIALECT, FOLLOWER), vec![Param::from(name)], |r| row::int(r, 0))?;
        Ok(found.into_iter().next())
    }

    fn store_follower(&mut self, name: &str, owner: &str, sequence: i64) -> CoreResult<bool> {
        let params = vec![Param::from(name), Param::from(owner), Param::Int(sequence)];
        Ok(self.run(FOLLOWER_STORE, params)? == 1)
    }

    fn attempts(&mut self, webhook: Id, offset: u64, limit: u64) -> CoreResult<(Vec<Attempt>, u64)> {
        let id = Param::Text(webhook.to_string());
        let page = self.rows(
            &for_dialect(D::DIALECT, ATTEMPTS),
            vec![id.clone(), count(limit), count(offset)],
            attempt,
        )?;
        let total = self.number(&for_dialect(D::DIALECT, ATTEMPT_COUNT), vec![id])?.unwrap_or(0);
        Ok((page, total.max(0) as u64))
    }

    fn trim_attempts(&mut self, webhook: Id, keep: u64) -> CoreResult<()> {
        self.run(TRIM_ATTEMPTS, vec![Param::Text(webhook.to_string()), count(keep)])
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::Dialect;

    #[test]
    fn every_statement_names_the_columns_of_the_state_in_one_order() {
        for text in [STATE, LEASED] {
            assert!(text.contains(COLUMNS), "{text}");
        }
        assert!(for_dialect(Dialect::Postgres, ADVANCE).contains("$9"));
    }
}
