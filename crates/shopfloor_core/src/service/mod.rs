//! The services: every rule of saving, validating, reading and deleting records, lifecycle,
//! reporting, history and the master-data calls, as plain functions over a [`crate::tx::Tx`].

pub mod bill_of_materials;
pub mod entity;
pub mod location;
pub mod material;
pub mod production_order;
pub mod property;
pub mod security;
pub mod shift;
pub mod unit_of_measure;
