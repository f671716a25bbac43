//! What every handler shares: the store, the metrics behind `/metrics`, the shutdown signal
//! and the authentication bookkeeping.

use serde_json::Value as Json;
use shopfloor_catalogue::{Access, Function, CATALOGUE};
use shopfloor_core::errors::CoreError;
use shopfloor_core::tx::Caller;
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
    /// The authenticated caller of the current request (set by `auth::authenticate`). Outside
    /// an authenticated request it is an anonymous caller holding no permission: fail closed.
    pub fn caller(&self) -> Caller {
        crate::auth::CALLER
            .try_with(|c| Caller {
                now: shopfloor_core::time::Timestamp::now(),
                ..c.clone()
            })
            .unwrap_or_else(|_| Caller {
                user: "anonymous".into(),
                now: shopfloor_core::time::Timestamp::now(),
                permissions: Some(vec![]),
            })
    }

    /// Runs a catalogue function in the transaction its access needs.
    pub async fn call(&self, function: &'static Function, body: Json) -> Result<Json, CoreError> {
        let caller = self.caller();
        if let Some(p) = &function.permission {
            caller.require(p)?;
        }
        let args = shopfloor_catalogue::Args::bind(function, body)?;
        let run = move |tx: &mut dyn shopfloor_core::tx::Tx| (function.handler)(tx, &caller, &args);
        match function.access {
            Access::Read => self.store.read(run).await,
            Access::Write => self.store.write(run).await,
        }
    }

    /// Calls `module.name` (which must be registered).
    pub async fn call_named(&self, module: &str, name: &str, body: Json) -> Result<Json, CoreError> {
        let f = CATALOGUE
            .get(module, name)
            .ok_or_else(|| CoreError::Internal(format!("function {module}.{name} is not registered")))?;
        self.call(f, body).await
    }
}
