//! QueryRequest / FilterRequest of every entity: any JSON object parses to a query or field
//! errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shopfloor_core::query::{parse_filter, parse_query};
use shopfloor_core::schema::Entity;

fuzz_target!(|data: &[u8]| {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(data) else {
        return;
    };
    for entity in Entity::ALL {
        let _ = parse_query(entity.def(), &map);
        let _ = parse_filter(entity.def(), &map, "");
    }
});
