//! Import and export of master data (issue 18) through the script endpoint: the documented
//! `exportAsCsv`…`importFromJson` of `location` and `material` (text, bytes, all or nothing),
//! the queued `importX`/`exportX` of every master-data module, and the import queue counted and
//! cancelled per module.

use crate::helpers::{fields, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Units, materials and their classes, a location tree, a shift, departments and a person.
async fn seed(app: &TestApp) {
    let kg = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Kilogram", "symbol": "kg"}))
        .await;
    app.ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Each", "symbol": "ea"}))
        .await;
    let raw = app.ok("material", "saveMaterialClass", json!({"name": "RAW"})).await;
    let flav = app
        .ok(
            "material",
            "saveMaterialClass",
            json!({"name": "FLAV", "parentId": raw["id"], "description": "Flavours"}),
        )
        .await;
    app.ok(
        "material",
        "saveMaterial",
        json!({"name": "Vanilla, bourbon", "materialClassId": flav["id"], "unitOfMeasureId": kg["id"], "erpId": "1030-8450-01", "shelfLifeDays": 90}),
    )
    .await;
    let enterprise = app.location("DairyCo", None).await;
    let plant = app
        .ok(
            "location",
            "saveLocation",
            json!({"name": "Plant1", "parentId": enterprise["id"], "type": "SITE", "processType": "DISCRETE", "sortOrder": 3, "storageCapacity": 12.5, "storageCapacityUnitId": kg["id"], "notes": "=not a formula"}),
        )
        .await;
    app.ok(
        "location",
        "saveLocation",
        json!({"name": "Line1", "parentId": plant["id"], "type": "LINE", "enabled": false}),
    )
    .await;
    app.ok(
        "shift",
        "saveShift",
        json!({"name": "Day", "locationId": plant["id"], "description": "6 to 2"}),
    )
    .await;
    let corporate = app.ok("personnel", "saveDepartment", json!({"name": "Corporate"})).await;
    let engineering = app
        .ok(
            "personnel",
            "saveDepartment",
            json!({"name": "Engineering", "parentId": corporate["id"]}),
        )
        .await;
    app.ok(
        "personnel",
        "savePerson",
        json!({"firstName": "Jane", "lastName": "Doe", "username": "jdoe", "departmentId": engineering["id"]}),
    )
    .await;
}

/// The queued exports and imports of the modules without documented file functions, in the
/// order their records refer to each other: (module, export, import).
const QUEUED: [(&str, &str, &str); 4] = [
    ("unitOfMeasure", "exportUnitsOfMeasure", "importUnitsOfMeasure"),
    ("personnel", "exportDepartments", "importDepartments"),
    ("personnel", "exportPeople", "importPeople"),
    ("shift", "exportShifts", "importShifts"),
];

/// Polls the module's `getImportJob` until the job is DONE or CANCELLED; returns it.
async fn wait_for_job(app: &TestApp, module: &str, id: &Value) -> Value {
    let mut job = Value::Null;
    for _ in 0..600 {
        job = app.ok(module, "getImportJob", json!([id])).await;
        if job["status"] == "DONE" || job["status"] == "CANCELLED" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("import job {id} did not finish: {job}");
}

/// A queued import of `data` in `format`, waited for; returns the finished job.
async fn queued_import(app: &TestApp, module: &str, function: &str, data: Value, format: &str) -> Value {
    let id = app.ok(module, function, json!({"data": data, "format": format})).await;
    assert!(id.is_string(), "{module}.{function} answers the job id: {id}");
    wait_for_job(app, module, &id).await
}

/// Every master-data file of `from`, exported in `format` and imported into `to`, in
/// dependency order; answers the exports.
async fn copy_all(from: &TestApp, to: &TestApp, format: &str, bytes: bool) -> Vec<Value> {
    let mut exports = Vec::new();
    let (unit_module, unit_export, unit_import) = QUEUED[0];
    let units = from.ok(unit_module, unit_export, json!({"format": format})).await;
    let job = queued_import(to, unit_module, unit_import, units.clone(), format).await;
    assert_eq!(job["created"], json!(2), "{job}");
    exports.push(units);

    let (export, import) = match (format, bytes) {
        ("csv", false) => ("exportAsCsv", "importFromCsv"),
        ("csv", true) => ("exportAsCsvBytes", "importFromCsv"),
        (_, false) => ("exportAsJson", "importFromJson"),
        (_, true) => ("exportAsJsonBytes", "importFromJson"),
    };
    let locations = from.ok("location", export, json!([])).await;
    assert_eq!(locations.is_array(), bytes, "{export} answers text, its Bytes twin a byte list");
    assert_eq!(to.ok("location", import, json!([locations])).await, json!(3));
    exports.push(locations);

    // The material module's exports are bytes, its imports answer an ApiResponse.
    let material_export = if format == "csv" { "exportAsCsv" } else { "exportAsJson" };
    let materials = from.ok("material", material_export, json!([])).await;
    assert!(materials
        .as_array()
        .is_some_and(|b| b.iter().all(|n| n.as_u64().is_some_and(|n| n < 256))));
    let answer = to.ok("material", import, json!({"importBytes": materials})).await;
    assert_eq!(
        (answer["success"].clone(), answer["data"].clone()),
        (json!(true), json!(3)),
        "{answer}"
    );
    exports.push(materials);

    for (module, export, import) in &QUEUED[1..] {
        let file = from.ok(module, export, json!([format])).await;
        let job = queued_import(to, module, import, file.clone(), format).await;
        assert_eq!(
            (job["errors"].clone(), job["total"].clone()),
            (json!(0), job["created"].clone()),
            "{job}"
        );
        exports.push(file);
    }
    exports
}

/// The same exports, read from `app`.
async fn exports_of(app: &TestApp, format: &str, bytes: bool) -> Vec<Value> {
    let location_export = match (format, bytes) {
        ("csv", false) => "exportAsCsv",
        ("csv", true) => "exportAsCsvBytes",
        (_, false) => "exportAsJson",
        (_, true) => "exportAsJsonBytes",
    };
    let material_export = if format == "csv" { "exportAsCsv" } else { "exportAsJson" };
    let mut out = vec![app.ok(QUEUED[0].0, QUEUED[0].1, json!({"format": format})).await];
    out.push(app.ok("location", location_export, json!([])).await);
    out.push(app.ok("material", material_export, json!([])).await);
    for (module, export, _) in &QUEUED[1..] {
        out.push(app.ok(module, export, json!([format])).await);
    }
    out
}

#[tokio::test]
async fn every_module_exports_a_file_that_imports_into_an_empty_database_as_the_same_records() {
    let source = spawn_app().await;
    seed(&source).await;
    for (format, bytes) in [("csv", false), ("json", true), ("json", false), ("csv", true)] {
        let target = spawn_app().await;
        let exported = copy_all(&source, &target, format, bytes).await;
        assert_eq!(exports_of(&target, format, bytes).await, exported, "{format} bytes={bytes}");
        // The records themselves, beyond the files: fields, references and derived paths.
        let plant = target.ok("location", "getLocation", json!(["DairyCo/Plant1"])).await;
        assert_eq!(
            (
                &plant["processType"],
                &plant["sortOrder"],
                &plant["storageCapacity"],
                &plant["notes"]
            ),
            (&json!("DISCRETE"), &json!(3), &json!(12.5), &json!("=not a formula"))
        );
        let kg = target.ok("unitOfMeasure", "getUnitOfMeasure", json!(["Kilogram"])).await;
        assert_eq!(plant["storageCapacityUnitId"], kg["id"]);
        let line = target.ok("location", "getLocation", json!(["DairyCo/Plant1/Line1"])).await;
        assert_eq!((&line["enabled"], &line["parentId"]), (&json!(false), &plant["id"]));
        let vanilla = target.ok("material", "getMaterial", json!(["RAW/FLAV/Vanilla, bourbon"])).await;
        assert_eq!(
            (&vanilla["erpId"], &vanilla["unitOfMeasureId"]),
            (&json!("1030-8450-01"), &kg["id"])
        );
        let person = target.ok("personnel", "getPerson", json!(["jdoe"])).await;
        assert_eq!(person["departmentPath"], "Corporate/Engineering");
        let shifts = target.ok("shift", "getAllShifts", json!([])).await;
        assert_eq!(shifts[0]["locationId"], plant["id"], "{shifts}");
    }
}

#[tokio::test]
async fn importing_the_same_file_again_changes_nothing() {
    let app = spawn_app().await;
    seed(&app).await;
    let before = app.ok("location", "getLocation", json!(["DairyCo/Plant1"])).await;
    let csv = app.ok("location", "exportAsCsv", json!([])).await;
    assert_eq!(app.ok("location", "importFromCsv", json!([csv])).await, json!(0));
    let materials = app.ok("material", "exportAsJson", json!([])).await;
    let answer = app.ok("material", "importFromJson", json!([materials])).await;
    assert_eq!((&answer["success"], &answer["data"]), (&json!(true), &json!(0)), "{answer}");
    for (module, export, import) in QUEUED {
        let file = app.ok(module, export, json!(["csv"])).await;
        let job = queued_import(&app, module, import, file, "csv").await;
        assert_eq!(job["unchanged"], job["total"], "{module}: {job}");
    }
    let after = app.ok("location", "getLocation", json!(["DairyCo/Plant1"])).await;
    assert_eq!(after["version"], before["version"], "no write, no new version");
    // A changed cell updates the record it names, by path; nothing else.
    let edited = csv.as_str().unwrap().replace(",3,", ",4,");
    assert_eq!(app.ok("location", "importFromCsv", json!({"importString": edited})).await, json!(1));
    let after = app.ok("location", "getLocation", json!(["DairyCo/Plant1"])).await;
    assert_eq!((&after["sortOrder"], &after["id"]), (&json!(4), &before["id"]));
}

#[tokio::test]
async fn a_bad_file_or_row_is_refused_naming_it_and_nothing_is_written() {
    let app = spawn_app().await;
    let cases: [(&str, &str, Value, &str, &str); 7] = [
        (
            "a record longer than the header",
            "importFromCsv",
            json!("name,type\nA,SITE,extra\n"),
            "data",
            "line",
        ),
        (
            "an unknown column",
            "importFromCsv",
            json!("name,colour\nA,red\n"),
            "data",
            "'colour'",
        ),
        (
            "a parent that does not exist, after a good row",
            "importFromCsv",
            json!("path,name,parentPath\nA,A,\nA/B,B,Nowhere\n"),
            "rows[2].parentPath",
            "no location 'Nowhere'",
        ),
        (
            "a value that is not allowed",
            "importFromCsv",
            json!("name,type\nA,SITE\nB,PLANET\n"),
            "rows[2].type",
            "PLANET",
        ),
        (
            "a row that is not an object",
            "importFromJson",
            json!([{"name": "A"}, "B"]),
            "rows[2].row",
            "object",
        ),
        (
            "malformed JSON",
            "importFromJson",
            json!("[{\"name\": \"A\"},"),
            "data",
            "malformed JSON",
        ),
        (
            "bytes that are not UTF-8",
            "importFromCsv",
            json!([110, 97, 109, 101, 10, 255, 10]),
            "data",
            "not UTF-8",
        ),
    ];
    for (what, function, data, field, message) in cases {
        let (status, body) = app.call("location", function, json!([data])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        let text = fields(&body)[field].to_string();
        assert!(text.contains(message), "{what}: {field} should say {message:?}: {body}");
        assert_eq!(app.ok("location", "getAllLocations", json!([])).await, json!([]), "{what}");
    }
    // The material module answers an ApiResponse instead, with the same errors, writing nothing.
    app.ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Each", "symbol": "ea"}))
        .await;
    let file =
        "recordType,path,name,parentPath,materialClassPath,unitOfMeasureName\nMaterialClass,RAW,RAW,,,\nMaterial,RAW/x,x,,RAW,Pound\n";
    let answer = app.ok("material", "importFromCsv", json!([file])).await;
    assert_eq!(answer["success"], false, "{answer}");
    assert!(
        answer["data"]["rows[2].unitOfMeasureName"].to_string().contains("Pound"),
        "{answer}"
    );
    assert_eq!(app.ok("material", "getAllMaterialClasses", json!([])).await, json!([]));
    let answer = app.ok("material", "importFromCsv", json!(["recordType,name\nPlanet,x\n"])).await;
    assert!(
        answer["data"]["rows[1].recordType"].to_string().contains("MaterialClass"),
        "{answer}"
    );
}

#[tokio::test]
async fn bytes_come_as_numbers_and_signed_bytes_are_read_as_java_sends_them() {
    let app = spawn_app().await;
    let signed: Vec<i64> = "name\nCafé\n".bytes().map(|b| b as i8 as i64).collect();
    assert!(signed.iter().any(|b| *b < 0));
    assert_eq!(app.ok("location", "importFromCsv", json!({"importBytes": signed})).await, json!(1));
    assert!(app.ok("location", "getLocation", json!(["Café"])).await.is_object());
    let text = app.ok("location", "exportAsCsv", json!([])).await;
    let bytes = app.ok("location", "exportAsCsvBytes", json!([])).await;
    let as_bytes: Vec<u8> = bytes.as_array().unwrap().iter().map(|n| n.as_u64().unwrap() as u8).collect();
    assert_eq!(String::from_utf8(as_bytes).unwrap(), text.as_str().unwrap());
    let json_bytes = app.ok("location", "exportAsJsonBytes", json!([])).await;
    let as_bytes: Vec<u8> = json_bytes.as_array().unwrap().iter().map(|n| n.as_u64().unwrap() as u8).collect();
    assert_eq!(
        String::from_utf8(as_bytes).unwrap(),
        app.ok("location", "exportAsJson", json!([])).await.as_str().unwrap()
    );
    let (status, body) = app.call("location", "importFromCsv", json!([[110, 300]])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["data"].to_string().contains("not a byte"), "{body}");
}

#[tokio::test]
async fn a_material_export_may_name_the_records_it_holds() {
    let app = spawn_app().await;
    seed(&app).await;
    let bytes = app
        .ok("material", "exportAsCsv", json!([["RAW/FLAV", "RAW/FLAV/Vanilla, bourbon"]]))
        .await;
    let text = String::from_utf8(bytes.as_array().unwrap().iter().map(|n| n.as_u64().unwrap() as u8).collect()).unwrap();
    assert_eq!(text.lines().count(), 3, "a header, the class and the material: {text}");
    assert!(text.lines().nth(1).unwrap().starts_with("MaterialClass,RAW/FLAV,"), "{text}");
    let (status, body) = app.call("material", "exportAsJson", json!({"idsOrPaths": ["RAW/NONE"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["idsOrPaths"].to_string().contains("RAW/NONE"), "{body}");
}

#[tokio::test]
async fn a_dry_run_reports_each_row_and_writes_nothing() {
    let app = spawn_app().await;
    let report = app
        .ok(
            "location",
            "importLocations",
            json!({"data": "name,type\nA,SITE\nB,PLANET\n", "format": "csv", "dryRun": true}),
        )
        .await;
    assert_eq!((&report["created"], &report["errors"]), (&json!(1), &json!(1)), "{report}");
    assert_eq!(report["rows"][1]["name"], "B");
    assert!(report["rows"][1]["errors"]["type"].is_array(), "{report}");
    assert_eq!(app.ok("location", "getAllLocations", json!([])).await, json!([]));
    // Queued, the good row is applied and the bad one reported.
    let job = queued_import(&app, "location", "importLocations", json!("name,type\nA,SITE\nB,PLANET\n"), "csv").await;
    assert_eq!((&job["created"], &job["errors"]), (&json!(1), &json!(1)), "{job}");
    // A module's getImportJob answers its own jobs only.
    assert_eq!(app.ok("shift", "getImportJob", json!([job["id"]])).await, Value::Null);
    assert_eq!(app.ok("productionOrder", "getImportJob", json!([job["id"]])).await, Value::Null);
}

#[tokio::test]
async fn each_module_counts_and_cancels_only_its_own_queued_rows() {
    let app = spawn_app().await;
    let rows: Vec<Value> = (0..3000).map(|i| json!({"name": format!("U{i:05}"), "symbol": "u"})).collect();
    let job = app.ok("unitOfMeasure", "importUnitsOfMeasure", json!([Value::Array(rows)])).await;
    let waiting = app.ok("unitOfMeasure", "getUnitOfMeasureImportQueueSize", json!([])).await;
    assert!(waiting.as_u64().unwrap() > 0, "rows wait in the queue: {waiting}");
    for (module, size, cancel) in [
        ("location", "getLocationImportQueueSize", "cancelLocationImportQueue"),
        ("material", "getMaterialImportQueueSize", "cancelMaterialImportQueue"),
        ("shift", "getShiftImportQueueSize", "cancelShiftImportQueue"),
        ("personnel", "getPersonnelImportQueueSize", "cancelPersonnelImportQueue"),
        ("personnel", "getDepartmentImportQueueSize", "cancelDepartmentImportQueue"),
        (
            "productionOrder",
            "getProductionOrderImportQueueSize",
            "cancelProductionOrderImportQueue",
        ),
    ] {
        assert_eq!(app.ok(module, size, json!([])).await, json!(0), "{module}.{size}");
        assert_eq!(app.ok(module, cancel, json!([])).await, json!(0), "{module}.{cancel}");
    }
    let cancelled = app.ok("unitOfMeasure", "cancelUnitOfMeasureImportQueue", json!([])).await;
    let cancelled = cancelled.as_u64().unwrap();
    assert!(cancelled > 0, "3000 rows cannot all be applied before the cancel");
    assert_eq!(
        app.ok("unitOfMeasure", "getUnitOfMeasureImportQueueSize", json!([])).await,
        json!(0)
    );
    let done = wait_for_job(&app, "unitOfMeasure", &job).await;
    assert_eq!((&done["status"], &done["cancelled"]), (&json!("CANCELLED"), &json!(cancelled)));
    let units = app.ok("unitOfMeasure", "getAllUnitsOfMeasure", json!([])).await;
    assert_eq!(
        units.as_array().unwrap().len() as u64 + cancelled,
        3000,
        "cancelled rows wrote nothing"
    );
    // Every other module's queue takes its own imports: one row each, applied.
    for (module, import, size, data) in [
        (
            "location",
            "importLocations",
            "getLocationImportQueueSize",
            json!([{"name": "Site"}]),
        ),
        (
            "material",
            "importMaterials",
            "getMaterialImportQueueSize",
            json!([{"recordType": "MaterialClass", "name": "RAW"}]),
        ),
        (
            "personnel",
            "importDepartments",
            "getDepartmentImportQueueSize",
            json!([{"name": "Corporate"}]),
        ),
        (
            "personnel",
            "importPeople",
            "getPersonnelImportQueueSize",
            json!([{"username": "jdoe", "firstName": "Jane", "lastName": "Doe", "departmentPath": "Corporate"}]),
        ),
        (
            "shift",
            "importShifts",
            "getShiftImportQueueSize",
            json!([{"name": "Day", "locationPath": "Site"}]),
        ),
    ] {
        let job = queued_import(&app, module, import, data, "json").await;
        assert_eq!((&job["created"], &job["total"]), (&json!(1), &json!(1)), "{module}.{import}: {job}");
        assert_eq!(app.ok(module, size, json!([])).await, json!(0), "{module}.{size}");
    }
}

#[tokio::test]
async fn master_data_formats_are_json_and_csv_only() {
    let app = spawn_app().await;
    let (status, body) = app.call("location", "exportLocations", json!({"format": "b2mml"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["format"].to_string().contains("json or csv"), "{body}");
    let (status, body) = app.call("personnel", "importPeople", json!({"data": 5, "format": "csv"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["data"].is_array(), "{body}");
}
