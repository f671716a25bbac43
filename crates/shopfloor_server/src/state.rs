//! What every handler shares: the store, the metrics behind `/metrics`, the shutdown signal,
//! the authentication bookkeeping, and the request's caller with the transactions run as it.

use serde_json::Value as Json;
use shopfloor_catalogue::{Access, Answer, Function, Handler, TxJob};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::tx::{Caller, Tx};
use shopfloor_store::Store;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Longest a change-feed request waits for new events.
    pub max_poll: Duration,
    /// Turns true when the server is shutting down: long-polls answer and streams end.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
    pub auth: Arc<crate::auth::AuthState>,
}

impl AppState {
    /// The authenticated caller of the current request (see [`request_caller`]).
    pub fn caller(&self) -> Caller {
        request_caller()
    }

    /// Runs `f` as the request's caller in a read transaction (a consistent snapshot).
    pub async fn read<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx, &Caller) -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
        let caller = self.caller();
        self.store.read(move |tx| f(tx, &caller)).await
    }

    /// Runs `f` as the request's caller in the write transaction.
    pub async fn write<T: Send + 'static>(&self, f: impl FnOnce(&mut dyn Tx, &Caller) -> CoreResult<T> + Send + 'static) -> CoreResult<T> {
        let caller = self.caller();
        self.store.write(move |tx| f(tx, &caller)).await
    }

    /// Runs a catalogue function in the transaction its access needs; a prepared function's
    /// first part (parsing an import file) runs before, on a blocking thread of the request.
    pub async fn call(&self, function: &'static Function, body: Json) -> Result<Answer, CoreError> {
        let caller = self.caller();
        if let Some(p) = &function.permission {
            caller.require(p)?;
        }
        let args = shopfloor_catalogue::Args::bind(function, body)?;
        let job: TxJob = match &function.handler {
            Handler::InTx(handler) => Box::new(move |tx, caller| handler(tx, caller, &args).map(Answer::Value)),
            Handler::Prepared(prepare) => {
                let preparer = caller.clone();
                tokio::task::spawn_blocking(move || prepare(&preparer, args))
                    .await
                    .map_err(|e| CoreError::Internal(format!("preparing {}: {e}", function.name)))??
            }
        };
        let run = move |tx: &mut dyn Tx| job(tx, &caller);
        match function.access {
            Access::Read => self.store.read(run).await,
            Access::Write => self.store.write(run).await,
        }
    }
}

/// The authenticated caller of the current request (set by `auth::authenticate`). Outside an
/// authenticated request it is an anonymous caller holding no permission: fail closed.
pub fn request_caller() -> Caller {
    crate::auth::CALLER
        .try_with(|c| Caller {
            now: shopfloor_core::time::Timestamp::now(),
            ..c.clone()
        })
        .unwrap_or_else(|_| Caller {
            user: "anonymous".into(),
            now: shopfloor_core::time::Timestamp::now(),
            permissions: Some(vec![]),
            person: None,
        })
}
