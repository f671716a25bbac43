//! Shopfloor's HTTP surface: the script API (`/api/v1/script/{module}/{function}`), REST
//! resources, the change feed, OpenAPI, health and metrics. Handlers hold no business rules;
//! they bind arguments and call the core's catalogue in a store transaction.

pub mod app;
pub mod auth;
pub mod auth_cache;
pub mod error;
pub mod metrics;
pub mod routes;
mod serve;
pub mod state;
pub mod workers;

pub use app::{Application, ServerConfig, StartError};
