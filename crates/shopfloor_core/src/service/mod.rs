//! The services: every rule of saving, validating, reading and deleting records, lifecycle,
//! reporting, history and the master-data calls, as plain functions over a [`crate::tx::Tx`].
//!
//! Layers, each using only those below it: [`generic`] (the services of any entity, given its
//! hooks), the per-entity modules (their rules as [`generic::Hooks`], and their own calls), and
//! [`entity`] (the table of every entity's hooks, for callers that name the entity at run time).

pub mod bill_of_materials;
pub mod bulk_delete;
pub mod credentials;
pub mod entity;
pub mod generic;
pub mod location;
pub mod material;
pub mod personnel;
pub mod production_order;
pub mod property;
pub mod role;
pub mod schedule;
pub mod security;
pub mod security_levels;
pub mod shift;
pub mod unit_of_measure;
pub mod webhook;
