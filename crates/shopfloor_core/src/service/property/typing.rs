//! The one home of the typing rules of property values, for every property family: the five
//! data types and their typed columns, conversion of a given value to its type, the options
//! list, and the check of a value against its definition (type, limits, options).

use crate::record::{parse_real, parse_time, Record, Value};
use crate::schema::Kind;
use serde_json::{json, Value as Json};

/// The five data types and the hidden typed column each stores its values in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataType {
    String,
    Integer,
    Float,
    Boolean,
    DateTime,
}

impl DataType {
    const ALL: [DataType; 5] = [
        DataType::String,
        DataType::Integer,
        DataType::Float,
        DataType::Boolean,
        DataType::DateTime,
    ];

    /// The canonical spelling (aliases are resolved when a property is saved).
    pub fn parse(text: &str) -> Option<DataType> {
        DataType::ALL.into_iter().find(|t| t.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DataType::String => "STRING",
            DataType::Integer => "INTEGER",
            DataType::Float => "FLOAT",
            DataType::Boolean => "BOOLEAN",
            DataType::DateTime => "DATETIME",
        }
    }

    /// The hidden field of a property value that holds values of this type.
    pub fn column_key(self) -> &'static str {
        match self {
            DataType::String => "stringValue",
            DataType::Integer => "integerValue",
            DataType::Float => "floatValue",
            DataType::Boolean => "booleanValue",
            DataType::DateTime => "dateValue",
        }
    }

    /// How queries treat values of this type.
    pub fn kind(self) -> Kind {
        match self {
            DataType::String => Kind::Text { max: 10_000 },
            DataType::Integer | DataType::Float => Kind::Real {
                positive: false,
                signed: true,
            },
            DataType::Boolean => Kind::Bool,
            DataType::DateTime => Kind::Time,
        }
    }
}

pub(super) const TYPED_KEYS: [&str; 5] = ["stringValue", "integerValue", "floatValue", "booleanValue", "dateValue"];

pub(super) fn data_type(record: &Record) -> Option<DataType> {
    record.text("dataType").and_then(DataType::parse)
}

/// Converts `json` to a value of type `t`: the canonical wire form and the typed column value.
pub fn typed(t: DataType, json: &Json) -> Result<(Json, Value), String> {
    match t {
        DataType::String => match json {
            Json::String(s) => Ok((json.clone(), Value::Text(s.as_str().into()))),
            Json::Number(_) | Json::Bool(_) => Ok((Json::String(json.to_string()), Value::Text(json.to_string().into()))),
            other => Err(format!("must be a string, got {other}")),
        },
        DataType::Integer => {
            let v = parse_real(json).map_err(|_| format!("must be a whole number, got {json}"))?;
            if v.fract() != 0.0 || v.abs() > 9.007_199_254_740_992e15 {
                return Err(format!("must be a whole number, got {json}"));
            }
            Ok((json!(v as i64), Value::Real(v)))
        }
        DataType::Float => {
            let v = parse_real(json)?;
            Ok((json!(v), Value::Real(v)))
        }
        DataType::Boolean => match json {
            Json::Bool(b) => Ok((json!(b), Value::Bool(*b))),
            Json::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok((json!(true), Value::Bool(true))),
            Json::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok((json!(false), Value::Bool(false))),
            other => Err(format!("must be true or false, got {other}")),
        },
        DataType::DateTime => {
            let t = parse_time(json)?;
            Ok((json!(t.to_string()), Value::Time(t)))
        }
    }
}

/// `a,b,c` or `[a, b, c]` → the allowed values as text.
pub fn parse_options(text: &str) -> Vec<String> {
    let t = text.trim();
    let inner = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')).unwrap_or(t);
    inner
        .split(',')
        .map(|o| o.trim().trim_matches('"').trim_matches('\'').to_string())
        .filter(|o| !o.is_empty())
        .collect()
}

/// Checks a (non-null) value against the property: type, limits, options. Returns the typed pair.
pub fn check_value(property: &Record, json: &Json) -> Result<(Json, Value), String> {
    let t = data_type(property).ok_or("the property has no data type")?;
    let (canonical, typed_value) = typed(t, json)?;
    if let Some(v) = typed_value.as_real() {
        if let Some(low) = property.get("lowLimit").as_real() {
            if v < low {
                return Err(format!("{v} is below the low limit {low}"));
            }
        }
        if let Some(high) = property.get("highLimit").as_real() {
            if v > high {
                return Err(format!("{v} is above the high limit {high}"));
            }
        }
    }
    if let Some(options) = property.text("options").map(parse_options).filter(|o| !o.is_empty()) {
        let allowed = options
            .iter()
            .any(|o| typed(t, &Json::String(o.clone())).map(|(c, _)| c == canonical).unwrap_or(false));
        if !allowed {
            return Err(format!("{canonical} is not one of the options {}", options.join(", ")));
        }
    }
    Ok((canonical, typed_value))
}
