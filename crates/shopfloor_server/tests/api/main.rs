//! Integration tests of the HTTP API: each boots the real server on port 0 with a fresh SQLite
//! file in a temporary directory (see `helpers::spawn_app`).

#[allow(dead_code)] // not every test binary uses every helper
mod helpers;
mod seed_example;
