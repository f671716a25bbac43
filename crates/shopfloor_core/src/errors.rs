//! Errors of the core: field validation maps and the domain error enum mapped once to HTTP.

use serde_json::Value as Json;
use std::collections::BTreeMap;

/// `{field: [messages]}` as returned by every `validateX` call (SPEC §1).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldErrors(pub BTreeMap<String, Vec<String>>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_default().push(message.into());
    }

    /// Adds every message of `other`, after those already kept for the same field.
    pub fn merge(&mut self, other: FieldErrors) {
        for (field, messages) in other.0 {
            self.0.entry(field).or_default().extend(messages);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, message);
        e
    }

    pub fn to_json(&self) -> Json {
        serde_json::to_value(&self.0).unwrap_or(Json::Null)
    }

    /// `Ok(())` when empty, else the validation error carrying these fields.
    pub fn into_result(self) -> Result<(), CoreError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Validation(self))
        }
    }
}

/// Everything a service call can fail with. The HTTP layer maps each variant to one status code.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("validation failed")]
    Validation(FieldErrors),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{message}")]
    InUse { message: String, references: Json },
    #[error("{message}")]
    Conflict { message: String, current: Json },
    #[error("lacking permission {permission}")]
    Forbidden { permission: String },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl CoreError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::Validation(FieldErrors::single(field, message))
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
