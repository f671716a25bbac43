//! Shopfloor's domain: records and their catalogue, validation, the production-order lifecycle,
//! queries, permissions, history and the services over a storage interface. No I/O lives here:
//! stores implement [`tx::Tx`], the HTTP server calls [`catalogue`] functions.

pub mod delivery;
pub mod errors;
pub mod history;
pub mod id;
pub mod import_queue;
pub mod lifecycle;
pub mod name_key;
pub mod permissions;
pub mod query;
pub mod record;
pub mod schema;
pub mod service;
pub mod time;
pub mod tx;
