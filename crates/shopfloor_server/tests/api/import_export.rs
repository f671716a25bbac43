//! ERP import and export of production orders (issue 9, ADR 0006): upsert by name with the
//! bill of materials and property values, per-row report, idempotency, dry run, bad files and
//! rows, the REST upload and the export → import round trip.

use crate::helpers::{spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PO: &str = "productionOrder";

/// Units `Each` and `Kilogram`, class FG with product `Widget` (erpId W-1), class RAW with
/// `Steel` and `Paint`, location `Plant/Line1`, customer `ACME`, properties `batch` (INTEGER)
/// and `color` (STRING).
async fn master_data(app: &TestApp) {
    let each = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Each", "symbol": "ea"}))
        .await;
    let kg = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Kilogram", "symbol": "kg"}))
        .await;
    let fg = app.ok("material", "saveMaterialClass", json!({"name": "FG"})).await;
    let raw = app.ok("material", "saveMaterialClass", json!({"name": "RAW"})).await;
    app.ok(
        "material",
        "saveMaterial",
        json!({"name": "Widget", "materialClassId": fg["id"], "unitOfMeasureId": each["id"], "erpId": "W-1"}),
    )
    .await;
    for m in ["Steel", "Paint"] {
        app.ok(
            "material",
            "saveMaterial",
            json!({"name": m, "materialClassId": raw["id"], "unitOfMeasureId": kg["id"]}),
        )
        .await;
    }
    let plant = app.location("Plant", None).await;
    app.location("Line1", Some(&plant)).await;
    app.ok("customer", "saveCustomer", json!({"name": "ACME"})).await;
    app.ok(PO, "saveProductionOrderProperty", json!({"name": "batch", "dataType": "INTEGER"}))
        .await;
    app.ok(PO, "saveProductionOrderProperty", json!({"name": "color", "dataType": "STRING"}))
        .await;
}

fn erp_file() -> Value {
    json!([
        {
            "name": "PO-1", "productPath": "FG/Widget", "unitOfMeasureName": "Each", "quantity": 100,
            "locationPath": "Plant/Line1", "customerName": "ACME", "schedulePriority": "HIGH",
            "dueDate": "2026-12-01T00:00:00Z",
            "billOfMaterials": [
                {"materialPath": "RAW/Steel", "quantityPerProducedUnit": 2},
                {"materialPath": "RAW/Paint", "quantityPerProducedUnit": 0.5}
            ],
            "propertyValues": {"batch": 7, "color": "red"}
        },
        {"name": "PO-2", "productErpId": "W-1", "unitOfMeasureName": "Each", "quantity": 5}
    ])
}

/// Imports `data`: a dry run answers at once; otherwise the job is queued and waited for.
pub(crate) async fn import(app: &TestApp, data: Value, dry_run: bool) -> Value {
    let answer = app
        .ok(
            PO,
            "importProductionOrders",
            json!({"data": data, "format": "json", "dryRun": dry_run}),
        )
        .await;
    if dry_run {
        return answer;
    }
    wait_for_job(app, answer.as_str().expect("the bare job id")).await
}

/// Queues the rows as a JSON import; answers the job id.
async fn queue_import(app: &TestApp, rows: Vec<Value>) -> String {
    let answer = app.ok(PO, "importProductionOrders", json!({"data": rows, "format": "json"})).await;
    answer.as_str().expect("the bare job id").to_string()
}

/// Polls `getImportJob` until the job is DONE or CANCELLED; returns it (with its first 100 rows).
async fn wait_for_job(app: &TestApp, id: &str) -> Value {
    let mut job = Value::Null;
    for _ in 0..600 {
        job = app.ok(PO, "getImportJob", json!([id])).await;
        if job["status"] == "DONE" || job["status"] == "CANCELLED" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import job {id} did not finish: {job}");
}

/// An order's BOM as (material name, position, order quantity) in position order.
fn bom_rows(order: &Value) -> Vec<(Value, Value, Value)> {
    order["billOfMaterials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["materialName"].clone(), i["position"].clone(), i["quantityOrder"].clone()))
        .collect()
}

pub(crate) fn statuses(report: &Value) -> Vec<&str> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect()
}

/// How many history events the change feed holds.
/// The history events of orders and what belongs to them (master data's events left out).
async fn event_count(app: &TestApp) -> usize {
    let r = app
        .client
        .get(format!("{}/api/v1/events?after=0&timeout=0&limit=1000", app.address))
        .send()
        .await
        .expect("feed answers");
    assert_eq!(r.status(), StatusCode::OK);
    r.text()
        .await
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter(|l| !serde_json::from_str::<Value>(l).unwrap()["orderId"].is_null())
        .count()
}

#[tokio::test]
async fn imports_orders_with_natural_keys_bill_of_materials_and_values() {
    let app = spawn_app().await;
    master_data(&app).await;
    let report = import(&app, erp_file(), false).await;
    assert_eq!(statuses(&report), ["created", "created"], "{report}");
    assert_eq!(
        (report["total"].clone(), report["created"].clone(), report["errors"].clone()),
        (json!(2), json!(2), json!(0))
    );
    let o = app.get_order("PO-1").await;
    assert_eq!(report["rows"][0]["id"], o["id"]);
    assert_eq!(o["productPath"], "FG/Widget");
    assert_eq!(o["unitOfMeasureName"], "Each");
    assert_eq!(o["locationPath"], "Plant/Line1");
    assert_eq!(o["customerName"], "ACME");
    assert_eq!(o["schedulePriority"], "HIGH");
    assert_eq!(o["quantity"], json!(100.0));
    assert_eq!(o["dueDate"], "2026-12-01T00:00:00.000Z");
    let bom = bom_rows(&o);
    assert_eq!(
        bom,
        [(json!("Steel"), json!(1), json!(200.0)), (json!("Paint"), json!(2), json!(50.0))]
    );
    let values: Vec<(Value, Value)> = o["propertyValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["propertyName"].clone(), v["value"].clone()))
        .collect();
    assert_eq!(values, [(json!("batch"), json!(7)), (json!("color"), json!("red"))]);
    assert_eq!(app.get_order("PO-2").await["productName"], "Widget");
    // Imported orders have the history of saved ones.
    let history = app.history("PO-1").await;
    assert_eq!(history.len(), 5, "order + 2 items + 2 values: {history:?}");
}

#[tokio::test]
async fn reimporting_the_same_file_changes_nothing() {
    let app = spawn_app().await;
    master_data(&app).await;
    import(&app, erp_file(), false).await;
    let before = app.get_order("PO-1").await;
    let events = event_count(&app).await;
    let again = import(&app, erp_file(), false).await;
    assert_eq!(statuses(&again), ["unchanged", "unchanged"], "{again}");
    assert_eq!(again["unchanged"], 2);
    assert_eq!(event_count(&app).await, events, "no history events for unchanged rows");
    let after = app.get_order("PO-1").await;
    assert_eq!(after, before, "no new versions, nothing rewritten");
    assert_eq!(after["version"], 1);
}

#[tokio::test]
async fn a_changed_row_is_updated_and_its_bill_of_materials_follows_the_file() {
    let app = spawn_app().await;
    master_data(&app).await;
    import(&app, erp_file(), false).await;
    let mut file = erp_file();
    file[0]["quantity"] = json!(10);
    // Paint first, Steel dropped, the colour changes; PO-2 is untouched.
    file[0]["billOfMaterials"] = json!([{"materialPath": "RAW/Paint", "quantityPerProducedUnit": 0.5}]);
    file[0]["propertyValues"] = json!({"color": "blue"});
    let report = import(&app, file, false).await;
    assert_eq!(statuses(&report), ["updated", "unchanged"], "{report}");
    let o = app.get_order("PO-1").await;
    assert_eq!(o["quantity"], json!(10.0));
    assert_eq!(o["version"], 2);
    let bom = o["billOfMaterials"].as_array().unwrap();
    assert_eq!(bom.len(), 1);
    assert_eq!(
        (bom[0]["materialName"].clone(), bom[0]["position"].clone()),
        (json!("Paint"), json!(1))
    );
    assert_eq!(bom[0]["quantityOrder"], json!(5.0), "recomputed from the new order quantity");
    let values = o["propertyValues"].as_array().unwrap();
    assert_eq!(values.len(), 2, "values not listed are kept");
    assert_eq!(values[1]["value"], "blue");
}

#[tokio::test]
async fn a_new_order_named_twice_in_one_file_and_a_property_named_twice_in_one_row() {
    let app = spawn_app().await;
    master_data(&app).await;
    let file = json!([
        {"name": "TWICE", "productPath": "FG/Widget", "unitOfMeasureName": "Each", "quantity": 2,
         "billOfMaterials": [
             {"materialPath": "RAW/Steel", "quantityPerProducedUnit": 1},
             {"materialPath": "RAW/Paint", "quantityPerProducedUnit": 3}
         ],
         // The same property by two spellings: the last value wins, as two calls would.
         "propertyValues": [{"propertyName": "batch", "value": 1}, {"propertyName": "BATCH", "value": 2}]},
        // The order the row above created: now its items swap places.
        {"name": "TWICE", "productPath": "FG/Widget", "unitOfMeasureName": "Each", "quantity": 2,
         "billOfMaterials": [
             {"materialPath": "RAW/Paint", "quantityPerProducedUnit": 3},
             {"materialPath": "RAW/Steel", "quantityPerProducedUnit": 1}
         ]}
    ]);
    let report = import(&app, file, false).await;
    assert_eq!(statuses(&report), ["created", "updated"], "{report}");
    let o = app.get_order("TWICE").await;
    let bom = bom_rows(&o);
    assert_eq!(
        bom,
        [(json!("Paint"), json!(1), json!(6.0)), (json!("Steel"), json!(2), json!(2.0))]
    );
    let values = o["propertyValues"].as_array().unwrap();
    assert_eq!(values.len(), 1, "{values:?}");
    assert_eq!(values[0]["value"], json!(2));
}

#[tokio::test]
async fn create_missing_creates_units_and_materials_once_and_only_for_callers_who_may() {
    let app = spawn_app().await;
    master_data(&app).await;
    let file = json!([{
        "name": "NEW-1", "productPath": "NEW/Gadget", "unitOfMeasureName": "Box", "quantity": 4,
        "billOfMaterials": [{"materialErpId": "C-9", "unitOfMeasureName": "Box", "quantityPerProducedUnit": 2}]
    }]);
    let refused = import(&app, file.clone(), false).await;
    assert_eq!(
        statuses(&refused),
        ["error"],
        "without createMissing master data must exist: {refused}"
    );

    let import_creating = |file: Value| {
        let app = &app;
        async move {
            let id = app
                .ok(PO, "importProductionOrders", json!({"data": file, "createMissing": true}))
                .await;
            wait_for_job(app, id.as_str().unwrap()).await
        }
    };
    let report = import_creating(file.clone()).await;
    assert_eq!(statuses(&report), ["created"], "{report}");
    let notes = report["rows"][0]["notes"].clone();
    assert_eq!(
        notes,
        json!([
            "created unit of measure 'Box'",
            "created material 'NEW/Gadget'",
            "created material 'IMPORTED/C-9'"
        ]),
        "{report}"
    );
    let o = app.get_order("NEW-1").await;
    assert_eq!(o["productName"], "Gadget");
    assert_eq!(o["unitOfMeasureName"], "Box");
    assert_eq!(bom_rows(&o), [(json!("C-9"), json!(1), json!(8.0))]);
    let component = app.ok("material", "getMaterialByErpId", json!(["C-9"])).await;
    assert_eq!(component["path"], "IMPORTED/C-9");
    assert_eq!(component["unitOfMeasureName"], "Box");

    // The second time everything is found: nothing more is created, the row is unchanged.
    let again = import_creating(file).await;
    assert_eq!(statuses(&again), ["unchanged"], "{again}");
    assert!(again["rows"][0].get("notes").is_none(), "{again}");

    // A caller who may save orders and units but not materials gets the row refused, and the
    // unit it could have created is not left behind.
    app.ok(
        "security",
        "saveRole",
        json!({"name": "importer", "permissions": ["PRODUCTION_ORDER", "UNIT_OF_MEASURE"]}),
    )
    .await;
    app.ok("security", "saveUser", json!({"name": "erp", "roles": ["importer"]})).await;
    let token = app.ok("security", "createApiToken", json!(["erp", "test"])).await;
    let erp = crate::helpers::authorized_client(token["token"].as_str().unwrap());
    let file = json!([{"name": "NEW-2", "productPath": "NEW/Other", "unitOfMeasureName": "Crate"}]);
    let answer = script(
        &erp,
        &app.address,
        "importProductionOrders",
        json!({"data": file, "createMissing": true}),
    )
    .await;
    let report = wait_for_job(&app, answer.as_str().expect("a job id")).await;
    assert_eq!(statuses(&report), ["error"], "{report}");
    let why = report["rows"][0]["errors"]["productPath"][0].as_str().unwrap();
    assert!(why.contains("MATERIAL.WRITE.SAVE"), "{report}");
    let crate_unit = app.call("unitOfMeasure", "getUnitOfMeasure", json!(["Crate"])).await;
    assert_eq!(crate_unit.1, Value::Null, "the row's unit was rolled back with it");
}

#[tokio::test]
async fn a_bad_row_is_reported_with_its_field_errors_and_the_rest_go_on() {
    let app = spawn_app().await;
    master_data(&app).await;
    let file = json!([
        {"name": "GOOD-1", "productPath": "FG/Widget", "unitOfMeasureName": "Each"},
        {"name": "BAD-1", "productPath": "FG/Nope", "unitOfMeasureName": "Each", "quantity": -1},
        // The order itself is valid, but its value is not: nothing of the row may stay.
        {"name": "BAD-2", "productPath": "FG/Widget", "unitOfMeasureName": "Each",
         "billOfMaterials": [{"materialPath": "RAW/Steel", "quantityPerProducedUnit": 1}],
         "propertyValues": {"batch": "many"}},
        {"name": "BAD-3", "productPath": "FG/Widget", "unitOfMeasureName": "Each",
         "billOfMaterials": [{"materialPath": "RAW/Steel"}, {"materialPath": "RAW/Steel"}]},
        {"productPath": "FG/Widget"},
        "not an order",
        {"name": "GOOD-2", "productPath": "FG/Widget", "unitOfMeasureName": "Each"}
    ]);
    let report = import(&app, file, false).await;
    assert_eq!(
        statuses(&report),
        ["created", "error", "error", "error", "error", "error", "created"],
        "{report}"
    );
    let rows = report["rows"].as_array().unwrap();
    assert!(
        rows[1]["errors"]["productPath"][0].as_str().unwrap().contains("FG/Nope"),
        "{report}"
    );
    assert!(rows[1]["errors"]["quantity"].is_array(), "field errors of the order too: {report}");
    assert!(rows[2]["errors"]["propertyValues.batch.value"].is_array(), "{report}");
    assert!(rows[3]["errors"]["billOfMaterials[1].materialId"].is_array(), "{report}");
    assert!(rows[4]["errors"]["name"].is_array(), "{report}");
    assert!(rows[5]["errors"]["row"].is_array(), "{report}");
    assert_eq!(rows[1]["row"], 2);
    assert_eq!(report["errors"], 5);
    let names: Vec<String> = app
        .all_orders()
        .await
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["GOOD-1", "GOOD-2"], "failed rows leave nothing behind");
    assert_eq!(event_count(&app).await, 2, "no events of the rolled-back rows");
}

/// Rows share savepoints in chunks; a row that fails undoes its chunk, which runs again
/// without it. Bad rows (whose order and item are valid but whose value is not) sit at the
/// start, in a cluster, at a chunk's edges and at the end: every good row is applied exactly
/// once, every bad row leaves nothing.
#[tokio::test]
async fn bad_rows_anywhere_in_a_chunk_leave_nothing_and_good_rows_apply_once() {
    let app = spawn_app().await;
    master_data(&app).await;
    const N: usize = 200;
    let bad = [1, 2, 3, 40, 64, 65, 66, 128, 129, 199, 200];
    let rows: Vec<Value> = (1..=N)
        .map(|i| {
            let batch = if bad.contains(&i) { json!("many") } else { json!(i) };
            json!({"name": format!("CH{i:03}"), "productPath": "FG/Widget", "unitOfMeasureName": "Each",
                   "billOfMaterials": [{"materialPath": "RAW/Steel", "quantityPerProducedUnit": 1}],
                   "propertyValues": {"batch": batch}})
        })
        .collect();
    let id = queue_import(&app, rows).await;
    wait_for_job(&app, &id).await;
    let job = app
        .ok(PO, "getImportJob", json!({"jobId": id, "status": "error", "pageSize": 100}))
        .await;
    let good = N - bad.len();
    assert_eq!(
        (job["created"].clone(), job["errors"].clone()),
        (json!(good), json!(bad.len())),
        "{job}"
    );
    let failed: Vec<u64> = job["rows"].as_array().unwrap().iter().map(|r| r["row"].as_u64().unwrap()).collect();
    assert_eq!(failed, bad.map(|b| b as u64), "{job}");
    assert!(
        job["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["errors"]["propertyValues.batch.value"].is_array()),
        "{job}"
    );
    let orders = app.all_orders().await;
    let mut names: Vec<String> = orders.iter().map(|o| o["name"].as_str().unwrap().to_string()).collect();
    names.sort();
    let expected: Vec<String> = (1..=N).filter(|i| !bad.contains(i)).map(|i| format!("CH{i:03}")).collect();
    assert_eq!(names, expected, "good rows once each, bad rows not at all");
    assert!(orders.iter().all(|o| o["version"] == 1), "no row applied twice");
    let order = app.get_order("CH004").await;
    assert_eq!(order["billOfMaterials"].as_array().map(Vec::len), Some(1), "{order}");
    assert_eq!(order["propertyValues"][0]["value"], 4, "{order}");
    assert_eq!(
        event_count(&app).await,
        3 * good,
        "order, item and value events of the good rows only"
    );
}

#[tokio::test]
async fn a_dry_run_reports_the_same_and_writes_nothing() {
    let app = spawn_app().await;
    master_data(&app).await;
    let events = event_count(&app).await;
    let dry = import(&app, erp_file(), true).await;
    assert_eq!(dry["dryRun"], true);
    assert_eq!(statuses(&dry), ["created", "created"], "{dry}");
    assert!(app.all_orders().await.is_empty(), "a dry run writes nothing");
    assert_eq!(event_count(&app).await, events);
    let real = import(&app, erp_file(), false).await;
    assert_eq!(statuses(&real), ["created", "created"]);
    let mut changed = erp_file();
    changed[1]["quantity"] = json!(6);
    let dry = import(&app, changed, true).await;
    assert_eq!(statuses(&dry), ["unchanged", "updated"], "{dry}");
    assert_eq!(app.get_order("PO-2").await["quantity"], json!(5.0));
}

#[tokio::test]
async fn a_malformed_file_is_refused_whole() {
    let app = spawn_app().await;
    master_data(&app).await;
    let good_then_broken = r#"[{"name": "PO-1", "productPath": "FG/Widget", "unitOfMeasureName": "Each"}, {"name": "#;
    for (data, format) in [
        (json!(good_then_broken), "json"),
        (json!("{\"name\": \"PO-1\"}"), "json"),
        (json!(42), "json"),
        (json!("[]"), "yaml"),
    ] {
        let (status, body) = app
            .call(PO, "importProductionOrders", json!({"data": data, "format": format}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{data} as {format}: {body}");
        assert_eq!(body["error"]["code"], "validation", "{body}");
    }
    assert!(app.all_orders().await.is_empty(), "rows before the syntax error were undone");
}

#[tokio::test]
async fn the_rest_upload_takes_the_raw_file() {
    let app = spawn_app().await;
    master_data(&app).await;
    let text = erp_file().to_string();
    let (status, report) = app.post_raw("/api/v1/production-orders/imports?dryRun=true", text.clone()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["dryRun"].clone(), report["created"].clone()), (json!(true), json!(2)));
    assert!(app.all_orders().await.is_empty());
    // A byte-order mark is allowed, as ERP systems write one.
    let r = app
        .client
        .post(format!("{}/api/v1/production-orders/imports", app.address))
        .header("content-type", "application/json")
        .body(format!("\u{feff}{text}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    let job: Value = r.json().await.unwrap();
    // The job object (read back after queueing), without rows: those are at its URL.
    assert_eq!((job["total"].clone(), job["format"].clone()), (json!(2), json!("json")), "{job}");
    assert!(job.get("rows").is_none(), "{job}");
    let id = job["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/production-orders/imports/{id}"));
    wait_for_job(&app, id).await;
    let (status, done) = app.get(&format!("/api/v1/production-orders/imports/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(
        (done["status"].clone(), done["created"].clone()),
        (json!("DONE"), json!(2)),
        "{done}"
    );
    assert_eq!(done["rows"][1]["name"], "PO-2");
    let (status, _) = app.get("/api/v1/production-orders/imports/01M8GQ34G7-M2EVTN7P-DVAV0G5X").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for (path, body, field) in [
        ("/api/v1/production-orders/imports", vec![b'[', b'\n', 0xff, 0xfe, b']'], "data"),
        ("/api/v1/production-orders/imports?dryRun=maybe", b"[]".to_vec(), "dryRun"),
        ("/api/v1/production-orders/imports?format=xlsx", b"[]".to_vec(), "format"),
    ] {
        let (status, answer) = app.post_raw(path, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {answer}");
        assert!(answer["error"]["fields"][field].is_array(), "{answer}");
    }
    let (_, answer) = app
        .post_raw("/api/v1/production-orders/imports", vec![b'[', b'\n', 0xff, 0xfe, b']'])
        .await;
    assert_eq!(
        answer["error"]["fields"]["data"][0],
        "the import file is not UTF-8 text: a byte that is not part of a UTF-8 character at byte 2 (line 2)"
    );
    assert_eq!(app.all_orders().await.len(), 2);
}

#[tokio::test]
async fn import_answers_the_bare_job_id() {
    let app = spawn_app().await;
    master_data(&app).await;
    let answer = app
        .ok(PO, "importProductionOrders", json!({"data": erp_file(), "format": "json"}))
        .await;
    let id = answer.as_str().unwrap_or_else(|| panic!("a bare job id, got {answer}"));
    let job = wait_for_job(&app, id).await;
    assert_eq!((job["id"].as_str(), job["created"].clone()), (Some(id), json!(2)), "{job}");
    // Positional arguments too; an empty file is a job with no rows, done at once.
    let empty = app.ok(PO, "importProductionOrders", json!(["[]", "json"])).await;
    let job = app.ok(PO, "getImportJob", json!([empty])).await;
    assert_eq!((job["status"].clone(), job["total"].clone()), (json!("DONE"), json!(0)), "{job}");
    assert_eq!(job["rows"], json!([]));
}

#[tokio::test]
async fn import_job_rows_come_a_page_at_a_time_with_a_status_filter() {
    let app = spawn_app().await;
    master_data(&app).await;
    // 250 rows; every tenth names a product that does not exist.
    let rows: Vec<Value> = (1..=250)
        .map(|i| {
            let product = if i % 10 == 0 { "FG/Nope" } else { "FG/Widget" };
            json!({"name": format!("P{i:03}"), "productPath": product, "unitOfMeasureName": "Each"})
        })
        .collect();
    let id = queue_import(&app, rows).await;
    let job = wait_for_job(&app, &id).await;
    assert_eq!((job["created"].clone(), job["errors"].clone()), (json!(225), json!(25)), "{job}");
    // The first page by default: 100 rows, and the paging keys of a QueryResult.
    let page = |v: &Value| {
        let rows = v["rows"].as_array().unwrap();
        (
            rows.len(),
            rows.first().map(|r| r["row"].clone()),
            v["totalElements"].clone(),
            v["totalPages"].clone(),
            v["pageIndex"].clone(),
            v["pageSize"].clone(),
            v["hasNext"].clone(),
            v["hasPrevious"].clone(),
        )
    };
    assert_eq!(
        page(&job),
        (
            100,
            Some(json!(1)),
            json!(250),
            json!(3),
            json!(0),
            json!(100),
            json!(true),
            json!(false)
        )
    );
    assert_eq!(
        (job["isFirst"].clone(), job["isLast"].clone(), job["hasContent"].clone()),
        (json!(true), json!(false), json!(true))
    );
    let last = app.ok(PO, "getImportJob", json!({"jobId": id, "pageIndex": 2})).await;
    assert_eq!(
        page(&last),
        (
            50,
            Some(json!(201)),
            json!(250),
            json!(3),
            json!(2),
            json!(100),
            json!(false),
            json!(true)
        )
    );
    // Only the error rows, in pages of 10; the counts stay those of the whole job.
    let errors = app
        .ok(
            PO,
            "getImportJob",
            json!({"jobId": id, "status": "error", "pageIndex": 1, "pageSize": 10}),
        )
        .await;
    assert_eq!(
        page(&errors),
        (
            10,
            Some(json!(110)),
            json!(25),
            json!(3),
            json!(1),
            json!(10),
            json!(true),
            json!(true)
        )
    );
    assert!(errors["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == "error" && r["errors"]["productPath"].is_array()));
    assert_eq!((errors["total"].clone(), errors["created"].clone()), (json!(250), json!(225)));
    // The status is case-insensitive; a status no row has is an empty page.
    let pending = app.ok(PO, "getImportJob", json!([id, "PENDING"])).await;
    assert_eq!(page(&pending).0, 0);
    assert_eq!(
        (pending["totalElements"].clone(), pending["totalPages"].clone()),
        (json!(0), json!(0))
    );
    // A page beyond the end is empty, not an error.
    let beyond = app
        .ok(PO, "getImportJob", json!({"jobId": id, "pageIndex": 99, "pageSize": 1000}))
        .await;
    assert_eq!(
        (
            beyond["rows"].clone(),
            beyond["hasContent"].clone(),
            beyond["totalElements"].clone(),
            beyond["isLast"].clone()
        ),
        (json!([]), json!(false), json!(250), json!(true))
    );
    let huge = app
        .ok(PO, "getImportJob", json!({"jobId": id, "pageIndex": u64::MAX, "pageSize": 1000}))
        .await;
    assert_eq!(huge["rows"], json!([]));
    // Bad paging is a field error (all of them at once), for known and unknown jobs alike.
    for (args, fields) in [
        (json!({"jobId": id, "pageSize": 0}), vec!["pageSize"]),
        (json!({"jobId": id, "pageSize": 1001}), vec!["pageSize"]),
        (json!({"jobId": id, "pageSize": "many"}), vec!["pageSize"]),
        (json!({"jobId": id, "pageSize": 2.5}), vec!["pageSize"]),
        (json!({"jobId": id, "pageIndex": -1}), vec!["pageIndex"]),
        (json!({"jobId": id, "status": "errors"}), vec!["status"]),
        (json!({"jobId": id, "status": 3}), vec!["status"]),
        (
            json!({"jobId": "nope", "status": "x", "pageIndex": "y", "pageSize": -5}),
            vec!["status", "pageIndex", "pageSize"],
        ),
    ] {
        let (status, body) = app.call(PO, "getImportJob", args.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{args}: {body}");
        for f in fields {
            assert!(body["error"]["fields"][f].is_array(), "{args}: {body}");
        }
    }
    let (_, body) = app.call(PO, "getImportJob", json!({"jobId": id, "pageSize": 5000})).await;
    assert_eq!(
        body["error"]["fields"]["pageSize"][0],
        "must be a whole number from 1 to 1000, got 5000"
    );

    // The same over REST.
    let base = format!("/api/v1/production-orders/imports/{id}");
    let (status, errors) = app.get(&format!("{base}?status=error&pageSize=10&pageIndex=2")).await;
    assert_eq!(status, StatusCode::OK, "{errors}");
    assert_eq!(
        page(&errors),
        (
            5,
            Some(json!(210)),
            json!(25),
            json!(3),
            json!(2),
            json!(10),
            json!(false),
            json!(true)
        )
    );
    for (query, status, field) in [
        ("pageSize=5000", StatusCode::UNPROCESSABLE_ENTITY, Some("pageSize")),
        ("pageIndex=-1", StatusCode::UNPROCESSABLE_ENTITY, Some("pageIndex")),
        ("status=bogus", StatusCode::UNPROCESSABLE_ENTITY, Some("status")),
        ("page=2", StatusCode::BAD_REQUEST, None),
    ] {
        let (got, body) = app.get(&format!("{base}?{query}")).await;
        assert_eq!(got, status, "{query}: {body}");
        if let Some(f) = field {
            assert!(body["error"]["fields"][f].is_array(), "{query}: {body}");
        }
    }
    let (status, _) = app
        .get("/api/v1/production-orders/imports/01M8GQ34G7-M2EVTN7P-DVAV0G5X?pageSize=10")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn export_then_import_on_an_empty_database_reproduces_the_orders() {
    let source = spawn_app().await;
    master_data(&source).await;
    import(&source, erp_file(), false).await;
    source.ok(PO, "startProductionOrder", json!(["PO-2"])).await;
    // A cancelled order's BOM and values are read-only; they still travel with it.
    source.ok(PO, "cancelProductionOrder", json!(["PO-1"])).await;
    let exported = source.ok(PO, "exportProductionOrders", json!({"format": "json"})).await;
    assert_eq!(exported.as_array().unwrap().len(), 2);
    let only_one = source
        .ok(
            PO,
            "exportProductionOrders",
            json!({"format": "json", "queryRequest": {"filters": [{"field": "name", "condition": "EQUALS", "stringValue": "PO-2"}]}}),
        )
        .await;
    assert_eq!(only_one.as_array().unwrap().len(), 1, "{only_one}");

    let target = spawn_app().await;
    master_data(&target).await;
    let report = import(&target, exported.clone(), false).await;
    assert_eq!(statuses(&report), ["created", "created"], "{report}");
    let again = target.ok(PO, "exportProductionOrders", json!({"format": "json"})).await;
    let comparable = |orders: &Value| -> Vec<Value> {
        orders
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                let mut o = o.clone();
                strip(&mut o);
                o
            })
            .collect()
    };
    assert_eq!(comparable(&again), comparable(&exported));
    // And back into the source: nothing changes there.
    let back = import(&source, again, false).await;
    assert_eq!(statuses(&back), ["unchanged", "unchanged"], "{back}");
}

/// Drops what belongs to one database (ids, audit fields) from an exported order.
fn strip(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for k in ["createdDate", "createdBy", "modifiedDate", "modifiedBy", "version", "startDate"] {
                m.remove(k);
            }
            m.retain(|k, _| k != "id" && !k.ends_with("Id"));
            for child in m.values_mut() {
                strip(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip),
        _ => {}
    }
}

/// `n` orders of product Widget, as the text of a JSON file.
fn many_orders(n: usize, prefix: &str) -> String {
    let rows: Vec<Value> = (0..n)
        .map(|i| json!({"name": format!("{prefix}{i:05}"), "productPath": "FG/Widget", "unitOfMeasureName": "Each", "quantity": i}))
        .collect();
    Value::Array(rows).to_string()
}

#[tokio::test]
async fn cancelling_the_queue_stops_the_rows_not_started() {
    let app = spawn_app().await;
    master_data(&app).await;
    let job = app
        .ok(
            PO,
            "importProductionOrders",
            json!({"data": many_orders(2000, "C"), "format": "json"}),
        )
        .await;
    let waiting = app.ok(PO, "getProductionOrderImportQueueSize", json!(null)).await;
    assert!(waiting.as_u64().unwrap() > 0, "rows wait in the queue: {waiting}");
    let cancelled = app.ok(PO, "cancelProductionOrderImportQueue", json!(null)).await;
    let cancelled = cancelled.as_u64().unwrap();
    assert!(cancelled > 0, "2000 rows cannot all be applied before the cancel");
    assert_eq!(app.ok(PO, "getProductionOrderImportQueueSize", json!(null)).await, json!(0));
    let done = wait_for_job(&app, job.as_str().unwrap()).await;
    assert_eq!(done["status"], "CANCELLED", "{}", done["status"]);
    assert_eq!(done["cancelled"], json!(cancelled));
    let applied = done["created"].as_u64().unwrap();
    assert_eq!(applied + cancelled, 2000);
    assert_eq!(app.all_orders().await.len() as u64, applied, "cancelled rows wrote nothing");
    assert_eq!(app.ok(PO, "cancelProductionOrderImportQueue", json!(null)).await, json!(0));
}

/// A server on `db` (kept across restarts), stopped by the returned sender.
async fn serve(
    db: &std::path::Path,
) -> (
    String,
    Option<String>,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let config = shopfloor_server::ServerConfig::new(db.to_string_lossy().to_string(), "127.0.0.1:0");
    let app = shopfloor_server::Application::build(config).await.expect("server starts");
    let token = app.bootstrap_token().map(str::to_string);
    let address = format!("http://127.0.0.1:{}", app.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        app.run_until(async {
            let _ = stopped.await;
        })
        .await
        .expect("server runs");
    });
    (address, token, stop, server)
}

async fn script(client: &reqwest::Client, address: &str, function: &str, body: Value) -> Value {
    let (module, function) = function.split_once('.').unwrap_or((PO, function));
    let r = client
        .post(format!("{address}/api/v1/script/{module}/{function}"))
        .json(&body)
        .send()
        .await
        .expect("request sent");
    assert_eq!(r.status(), StatusCode::OK, "{function}");
    r.json().await.expect("JSON answer")
}

#[tokio::test]
async fn a_restart_during_an_import_resumes_without_losing_or_repeating_a_row() {
    const N: usize = 1500;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shopfloor.db");
    let (address, token, stop, server) = serve(&db).await;
    let token = token.expect("a fresh database has an admin token");
    let client = crate::helpers::authorized_client(&token);
    {
        let each = script(
            &client,
            &address,
            "unitOfMeasure.saveUnitOfMeasure",
            json!({"name": "Each", "symbol": "ea"}),
        )
        .await;
        let fg = script(&client, &address, "material.saveMaterialClass", json!({"name": "FG"})).await;
        script(
            &client,
            &address,
            "material.saveMaterial",
            json!({"name": "Widget", "materialClassId": fg["id"], "unitOfMeasureId": each["id"]}),
        )
        .await;
    }
    let job = script(
        &client,
        &address,
        "importProductionOrders",
        json!({"data": many_orders(N, "R"), "format": "json"}),
    )
    .await;
    let id = job.as_str().expect("the bare job id").to_string();
    // Stop as soon as the runner has applied some rows.
    loop {
        let waiting = script(&client, &address, "getProductionOrderImportQueueSize", json!(null)).await;
        if waiting.as_u64().unwrap() < N as u64 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let _ = stop.send(());
    server.await.unwrap();

    let (address, token, stop, server) = serve(&db).await;
    assert!(token.is_none(), "same database");
    let waiting = script(&client, &address, "getProductionOrderImportQueueSize", json!(null)).await;
    assert!(waiting.as_u64().unwrap() > 0, "the restart came before the end of the import");
    let mut job = Value::Null;
    for _ in 0..1200 {
        job = script(&client, &address, "getImportJob", json!([id])).await;
        if job["status"] == "DONE" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(job["status"], "DONE", "{}", job["status"]);
    assert_eq!((job["created"].clone(), job["errors"].clone()), (json!(N), json!(0)));
    // Every row, a page of 1000 at a time.
    let mut rows = Vec::new();
    for page in 0.. {
        let answer = script(
            &client,
            &address,
            "getImportJob",
            json!({"jobId": id, "pageIndex": page, "pageSize": 1000}),
        )
        .await;
        rows.extend(answer["rows"].as_array().unwrap().iter().cloned());
        if answer["hasNext"] != true {
            break;
        }
    }
    assert_eq!(rows.len(), N);
    assert!(rows
        .iter()
        .enumerate()
        .all(|(i, r)| r["row"] == json!(i + 1) && r["status"] == "created"));
    let orders = script(&client, &address, "getAllProductionOrders", json!(null)).await;
    assert_eq!(orders.as_array().unwrap().len(), N, "every row applied once");
    // Exactly one CREATE event per order: no row was applied twice.
    let mut events = 0;
    let mut after = 0i64;
    loop {
        let r = client
            .get(format!("{address}/api/v1/events?after={after}&timeout=0&limit=1000"))
            .send()
            .await
            .unwrap();
        let last: i64 = r.headers()["x-last-sequence"].to_str().unwrap().parse().unwrap();
        let body = r.text().await.unwrap();
        let lines: Vec<Value> = body.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        if lines.is_empty() {
            break;
        }
        let lines: Vec<Value> = lines.into_iter().filter(|e| e["entity"] == "ProductionOrder").collect();
        assert!(lines.iter().all(|e| e["action"] == "CREATE"), "only creations");
        events += lines.len();
        after = last;
    }
    assert_eq!(events, N);
    let _ = stop.send(());
    server.await.unwrap();
}

async fn import_text(app: &TestApp, text: &str, format: &str) -> Value {
    let job = app.ok(PO, "importProductionOrders", json!({"data": text, "format": format})).await;
    wait_for_job(app, job.as_str().expect("the bare job id")).await
}

#[tokio::test]
async fn csv_orders_and_bill_of_materials_lines_round_trip() {
    let source = spawn_app().await;
    master_data(&source).await;
    let orders = "name,productPath,unitOfMeasureName,quantity,dueDate,enabled,property:batch,property:color\n\
                  PO-1,FG/Widget,Each,100,2026-12-01T00:00:00Z,true,7,red\n\
                  \"PO-2, rush\",FG/Widget,Each,5,,,,\n";
    let job = import_text(&source, orders, "csv").await;
    assert_eq!((job["created"].clone(), job["errors"].clone()), (json!(2), json!(0)), "{job}");
    let bom = "productionOrderName,materialPath,quantityPerProducedUnit\n\
               PO-1,RAW/Steel,2\n\
               \"PO-2, rush\",RAW/Paint,1\n\
               PO-1,RAW/Paint,0.5\n\
               NOPE,RAW/Paint,1\n";
    let job = import_text(&source, bom, "csv-bom").await;
    assert_eq!(statuses(&job), ["updated", "updated", "error"], "{job}");
    assert!(job["rows"][2]["errors"]["name"][0].as_str().unwrap().contains("NOPE"), "{job}");
    let o = source.get_order("PO-1").await;
    assert_eq!(o["quantity"], json!(100.0));
    assert_eq!(o["enabled"], json!(true));
    assert_eq!(o["propertyValues"][0]["value"], json!(7));
    assert_eq!(o["billOfMaterials"][1]["materialName"], "Paint");
    assert_eq!(o["billOfMaterials"][1]["quantityOrder"], json!(50.0));
    // The same files again: nothing changes.
    assert_eq!(statuses(&import_text(&source, orders, "csv").await), ["unchanged", "unchanged"]);
    assert_eq!(
        statuses(&import_text(&source, bom, "csv-bom").await),
        ["unchanged", "unchanged", "error"]
    );

    let exported_orders = source.ok(PO, "exportProductionOrders", json!({"format": "csv"})).await;
    let exported_bom = source.ok(PO, "exportProductionOrders", json!({"format": "csv-bom"})).await;
    let text = exported_orders.as_str().expect("CSV text");
    assert!(text.starts_with("name,productPath,unitOfMeasureName,"), "{text}");
    assert!(text.contains("property:batch") && text.contains("\"PO-2, rush\""), "{text}");
    let target = spawn_app().await;
    master_data(&target).await;
    assert_eq!(import_text(&target, text, "csv").await["created"], 2);
    assert_eq!(import_text(&target, exported_bom.as_str().unwrap(), "csv-bom").await["updated"], 2);
    assert_eq!(exported_json(&target).await, exported_json(&source).await);
}

/// The JSON export without what belongs to one database.
async fn exported_json(app: &TestApp) -> Value {
    let mut all = app.ok(PO, "exportProductionOrders", json!({"format": "json"})).await;
    strip(&mut all);
    all
}

#[tokio::test]
async fn malformed_csv_is_refused_whole() {
    let app = spawn_app().await;
    master_data(&app).await;
    for (text, format) in [
        ("name,quantity\nPO-1,1\nPO-2,2,3\n", "csv"),
        ("quantity\n1\n", "csv"),
        ("name,name\nA,B\n", "csv"),
        ("materialPath\nRAW/Steel\n", "csv-bom"),
    ] {
        let (status, body) = app
            .call(PO, "importProductionOrders", json!({"data": text, "format": format}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}: {body}");
    }
    assert_eq!(app.ok(PO, "getProductionOrderImportQueueSize", json!(null)).await, json!(0));
    // Through REST, the content type says CSV; bytes that are not UTF-8 are refused.
    let r = app
        .client
        .post(format!("{}/api/v1/production-orders/imports?dryRun=true", app.address))
        .header("content-type", "text/csv")
        .body("name,productPath,unitOfMeasureName\nPO-9,FG/Widget,Each\n")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    assert_eq!((report["format"].clone(), report["created"].clone()), (json!("csv"), json!(1)));
    assert!(app.all_orders().await.is_empty());
}

const B2MML_EXAMPLE: &str = include_str!("../fixtures/b2mml/production-schedule-example.xml");

/// The master data the B2MML example names: unit KG, product SO1215, inputs CRBN0001..3
/// (ERP ids), property Center.
async fn b2mml_master_data(app: &TestApp) {
    b2mml_materials(app).await;
    app.ok(PO, "saveProductionOrderProperty", json!({"name": "Center", "dataType": "STRING"}))
        .await;
}

/// The unit and materials of [`b2mml_master_data`], without its property.
async fn b2mml_materials(app: &TestApp) {
    let kg = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Kilogram", "symbol": "KG"}))
        .await;
    let class = app.ok("material", "saveMaterialClass", json!({"name": "CARBON"})).await;
    for (name, erp) in [
        ("Final 1215", "SO1215"),
        ("Carbon 1", "CRBN0001"),
        ("Carbon 2", "CRBN0002"),
        ("Carbon 3", "CRBN0003"),
    ] {
        app.ok(
            "material",
            "saveMaterial",
            json!({"name": name, "erpId": erp, "materialClassId": class["id"], "unitOfMeasureId": kg["id"]}),
        )
        .await;
    }
}

#[tokio::test]
async fn the_b2mml_example_imports_with_every_mapped_field() {
    let app = spawn_app().await;
    b2mml_master_data(&app).await;
    let dry = app
        .call(
            PO,
            "importProductionOrders",
            json!({"data": B2MML_EXAMPLE, "format": "b2mml", "dryRun": true}),
        )
        .await;
    assert_eq!(dry.0, StatusCode::OK, "{}", dry.1);
    let job = import_text(&app, B2MML_EXAMPLE, "b2mml").await;
    assert_eq!((job["total"].clone(), job["created"].clone()), (json!(1), json!(1)), "{job}");
    let row = &job["rows"][0];
    assert_eq!(row["name"], "258456");
    let notes: Vec<&str> = row["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    for expected in [
        "ProcessSegmentID",
        "MaterialRequirement/Location",
        "MaterialRequirementProperty",
        "CRBN0001 is consumed more than once",
        "MaterialUse missing",
    ] {
        assert!(notes.iter().any(|n| n.contains(expected)), "notes name {expected}: {notes:?}");
    }
    let o = app.get_order("258456").await;
    assert_eq!(o["productName"], "Final 1215");
    assert_eq!(o["quantity"], json!(1.0));
    assert_eq!(o["unitOfMeasureSymbol"], "KG");
    assert_eq!(o["status"], "IDLE");
    assert_eq!(o["schedulePriority"], "NORMAL");
    let bom: Vec<(Value, Value, Value, Value, Value)> = o["billOfMaterials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["materialName"].clone(),
                i["position"].clone(),
                i["quantityOrder"].clone(),
                i["quantityPerProducedUnit"].clone(),
                i["unitOfMeasureSymbol"].clone(),
            )
        })
        .collect();
    assert_eq!(
        bom,
        [
            (json!("Carbon 1"), json!(1), json!(816.0), json!(816.0), json!("KG")),
            (json!("Carbon 2"), json!(2), json!(50.0), json!(50.0), json!("KG")),
            (json!("Carbon 3"), json!(3), json!(100.0), json!(100.0), json!("KG")),
        ]
    );
    let values = o["propertyValues"].as_array().unwrap();
    assert_eq!(
        (values[0]["propertyName"].clone(), values[0]["value"].clone()),
        (json!("Center"), json!("3"))
    );
    // The same message again changes nothing.
    let again = import_text(&app, B2MML_EXAMPLE, "b2mml").await;
    assert_eq!(statuses(&again), ["unchanged"], "{again}");
}

#[tokio::test]
async fn create_missing_also_creates_the_order_properties_a_file_names() {
    let app = spawn_app().await;
    // Without createMissing, a property nobody defined is the row's error, naming it.
    b2mml_materials(&app).await;
    let refused = import_text(&app, B2MML_EXAMPLE, "b2mml").await;
    assert_eq!(refused["errors"], json!(1), "{refused}");
    let errors = refused["rows"][0]["errors"].to_string();
    assert!(
        errors.contains("propertyValues.Center.propertyIdOrName") && errors.contains("no production order property 'Center'"),
        "{errors}"
    );
    assert!(app.call(PO, "getProductionOrderProperty", json!(["Center"])).await.1.is_null());

    // With it, the real example imports on an empty database: units, materials and the property.
    let fresh = spawn_app().await;
    let job = fresh
        .ok(
            PO,
            "importProductionOrders",
            json!({"data": B2MML_EXAMPLE, "format": "b2mml", "createMissing": true}),
        )
        .await;
    let job = wait_for_job(&fresh, job.as_str().unwrap()).await;
    assert_eq!((job["created"].clone(), job["errors"].clone()), (json!(1), json!(0)), "{job}");
    let notes = job["rows"][0]["notes"].to_string();
    assert!(notes.contains("created production order property 'Center' (STRING)"), "{notes}");
    let center = fresh.ok(PO, "getProductionOrderProperty", json!(["Center"])).await;
    assert_eq!(center["dataType"], "STRING");
    let o = fresh.get_order("258456").await;
    assert_eq!(o["propertyValues"][0]["value"], "3");

    // Typed from the value: numbers and booleans in a JSON file.
    let rows = json!([{"name": "T-1", "productErpId": "SO1215", "unitOfMeasureName": "KG",
                       "propertyValues": {"Shots": 12, "Ratio": 0.5, "Rework": false}}]);
    let job = fresh
        .ok(
            PO,
            "importProductionOrders",
            json!({"data": rows, "format": "json", "createMissing": true}),
        )
        .await;
    let job = wait_for_job(&fresh, job.as_str().unwrap()).await;
    assert_eq!(job["errors"], json!(0), "{job}");
    for (name, data_type) in [("Shots", "INTEGER"), ("Ratio", "FLOAT"), ("Rework", "BOOLEAN")] {
        assert_eq!(
            fresh.ok(PO, "getProductionOrderProperty", json!([name])).await["dataType"],
            data_type,
            "{name}"
        );
    }
    app.stop().await;
    fresh.stop().await;
}

#[tokio::test]
async fn b2mml_with_a_doctype_or_broken_markup_is_refused() {
    let app = spawn_app().await;
    b2mml_master_data(&app).await;
    let laughs = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [<!ENTITY lol \"lol\">{}]>\n<SyncProductionSchedule><DataArea><ProductionSchedule><ProductionRequest><ID>&lol9;</ID></ProductionRequest></ProductionSchedule></DataArea></SyncProductionSchedule>",
        (1..10)
            .map(|i| format!("<!ENTITY lol{i} \"{}\">", format!("&lol{};", if i == 1 { String::new() } else { (i - 1).to_string() }).repeat(10)))
            .collect::<String>()
    );
    let external = "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><SyncProductionSchedule><DataArea><ProductionSchedule><ProductionRequest><ID>&xxe;</ID></ProductionRequest></ProductionSchedule></DataArea></SyncProductionSchedule>";
    let cut = &B2MML_EXAMPLE[..B2MML_EXAMPLE.len() / 2];
    for body in [laughs.as_str(), external, cut, "<SyncProductionPerformance/>"] {
        let r = app
            .client
            .post(format!("{}/api/v1/production-orders/imports", app.address))
            .header("content-type", "application/xml")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let answer: Value = r.json().await.unwrap();
        assert!(answer["error"]["fields"]["data"].is_array(), "{answer}");
    }
    assert_eq!(app.ok(PO, "getProductionOrderImportQueueSize", json!(null)).await, json!(0));
    assert!(app.all_orders().await.is_empty());
}

#[tokio::test]
async fn b2mml_export_round_trips_and_reports_performance() {
    let source = spawn_app().await;
    master_data(&source).await;
    import(&source, erp_file(), false).await;
    source.ok(PO, "startProductionOrder", json!(["PO-2"])).await;
    source.ok(PO, "reportProduction", json!(["PO-2", 3])).await;
    let schedule = source.ok(PO, "exportProductionOrders", json!({"format": "b2mml"})).await;
    let xml = schedule.as_str().unwrap();
    assert!(
        xml.contains("<SyncProductionSchedule xmlns=\"http://www.mesa.org/xml/B2MML\">"),
        "{xml}"
    );
    let performance = source
        .ok(PO, "exportProductionOrders", json!({"format": "b2mml-performance"}))
        .await;
    let perf = performance.as_str().unwrap();
    assert!(
        perf.contains("<ProductionResponse><ID>PO-2</ID>") && perf.contains("<QuantityString>3.0</QuantityString>"),
        "{perf}"
    );

    let target = spawn_app().await;
    master_data(&target).await;
    let job = import_text(&target, xml, "b2mml").await;
    assert_eq!((job["created"].clone(), job["errors"].clone()), (json!(2), json!(0)), "{job}");
    // B2MML carries no customer, location or due date, nor the lifecycle: compare the rest.
    let comparable = |mut orders: Value| {
        for o in orders.as_array_mut().unwrap() {
            for k in [
                "customerName",
                "locationName",
                "locationPath",
                "dueDate",
                "status",
                "quantityProduced",
                "endDate",
            ] {
                o.as_object_mut().unwrap().remove(k);
            }
        }
        orders
    };
    assert_eq!(comparable(exported_json(&target).await), comparable(exported_json(&source).await));
}
