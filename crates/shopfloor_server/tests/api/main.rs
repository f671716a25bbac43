//! Integration tests of the HTTP API: each boots the real server on port 0 with a fresh SQLite
//! file in a temporary directory (see `helpers::spawn_app`).

mod bad_input;
mod bill_of_materials;
mod board_queries;
mod concurrency;
mod connections;
mod find_fields;
mod hardening;
#[allow(dead_code)] // not every test binary uses every helper
mod helpers;
mod history;
mod import_export;
mod import_parsing;
mod keywords;
mod lifecycle;
mod location_material_properties;
mod login_slowdown;
mod master_data;
mod master_data_exchange;
mod order_search;
mod personnel;
mod production_orders;
mod properties;
mod query_bruteforce;
mod rest;
mod role_module;
mod security;
mod seed_example;
mod stop_reasons;
mod text_matching;
mod token_cache;
mod webhooks;
mod workers;
