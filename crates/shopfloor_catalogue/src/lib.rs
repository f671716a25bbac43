//! The script-function catalogue: one registration per `system.mes.<module>.<function>` with its
//! parameter names, permission and handler. The HTTP dispatcher, the `GET /api/v1/script` list,
//! the OpenAPI document and the permission list all come from this one table.

use serde_json::{json, Map, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::lifecycle::Status;
use shopfloor_core::permissions::module_permissions;
use shopfloor_core::query::{self, new_filter_request, new_query_request};
use shopfloor_core::record::Record;
use shopfloor_core::schema::{Entity, EntityDef};
use shopfloor_core::service::{
    bill_of_materials, entity, location, material, production_order, property, security, shift, unit_of_measure,
};
use shopfloor_core::tx::{Caller, Tx};
use shopfloor_exchange as exchange;
use std::collections::HashMap;
use std::sync::LazyLock;

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
}

fn p(name: &str) -> Param {
    Param {
        name: name.into(),
        required: true,
        kwargs: false,
    }
}

fn opt(name: &str) -> Param {
    Param {
        name: name.into(),
        required: false,
        kwargs: false,
    }
}

fn kw(name: &str) -> Param {
    Param {
        name: name.into(),
        required: false,
        kwargs: true,
    }
}

pub type Handler = Box<dyn Fn(&mut dyn Tx, &Caller, &Args) -> CoreResult<Json> + Send + Sync>;

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
            .map(|p| json!({"name": p.name, "required": p.required, "kwargs": p.kwargs}))
            .collect();
        json!({"module": self.module, "name": self.name, "params": params, "permission": self.permission, "access": match self.access { Access::Read => "read", Access::Write => "write" }, "summary": self.summary})
    }
}

/// Arguments bound to a function's parameters, by position.
#[derive(Debug, Default)]
pub struct Args {
    values: Vec<Option<Json>>,
    names: Vec<String>,
}

impl Args {
    /// Binds a call body: an object is keyword arguments (or the `**kwargs` object itself), an
    /// array positional arguments, `null` none. Wrong counts and names are `BadRequest`.
    pub fn bind(f: &Function, body: Json) -> CoreResult<Args> {
        let names: Vec<String> = f.params.iter().map(|p| p.name.clone()).collect();
        let mut values: Vec<Option<Json>> = vec![None; f.params.len()];
        let sig = || {
            format!(
                "{}({})",
                f.name,
                f.params
                    .iter()
                    .map(|p| if p.kwargs {
                        format!("**{}", p.name)
                    } else if p.required {
                        p.name.clone()
                    } else {
                        format!("{}=None", p.name)
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let kwargs_only = f.params.len() == 1 && f.params[0].kwargs;
        match body {
            Json::Null => {}
            Json::Object(m) if kwargs_only => values[0] = Some(Json::Object(m)),
            Json::Object(m) => {
                for (k, v) in m {
                    match names.iter().position(|n| *n == k) {
                        Some(i) => values[i] = Some(v),
                        None => {
                            return Err(CoreError::BadRequest(format!(
                                "{} got an unexpected argument '{k}'; signature: {}",
                                f.name,
                                sig()
                            )))
                        }
                    }
                }
            }
            Json::Array(items) => {
                if items.len() > f.params.len() {
                    return Err(CoreError::BadRequest(format!(
                        "{} takes at most {} arguments, {} given; signature: {}",
                        f.name,
                        f.params.len(),
                        items.len(),
                        sig()
                    )));
                }
                for (i, v) in items.into_iter().enumerate() {
                    values[i] = Some(v);
                }
            }
            other => {
                return Err(CoreError::BadRequest(format!(
                    "the call body must be a JSON object (keyword arguments) or array (positional arguments), got {}",
                    shopfloor_core::record::describe(&other)
                )))
            }
        }
        for (i, param) in f.params.iter().enumerate() {
            if param.required && values[i].as_ref().is_none_or(Json::is_null) {
                return Err(CoreError::BadRequest(format!(
                    "{} is missing the argument '{}'; signature: {}",
                    f.name,
                    param.name,
                    sig()
                )));
            }
            if param.kwargs {
                match &values[i] {
                    None | Some(Json::Null) => values[i] = Some(Json::Object(Map::new())),
                    Some(Json::Object(_)) => {}
                    Some(other) => {
                        return Err(CoreError::BadRequest(format!(
                            "{} takes keyword arguments (an object) for **{}, got {}",
                            f.name,
                            param.name,
                            shopfloor_core::record::describe(other)
                        )))
                    }
                }
            }
        }
        Ok(Args { values, names })
    }

    fn get(&self, i: usize) -> Option<&Json> {
        self.values.get(i).and_then(Option::as_ref).filter(|v| !v.is_null())
    }

    fn wrong(&self, i: usize, wanted: &str, got: &Json) -> CoreError {
        CoreError::BadRequest(format!(
            "argument '{}' must be {wanted}, got {}",
            self.names.get(i).map(String::as_str).unwrap_or("?"),
            shopfloor_core::record::describe(got)
        ))
    }

    /// A required string argument (numbers are accepted as their text, ids often are typed so).
    pub fn str(&self, i: usize) -> CoreResult<String> {
        self.opt_str(i)?.ok_or_else(|| {
            CoreError::BadRequest(format!(
                "argument '{}' is required",
                self.names.get(i).map(String::as_str).unwrap_or("?")
            ))
        })
    }

    pub fn opt_str(&self, i: usize) -> CoreResult<Option<String>> {
        match self.get(i) {
            None => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(Json::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(self.wrong(i, "a string", other)),
        }
    }

    /// A list of strings; a single string is taken as a list of one.
    pub fn str_list(&self, i: usize) -> CoreResult<Vec<String>> {
        match self.get(i) {
            None => Ok(vec![]),
            Some(Json::String(s)) => Ok(vec![s.clone()]),
            Some(Json::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string).ok_or_else(|| self.wrong(i, "a list of strings", v)))
                .collect(),
            Some(other) => Err(self.wrong(i, "a list of strings", other)),
        }
    }

    /// An optional boolean argument (absent: false).
    pub fn flag(&self, i: usize) -> CoreResult<bool> {
        match self.get(i) {
            None => Ok(false),
            Some(Json::Bool(b)) => Ok(*b),
            Some(Json::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
            Some(Json::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
            Some(other) => Err(self.wrong(i, "true or false", other)),
        }
    }

    pub fn json(&self, i: usize) -> Option<&Json> {
        self.get(i)
    }

    pub fn object(&self, i: usize) -> CoreResult<&Map<String, Json>> {
        match self.get(i) {
            Some(Json::Object(m)) => Ok(m),
            Some(other) => Err(self.wrong(i, "an object", other)),
            None => Err(CoreError::BadRequest(format!(
                "argument '{}' is required",
                self.names.get(i).map(String::as_str).unwrap_or("?")
            ))),
        }
    }
}

pub struct Catalogue {
    pub functions: Vec<Function>,
    index: HashMap<(String, String), usize>,
}

impl Catalogue {
    pub fn get(&self, module: &str, name: &str) -> Option<&Function> {
        self.index.get(&(module.to_string(), name.to_string())).map(|i| &self.functions[*i])
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

pub static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(build);

fn perm(def: &EntityDef, suffix: &str) -> Option<String> {
    Some(format!("{}.{suffix}", def.permission_prefix))
}

fn record_or_null(def: &EntityDef, r: Option<Record>) -> Json {
    r.map(|r| r.to_json(def)).unwrap_or(Json::Null)
}

fn records(def: &EntityDef, rs: Vec<Record>) -> Json {
    Json::Array(rs.iter().map(|r| r.to_json(def)).collect())
}

struct Builder {
    functions: Vec<Function>,
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        module: &'static str,
        name: impl Into<String>,
        params: Vec<Param>,
        permission: Option<String>,
        access: Access,
        summary: impl Into<String>,
        handler: impl Fn(&mut dyn Tx, &Caller, &Args) -> CoreResult<Json> + Send + Sync + 'static,
    ) {
        self.functions.push(Function {
            module,
            name: name.into(),
            params,
            permission,
            access,
            summary: summary.into(),
            handler: Box::new(handler),
        });
    }

    /// The calls every entity has: new, save, validate, get, getAll, find, references, delete.
    fn entity(&mut self, e: Entity) {
        let def = e.def();
        let (noun, plural, label, m) = (def.noun, def.plural, def.label, def.module);
        let lookup = def.lookup_param();
        let data = def.data_param();
        self.add(
            m,
            format!("new{noun}"),
            vec![],
            None,
            Access::Read,
            format!("A new {label} object with its defaults, to fill in and pass to save{noun}."),
            move |_, _, _| Ok(Record::template_json(e.def())),
        );
        self.add(
            m,
            format!("save{noun}"),
            vec![kw(&data)],
            perm(def, "WRITE.SAVE"),
            Access::Write,
            format!("Creates a {label}, or updates the one with the given id (keys present replace, keys absent keep their values)."),
            move |tx, c, a| entity::save(tx, c, e, a.object(0)?).map(|r| r.to_json(e.def())),
        );
        self.add(
            m,
            format!("validate{noun}"),
            vec![kw(&data)],
            perm(def, "READ.VALIDATE"),
            Access::Read,
            format!("Checks a {label} as save{noun} would; returns {{field: [messages]}}, empty when valid. Writes nothing."),
            move |tx, c, a| entity::validate(tx, c, e, a.object(0)?),
        );
        self.add(
            m,
            format!("get{noun}"),
            vec![p(&lookup)],
            perm(def, "READ.GET"),
            Access::Read,
            format!("The {label}, or null."),
            move |tx, _, a| {
                let found = entity::lookup(tx, e, &a.str(0)?)?;
                Ok(record_or_null(e.def(), found))
            },
        );
        self.add(
            m,
            format!("getAll{plural}"),
            vec![],
            perm(def, "READ.GET"),
            Access::Read,
            format!("Every {label}."),
            move |tx, _, _| Ok(records(e.def(), entity::all(tx, e)?)),
        );
        self.add(
            m,
            format!("find{plural}"),
            vec![kw("queryRequest")],
            perm(def, "READ.GET"),
            Access::Read,
            format!("A QueryResult of {label} records matching the QueryRequest."),
            move |tx, _, a| entity::find(tx, e, a.object(0)?),
        );
        self.add(
            m,
            format!("get{noun}References"),
            vec![p(&lookup)],
            perm(def, "READ.GET"),
            Access::Read,
            format!("The records that reference the {label}: [{{tableName, references: [{{fkColName, id}}]}}], or null."),
            move |tx, _, a| match entity::lookup(tx, e, &a.str(0)?)?.and_then(|r| r.id()) {
                Some(id) => Ok(Json::Array(entity::references(tx, e, id)?)),
                None => Ok(Json::Null),
            },
        );
        self.add(
            m,
            format!("delete{noun}"),
            vec![p(&lookup)],
            perm(def, "WRITE.DELETE"),
            Access::Write,
            format!("Deletes the {label}; an ApiResponse with success false and the references while it is in use."),
            move |tx, c, a| script_delete(entity::delete(tx, c, e, &a.str(0)?)),
        );
    }

    /// Replaces the handler of an already registered function (for entities whose save or
    /// delete does more than the generic one).
    fn replace(&mut self, name: &str, handler: impl Fn(&mut dyn Tx, &Caller, &Args) -> CoreResult<Json> + Send + Sync + 'static) {
        let f = self
            .functions
            .iter_mut()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("{name} is not registered"));
        f.handler = Box::new(handler);
    }

    fn permissions(&mut self, module: &'static str, fn_noun: &str, prefix: &'static str) {
        self.add(
            module,
            format!("get{fn_noun}Permissions"),
            vec![],
            None,
            Access::Read,
            "The permission strings of this module.",
            move |_, _, _| Ok(json!(module_permissions(prefix))),
        );
    }
}

/// Script-API deletes answer an ApiResponse (HTTP 200) also when refused (api.md).
fn script_delete(result: CoreResult<Json>) -> CoreResult<Json> {
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

/// Custom properties and their values (SPEC §2.3).
fn properties(b: &mut Builder) {
    let odef = Entity::ProductionOrder.def();
    let value_json = |r: Record| r.to_json(Entity::ProductionOrderPropertyValue.def());
    b.entity(Entity::ProductionOrderProperty);
    b.entity(Entity::ProductionOrderPropertyValue);
    b.add(
        "productionOrder",
        "getProductionOrderPropertyOrCreateNew",
        vec![kw("propertyData")],
        perm(odef, "READ.GET"),
        Access::Write,
        "The property with the given id or name, created from the data if there is none (creating needs PRODUCTION_ORDER.WRITE.SAVE).",
        |tx, c, a| property::get_or_create(tx, c, a.object(0)?).map(|r| r.to_json(Entity::ProductionOrderProperty.def())),
    );
    b.add(
        "productionOrder",
        "setPropertyValue",
        vec![p("productionOrderIdOrName"), p("propertyIdOrName"), opt("value")],
        perm(odef, "WRITE.SAVE"),
        Access::Write,
        "Creates or updates the order's value of the property; returns the value record.",
        move |tx, c, a| property::set_value(tx, c, &a.str(0)?, &a.str(1)?, a.json(2).unwrap_or(&Json::Null)).map(value_json),
    );
    b.add(
        "productionOrder",
        "setPropertyValues",
        vec![p("productionOrderIdOrName"), p("values")],
        perm(odef, "WRITE.SAVE"),
        Access::Write,
        "Sets {propertyIdOrName: value, …} on the order, all or none; returns the value records.",
        move |tx, c, a| {
            Ok(Json::Array(
                property::set_values(tx, c, &a.str(0)?, a.object(1)?)?
                    .into_iter()
                    .map(value_json)
                    .collect(),
            ))
        },
    );
    b.add(
        "productionOrder",
        "getProductionOrderPropertyValuesForOrder",
        vec![p("productionOrderIdOrName")],
        perm(odef, "READ.GET"),
        Access::Read,
        "The order's property values, or null when there is no such order.",
        move |tx, _, a| match entity::lookup(tx, Entity::ProductionOrder, &a.str(0)?)?.and_then(|o| o.id()) {
            Some(id) => Ok(Json::Array(property::values_for(tx, id)?.into_iter().map(value_json).collect())),
            None => Ok(Json::Null),
        },
    );
    b.add(
        "productionOrder",
        "getProductionOrderPropertyValueFor",
        vec![p("productionOrderIdOrName"), p("propertyIdOrName")],
        perm(odef, "READ.GET"),
        Access::Read,
        "The order's value of the property, or null.",
        move |tx, _, a| {
            Ok(property::value_for(tx, &a.str(0)?, &a.str(1)?)?
                .map(value_json)
                .unwrap_or(Json::Null))
        },
    );
}

/// Bill-of-materials items (SPEC §2.4).
fn bill_of_materials_items(b: &mut Builder) {
    let odef = Entity::ProductionOrder.def();
    let item_json = |r: Record| r.to_json(Entity::BillOfMaterialsItem.def());
    b.entity(Entity::BillOfMaterialsItem);
    b.replace("saveBillOfMaterialsItem", move |tx, c, a| {
        bill_of_materials::save(tx, c, a.object(0)?).map(item_json)
    });
    b.replace("deleteBillOfMaterialsItem", |tx, c, a| {
        script_delete(bill_of_materials::delete(tx, c, &a.str(0)?))
    });
    b.add(
        "productionOrder",
        "getBillOfMaterialsForOrder",
        vec![p("productionOrderIdOrName")],
        perm(odef, "READ.GET"),
        Access::Read,
        "The order's bill of materials items by position, or null when there is no such order.",
        move |tx, _, a| match entity::lookup(tx, Entity::ProductionOrder, &a.str(0)?)?.and_then(|o| o.id()) {
            Some(id) => Ok(Json::Array(
                bill_of_materials::items_of(tx, id)?.into_iter().map(item_json).collect(),
            )),
            None => Ok(Json::Null),
        },
    );
    b.add(
        "productionOrder",
        "getBillOfMaterialsForOrderFlattened",
        vec![p("productionOrderIdOrName")],
        perm(odef, "READ.GET"),
        Access::Read,
        "The order's items with the names and descriptions of material, class, product, unit and order.",
        |tx, _, a| Ok(bill_of_materials::flattened(tx, &a.str(0)?)?.map(Json::Array).unwrap_or(Json::Null)),
    );
    b.add(
        "productionOrder",
        "getBillOfMaterialsFor",
        vec![p("productionOrderIdOrName"), p("materialIdOrPath")],
        perm(odef, "READ.GET"),
        Access::Read,
        "The order's item for that material, or null.",
        move |tx, _, a| {
            Ok(bill_of_materials::item_for(tx, &a.str(0)?, &a.str(1)?)?
                .map(item_json)
                .unwrap_or(Json::Null))
        },
    );
    b.add(
        "productionOrder",
        "deleteBillOfMaterialsForOrder",
        vec![p("productionOrderIdOrName")],
        perm(odef, "WRITE.DELETE"),
        Access::Write,
        "Deletes every bill of materials item of the order.",
        |tx, c, a| script_delete(bill_of_materials::delete_for_order(tx, c, &a.str(0)?)),
    );
    b.add(
        "productionOrder",
        "swapBillOfMaterialsPositions",
        vec![p("billOfMaterialsId1"), p("billOfMaterialsId2")],
        perm(odef, "WRITE.SAVE"),
        Access::Write,
        "Swaps the positions of two items of the same order.",
        |tx, c, a| bill_of_materials::swap(tx, c, &a.str(0)?, &a.str(1)?),
    );
}

/// ERP import and export of orders (issue 9, ADR 0006).
fn exchange_functions(b: &mut Builder) {
    let odef = Entity::ProductionOrder.def();
    b.add(
        "productionOrder",
        "importProductionOrders",
        vec![p("data"), opt("format"), opt("dryRun"), opt("createMissing")],
        perm(odef, "WRITE.SAVE"),
        Access::Write,
        "Queues an import of orders (upsert by name; each order with its bill of materials and property values all or nothing) and returns the import job id; with dryRun, returns at once the per-row report of what it would do, writing nothing; with createMissing, units and materials the file names but the database lacks are created (with the caller's UNIT_OF_MEASURE / MATERIAL WRITE.SAVE permissions).",
        |tx, c, a| {
            let format = exchange::Format::parse(&a.opt_str(1)?.unwrap_or_else(|| "json".into()))?;
            let data = a.json(0).cloned().unwrap_or(Json::Null);
            let options = exchange::Options {
                dry_run: a.flag(2)?,
                create_missing: a.flag(3)?,
            };
            if options.dry_run {
                Ok(exchange::import(tx, c, &data, format, options)?.to_json(format, true))
            } else {
                Ok(Json::String(exchange::queue::enqueue(tx, c, &data, format, options)?.id.to_string()))
            }
        },
    );
    b.add(
        "productionOrder",
        "getImportJob",
        vec![p("jobId"), opt("status"), opt("pageIndex"), opt("pageSize")],
        perm(odef, "READ.GET"),
        Access::Read,
        "An import job: status (QUEUED, RUNNING, DONE, CANCELLED), counts and one page of the per-row results (`rows`; only rows with `status` when given; pageSize 1 to 1000, default 100); null when unknown or expired.",
        |tx, _, a| {
            let page = exchange::queue::RowsPage::parse(a.json(1), a.json(2), a.json(3))?;
            match exchange::queue::parse_job_id(&a.str(0)?) {
                Some(id) => exchange::queue::job_json(tx, id, Some(&page)),
                None => Ok(Json::Null),
            }
        },
    );
    b.add(
        "productionOrder",
        "getProductionOrderImportQueueSize",
        vec![],
        perm(odef, "READ.GET"),
        Access::Read,
        "How many imported rows are still waiting to be applied.",
        |tx, _, _| Ok(json!(exchange::queue::queue_size(tx)?)),
    );
    b.add(
        "productionOrder",
        "cancelProductionOrderImportQueue",
        vec![],
        perm(odef, "WRITE.SAVE"),
        Access::Write,
        "Cancels every queued row not yet applied; returns how many.",
        |tx, c, _| Ok(json!(exchange::queue::cancel(tx, c)?)),
    );
    b.add(
        "productionOrder",
        "exportProductionOrders",
        vec![opt("format"), opt("queryRequest")],
        perm(odef, "READ.GET"),
        Access::Read,
        "The orders the QueryRequest selects (all without one) with their bill of materials and property values, in an import format.",
        |tx, _, a| {
            let format = exchange::Format::parse(&a.opt_str(0)?.unwrap_or_else(|| "json".into()))?;
            let request = match a.json(1) {
                Some(_) => a.object(1)?.clone(),
                None => Map::new(),
            };
            exchange::export(tx, format, &request)
        },
    );
}

/// Users, roles and tokens (security.md): all `SYSTEM.ADMIN`, except the calls about the caller.
fn security_module(b: &mut Builder) {
    let first = b.functions.len();
    b.entity(Entity::User);
    b.entity(Entity::Role);
    b.entity(Entity::ApiToken);
    let user_json = |r: Record| r.to_json(Entity::User.def());
    let token_json = |(r, secret): (Record, String)| {
        let mut j = r.to_json(Entity::ApiToken.def());
        j["token"] = Json::String(secret);
        j
    };
    b.replace("saveUser", move |tx, c, a| {
        let mut data = a.object(0)?.clone();
        let password = data.remove("password");
        let saved = entity::save(tx, c, Entity::User, &data)?;
        match password {
            Some(Json::String(p)) => security::set_password(
                tx,
                c,
                &saved.id().map(|i| i.to_string()).unwrap_or_default(),
                Some(security::hash_password(&p)?),
            )
            .map(user_json),
            Some(Json::Null) | None => Ok(user_json(saved)),
            Some(other) => Err(CoreError::field("password", format!("must be a string, got {other}"))),
        }
    });
    b.replace("deleteUser", |tx, c, a| script_delete(security::delete_user(tx, c, &a.str(0)?)));
    b.replace("deleteRole", |tx, c, a| script_delete(security::delete_role(tx, c, &a.str(0)?)));
    b.replace("saveApiToken", move |tx, c, a| {
        let data = a.object(0)?;
        if data.get("id").is_some_and(|v| !v.is_null()) {
            return entity::save(tx, c, Entity::ApiToken, data).map(|r| r.to_json(Entity::ApiToken.def()));
        }
        let user = data
            .get("userId")
            .and_then(Json::as_str)
            .ok_or_else(|| CoreError::field("userId", "is required"))?
            .to_string();
        let label = data.get("label").and_then(Json::as_str).map(str::to_string);
        let expires = match data.get("expiresDate") {
            None | Some(Json::Null) => None,
            Some(v) => Some(shopfloor_core::record::parse_time(v).map_err(|m| CoreError::field("expiresDate", m))?),
        };
        security::create_token(tx, c, &user, label, expires).map(token_json)
    });
    b.add(
        "security",
        "createApiToken",
        vec![p("userIdOrName"), opt("label"), opt("expiresDate")],
        None,
        Access::Write,
        "Creates an API token for the user; the answer's `token` is the secret, shown only this once.",
        move |tx, c, a| {
            let expires = match a.json(2) {
                None => None,
                Some(v) => Some(shopfloor_core::record::parse_time(v).map_err(|m| CoreError::field("expiresDate", m))?),
            };
            security::create_token(tx, c, &a.str(0)?, a.opt_str(1)?, expires).map(token_json)
        },
    );
    b.add(
        "security",
        "revokeApiToken",
        vec![p("tokenId")],
        None,
        Access::Write,
        "Revokes a token or session; it stops working at once.",
        |tx, c, a| security::revoke_token(tx, c, &a.str(0)?).map(|r| r.to_json(Entity::ApiToken.def())),
    );
    b.add(
        "security",
        "setUserPassword",
        vec![p("userIdOrName"), opt("password")],
        None,
        Access::Write,
        "Sets (or with null removes) a user's password for the web login.",
        move |tx, c, a| {
            let hash = a.opt_str(1)?.map(|p| security::hash_password(&p)).transpose()?;
            security::set_password(tx, c, &a.str(0)?, hash).map(user_json)
        },
    );
    for f in &mut b.functions[first..] {
        if f.permission.is_some() || !f.name.starts_with("new") {
            f.permission = Some("SYSTEM.ADMIN".into());
        }
    }
    b.permissions("security", "Security", "SYSTEM");
    b.replace("getSecurityPermissions", |_, _, _| Ok(json!(["SYSTEM.ADMIN"])));
    b.add(
        "security",
        "getAllPermissions",
        vec![],
        None,
        Access::Read,
        "Every permission string the server knows.",
        |_, _, _| {
            let mut all = CATALOGUE.permissions();
            all.push("*".into());
            Ok(json!(all))
        },
    );
    b.add(
        "security",
        "userHasAllPermissions",
        vec![p("permissions")],
        None,
        Access::Read,
        "Whether the calling user holds every one of the permissions.",
        |_, c, a| Ok(json!(a.str_list(0)?.iter().all(|p| c.require(p).is_ok()))),
    );
    b.add(
        "security",
        "userHasAtLeastOnePermission",
        vec![p("permissions")],
        None,
        Access::Read,
        "Whether the calling user holds at least one of the permissions.",
        |_, c, a| Ok(json!(a.str_list(0)?.iter().any(|p| c.require(p).is_ok()))),
    );
}

fn build() -> Catalogue {
    let mut b = Builder { functions: Vec::new() };
    let order = Entity::ProductionOrder;
    b.entity(order);
    b.permissions("productionOrder", "ProductionOrder", "PRODUCTION_ORDER");
    let odef = order.def();
    let verbs = [
        ("scheduleProductionOrder", Status::Scheduled),
        ("startProductionOrder", Status::Running),
        ("pauseProductionOrder", Status::Paused),
        ("stopProductionOrder", Status::Stopped),
        ("closeProductionOrder", Status::Closed),
        ("cancelProductionOrder", Status::Cancelled),
    ];
    for (name, to) in verbs {
        b.add(
            "productionOrder",
            name,
            vec![p("productionOrderIdOrName"), opt("reason")],
            perm(odef, "EXECUTE"),
            Access::Write,
            format!("Moves the order to {} (if the lifecycle allows it) and returns it.", to.as_str()),
            move |tx, c, a| {
                production_order::transition(tx, c, &a.str(0)?, to, a.opt_str(1)?).map(|r| r.to_json(Entity::ProductionOrder.def()))
            },
        );
    }
    b.add(
        "productionOrder",
        "getAllowedTransitions",
        vec![p("productionOrderIdOrName")],
        perm(odef, "READ.GET"),
        Access::Read,
        "The statuses the order can move to now.",
        |tx, _, a| Ok(json!(production_order::allowed_transitions(tx, &a.str(0)?)?)),
    );
    b.add(
        "productionOrder",
        "reportProduction",
        vec![p("productionOrderIdOrName"), p("quantity"), opt("reason")],
        perm(odef, "EXECUTE"),
        Access::Write,
        "Adds quantity (negative to correct) to quantityProduced atomically; returns the order.",
        |tx, c, a| {
            let quantity = a.json(1).cloned().unwrap_or(Json::Null);
            production_order::report(tx, c, &a.str(0)?, &quantity, a.opt_str(2)?).map(|r| r.to_json(Entity::ProductionOrder.def()))
        },
    );
    b.add(
        "productionOrder",
        "getProductionOrderHistory",
        vec![p("productionOrderIdOrName")],
        perm(odef, "READ.GET"),
        Access::Read,
        "The order's history events, oldest first, or null.",
        |tx, _, a| {
            Ok(production_order::history(tx, &a.str(0)?)?
                .map(|evs| Json::Array(evs.iter().map(|e| e.to_json()).collect()))
                .unwrap_or(Json::Null))
        },
    );
    b.add(
        "productionOrder",
        "getDetailedProductionOrdersByLocationAndStatus",
        vec![p("locationIdsOrPaths"), p("statuses")],
        perm(odef, "READ.GET"),
        Access::Read,
        "Orders at those locations (and below) in those statuses, with property values and bill of materials.",
        |tx, _, a| {
            let orders = production_order::by_location_and_status(tx, &a.str_list(0)?, &a.str_list(1)?)?;
            Ok(Json::Array(
                orders
                    .iter()
                    .map(|o| production_order::detailed(tx, o))
                    .collect::<CoreResult<Vec<_>>>()?,
            ))
        },
    );
    b.replace("getProductionOrder", |tx, _, a| {
        match entity::lookup(tx, Entity::ProductionOrder, &a.str(0)?)? {
            Some(order) => production_order::detailed(tx, &order),
            None => Ok(Json::Null),
        }
    });
    b.add(
        "productionOrder",
        "deleteProductionOrderWithReferences",
        vec![p("productionOrderIdOrName")],
        perm(odef, "WRITE.DELETE"),
        Access::Write,
        "Deletes the order's property values and bill of materials items, then the order, in one transaction.",
        |tx, c, a| script_delete(production_order::delete_with_references(tx, c, &a.str(0)?)),
    );
    properties(&mut b);
    bill_of_materials_items(&mut b);
    exchange_functions(&mut b);

    b.entity(Entity::UnitOfMeasure);
    b.entity(Entity::UnitOfMeasureConversion);
    b.permissions("unitOfMeasure", "UnitOfMeasure", "UNIT_OF_MEASURE");
    let udef = Entity::UnitOfMeasure.def();
    b.add(
        "unitOfMeasure",
        "getUnitOfMeasureOrCreateNew",
        vec![p("name"), p("symbol")],
        perm(udef, "READ.GET"),
        Access::Write,
        "The unit with that name, created with the symbol if missing (creating needs UNIT_OF_MEASURE.WRITE.SAVE).",
        |tx, c, a| {
            let name = a.str(0)?;
            if entity::lookup(tx, Entity::UnitOfMeasure, &name)?.is_none() {
                c.require("UNIT_OF_MEASURE.WRITE.SAVE")?;
            }
            unit_of_measure::get_or_create(tx, c, &name, &a.str(1)?).map(|r| r.to_json(Entity::UnitOfMeasure.def()))
        },
    );
    b.add(
        "unitOfMeasure",
        "doesUnitOfMeasureExist",
        vec![p("unitOfMeasureIdOrName")],
        perm(udef, "READ.GET"),
        Access::Read,
        "Whether the unit exists.",
        |tx, _, a| Ok(json!(entity::lookup(tx, Entity::UnitOfMeasure, &a.str(0)?)?.is_some())),
    );
    b.add(
        "unitOfMeasure",
        "convert",
        vec![p("amount"), p("fromIdOrName"), p("toIdOrName"), opt("materialIdOrPath")],
        perm(udef, "READ.GET"),
        Access::Read,
        "Converts an amount between units (material-specific first, then generic, then inverse).",
        |tx, _, a| {
            let amount = a.json(0).cloned().unwrap_or(Json::Null);
            Ok(json!(unit_of_measure::convert(
                tx,
                &amount,
                &a.str(1)?,
                &a.str(2)?,
                a.opt_str(3)?.as_deref()
            )?))
        },
    );

    b.entity(Entity::MaterialClass);
    b.entity(Entity::Material);
    b.permissions("material", "Material", "MATERIAL");
    let mdef = Entity::Material.def();
    b.add(
        "material",
        "createMaterialClassesForPath",
        vec![p("path")],
        perm(mdef, "WRITE.SAVE"),
        Access::Write,
        "Creates the missing material classes along a path; returns the last.",
        |tx, c, a| material::create_classes_for_path(tx, c, &a.str(0)?).map(|r| r.to_json(Entity::MaterialClass.def())),
    );
    b.add(
        "material",
        "getMaterialByErpId",
        vec![p("erpId")],
        perm(mdef, "READ.GET"),
        Access::Read,
        "The material with that ERP id, or null.",
        |tx, _, a| Ok(record_or_null(Entity::Material.def(), material::by_erp_id(tx, &a.str(0)?)?)),
    );

    b.entity(Entity::Location);
    b.permissions("location", "Location", "LOCATION");
    let ldef = Entity::Location.def();
    b.add(
        "location",
        "getChildren",
        vec![p("locationIdOrPath")],
        perm(ldef, "READ.GET"),
        Access::Read,
        "The direct children of a location.",
        |tx, _, a| Ok(records(Entity::Location.def(), location::children(tx, &a.str(0)?)?)),
    );
    b.add(
        "location",
        "getLocationTree",
        vec![opt("filter")],
        perm(ldef, "READ.GET"),
        Access::Read,
        "Locations as a tree (nested children); with a filter, matching names and their ancestors.",
        |tx, _, a| Ok(Json::Array(location::tree(tx, a.opt_str(0)?.as_deref())?)),
    );

    b.entity(Entity::Customer);
    b.permissions("customer", "Customer", "CUSTOMER");

    b.entity(Entity::Shift);
    b.entity(Entity::ShiftRecord);
    b.permissions("shift", "Shift", "SHIFT");
    let sdef = Entity::Shift.def();
    b.add(
        "shift",
        "startShift",
        vec![p("shiftIdOrName"), opt("locationIdOrPath")],
        perm(sdef, "EXECUTE"),
        Access::Write,
        "Starts a shift at a location (closing the location's active record); returns the new ACTIVE record.",
        |tx, c, a| shift::start(tx, c, &a.str(0)?, a.opt_str(1)?.as_deref()).map(|r| r.to_json(Entity::ShiftRecord.def())),
    );
    b.add(
        "shift",
        "stopShift",
        vec![p("shiftIdOrName"), opt("locationIdOrPath")],
        perm(sdef, "EXECUTE"),
        Access::Write,
        "Stops the shift's active record; returns it CLOSED.",
        |tx, c, a| shift::stop(tx, c, &a.str(0)?, a.opt_str(1)?.as_deref()).map(|r| r.to_json(Entity::ShiftRecord.def())),
    );
    b.add(
        "shift",
        "getCurrentShiftRecord",
        vec![p("locationIdOrPath")],
        perm(sdef, "READ.GET"),
        Access::Read,
        "The active shift record at the location or its nearest ancestor, or null.",
        |tx, _, a| {
            let loc = entity::require_as_field(tx, Entity::Location, &a.str(0)?, "locationIdOrPath")?;
            let current = match loc.id() {
                Some(id) => shift::current_record(tx, id)?,
                None => None,
            };
            Ok(record_or_null(Entity::ShiftRecord.def(), current))
        },
    );
    b.add(
        "shift",
        "getShiftRecords",
        vec![p("locationIdOrPath"), opt("startDate"), opt("endDate")],
        perm(sdef, "READ.GET"),
        Access::Read,
        "Shift records at a location overlapping the window.",
        |tx, _, a| {
            Ok(records(
                Entity::ShiftRecord.def(),
                shift::records(tx, &a.str(0)?, a.json(1), a.json(2))?,
            ))
        },
    );

    b.add(
        "query",
        "newQueryRequest",
        vec![],
        None,
        Access::Read,
        "An empty QueryRequest.",
        |_, _, _| Ok(new_query_request()),
    );
    b.add(
        "query",
        "newFilterRequest",
        vec![],
        None,
        Access::Read,
        "An empty FilterRequest.",
        |_, _, _| Ok(new_filter_request()),
    );
    b.add(
        "query",
        "validateQueryRequest",
        vec![kw("queryRequest")],
        Some("QUERY.READ.VALIDATE".into()),
        Access::Read,
        "Checks a QueryRequest against production-order fields; returns {field: [messages]}.",
        |_, _, a| {
            Ok(match query::parse_query(Entity::ProductionOrder.def(), a.object(0)?) {
                Ok(_) => json!({}),
                Err(e) => e.to_json(),
            })
        },
    );
    b.add(
        "query",
        "validateFilterRequest",
        vec![kw("filterRequest")],
        Some("QUERY.READ.VALIDATE".into()),
        Access::Read,
        "Checks a FilterRequest against production-order fields; returns {field: [messages]}.",
        |_, _, a| {
            Ok(match query::parse_filter(Entity::ProductionOrder.def(), a.object(0)?, "") {
                Ok(_) => json!({}),
                Err(e) => e.to_json(),
            })
        },
    );

    security_module(&mut b);

    let mut index = HashMap::new();
    for (i, f) in b.functions.iter().enumerate() {
        let previous = index.insert((f.module.to_string(), f.name.clone()), i);
        assert!(previous.is_none(), "function {}.{} registered twice", f.module, f.name);
    }
    Catalogue {
        functions: b.functions,
        index,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_functions_are_registered_with_their_permissions() {
        let save = CATALOGUE.get("productionOrder", "saveProductionOrder").unwrap();
        assert_eq!(save.permission.as_deref(), Some("PRODUCTION_ORDER.WRITE.SAVE"));
        assert!(CATALOGUE.get("productionOrder", "newProductionOrder").unwrap().permission.is_none());
        assert!(CATALOGUE.get("unitOfMeasure", "getAllUnitsOfMeasure").is_some());
    }

    #[test]
    fn positional_and_keyword_calls_bind_alike() {
        let f = CATALOGUE.get("productionOrder", "reportProduction").unwrap();
        let a = Args::bind(f, json!(["O1", 5])).unwrap();
        let b = Args::bind(f, json!({"productionOrderIdOrName": "O1", "quantity": 5})).unwrap();
        assert_eq!(a.str(0).unwrap(), b.str(0).unwrap());
        assert_eq!(a.json(1), b.json(1));
    }

    #[test]
    fn wrong_argument_counts_and_names_are_bad_requests() {
        let f = CATALOGUE.get("productionOrder", "getProductionOrder").unwrap();
        assert!(matches!(Args::bind(f, json!([])), Err(CoreError::BadRequest(_))));
        assert!(matches!(Args::bind(f, json!(["a", "b"])), Err(CoreError::BadRequest(_))));
        assert!(matches!(Args::bind(f, json!({"nope": 1})), Err(CoreError::BadRequest(_))));
        assert!(matches!(Args::bind(f, json!("a")), Err(CoreError::BadRequest(_))));
    }
}
