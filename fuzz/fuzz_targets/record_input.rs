//! Record input of every entity: any JSON object parses to an input or field errors, never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shopfloor_core::errors::FieldErrors;
use shopfloor_core::record::parse_input;
use shopfloor_core::schema::Entity;

fuzz_target!(|data: &[u8]| {
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(data) else {
        return;
    };
    for entity in Entity::ALL {
        let mut errors = FieldErrors::new();
        let _ = parse_input(entity.def(), &map, &mut errors);
    }
});
