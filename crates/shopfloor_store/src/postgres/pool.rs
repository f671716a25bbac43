//! A small pool of blocking PostgreSQL connections. Work runs on tokio's blocking threads; a
//! connection never crosses back to an async thread (the sync driver must not be dropped
//! there), so each one goes back to the pool from the blocking thread that used it.

use super::settings::PgSettings;
use super::tx::{describe, is_dead_connection};
use postgres::{Client, NoTls, Statement};
use shopfloor_core::errors::{CoreError, CoreResult};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

pub struct Pool {
    inner: Arc<Inner>,
}

/// Most prepared statements one connection keeps (the generated queries vary with the filters).
const STATEMENT_CACHE: usize = 256;

/// A pooled connection and the statements prepared on it (one round-trip fewer per statement).
pub struct Conn {
    pub client: Client,
    statements: HashMap<String, Statement>,
}

impl Conn {
    fn new(client: Client) -> Conn {
        Conn {
            client,
            statements: HashMap::new(),
        }
    }

    /// The statement for `sql`, prepared once per connection.
    pub fn prepare(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let statement = self.client.prepare(sql)?;
        if self.statements.len() >= STATEMENT_CACHE {
            self.statements.clear();
        }
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    /// Forgets the prepared statements (after an error that may have made them stale, such as
    /// another instance migrating the schema).
    pub fn forget_statements(&mut self) {
        self.statements.clear();
    }
}

struct Inner {
    settings: PgSettings,
    idle: Mutex<Vec<Conn>>,
    slots: Arc<Semaphore>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let idle = std::mem::take(self.idle.get_mut().unwrap_or_else(|p| p.into_inner()));
        if !idle.is_empty() {
            // Closing a connection blocks; do it off whatever thread drops the pool.
            let _ = std::thread::Builder::new()
                .name("shopfloor-pg-close".into())
                .spawn(move || drop(idle));
        }
    }
}

/// Opens one connection with the session settings every Shopfloor connection has.
pub fn connect(settings: &PgSettings) -> CoreResult<Client> {
    let mut client = settings
        .config
        .connect(NoTls)
        .map_err(|e| CoreError::Unavailable(format!("database unreachable: {}", describe(&e))))?;
    client
        .batch_execute(&format!(
            "SET statement_timeout = {}; SET idle_in_transaction_session_timeout = {}; SET TIME ZONE 'UTC'; \
             SET client_min_messages = warning",
            settings.statement_timeout.as_millis(),
            settings.statement_timeout.as_millis().max(1000) * 2
        ))
        .map_err(|e| CoreError::Unavailable(format!("database unavailable: {}", describe(&e))))?;
    Ok(client)
}

/// A connection for start-up work (migrations, the first look at the history), with its
/// failure as a start-up error.
pub fn connect_for_setup(settings: &PgSettings) -> Result<Client, crate::StoreError> {
    connect(settings).map_err(|e| match e {
        CoreError::Unavailable(m) => crate::StoreError::Postgres(m),
        other => crate::StoreError::Postgres(other.to_string()),
    })
}

impl Pool {
    pub fn new(settings: PgSettings) -> Pool {
        let slots = Arc::new(Semaphore::new(settings.pool_size));
        Pool {
            inner: Arc::new(Inner {
                settings,
                idle: Mutex::new(Vec::new()),
                slots,
            }),
        }
    }

    /// Runs `work` on a pooled connection on a blocking thread. `begin` is the first statement
    /// (it starts the transaction): when it fails on a pooled connection that turns out to be
    /// dead (the server restarted), a fresh connection is opened and `begin` tried once more,
    /// so that a database that came back serves the next request.
    pub async fn run<T: Send + 'static>(
        &self,
        begin: &'static str,
        work: impl FnOnce(&mut Conn) -> CoreResult<T> + Send + 'static,
    ) -> CoreResult<T> {
        let inner = self.inner.clone();
        let permit = tokio::time::timeout(inner.settings.pool_timeout, inner.slots.clone().acquire_owned())
            .await
            .map_err(|_| {
                CoreError::Unavailable(format!(
                    "all {} database connections stayed busy for {:?}",
                    inner.settings.pool_size, inner.settings.pool_timeout
                ))
            })?
            .map_err(|_| CoreError::Unavailable("the store is closed".into()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let pooled = inner.idle.lock().ok().and_then(|mut idle| idle.pop());
            let mut conn = match pooled {
                Some(mut c) => match c.client.batch_execute(begin) {
                    Ok(()) => c,
                    Err(e) if is_dead_connection(&e) => {
                        drop(c);
                        let mut fresh = connect(&inner.settings)?;
                        fresh.batch_execute(begin).map_err(super::tx::db_error)?;
                        Conn::new(fresh)
                    }
                    Err(e) => return Err(super::tx::db_error(e)),
                },
                None => {
                    let mut fresh = connect(&inner.settings)?;
                    fresh.batch_execute(begin).map_err(super::tx::db_error)?;
                    Conn::new(fresh)
                }
            };
            let result = work(&mut conn);
            if !conn.client.is_closed() {
                if let Ok(mut idle) = inner.idle.lock() {
                    idle.push(conn);
                }
            }
            result
        })
        .await
        .map_err(|e| CoreError::Internal(format!("database task failed: {e}")))?
    }

    /// Refuses new work; idle connections close when the last handle goes.
    pub fn close(&self) {
        self.inner.slots.close();
    }
}
