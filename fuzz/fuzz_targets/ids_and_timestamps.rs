//! Ids and timestamps: any text parses to a value or an error, never a panic; what parses
//! prints in a form that parses back to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shopfloor_core::id::Id;
use shopfloor_core::time::Timestamp;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(id) = Id::parse(text) {
        assert_eq!(Id::parse(&id.to_string()), Ok(id), "id {text:?}");
    }
    if let Ok(t) = Timestamp::parse(text) {
        assert_eq!(Timestamp::parse(&t.to_string()), Ok(t), "timestamp {text:?}");
    }
});
