//! ERP exchange of production orders (issue 9): import with upsert by order name, one savepoint
//! per row (order + bill of materials + property values), a per-row report, dry runs; the file
//! formats live in their own modules. Imported rows go through the same services as
//! `saveProductionOrder`, `saveBillOfMaterialsItem` and `setPropertyValue`, so validation,
//! lifecycle and history are exactly those of saved orders. See docs/adr/0006.

pub mod b2mml;
pub mod csv;
pub mod import_tx;
pub mod input;
pub mod json;
pub mod queue;

pub use input::{for_each_input_row, Source};

use import_tx::ImportTx;
use serde_json::{json, Map, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult, FieldErrors};
use shopfloor_core::id::Id;
use shopfloor_core::lifecycle::Status;
use shopfloor_core::query::Query;
use shopfloor_core::record::{Record, Value};
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{bill_of_materials, entity, material, production_order, property};
use shopfloor_core::tx::{Caller, Tx};

const ORDER: Entity = Entity::ProductionOrder;
const ITEM: Entity = Entity::BillOfMaterialsItem;

/// The formats `importProductionOrders` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    /// Orders, one per line (`property:<name>` columns for values).
    Csv,
    /// Bill-of-materials lines keyed by `productionOrderName`.
    CsvBom,
    /// ISA-95 B2MML production schedules.
    B2mml,
    /// B2MML `SyncProductionPerformance` (export only).
    B2mmlPerformance,
}

impl Format {
    pub fn parse(text: &str) -> CoreResult<Format> {
        match text.trim().to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "csv-bom" => Ok(Format::CsvBom),
            "b2mml" => Ok(Format::B2mml),
            "b2mml-performance" => Ok(Format::B2mmlPerformance),
            other => Err(CoreError::field(
                "format",
                format!("unknown format '{other}'; use json, csv, csv-bom, b2mml (or b2mml-performance to export)"),
            )),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::CsvBom => "csv-bom",
            Format::B2mml => "b2mml",
            Format::B2mmlPerformance => "b2mml-performance",
        }
    }
}

/// What happened to one row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowStatus {
    Created,
    Updated,
    Unchanged,
    Error,
}

impl RowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RowStatus::Created => "created",
            RowStatus::Updated => "updated",
            RowStatus::Unchanged => "unchanged",
            RowStatus::Error => "error",
        }
    }
}

/// The outcome of one row: its 1-based number in the file, the order name, what happened,
/// the order id (unless it failed) and the field errors / messages of a failed row.
#[derive(Clone, Debug)]
pub struct RowResult {
    pub row: u64,
    pub name: Option<String>,
    pub status: RowStatus,
    pub id: Option<Id>,
    pub errors: FieldErrors,
    /// What the file said that the import did not use (unknown B2MML elements, merged items).
    pub notes: Vec<String>,
}

impl RowResult {
    pub fn to_json(&self) -> Json {
        let mut out = json!({"row": self.row, "name": self.name, "status": self.status.as_str(), "id": self.id.map(|i| i.to_string())});
        if !self.errors.is_empty() {
            out["errors"] = self.errors.to_json();
        }
        if !self.notes.is_empty() {
            out["notes"] = json!(self.notes);
        }
        out
    }
}

/// The per-row report of an import.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub rows: Vec<RowResult>,
}

impl Report {
    pub fn count(&self, status: RowStatus) -> usize {
        self.rows.iter().filter(|r| r.status == status).count()
    }

    pub fn to_json(&self, format: Format, dry_run: bool) -> Json {
        json!({
            "format": format.as_str(),
            "dryRun": dry_run,
            "total": self.rows.len(),
            "created": self.count(RowStatus::Created),
            "updated": self.count(RowStatus::Updated),
            "unchanged": self.count(RowStatus::Unchanged),
            "errors": self.count(RowStatus::Error),
            "rows": self.rows.iter().map(RowResult::to_json).collect::<Vec<_>>(),
        })
    }
}

/// Options of an import.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Report what would happen, write nothing.
    pub dry_run: bool,
    /// Create the units and materials the file names but the database lacks (when the caller
    /// may save them) instead of refusing the row.
    pub create_missing: bool,
}

const ROW_SAVEPOINT: &str = "import_row";
const DRY_RUN_SAVEPOINT: &str = "import_dry_run";

/// `importProductionOrders(data, format, dryRun)` inside one write transaction: the rows of
/// `data` (a JSON array, the text of a file in `format`, or a file's bytes: [`Source`]), each
/// in its own savepoint. A file that cannot be read fails as a whole (the caller's transaction
/// is rolled back, so rows read before the syntax error are undone too); a bad row is reported
/// and the others go on.
pub fn import<'a>(tx: &mut dyn Tx, caller: &Caller, data: impl Into<Source<'a>>, format: Format, options: Options) -> CoreResult<Report> {
    if options.dry_run {
        tx.savepoint(DRY_RUN_SAVEPOINT)?;
    }
    let mut report = Report::default();
    let mut rows_tx = ImportTx::new(tx);
    let result = for_each_input_row(data, format, &mut |n, row| {
        report.rows.push(import_row(&mut rows_tx, caller, n, row, options.create_missing)?);
        Ok(())
    });
    if options.dry_run {
        tx.rollback_to(DRY_RUN_SAVEPOINT)?;
    }
    result.map(|()| report)
}

/// Imports one row in its own savepoint. Row problems (validation, missing master data,
/// conflicts) become an `error` row; store failures abort the import.
pub fn import_row(tx: &mut ImportTx, caller: &Caller, n: u64, row: Json, create_missing: bool) -> CoreResult<RowResult> {
    tx.savepoint(ROW_SAVEPOINT)?;
    match apply_row_unguarded(tx, caller, n, row, create_missing) {
        Ok((result, writes)) if result.status == RowStatus::Error && writes > 0 => {
            tx.rollback_to(ROW_SAVEPOINT)?;
            Ok(result)
        }
        Ok((result, _)) => {
            tx.release(ROW_SAVEPOINT)?;
            Ok(result)
        }
        Err(e) => {
            let _ = tx.rollback_to(ROW_SAVEPOINT);
            Err(e)
        }
    }
}

/// Imports one row without a savepoint of its own; answers its result and how many writes it
/// made. The caller undoes the writes of an `error` row (by rolling back to a savepoint taken
/// before it), and those of a store failure; an `error` row that made none (refused before its
/// first write, as rows naming missing master data or bad fields are) left nothing to undo.
pub fn apply_row_unguarded(tx: &mut ImportTx, caller: &Caller, n: u64, row: Json, create_missing: bool) -> CoreResult<(RowResult, u64)> {
    let name = row.get("name").and_then(Json::as_str).map(str::to_string);
    let notes: Vec<String> = row
        .get("importNotes")
        .and_then(Json::as_array)
        .map(|n| n.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    tx.begin_row();
    let mut missing = CreateMissing {
        caller: create_missing.then_some(caller),
        created: Vec::new(),
    };
    let outcome = apply_row(tx, caller, row, &mut missing);
    let writes = tx.take_writes();
    let failed = |errors: FieldErrors| -> CoreResult<(RowResult, u64)> {
        let result = RowResult {
            row: n,
            name: name.clone(),
            status: RowStatus::Error,
            id: None,
            errors,
            notes: notes.clone(),
        };
        Ok((result, writes))
    };
    match outcome {
        Ok((id, created)) => {
            let status = match (created, writes) {
                (true, _) => RowStatus::Created,
                (false, 0) => RowStatus::Unchanged,
                (false, _) => RowStatus::Updated,
            };
            let result = RowResult {
                row: n,
                name: name.clone(),
                status,
                id: Some(id),
                errors: FieldErrors::new(),
                notes: notes.iter().cloned().chain(missing.created).collect(),
            };
            Ok((result, writes))
        }
        Err(CoreError::Validation(errors)) => failed(errors),
        Err(CoreError::Conflict { message, .. }) => failed(FieldErrors::single("version", message)),
        Err(CoreError::NotFound(message) | CoreError::BadRequest(message) | CoreError::InUse { message, .. }) => {
            failed(FieldErrors::single("row", message))
        }
        Err(CoreError::Forbidden { permission }) => failed(FieldErrors::single("row", format!("lacking permission {permission}"))),
        Err(e @ (CoreError::Unavailable(_) | CoreError::Internal(_))) => Err(e),
    }
}

/// Keys of an imported order that are not stored as given: the natural keys (resolved to ids),
/// the embedded lists (applied after the order), and what belongs to the sending system (its
/// id and version, its shift records).
const ORDER_SKIPPED: [&str; 13] = [
    "importNotes",
    "productDefinitionId",
    "unitOfMeasure",
    "id",
    "version",
    "shiftRecordId",
    "billOfMaterials",
    "propertyValues",
    "productPath",
    "productErpId",
    "unitOfMeasureName",
    "locationPath",
    "customerName",
];

/// A natural key: the input key, the id field it sets, the entity and how it is looked up.
struct NaturalKey {
    key: &'static str,
    field: &'static str,
    entity: Entity,
    by: &'static [&'static str],
}

const ORDER_KEYS: [NaturalKey; 7] = [
    NaturalKey {
        key: "productPath",
        field: "productId",
        entity: Entity::Material,
        by: &["path"],
    },
    NaturalKey {
        key: "productErpId",
        field: "productId",
        entity: Entity::Material,
        by: &["erpId"],
    },
    NaturalKey {
        key: "productDefinitionId",
        field: "productId",
        entity: Entity::Material,
        by: &["erpId", "path"],
    },
    NaturalKey {
        key: "unitOfMeasureName",
        field: "unitOfMeasureId",
        entity: Entity::UnitOfMeasure,
        by: &["name"],
    },
    NaturalKey {
        key: "unitOfMeasure",
        field: "unitOfMeasureId",
        entity: Entity::UnitOfMeasure,
        by: &["name", "symbol"],
    },
    NaturalKey {
        key: "locationPath",
        field: "locationId",
        entity: Entity::Location,
        by: &["path"],
    },
    NaturalKey {
        key: "customerName",
        field: "customerId",
        entity: Entity::Customer,
        by: &["name"],
    },
];

const ITEM_KEYS: [NaturalKey; 6] = [
    NaturalKey {
        key: "materialPath",
        field: "materialId",
        entity: Entity::Material,
        by: &["path"],
    },
    NaturalKey {
        key: "materialErpId",
        field: "materialId",
        entity: Entity::Material,
        by: &["erpId"],
    },
    NaturalKey {
        key: "materialDefinitionId",
        field: "materialId",
        entity: Entity::Material,
        by: &["erpId", "path"],
    },
    NaturalKey {
        key: "unitOfMeasureName",
        field: "unitOfMeasureId",
        entity: Entity::UnitOfMeasure,
        by: &["name"],
    },
    NaturalKey {
        key: "unitOfMeasureSymbol",
        field: "unitOfMeasureId",
        entity: Entity::UnitOfMeasure,
        by: &["symbol"],
    },
    NaturalKey {
        key: "unitOfMeasure",
        field: "unitOfMeasureId",
        entity: Entity::UnitOfMeasure,
        by: &["name", "symbol"],
    },
];

/// The fields of a BOM item an import sets (the rest is the order's or the server's).
const ITEM_FIELDS: [&str; 6] = [
    "materialId",
    "quantityPerProducedUnit",
    "quantityOrder",
    "unitOfMeasureId",
    "materialGroup",
    "materialType",
];

/// Resolves the natural keys present in `row` into `data` (a natural key wins over an id given
/// alongside it: ids belong to the sending system). Unknown keys are field errors.
fn resolve_keys(
    tx: &mut dyn Tx,
    keys: &[NaturalKey],
    row: &Map<String, Json>,
    data: &mut Map<String, Json>,
    prefix: &str,
    errors: &mut FieldErrors,
    missing: &mut CreateMissing,
) -> CoreResult<()> {
    let mut resolved: Vec<&str> = Vec::new();
    // Units first: a material created for the row takes the row's unit.
    let units_first = keys
        .iter()
        .filter(|k| k.entity == Entity::UnitOfMeasure)
        .chain(keys.iter().filter(|k| k.entity != Entity::UnitOfMeasure));
    for k in units_first {
        let Some(given) = row.get(k.key).filter(|v| !v.is_null()) else {
            continue;
        };
        let Some(text) = given.as_str().map(str::trim).filter(|t| !t.is_empty()) else {
            errors.add(format!("{prefix}{}", k.key), format!("must be a non-empty string, got {given}"));
            continue;
        };
        let def = k.entity.def();
        // Keys are listed most specific first (a unit's name before its symbol): one per field.
        if resolved.contains(&k.field) {
            continue;
        }
        resolved.push(k.field);
        let mut outcome = Err(format!("no {} with {} '{text}'", def.label, k.by.join(" or ")));
        let mut none = true;
        for by in k.by {
            let value = if *by == "path" { text.trim_start_matches('/') } else { text };
            let mut q = Query::eq(def, by, Value::Text(value.into()));
            q.page = Some(shopfloor_core::query::Page { size: 2, index: 0 });
            match tx.find(k.entity, &q)?.as_slice() {
                [one] => {
                    outcome = one.id().ok_or_else(|| "a record without id".to_string());
                    none = false;
                    break;
                }
                [] => {}
                _ => {
                    outcome = Err(format!("more than one {} has {by} '{text}'; give its id", def.label));
                    none = false;
                    break;
                }
            }
        }
        if none {
            if let Some(created) = missing.create(tx, k, text, data)? {
                outcome = created;
            }
        }
        match outcome {
            Ok(id) => {
                data.insert(k.field.into(), Json::String(id.to_string()));
            }
            Err(m) => errors.add(format!("{prefix}{}", k.key), m),
        }
    }
    Ok(())
}

/// Units and materials created for a row by `createMissing` (`caller` is `None` without it).
struct CreateMissing<'c> {
    caller: Option<&'c Caller>,
    /// What was created, for the row's notes.
    created: Vec<String>,
}

/// The material class of materials created from an ERP id alone (a path names its class).
const IMPORTED_CLASS: &str = "IMPORTED";

impl CreateMissing<'_> {
    /// Creates the unit or material that key `k` names as `text`, when asked to and allowed:
    /// `Some(id)`, or `Some(Err(why))` when it cannot be; `None` leaves the key unresolved.
    /// A unit is named (and symbolized) `text`. A material named by path `Class/…/Name` goes
    /// into that class (created along the path); one named by ERP id is called after it, in
    /// the class `IMPORTED`, with that ERP id, so that the next import finds it again. A
    /// material takes the row's unit.
    fn create(&mut self, tx: &mut dyn Tx, k: &NaturalKey, text: &str, data: &Map<String, Json>) -> CoreResult<Option<Result<Id, String>>> {
        let Some(caller) = self.caller.filter(|_| matches!(k.entity, Entity::UnitOfMeasure | Entity::Material)) else {
            return Ok(None);
        };
        let def = k.entity.def();
        let not_found = format!("no {} with {} '{text}'", def.label, k.by.join(" or "));
        let permission = format!("{}.WRITE.SAVE", def.permission_prefix);
        if caller.require(&permission).is_err() {
            return Ok(Some(Err(format!("{not_found}; creating it needs the permission {permission}"))));
        }
        let mut fields = Map::new();
        let what = if k.entity == Entity::UnitOfMeasure {
            fields.insert("name".into(), json!(text));
            fields.insert("symbol".into(), json!(text.chars().take(32).collect::<String>()));
            format!("unit of measure '{text}'")
        } else {
            let Some(unit) = data.get("unitOfMeasureId") else {
                return Ok(Some(Err(format!("{not_found}; to create it, the row needs its unit"))));
            };
            let (class, name) = match text.trim_matches('/').rsplit_once('/') {
                Some((class, name)) if k.by.contains(&"path") => (class.to_string(), name.to_string()),
                _ if k.by == ["path"] => {
                    return Ok(Some(Err(format!(
                        "{not_found}; to create it, the path must name its class (Class/Name)"
                    ))));
                }
                _ => {
                    fields.insert("erpId".into(), json!(text));
                    (IMPORTED_CLASS.to_string(), text.to_string())
                }
            };
            let class_id = material::create_classes_for_path(tx, caller, &class)?.id();
            fields.insert("materialClassId".into(), json!(class_id.map(|i| i.to_string())));
            fields.insert("name".into(), json!(name));
            fields.insert("unitOfMeasureId".into(), unit.clone());
            format!("material '{class}/{name}'")
        };
        match entity::save(tx, caller, k.entity, &fields) {
            Ok(record) => {
                self.created.push(format!("created {what}"));
                Ok(Some(record.id().ok_or_else(|| "a record without id".to_string())))
            }
            Err(CoreError::Validation(e)) => {
                let why: Vec<String> = e.0.iter().map(|(f, m)| format!("{f} {}", m.join("; "))).collect();
                Ok(Some(Err(format!("{not_found}; it could not be created: {}", why.join(", ")))))
            }
            Err(e) => Err(e),
        }
    }
}

/// Applies one row; returns the order id and whether the order was created.
fn apply_row(tx: &mut dyn Tx, caller: &Caller, row: Json, missing: &mut CreateMissing) -> CoreResult<(Id, bool)> {
    let Json::Object(row) = row else {
        return Err(CoreError::field(
            "row",
            format!(
                "must be an object (one production order), got {}",
                shopfloor_core::record::describe(&row)
            ),
        ));
    };
    let Some(name) = row.get("name").and_then(Json::as_str).map(str::trim).filter(|n| !n.is_empty()) else {
        return Err(CoreError::field("name", "is required: orders are matched by name"));
    };
    let mut errors = FieldErrors::new();
    let mut data: Map<String, Json> = row
        .iter()
        .filter(|(k, _)| !ORDER_SKIPPED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    resolve_keys(tx, &ORDER_KEYS, &row, &mut data, "", &mut errors, missing)?;
    let existing = tx
        .find(ORDER, &Query::eq(ORDER.def(), "name", Value::Text(name.into())))?
        .into_iter()
        .next();
    match existing.as_ref().and_then(Record::id) {
        Some(id) => {
            data.insert("id".into(), Json::String(id.to_string()));
        }
        // Only a name with a BOM or values (a bill-of-materials file): the order must exist.
        None if row
            .keys()
            .all(|k| matches!(k.as_str(), "name" | "billOfMaterials" | "propertyValues")) =>
        {
            return Err(CoreError::field("name", format!("no production order '{name}'")));
        }
        None => {}
    }
    // The status comes last, after the BOM and values: a CLOSED order's BOM is read-only.
    let status = data.remove("status").filter(|s| !s.is_null());
    // Report the order's own field errors together with unresolved natural keys.
    let saved = match entity::save(tx, caller, ORDER, &data) {
        Ok(r) => Some(r),
        Err(CoreError::Validation(e)) => {
            for (k, msgs) in e.0 {
                for m in msgs {
                    errors.add(k.clone(), m);
                }
            }
            None
        }
        Err(e) => return Err(e),
    };
    errors.clone().into_result()?;
    let order = saved.ok_or_else(|| CoreError::Internal("order not saved".into()))?;
    let id = order.id().ok_or_else(|| CoreError::Internal("order without id".into()))?;
    let created = existing.is_none();
    if let Some(items) = row.get("billOfMaterials").filter(|v| !v.is_null()) {
        sync_bill_of_materials(tx, caller, id, created, items, missing)?;
    }
    if let Some(values) = row.get("propertyValues").filter(|v| !v.is_null()) {
        set_property_values(tx, caller, id, created, values)?;
    }
    if let Some(status) = status {
        apply_status(tx, caller, id, status, created)?;
    }
    Ok((id, created))
}

/// Sets the row's status. An existing order moves as `saveProductionOrder` would move it (the
/// lifecycle decides); a new one takes the sender's status as `saveProductionOrder` creates
/// one in it (with the effects of entering it), recorded as a transition after the creation.
/// Both go through the lifecycle's one door, `production_order::change_status`.
fn apply_status(tx: &mut dyn Tx, caller: &Caller, id: Id, status: Json, created: bool) -> CoreResult<()> {
    let mut data = Map::new();
    data.insert("id".into(), Json::String(id.to_string()));
    data.insert("status".into(), status);
    if !created {
        entity::save(tx, caller, ORDER, &data)?;
        return Ok(());
    }
    let mut errors = FieldErrors::new();
    let input = shopfloor_core::record::parse_input(ORDER.def(), &data, &mut errors);
    errors.into_result()?;
    let Some(to) = input.present.get("status").and_then(Value::as_text).and_then(Status::parse) else {
        return Ok(());
    };
    let before = tx
        .get(ORDER, id)?
        .ok_or_else(|| CoreError::Internal("imported order vanished".into()))?;
    if before.text("status") == Some(to.as_str()) {
        return Ok(());
    }
    // Created a moment ago in IDLE, the order enters its status as a new order would.
    production_order::write_transition(tx, caller, before, None, to, None)?;
    Ok(())
}

/// Whether a stored field (as JSON) already holds the value a file gives (numbers compare as
/// numbers, also when the file spells them as text).
fn same(stored: &Json, given: &Json) -> bool {
    let number = |v: &Json| match v {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    match (stored, given) {
        (Json::Number(_), _) | (_, Json::Number(_)) => number(stored).is_some() && number(stored) == number(given),
        (Json::String(a), Json::String(b)) => a == b || a.eq_ignore_ascii_case(b),
        _ => stored == given,
    }
}

fn prefixed(prefix: &str, e: CoreError) -> CoreError {
    match e {
        CoreError::Validation(fields) => {
            let mut out = FieldErrors::new();
            for (k, msgs) in fields.0 {
                for m in msgs {
                    out.add(format!("{prefix}{k}"), m);
                }
            }
            CoreError::Validation(out)
        }
        CoreError::NotFound(m) | CoreError::BadRequest(m) => CoreError::field(prefix.trim_end_matches('.'), m),
        other => other,
    }
}

/// Makes the order's bill of materials the listed one: items matched by material keep their
/// ids and are updated in place, missing ones are created, unlisted ones deleted; positions
/// follow the list. An unchanged list writes nothing. A `created` order has no items yet.
fn sync_bill_of_materials(
    tx: &mut dyn Tx,
    caller: &Caller,
    order: Id,
    created: bool,
    items: &Json,
    missing: &mut CreateMissing,
) -> CoreResult<()> {
    let Json::Array(items) = items else {
        return Err(CoreError::field(
            "billOfMaterials",
            format!("must be a list of items, got {}", shopfloor_core::record::describe(items)),
        ));
    };
    let mut errors = FieldErrors::new();
    let mut wanted: Vec<(Id, Map<String, Json>)> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let prefix = format!("billOfMaterials[{i}].");
        let Json::Object(item) = item else {
            errors.add(
                format!("billOfMaterials[{i}]"),
                format!("must be an object, got {}", shopfloor_core::record::describe(item)),
            );
            continue;
        };
        let mut data: Map<String, Json> = item
            .iter()
            .filter(|(k, _)| ITEM_FIELDS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for k in item.keys() {
            let known = ITEM_FIELDS.contains(&k.as_str())
                || ITEM_KEYS.iter().any(|n| n.key == k)
                || ITEM.def().field(k).is_some()
                || ITEM.def().derived(k).is_some()
                || k == "version";
            if !known {
                errors.add(format!("{prefix}{k}"), format!("unknown field '{k}' for bill of materials item"));
            }
        }
        resolve_keys(tx, &ITEM_KEYS, item, &mut data, &prefix, &mut errors, missing)?;
        match data.get("materialId").and_then(Json::as_str).map(Id::parse) {
            Some(Ok(m)) if wanted.iter().any(|(w, _)| *w == m) => {
                errors.add(
                    format!("{prefix}materialId"),
                    "the material is listed twice in this order's bill of materials",
                );
            }
            Some(Ok(m)) => wanted.push((m, data)),
            Some(Err(_)) => errors.add(format!("{prefix}materialId"), "is not a valid id"),
            None if !errors.0.keys().any(|k| k.starts_with(&prefix)) => {
                errors.add(format!("{prefix}materialId"), "is required (or materialPath / materialErpId)")
            }
            None => {}
        }
    }
    errors.into_result()?;
    let existing = if created {
        Vec::new()
    } else {
        bill_of_materials::items_of(tx, order)?
    };
    let order_quantity = tx.get(ORDER, order)?.and_then(|o| o.get("quantity").as_real());
    let mut moved = false;
    for stale in existing
        .iter()
        .filter(|e| !wanted.iter().any(|(m, _)| e.get("materialId").as_id() == Some(*m)))
    {
        if let Some(id) = stale.id() {
            moved = true;
            bill_of_materials::delete(tx, caller, &id.to_string()).map_err(|e| prefixed("billOfMaterials.", e))?;
        }
    }
    for (i, (material, mut data)) in wanted.into_iter().enumerate() {
        let stored = existing.iter().find(|e| e.get("materialId").as_id() == Some(material));
        // Until something moved, the positions read above are current.
        if let Some(stored) = stored.filter(|_| !moved) {
            // Nothing to write (and nothing to refuse on a CLOSED order) when the item matches.
            let json = stored.to_json(ITEM.def());
            // Without quantityOrder, the service derives it from the order's quantity.
            let derived = match (data.contains_key("quantityOrder"), data.get("quantityPerProducedUnit")) {
                (false, Some(per)) => {
                    let per = per.as_f64().or_else(|| per.as_str().and_then(|t| t.trim().parse().ok()));
                    match (per, order_quantity) {
                        (Some(p), Some(q)) => same(&json["quantityOrder"], &json!(p * q)),
                        _ => false,
                    }
                }
                _ => true,
            };
            let unchanged = derived && json["position"] == json!(i + 1) && data.iter().all(|(k, v)| same(&json[k.as_str()], v));
            if unchanged {
                continue;
            }
        }
        let found = stored.and_then(Record::id);
        match found {
            Some(id) => {
                data.insert("id".into(), Json::String(id.to_string()));
            }
            None => {
                data.insert("productionOrderId".into(), Json::String(order.to_string()));
            }
        }
        data.insert("position".into(), json!(i + 1));
        moved = true;
        bill_of_materials::save(tx, caller, &data).map_err(|e| prefixed(&format!("billOfMaterials[{i}]."), e))?;
    }
    Ok(())
}

/// Sets the listed property values (`{name: value}` or `[{propertyName|propertyId, value}]`, the
/// shape `getProductionOrder` returns); values not listed are kept. A `created` order has none.
fn set_property_values(tx: &mut dyn Tx, caller: &Caller, order: Id, created: bool, values: &Json) -> CoreResult<()> {
    let pairs: Vec<(String, Json)> = match values {
        Json::Object(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Json::Array(list) => {
            let mut out = Vec::with_capacity(list.len());
            for (i, v) in list.iter().enumerate() {
                let key = v
                    .get("propertyName")
                    .and_then(Json::as_str)
                    .or_else(|| v.get("propertyId").and_then(Json::as_str));
                match key {
                    Some(k) => out.push((k.to_string(), v.get("value").cloned().unwrap_or(Json::Null))),
                    None => {
                        return Err(CoreError::field(
                            format!("propertyValues[{i}]"),
                            "needs propertyName (or propertyId) and value",
                        ))
                    }
                }
            }
            out
        }
        other => {
            return Err(CoreError::field(
                "propertyValues",
                format!(
                    "must be an object {{propertyName: value}} or a list, got {}",
                    shopfloor_core::record::describe(other)
                ),
            ))
        }
    };
    let mut stored = if created { Vec::new() } else { property::values_for(tx, order)? };
    let order = tx
        .get(ORDER, order)?
        .ok_or_else(|| CoreError::Internal("imported order vanished".into()))?;
    for (name, value) in pairs {
        let prefix = format!("propertyValues.{name}.");
        let property =
            entity::require_as_field(tx, Entity::ProductionOrderProperty, &name, "propertyIdOrName").map_err(|e| prefixed(&prefix, e))?;
        let current = stored
            .iter()
            .find(|v| v.get("propertyId").as_id().is_some_and(|p| property.id() == Some(p)));
        if let Some(current) = current {
            let json = current.to_json(Entity::ProductionOrderPropertyValue.def());
            if same(&json["value"], &value) || (json["value"].is_null() && value.is_null()) {
                continue;
            }
        }
        let saved = property::save_value(tx, caller, &order, &property, current, &value).map_err(|e| prefixed(&prefix, e))?;
        // A property named twice in one row (by id and by name): the last value wins.
        stored.retain(|v| v.get("propertyId") != saved.get("propertyId"));
        stored.push(saved);
    }
    Ok(())
}

/// `exportProductionOrders(format, queryRequest=None)`: the orders the query selects (all when
/// none), each as `getProductionOrder` returns it (with `billOfMaterials` and `propertyValues`),
/// which is a shape `importProductionOrders` reads back.
pub fn export(tx: &mut dyn Tx, format: Format, request: &Map<String, Json>) -> CoreResult<Json> {
    let found = entity::find(tx, ORDER, request)?;
    let mut orders = Vec::new();
    for listed in found["content"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let Some(id) = listed["id"].as_str().and_then(|t| Id::parse(t).ok()) else {
            continue;
        };
        if let Some(order) = tx.get(ORDER, id)? {
            orders.push(production_order::detailed(tx, &order)?);
        }
    }
    match format {
        Format::Json => Ok(Json::Array(orders)),
        Format::Csv => orders_csv(&orders).map(Json::String),
        Format::CsvBom => bill_of_materials_csv(&orders).map(Json::String),
        Format::B2mml => Ok(Json::String(b2mml::schedule(&orders))),
        Format::B2mmlPerformance => Ok(Json::String(b2mml::performance(&orders))),
    }
}

/// Order fields written to CSV: the name, the natural keys instead of the references, then the
/// other input fields.
fn order_columns() -> Vec<String> {
    let mut columns: Vec<String> = ["name", "productPath", "unitOfMeasureName", "locationPath", "customerName"]
        .iter()
        .map(|c| c.to_string())
        .collect();
    for f in &ORDER.def().fields {
        let skip = matches!(f.kind, shopfloor_core::schema::Kind::Ref(_) | shopfloor_core::schema::Kind::Id)
            || f.access != shopfloor_core::schema::Access::Input
            || f.key == "name"
            || f.key == "version";
        if !skip {
            columns.push(f.key.to_string());
        }
    }
    columns
}

fn orders_csv(orders: &[Json]) -> CoreResult<String> {
    let mut columns = order_columns();
    let mut properties: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(orders.len());
    for o in orders {
        let mut row = o.as_object().cloned().unwrap_or_default();
        for v in o["propertyValues"].as_array().map(Vec::as_slice).unwrap_or_default() {
            if let Some(name) = v["propertyName"].as_str() {
                let column = format!("{}{name}", csv::PROPERTY_PREFIX);
                if !properties.contains(&column) {
                    properties.push(column.clone());
                }
                row.insert(column, v["value"].clone());
            }
        }
        rows.push(row);
    }
    properties.sort();
    columns.extend(properties);
    csv::write(&columns, &rows)
}

fn bill_of_materials_csv(orders: &[Json]) -> CoreResult<String> {
    let columns: Vec<String> = [
        csv::ORDER_KEY,
        "materialPath",
        "quantityPerProducedUnit",
        "quantityOrder",
        "unitOfMeasureSymbol",
        "materialGroup",
        "materialType",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    let mut rows = Vec::new();
    for o in orders {
        for item in o["billOfMaterials"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let mut row = item.as_object().cloned().unwrap_or_default();
            row.insert(csv::ORDER_KEY.into(), o["name"].clone());
            rows.push(row);
        }
    }
    csv::write(&columns, &rows)
}
