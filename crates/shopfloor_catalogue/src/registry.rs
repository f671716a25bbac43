//! What a registered function is, and the builder each script module registers its functions
//! with: one call per function, its real name spelled out once, its parameters next to the
//! handler that reads them by name.

use crate::args::Args;
use serde_json::{json, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::permissions::module_permissions;
use shopfloor_core::record::{fresh_template_update, Record};
use shopfloor_core::schema::{Entity, EntityDef, Lookup};
use shopfloor_core::service::entity;
use shopfloor_core::tx::{Caller, Tx};
use std::collections::HashMap;

/// Whether a function needs the write transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

#[derive(Clone, Debug)]
pub struct Param {
    pub name: String,
    pub required: bool,
    /// `**name`: the keyword arguments as one object.
    pub kwargs: bool,
    /// Other keyword names accepted for this parameter: the ones the original scripting API
    /// documents (`idOrPath` for `locationIdOrPath`), so keyword calls written for it bind.
    pub also: Vec<String>,
}

impl Param {
    /// Accepts `name` as another keyword for this parameter.
    pub fn or(mut self, name: &str) -> Param {
        self.also.push(name.to_string());
        self
    }

    /// Whether a keyword argument named `key` is this parameter.
    pub fn is_named(&self, key: &str) -> bool {
        self.name == key || self.also.iter().any(|a| a == key)
    }
}

/// A required parameter.
pub fn required(name: &str) -> Param {
    Param {
        name: name.to_string(),
        required: true,
        kwargs: false,
        also: vec![],
    }
}

/// An optional parameter (`name=None`).
pub fn optional(name: &str) -> Param {
    Param {
        name: name.to_string(),
        required: false,
        kwargs: false,
        also: vec![],
    }
}

/// The keyword arguments as one object (`**name`).
pub fn kwargs(name: &str) -> Param {
    Param {
        name: name.to_string(),
        required: false,
        kwargs: true,
        also: vec![],
    }
}

/// A function's work. Most run whole in their transaction ([`Handler::InTx`]). A function with
/// heavy work that needs no database (parsing an import file) does it first, outside any
/// transaction and off the writer, and answers the job the transaction runs on its result
/// ([`Handler::Prepared`]): a slow or refused input never holds the writer.
pub enum Handler {
    InTx(InTxHandler),
    Prepared(Prepare),
}

/// A function run whole in its transaction.
pub type InTxHandler = Box<dyn Fn(&mut dyn Tx, &Caller, &Args) -> CoreResult<Json> + Send + Sync>;

/// The first part of a [`Handler::Prepared`] function, run before the transaction.
pub type Prepare = Box<dyn Fn(&Caller, Args) -> CoreResult<TxJob> + Send + Sync>;

/// The part of a [`Handler::Prepared`] function that runs in the transaction.
pub type TxJob = Box<dyn FnOnce(&mut dyn Tx, &Caller) -> CoreResult<Answer> + Send>;

/// What a function answers: a JSON value, or JSON text written when the answer is sent, so
/// that a large answer (an import report) never becomes a JSON tree (a map per row costs
/// several times the row's text).
pub enum Answer {
    Value(Json),
    Text(Box<dyn FnOnce() -> CoreResult<Vec<u8>> + Send>),
}

pub struct Function {
    pub module: &'static str,
    pub name: String,
    pub params: Vec<Param>,
    /// The permission needed; `None` for templates and permission lists (login still needed).
    pub permission: Option<String>,
    pub access: Access,
    pub summary: String,
    pub handler: Handler,
}

impl Function {
    pub fn to_json(&self) -> Json {
        let params: Vec<Json> = self
            .params
            .iter()
            .map(|p| json!({"name": p.name, "required": p.required, "kwargs": p.kwargs, "also": p.also}))
            .collect();
        let access = match self.access {
            Access::Read => "read",
            Access::Write => "write",
        };
        json!({"module": self.module, "name": self.name, "params": params, "permission": self.permission, "access": access, "summary": self.summary})
    }
}

pub struct Catalogue {
    pub functions: Vec<Function>,
    /// Module → function name → position in `functions`; looked up on every call, without
    /// allocating.
    index: HashMap<&'static str, HashMap<String, usize>>,
}

impl Catalogue {
    pub fn get(&self, module: &str, name: &str) -> Option<&Function> {
        self.index.get(module)?.get(name).map(|i| &self.functions[*i])
    }

    /// The modules in registration order.
    pub fn modules(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for f in &self.functions {
            if !out.contains(&f.module) {
                out.push(f.module);
            }
        }
        out
    }

    /// Every permission string any function needs.
    pub fn permissions(&self) -> Vec<String> {
        let mut all: Vec<String> = self.functions.iter().filter_map(|f| f.permission.clone()).collect();
        all.sort();
        all.dedup();
        all
    }
}

#[derive(Default)]
pub struct Builder {
    functions: Vec<Function>,
}

impl Builder {
    /// The functions of one script module (`system.mes.<module>`).
    pub fn module(&mut self, module: &'static str) -> Module<'_> {
        Module { builder: self, module }
    }

    pub fn finish(self) -> Catalogue {
        let mut index: HashMap<&'static str, HashMap<String, usize>> = HashMap::new();
        for (i, f) in self.functions.iter().enumerate() {
            let previous = index.entry(f.module).or_default().insert(f.name.clone(), i);
            assert!(previous.is_none(), "function {}.{} registered twice", f.module, f.name);
        }
        Catalogue {
            functions: self.functions,
            index,
        }
    }
}

pub struct Module<'b> {
    builder: &'b mut Builder,
    module: &'static str,
}

impl<'b> Module<'b> {
    /// Starts the registration of `system.mes.<module>.<name>`; [`FunctionSpec::handler`] ends it.
    pub fn function(&mut self, name: &str) -> FunctionSpec<'_> {
        FunctionSpec {
            functions: &mut self.builder.functions,
            function: Function {
                module: self.module,
                name: name.to_string(),
                params: Vec::new(),
                permission: None,
                access: Access::Read,
                summary: String::new(),
                handler: Handler::InTx(Box::new(|_, _, _| Err(CoreError::Internal("no handler".into())))),
            },
        }
    }

    /// Registers `name` again with more call forms than the entity's generic one (the documented
    /// overloads of `getShift`, `getAllShifts`): the generic registration is dropped.
    pub fn overload(&mut self, name: &str) -> FunctionSpec<'_> {
        let module = self.module;
        let before = self.builder.functions.len();
        self.builder.functions.retain(|f| !(f.module == module && f.name == name));
        assert_eq!(
            self.builder.functions.len() + 1,
            before,
            "{module}.{name} overloads no registered function"
        );
        self.function(name)
    }

    /// `get<Module>Permissions`: the permission strings of a permission prefix.
    pub fn permission_list(&mut self, name: &str, prefix: &'static str) {
        self.function(name)
            .summary("The permission strings of this module.")
            .handler(move |_, _, _| Ok(json!(module_permissions(prefix))));
    }

    /// `clear<X>Cache`: scripts written for the original API call it after editing the database
    /// behind its back. Shopfloor keeps no copy of records in memory — every call reads the
    /// database — so there is nothing to clear: it answers `null` and changes nothing.
    pub fn no_cache_to_clear(&mut self, name: &str, prefix: &'static str) {
        self.function(name)
            .permission(&format!("{prefix}.READ.GET"))
            .summary("Kept for scripts of the original API: Shopfloor keeps no record cache (every call reads the database), so this does nothing.")
            .handler(|_, _, _| Ok(Json::Null));
    }

    /// The calls every entity has (new, save, validate, get, getAll, find, references, delete),
    /// with the names `names` spells out; [`EntitySpec::register`] ends it.
    pub fn entity(&mut self, entity: Entity, names: EntityFunctions) -> EntitySpec<'_, 'b> {
        EntitySpec {
            module: self,
            entity,
            names,
            permission: None,
            documented: Vec::new(),
        }
    }
}

pub struct FunctionSpec<'m> {
    functions: &'m mut Vec<Function>,
    function: Function,
}

impl FunctionSpec<'_> {
    pub fn params(mut self, params: impl IntoIterator<Item = Param>) -> Self {
        self.function.params = params.into_iter().collect();
        self
    }

    pub fn permission(mut self, permission: &str) -> Self {
        self.function.permission = Some(permission.to_string());
        self
    }

    /// The function writes: it runs in the write transaction.
    pub fn writes(mut self) -> Self {
        self.function.access = Access::Write;
        self
    }

    pub fn summary(mut self, summary: impl Into<String>) -> Self {
        self.function.summary = summary.into();
        self
    }

    pub fn handler(mut self, handler: impl Fn(&mut dyn Tx, &Caller, &Args) -> CoreResult<Json> + Send + Sync + 'static) {
        self.function.handler = Handler::InTx(Box::new(handler));
        self.functions.push(self.function);
    }

    /// Ends the registration with a [`Handler::Prepared`]: `prepare` runs before the
    /// transaction, off the writer, and answers the job to run in it.
    pub fn prepared(mut self, prepare: impl Fn(&Caller, Args) -> CoreResult<TxJob> + Send + Sync + 'static) {
        self.function.handler = Handler::Prepared(Box::new(prepare));
        self.functions.push(self.function);
    }
}

/// The names of an entity's common calls, as callers spell them. A test checks that they follow
/// the entity's nouns (`save` + `ProductionOrder`).
pub struct EntityFunctions {
    pub new: &'static str,
    pub save: &'static str,
    pub validate: &'static str,
    pub get: &'static str,
    pub get_all: &'static str,
    pub find: &'static str,
    pub references: &'static str,
    pub delete: &'static str,
}

/// One of an entity's common calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    New,
    Save,
    Validate,
    Get,
    GetAll,
    Find,
    References,
    Delete,
}

pub struct EntitySpec<'m, 'b> {
    module: &'m mut Module<'b>,
    entity: Entity,
    names: EntityFunctions,
    permission: Option<&'static str>,
    /// Further names of calls, as the original scripting API documents them (`saveProperty`
    /// for `saveLocationProperty`): the same function under a second name.
    documented: Vec<(Call, &'static str)>,
}

impl EntitySpec<'_, '_> {
    /// One permission for every call but `new…` (the security module's `SYSTEM.ADMIN`).
    pub fn permission(mut self, permission: &'static str) -> Self {
        self.permission = Some(permission);
        self
    }

    /// Registers `call` also under `name`, the documented name.
    pub fn also(mut self, call: Call, name: &'static str) -> Self {
        self.documented.push((call, name));
        self
    }

    pub fn register(self) {
        let n = &self.names;
        let canonical = [
            (Call::New, n.new),
            (Call::Save, n.save),
            (Call::Validate, n.validate),
            (Call::Get, n.get),
            (Call::GetAll, n.get_all),
            (Call::Find, n.find),
            (Call::References, n.references),
            (Call::Delete, n.delete),
        ];
        for (call, name) in canonical.into_iter().chain(self.documented.iter().copied()) {
            register_call(self.module, self.entity, self.permission, call, name, n.save);
        }
    }
}

/// Registers one common call of entity `e` under `name` (`save`: the name of its save call,
/// for summaries).
fn register_call(m: &mut Module, e: Entity, permission: Option<&'static str>, call: Call, name: &str, save: &str) {
    let def = e.def();
    let label = def.label;
    let (lookup, data) = (def.lookup_param(), def.data_param());
    let perm = |suffix: &str| match permission {
        Some(p) => p.to_string(),
        None => format!("{}.{suffix}", def.permission_prefix),
    };
    let f = m.function(name);
    match call {
        Call::New => f
            .summary(format!("A new {label} object with its defaults, to fill in and pass to {save}."))
            .handler(move |_, _, _| Ok(Record::template_json(e.def()))),
        Call::Save => f
            .params([kwargs(&data)])
            .permission(&perm("WRITE.SAVE"))
            .writes()
            .summary(format!(
                "Creates a {label}, or updates the one with the given id (keys present replace, keys absent keep their values)."
            ))
            .handler(move |tx, c, a| {
                let data = fresh_template_update(e.def(), a.object(&data)?);
                entity::save_answer(tx, c, e, &data)
            }),
        Call::Validate => f
            .params([kwargs(&data)])
            .permission(&perm("READ.VALIDATE"))
            .summary(format!(
                "Checks a {label} as {save} would; returns {{field: [messages]}}, empty when valid. Writes nothing."
            ))
            .handler(move |tx, c, a| {
                let data = fresh_template_update(e.def(), a.object(&data)?);
                entity::validate(tx, c, e, &data)
            }),
        Call::Get => f
            .params([lookup_param(def)])
            .permission(&perm("READ.GET"))
            .summary(format!("The {label}, or null."))
            .handler(move |tx, _, a| Ok(entity::get_answer(tx, e, &a.str(&lookup)?)?.unwrap_or(Json::Null))),
        Call::GetAll => f
            .permission(&perm("READ.GET"))
            .summary(format!("Every {label}."))
            .handler(move |tx, _, _| Ok(records(e, entity::all(tx, e)?))),
        Call::Find => f
            .params([kwargs("queryRequest")])
            .permission(&perm("READ.GET"))
            .summary(format!("A QueryResult of {label} records matching the QueryRequest."))
            .handler(move |tx, _, a| entity::find(tx, e, a.object("queryRequest")?)),
        Call::References => f
            .params([lookup_param(def)])
            .permission(&perm("READ.GET"))
            .summary(format!(
                "The records that reference the {label}: [{{tableName, references: [{{fkColName, id}}]}}], or null."
            ))
            .handler(
                move |tx, _, a| match entity::lookup(tx, e, &a.str(&lookup)?)?.and_then(|r| r.id()) {
                    Some(id) => Ok(Json::Array(entity::references(tx, e, id)?)),
                    None => Ok(Json::Null),
                },
            ),
        Call::Delete => f
            .params([lookup_param(def)])
            .permission(&perm("WRITE.DELETE"))
            .writes()
            .summary(format!(
                "Deletes the {label}; an ApiResponse with success false and the references while it is in use."
            ))
            .handler(move |tx, c, a| script_delete(entity::delete(tx, c, e, &a.str(&lookup)?))),
    }
}

/// The record argument of `getX`, `getXReferences` and `deleteX`: `locationIdOrPath`, also
/// under the keyword names the original scripting API documents (`id`, `idOrName`, `idOrPath`,
/// `idOrUsername` for a lookup by the field `username`).
fn lookup_param(def: &EntityDef) -> Param {
    let documented = match def.lookup {
        Lookup::IdOnly => None,
        Lookup::Field(key) => Some(format!("idOr{}", upper_first(key))),
        Lookup::Name => Some("idOrName".to_string()),
        Lookup::Path => Some("idOrPath".to_string()),
    };
    let name = def.lookup_param();
    let mut param = required(&name);
    for alias in std::iter::once("id").chain(documented.as_deref()) {
        if alias != name {
            param = param.or(alias);
        }
    }
    param
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// The record as JSON, or null.
pub fn record_or_null(e: Entity, r: Option<Record>) -> Json {
    r.map(|r| r.to_json(e.def())).unwrap_or(Json::Null)
}

/// The records as a JSON list.
pub fn records(e: Entity, rs: Vec<Record>) -> Json {
    Json::Array(rs.iter().map(|r| r.to_json(e.def())).collect())
}

/// Script-API deletes answer an ApiResponse (HTTP 200) also when refused (api.md).
pub fn script_delete(result: CoreResult<Json>) -> CoreResult<Json> {
    match result {
        Err(CoreError::InUse { message, references }) => Ok(entity::api_response(false, message, references)),
        Err(CoreError::NotFound(message)) => Ok(entity::api_response(false, message, Json::Null)),
        Err(CoreError::Validation(fields)) => {
            let message = fields
                .0
                .iter()
                .map(|(k, v)| format!("{k}: {}", v.join("; ")))
                .collect::<Vec<_>>()
                .join(", ");
            Ok(entity::api_response(false, message, fields.to_json()))
        }
        other => other,
    }
}
