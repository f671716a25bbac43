//! Binding a call body to a function's declared parameters, and reading the bound arguments by
//! parameter name. An object is keyword arguments (or the `**kwargs` object itself), an array
//! positional arguments, `null` none; wrong counts, unknown names and missing required arguments
//! are `BadRequest` errors that show the signature.

use crate::registry::{Function, Param};
use serde_json::{Map, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::record::describe;

/// Arguments bound to a function's parameters; handlers read them by parameter name.
#[derive(Debug, Default)]
pub struct Args {
    names: Vec<String>,
    values: Vec<Option<Json>>,
}

/// `reportProduction(productionOrderIdOrName, quantity, reason=None)`, for messages.
fn signature(f: &Function) -> String {
    let params: Vec<String> = f
        .params
        .iter()
        .map(|p| match p {
            Param { kwargs: true, .. } => format!("**{}", p.name),
            Param { required: true, .. } => p.name.clone(),
            _ => format!("{}=None", p.name),
        })
        .collect();
    format!("{}({})", f.name, params.join(", "))
}

impl Args {
    /// Binds a call body to `f`'s parameters.
    pub fn bind(f: &Function, body: Json) -> CoreResult<Args> {
        let names: Vec<String> = f.params.iter().map(|p| p.name.clone()).collect();
        let mut values: Vec<Option<Json>> = vec![None; f.params.len()];
        let kwargs_only = f.params.len() == 1 && f.params[0].kwargs;
        match body {
            Json::Null => {}
            Json::Object(m) if kwargs_only => values[0] = Some(Json::Object(m)),
            Json::Object(m) => {
                for (k, v) in m {
                    let Some(i) = f.params.iter().position(|p| p.is_named(&k)) else {
                        return Err(CoreError::BadRequest(format!(
                            "{} got an unexpected argument '{k}'; signature: {}",
                            f.name,
                            signature(f)
                        )));
                    };
                    if values[i].is_some() {
                        return Err(CoreError::BadRequest(format!(
                            "{} got two values for the argument '{}' (once as '{k}'); signature: {}",
                            f.name,
                            f.params[i].name,
                            signature(f)
                        )));
                    }
                    values[i] = Some(v);
                }
            }
            Json::Array(items) => {
                if items.len() > f.params.len() {
                    return Err(CoreError::BadRequest(format!(
                        "{} takes at most {} arguments, {} given; signature: {}",
                        f.name,
                        f.params.len(),
                        items.len(),
                        signature(f)
                    )));
                }
                for (i, v) in items.into_iter().enumerate() {
                    values[i] = Some(v);
                }
            }
            other => {
                return Err(CoreError::BadRequest(format!(
                    "the call body must be a JSON object (keyword arguments) or array (positional arguments), got {}",
                    describe(&other)
                )))
            }
        }
        for (param, value) in f.params.iter().zip(values.iter_mut()) {
            if param.required && value.as_ref().is_none_or(Json::is_null) {
                return Err(CoreError::BadRequest(format!(
                    "{} is missing the argument '{}'; signature: {}",
                    f.name,
                    param.name,
                    signature(f)
                )));
            }
            if param.kwargs {
                match value {
                    None | Some(Json::Null) => *value = Some(Json::Object(Map::new())),
                    Some(Json::Object(_)) => {}
                    Some(other) => {
                        return Err(CoreError::BadRequest(format!(
                            "{} takes keyword arguments (an object) for **{}, got {}",
                            f.name,
                            param.name,
                            describe(other)
                        )))
                    }
                }
            }
        }
        Ok(Args { names, values })
    }

    /// The argument of the parameter `name` (`None` when absent or null). A handler reading a
    /// parameter its function does not declare is a bug: an internal error, never a panic.
    fn get(&self, name: &str) -> CoreResult<Option<&Json>> {
        let i = self
            .names
            .iter()
            .position(|n| *n == name)
            .ok_or_else(|| CoreError::Internal(format!("a handler reads the undeclared parameter '{name}'")))?;
        Ok(self.values[i].as_ref().filter(|v| !v.is_null()))
    }

    fn wrong(name: &str, wanted: &str, got: &Json) -> CoreError {
        CoreError::BadRequest(format!("argument '{name}' must be {wanted}, got {}", describe(got)))
    }

    fn missing(name: &str) -> CoreError {
        CoreError::BadRequest(format!("argument '{name}' is required"))
    }

    /// A required string argument (numbers are accepted as their text, ids often are typed so).
    pub fn str(&self, name: &str) -> CoreResult<String> {
        self.opt_str(name)?.ok_or_else(|| Self::missing(name))
    }

    pub fn opt_str(&self, name: &str) -> CoreResult<Option<String>> {
        match self.get(name)? {
            None => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(Json::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(Self::wrong(name, "a string", other)),
        }
    }

    /// A list of strings; a single string is taken as a list of one, absent as none.
    pub fn str_list(&self, name: &str) -> CoreResult<Vec<String>> {
        match self.get(name)? {
            None => Ok(vec![]),
            Some(Json::String(s)) => Ok(vec![s.clone()]),
            Some(Json::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| Self::wrong(name, "a list of strings", v))
                })
                .collect(),
            Some(other) => Err(Self::wrong(name, "a list of strings", other)),
        }
    }

    /// An optional boolean argument (absent: false).
    pub fn flag(&self, name: &str) -> CoreResult<bool> {
        match self.get(name)? {
            None => Ok(false),
            Some(Json::Bool(b)) => Ok(*b),
            Some(Json::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
            Some(Json::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
            Some(other) => Err(Self::wrong(name, "true or false", other)),
        }
    }

    /// Any JSON value, as given (`None` when absent or null).
    pub fn json(&self, name: &str) -> CoreResult<Option<&Json>> {
        self.get(name)
    }

    /// Any JSON value, `null` when absent.
    pub fn json_or_null(&self, name: &str) -> CoreResult<Json> {
        Ok(self.get(name)?.cloned().unwrap_or(Json::Null))
    }

    /// A required object (the `**kwargs` of a save or find).
    pub fn object(&self, name: &str) -> CoreResult<&Map<String, Json>> {
        match self.get(name)? {
            Some(Json::Object(m)) => Ok(m),
            Some(other) => Err(Self::wrong(name, "an object", other)),
            None => Err(Self::missing(name)),
        }
    }

    /// An optional object (absent: empty).
    pub fn opt_object(&self, name: &str) -> CoreResult<Map<String, Json>> {
        match self.get(name)? {
            None => Ok(Map::new()),
            Some(_) => self.object(name).cloned(),
        }
    }

    /// An optional time (epoch milliseconds or ISO-8601 text).
    pub fn opt_time(&self, name: &str) -> CoreResult<Option<shopfloor_core::time::Timestamp>> {
        self.get(name)?
            .map(|v| shopfloor_core::record::parse_time(v).map_err(|m| CoreError::field(name, m)))
            .transpose()
    }
}
