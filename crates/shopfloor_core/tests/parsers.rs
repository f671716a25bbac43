//! Property tests of the parsers at the boundary: whatever a client sends, parsing answers a
//! value or field errors and never panics; what the server writes parses back to itself.

use proptest::prelude::*;
use serde_json::{Map, Value};
use shopfloor_core::errors::FieldErrors;
use shopfloor_core::id::Id;
use shopfloor_core::query::parse_query;
use shopfloor_core::record::parse_input;
use shopfloor_core::schema::Entity;
use shopfloor_core::time::Timestamp;

/// Arbitrary JSON, biased towards the keys and shapes the parsers look at.
fn json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("name".to_string()),
        Just("quantity".to_string()),
        Just("status".to_string()),
        Just("dueDate".to_string()),
        Just("id".to_string()),
        Just("version".to_string()),
        Just("filters".to_string()),
        Just("field".to_string()),
        Just("condition".to_string()),
        Just("pageSize".to_string()),
        Just("pageIndex".to_string()),
        Just("sortFields".to_string()),
        Just("stringListValue".to_string()),
        Just("minDateValue".to_string()),
        ".{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)),
        ".{0,40}".prop_map(Value::String),
        prop_oneof![
            Just("NaN"),
            Just("1e400"),
            Just("-0"),
            Just("2025-01-01T00:00:00Z"),
            Just("01JCH3ENGW-82KJDZDR-JHGYCXQN"),
            Just("greater than"),
            Just("RUNNING")
        ]
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8).prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #[test]
    fn id_parsing_never_panics(text in ".{0,40}") {
        let _ = Id::parse(&text);
    }

    #[test]
    fn displayed_ids_parse_back_in_both_forms(value in any::<u128>()) {
        let id = Id::from_u128(value);
        prop_assert_eq!(Id::parse(&id.to_string()).unwrap(), id);
        prop_assert_eq!(Id::parse(&id.to_string().replace('-', "").to_lowercase()).unwrap(), id);
    }

    #[test]
    fn timestamp_parsing_never_panics(text in ".{0,40}") {
        let _ = Timestamp::parse(&text);
    }

    #[test]
    fn written_timestamps_parse_back(ms in -62_135_596_800_000i64..=253_402_300_799_999i64) {
        let t = Timestamp::from_millis(ms).unwrap();
        prop_assert_eq!(Timestamp::parse(&t.to_string()).unwrap(), t);
    }

    #[test]
    fn record_input_parsing_never_panics(data in json()) {
        if let Value::Object(map) = data {
            for e in Entity::ALL {
                let mut errors = FieldErrors::new();
                let _ = parse_input(e.def(), &map, &mut errors);
            }
        }
    }

    #[test]
    fn query_parsing_never_panics(data in json()) {
        if let Value::Object(map) = data {
            let _ = parse_query(Entity::ProductionOrder.def(), &map);
        }
    }
}
