//! The pool of blocking PostgreSQL connections, on `deadpool`'s managed pool: at most
//! `pool_size` connections, opened when first needed; a request waits for a free one
//! asynchronously, for at most `pool_timeout`; a failed connect answers at once; closing refuses
//! new work.
//!
//! What stays here: how a connection is opened (its session settings), the statements prepared
//! on it, replacing a pooled connection found dead when its transaction begins (the database
//! restarted), and where a connection is closed. Work runs on tokio's blocking threads; the
//! sync driver blocks to close a connection, which it may not do on an async thread, so a
//! connection dropped anywhere else than on the blocking thread that used it closes on a thread
//! of its own ([`Pooled`]).

use super::driver::{db_error, describe, is_dead_connection};
use super::settings::PgSettings;
use deadpool::managed::{self, Metrics, Object, PoolError, QueueMode, RecycleError, RecycleResult};
use deadpool::Runtime;
use postgres::{Client, NoTls, Statement};
use shopfloor_core::errors::{CoreError, CoreResult};
use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

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

/// A connection as the pool holds it. Dropped where blocking is not allowed (the pool closing
/// or discarding it on an async thread), it closes on a thread of its own.
pub struct Pooled(Option<Conn>);

impl Pooled {
    /// Replaces the connection, closing the old one here (a blocking thread).
    fn replace(&mut self, conn: Conn) {
        drop(self.0.replace(conn));
    }

    /// Closes the connection here (a blocking thread).
    fn close_here(mut self) {
        drop(self.0.take());
    }
}

impl Deref for Pooled {
    type Target = Conn;
    fn deref(&self) -> &Conn {
        self.0.as_ref().expect("a pooled connection is present until it is closed")
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Conn {
        self.0.as_mut().expect("a pooled connection is present until it is closed")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let Some(conn) = self.0.take() else { return };
        if tokio::runtime::Handle::try_current().is_ok() {
            // Perhaps an async worker thread, where the driver may not block.
            let _ = std::thread::Builder::new()
                .name("shopfloor-pg-close".into())
                .spawn(move || drop(conn));
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

/// Opens connections for the pool (on a blocking thread) and keeps those not known closed.
struct Connector {
    settings: Arc<PgSettings>,
}

impl managed::Manager for Connector {
    type Type = Pooled;
    type Error = CoreError;

    async fn create(&self) -> CoreResult<Pooled> {
        let settings = self.settings.clone();
        tokio::task::spawn_blocking(move || connect(&settings).map(|c| Pooled(Some(Conn::new(c)))))
            .await
            .map_err(|e| CoreError::Internal(format!("opening a database connection failed: {e}")))?
    }

    /// Cheap (no round-trip): a connection that died unnoticed is found when its transaction
    /// begins (`Pool::run`).
    async fn recycle(&self, conn: &mut Pooled, _: &Metrics) -> RecycleResult<CoreError> {
        if conn.client.is_closed() {
            return Err(RecycleError::message("the connection is closed"));
        }
        Ok(())
    }
}

pub struct Pool {
    pool: managed::Pool<Connector>,
    settings: Arc<PgSettings>,
}

impl Pool {
    pub fn new(settings: PgSettings) -> Result<Pool, crate::StoreError> {
        let settings = Arc::new(settings);
        let pool = managed::Pool::builder(Connector {
            settings: settings.clone(),
        })
        .max_size(settings.pool_size)
        .wait_timeout(Some(settings.pool_timeout))
        .runtime(Runtime::Tokio1)
        // The most recently used connection first: the others may idle out on the server.
        .queue_mode(QueueMode::Lifo)
        .build()
        .map_err(|e| crate::StoreError::Config(format!("database pool: {e}")))?;
        Ok(Pool { pool, settings })
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
        let mut conn = self.pool.get().await.map_err(|e| self.unavailable(e))?;
        let settings = self.settings.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = start(&mut conn, begin, &settings) {
                // Dead, or left inside a failed transaction: not back to the pool, closed here.
                Object::take(conn).close_here();
                return Err(e);
            }
            let result = work(&mut conn);
            if conn.client.is_closed() {
                Object::take(conn).close_here();
            }
            // Otherwise back to the pool from this thread, so that a pool closed meanwhile
            // drops it here.
            result
        })
        .await
        .map_err(|e| CoreError::Internal(format!("database task failed: {e}")))?
    }

    fn unavailable(&self, e: PoolError<CoreError>) -> CoreError {
        match e {
            PoolError::Backend(e) => e,
            PoolError::Timeout(_) => CoreError::Unavailable(format!(
                "all {} database connections stayed busy for {:?}",
                self.settings.pool_size, self.settings.pool_timeout
            )),
            PoolError::Closed => CoreError::Unavailable("the store is closed".into()),
            other => CoreError::Internal(format!("database pool: {other}")),
        }
    }

    /// Refuses new work; idle connections close now, busy ones when their work ends.
    pub fn close(&self) {
        self.pool.close();
    }
}

/// Runs `begin` on the connection, replacing it first when it turns out to be dead.
fn start(conn: &mut Pooled, begin: &str, settings: &PgSettings) -> CoreResult<()> {
    match conn.client.batch_execute(begin) {
        Ok(()) => Ok(()),
        Err(e) if is_dead_connection(&e) => {
            let mut fresh = Conn::new(connect(settings)?);
            fresh.client.batch_execute(begin).map_err(db_error)?;
            conn.replace(fresh);
            Ok(())
        }
        Err(e) => Err(db_error(e)),
    }
}
