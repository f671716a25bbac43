//! The conditions of a FilterRequest (query.md): their names, which field types each fits, and
//! the operand each needs, converted to the field's storage type.

use super::model::{FieldRef, Operand};
use crate::errors::FieldErrors;
use crate::id::Id;
use crate::record::{parse_real, parse_time, Value};
use crate::schema::{Kind, ValueType};
use serde_json::{Map, Value as Json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    Equals,
    NotEquals,
    True,
    False,
    Contains,
    StartsWith,
    EndsWith,
    GreaterThan,
    GreaterThanOrEqualTo,
    LessThan,
    LessThanOrEqualTo,
    Between,
    In,
    NotIn,
    IsNull,
    IsNotNull,
}

impl Condition {
    const NAMES: [(&'static str, Condition); 16] = [
        ("EQUALS", Condition::Equals),
        ("NOT_EQUALS", Condition::NotEquals),
        ("TRUE", Condition::True),
        ("FALSE", Condition::False),
        ("CONTAINS", Condition::Contains),
        ("STARTS_WITH", Condition::StartsWith),
        ("ENDS_WITH", Condition::EndsWith),
        ("GREATER_THAN", Condition::GreaterThan),
        ("GREATER_THAN_OR_EQUAL_TO", Condition::GreaterThanOrEqualTo),
        ("LESS_THAN", Condition::LessThan),
        ("LESS_THAN_OR_EQUAL_TO", Condition::LessThanOrEqualTo),
        ("BETWEEN", Condition::Between),
        ("IN", Condition::In),
        ("NOT_IN", Condition::NotIn),
        ("IS_NULL", Condition::IsNull),
        ("IS_NOT_NULL", Condition::IsNotNull),
    ];

    pub fn parse(text: &str) -> Option<Condition> {
        let norm = text.trim().replace([' ', '-'], "_").to_ascii_uppercase();
        Self::NAMES.iter().find(|(n, _)| *n == norm).map(|(_, c)| *c)
    }

    pub fn names() -> Vec<&'static str> {
        Self::NAMES.iter().map(|(n, _)| *n).collect()
    }

    pub(super) fn fits(self, t: ValueType) -> bool {
        use Condition::*;
        match self {
            Equals | NotEquals | In | NotIn | IsNull | IsNotNull => true,
            True | False => t == ValueType::Boolean,
            Contains | StartsWith | EndsWith => t == ValueType::String,
            GreaterThan | GreaterThanOrEqualTo | LessThan | LessThanOrEqualTo | Between => {
                matches!(t, ValueType::Number | ValueType::Date)
            }
        }
    }
}

/// The value of `key` when it is given and not null.
pub(super) fn non_null<'a>(m: &'a Map<String, Json>, key: &str) -> Option<&'a Json> {
    m.get(key).filter(|v| !v.is_null())
}

fn operand_key(vt: ValueType) -> &'static str {
    match vt {
        ValueType::String => "stringValue",
        ValueType::Number => "numberValue",
        ValueType::Date => "dateValue",
        ValueType::Boolean => "booleanValue",
    }
}

pub(super) fn parse_operand(
    field: FieldRef,
    condition: Condition,
    f: &Map<String, Json>,
    prefix: &str,
    errors: &mut FieldErrors,
) -> Operand {
    use Condition::*;
    let vt = field.kind.value_type();
    let key = |k: &str| format!("{prefix}{k}");
    let mut one = |name: &str| -> Option<Value> {
        match non_null(f, name) {
            None => {
                errors.add(
                    key(name),
                    format!("is required for condition {condition:?} on field '{}'", field.key),
                );
                None
            }
            Some(v) => match operand_value(field, v) {
                Ok(v) => Some(v),
                Err(m) => {
                    errors.add(key(name), m);
                    None
                }
            },
        }
    };
    match condition {
        True | False | IsNull | IsNotNull => Operand::None,
        Between => {
            let (lo, hi) = match vt {
                ValueType::Date => ("minDateValue", "maxDateValue"),
                _ => ("minNumberValue", "maxNumberValue"),
            };
            match (one(lo), one(hi)) {
                (Some(a), Some(b)) => Operand::Range(a, b),
                _ => Operand::None,
            }
        }
        In | NotIn => {
            let name = match vt {
                ValueType::String => "stringListValue",
                ValueType::Number => "numberListValue",
                ValueType::Date => "dateListValue",
                ValueType::Boolean => "stringListValue",
            };
            match non_null(f, name) {
                Some(Json::Array(items)) => {
                    let mut values = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        match operand_value(field, item) {
                            Ok(v) => values.push(v),
                            Err(m) => errors.add(key(&format!("{name}[{i}]")), m),
                        }
                    }
                    if items.is_empty() {
                        errors.add(key(name), "must not be empty");
                    }
                    Operand::List(values)
                }
                Some(_) => {
                    errors.add(key(name), "must be a list");
                    Operand::None
                }
                None => {
                    errors.add(
                        key(name),
                        format!("is required for condition {condition:?} on field '{}'", field.key),
                    );
                    Operand::None
                }
            }
        }
        Contains | StartsWith | EndsWith => match non_null(f, "stringValue") {
            Some(Json::String(s)) => match text_operand(s) {
                Ok(v) => Operand::One(v),
                Err(m) => {
                    errors.add(key("stringValue"), m);
                    Operand::None
                }
            },
            Some(other) => {
                errors.add(key("stringValue"), format!("must be a string, got {other}"));
                Operand::None
            }
            None => {
                errors.add(
                    key("stringValue"),
                    format!("is required for condition {condition:?} on field '{}'", field.key),
                );
                Operand::None
            }
        },
        _ => {
            let name = if vt == ValueType::Boolean && non_null(f, "booleanValue").is_none() {
                "stringValue"
            } else {
                operand_key(vt)
            };
            one(name).map(Operand::One).unwrap_or(Operand::None)
        }
    }
}

/// Converts one operand to the field's storage type (ids canonical, enums checked, text keyed).
fn operand_value(field: FieldRef, v: &Json) -> Result<Value, String> {
    match field.kind {
        Kind::Json => Err(format!("field '{}' cannot be compared; filter on a typed field", field.key)),
        Kind::Id | Kind::Ref(_) => match v.as_str() {
            Some(s) => Id::parse(s).map(|id| Value::Text(id.to_string().into())),
            None => Err(format!("must be a ULID string, got {v}")),
        },
        Kind::Enum(options) => match v.as_str() {
            Some(s) => {
                let norm = s.trim().replace([' ', '-'], "_");
                options
                    .iter()
                    .find(|o| o.eq_ignore_ascii_case(&norm))
                    .map(|o| Value::Text((*o).into()))
                    .ok_or_else(|| format!("'{s}' is not one of {}", options.join(", ")))
            }
            None => Err(format!("must be a string, got {v}")),
        },
        Kind::Name | Kind::Text { .. } => match v {
            Json::String(s) => text_operand(s),
            other => Err(format!("must be a string, got {other}")),
        },
        Kind::Real { .. } | Kind::Int => parse_real(v).map(Value::Real),
        Kind::Time => parse_time(v).map(Value::Time),
        Kind::Bool => match v {
            Json::Bool(b) => Ok(Value::Bool(*b)),
            Json::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Json::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            other => Err(format!("must be true or false, got {other}")),
        },
    }
}

/// A text operand, as its comparison key ([`crate::name_key`]: the stored side is keyed alike,
/// so look-alike forms and letter case are ignored). NUL is refused on every store alike: PostgreSQL text cannot
/// hold it and SQLite's string functions stop at it (a value starting with NUL would match
/// everything), so no condition could treat it like other characters (issue 22 #6).
fn text_operand(s: &str) -> Result<Value, String> {
    if s.contains('\0') {
        return Err("must not contain the NUL character (U+0000)".into());
    }
    Ok(Value::Text(crate::name_key::name_key(s).into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_match_case_insensitively_with_spaces() {
        assert_eq!(Condition::parse("greater than"), Some(Condition::GreaterThan));
        assert_eq!(Condition::parse("not_in"), Some(Condition::NotIn));
        assert_eq!(Condition::parse("LIKE"), None);
    }
}
