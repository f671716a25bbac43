//! The master-data modules over the script API: `unitOfMeasure` (with conversions and
//! `convert`), `material` (classes, paths, ERP ids), `location` (tree), `customer`, `shift`
//! (start/stop, current record, windows) and `query`; deletes refused while referenced.

use crate::helpers::{fields, spawn_app, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// Asserts a script-API delete was refused: HTTP 200, ApiResponse with success false and the
/// references (naming `table`) in `data`.
async fn assert_delete_refused(app: &TestApp, module: &str, function: &str, key: &str, table: &str) {
    let resp = app.ok(module, function, json!([key])).await;
    assert_eq!(resp["success"], false, "{function}({key}): {resp}");
    assert!(resp["error"].as_str().is_some_and(|e| !e.is_empty()), "{resp}");
    let tables: Vec<&str> = resp["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{function}({key}): references expected in data: {resp}"))
        .iter()
        .filter_map(|t| t["tableName"].as_str())
        .collect();
    assert!(tables.contains(&table), "{function}({key}): {table} not in {tables:?}");
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("a list expected, got {list}"))
        .iter()
        .map(|r| r["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

// ---------------------------------------------------------------- unitOfMeasure

#[tokio::test]
async fn units_of_measure_support_every_generic_call() {
    let app = spawn_app().await;
    let um = "unitOfMeasure";

    let t = app.ok(um, "newUnitOfMeasure", json!(null)).await;
    assert!(t["name"].is_null() && t["symbol"].is_null() && t["enabled"] == true);
    assert_eq!(
        app.ok(um, "validateUnitOfMeasure", json!({"name": "Kilogram", "symbol": "kg"}))
            .await,
        json!({})
    );
    let v = app.ok(um, "validateUnitOfMeasure", json!({"name": "Kilogram"})).await;
    assert!(v["symbol"].is_array(), "symbol is required: {v}");

    let kg = app.ok(um, "saveUnitOfMeasure", json!({"name": "Kilogram", "symbol": "kg"})).await;
    app.ok(um, "saveUnitOfMeasure", json!({"name": "Gram", "symbol": "g"})).await;
    assert_eq!(app.ok(um, "getUnitOfMeasure", json!(["kilogram"])).await["id"], kg["id"]);
    assert_eq!(app.ok(um, "getUnitOfMeasure", json!([kg["id"]])).await["symbol"], "kg");
    assert!(app.ok(um, "getUnitOfMeasure", json!(["Pound"])).await.is_null());
    assert_eq!(names(&app.ok(um, "getAllUnitsOfMeasure", json!(null)).await), ["Gram", "Kilogram"]);
    let found = app
        .ok(
            um,
            "findUnitsOfMeasure",
            json!({"filters": [{"field": "symbol", "condition": "EQUALS", "stringValue": "G"}]}),
        )
        .await;
    assert_eq!(names(&found["content"]), ["Gram"]);
    assert_eq!(app.ok(um, "getUnitOfMeasureReferences", json!(["Kilogram"])).await, json!([]));

    let (status, body) = app.call(um, "saveUnitOfMeasure", json!({"name": "KILOGRAM", "symbol": "KG"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["name"][0].as_str().unwrap().contains("already exists"), "{body}");

    let deleted = app.ok(um, "deleteUnitOfMeasure", json!(["Gram"])).await;
    assert_eq!(deleted["success"], true);
    assert_eq!(names(&app.ok(um, "getAllUnitsOfMeasure", json!(null)).await), ["Kilogram"]);
    let perms = app.ok(um, "getUnitOfMeasurePermissions", json!(null)).await;
    assert!(perms.as_array().unwrap().contains(&json!("UNIT_OF_MEASURE.WRITE.SAVE")), "{perms}");
    app.stop().await;
}

#[tokio::test]
async fn get_unit_of_measure_or_create_new_creates_once_and_does_unit_exist_tells() {
    let app = spawn_app().await;
    let um = "unitOfMeasure";
    assert_eq!(app.ok(um, "doesUnitOfMeasureExist", json!(["Litre"])).await, false);

    let first = app.ok(um, "getUnitOfMeasureOrCreateNew", json!(["Litre", "l"])).await;
    let second = app
        .ok(um, "getUnitOfMeasureOrCreateNew", json!({"name": "litre", "symbol": "L!"}))
        .await;

    assert_eq!(first["id"], second["id"]);
    assert_eq!(second["symbol"], "l", "an existing unit is returned as is");
    assert_eq!(app.ok(um, "getAllUnitsOfMeasure", json!(null)).await.as_array().unwrap().len(), 1);
    assert_eq!(app.ok(um, "doesUnitOfMeasureExist", json!(["LITRE"])).await, true);
    assert_eq!(app.ok(um, "doesUnitOfMeasureExist", json!([first["id"]])).await, true);
    app.stop().await;
}

#[tokio::test]
async fn conversions_are_added_and_found_by_unit_names_as_documented() {
    let app = spawn_app().await;
    let um = "unitOfMeasure";
    let (_, widget) = app.master_data().await;
    app.ok(um, "saveUnitOfMeasure", json!({"name": "Kilogram", "symbol": "kg"})).await;
    app.ok(um, "saveUnitOfMeasure", json!({"name": "Pound", "symbol": "lb"})).await;

    let generic = app.ok(um, "addConversion", json!(["Kilogram", "Pound", 2.2046])).await;
    assert_eq!(
        (generic["fromName"].as_str(), generic["toName"].as_str()),
        (Some("Kilogram"), Some("Pound"))
    );
    assert!(generic["materialId"].is_null());
    let specific = app
        .ok(
            um,
            "addConversion",
            json!({"fromIdOrName": "each", "toIdOrName": "kilogram", "conversionFactor": "0.25", "materialId": "FG/Widget"}),
        )
        .await;
    assert_eq!(specific["materialId"], json!(widget));

    assert_eq!(app.ok(um, "getConversion", json!([generic["id"]])).await["id"], generic["id"]);
    let exact = app.ok(um, "getConversionFor", json!(["Kilogram", "Pound"])).await;
    assert_eq!(exact["id"], generic["id"]);
    assert!(
        app.ok(um, "getConversionFor", json!(["Pound", "Kilogram"])).await.is_null(),
        "no inverse"
    );
    assert!(
        app.ok(um, "getConversionFor", json!(["Each", "Kilogram"])).await.is_null(),
        "generic only"
    );
    assert_eq!(
        app.ok(um, "getConversionFor", json!(["Each", "Kilogram", widget])).await["id"],
        specific["id"]
    );
    assert_eq!(app.ok(um, "doesConversionExist", json!(["Kilogram", "Pound"])).await, json!(true));
    assert_eq!(
        app.ok(um, "doesConversionExist", json!(["Kilogram", "Gram"])).await,
        json!(false),
        "unknown unit"
    );
    assert_eq!(app.ok(um, "getAllConversions", json!([])).await.as_array().unwrap().len(), 2);
    let for_widget = app.ok(um, "getAllConversionsForMaterial", json!(["FG/Widget"])).await;
    assert_eq!(for_widget, json!([specific]));
    assert_eq!(app.ok(um, "getAllConversionsForMaterial", json!(["FG/Nothing"])).await, json!([]));

    // Bad input names the argument and writes nothing.
    for (args, field) in [
        (json!(["Gram", "Pound", 1]), "fromIdOrName"),
        (json!(["Kilogram", "Pound", 1]), "toId"),
        (json!(["Pound", "Kilogram", 0]), "conversionFactor"),
        (json!(["Pound", "Kilogram", "lots"]), "conversionFactor"),
        (json!(["Pound", "Kilogram", 1, "FG/Nothing"]), "materialId"),
    ] {
        let (status, body) = app.call(um, "addConversion", args.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{args}: {body}");
        assert!(fields(&body)[field].is_array(), "{args}: {body}");
    }
    assert_eq!(app.ok(um, "getAllConversions", json!([])).await.as_array().unwrap().len(), 2);
    // No record cache exists: clearing it answers null and leaves everything as it was.
    for (module, function) in [
        (um, "clearUnitOfMeasureCache"),
        ("location", "clearLocationCache"),
        ("material", "clearMaterialCache"),
        ("material", "clearMaterialClassCache"),
    ] {
        assert!(app.ok(module, function, json!([])).await.is_null(), "{module}.{function}");
    }
    assert_eq!(app.ok(um, "getConversion", json!([generic["id"]])).await, generic);
    app.stop().await;
}

#[tokio::test]
async fn convert_prefers_material_specific_then_generic_then_inverse_conversions() {
    let app = spawn_app().await;
    let um = "unitOfMeasure";
    let (each, widget) = app.master_data().await;
    let kg = app.ok(um, "saveUnitOfMeasure", json!({"name": "Kilogram", "symbol": "kg"})).await;
    let lb = app.ok(um, "saveUnitOfMeasure", json!({"name": "Pound", "symbol": "lb"})).await;
    let oz = app.ok(um, "saveUnitOfMeasure", json!({"name": "Ounce", "symbol": "oz"})).await;
    app.ok(
        um,
        "saveUnitOfMeasureConversion",
        json!({"fromId": kg["id"], "toId": lb["id"], "conversionFactor": 2.0}),
    )
    .await;
    app.ok(
        um,
        "saveUnitOfMeasureConversion",
        json!({"fromId": each, "toId": kg["id"], "conversionFactor": 1.0}),
    )
    .await;
    let specific = app
        .ok(
            um,
            "saveUnitOfMeasureConversion",
            json!({"fromId": each, "toId": kg["id"], "conversionFactor": "0.25", "materialId": widget}),
        )
        .await;
    assert_eq!(specific["fromName"], "Each");
    assert_eq!(specific["toName"], "Kilogram");
    assert_eq!(specific["materialPath"], "FG/Widget");

    let convert = |args: Value| app.ok(um, "convert", args);
    assert_eq!(convert(json!([3, "Kilogram", "Pound"])).await, json!(6.0), "generic");
    assert_eq!(convert(json!([6, "pound", "kilogram"])).await, json!(3.0), "inverse of generic");
    assert_eq!(
        convert(json!([8, "Each", "Kilogram", "FG/Widget"])).await,
        json!(2.0),
        "material-specific"
    );
    assert_eq!(
        convert(json!([8, "Each", "Kilogram"])).await,
        json!(8.0),
        "generic without a material"
    );
    assert_eq!(
        convert(json!([2, "Kilogram", "Each", widget])).await,
        json!(8.0),
        "inverse of material-specific"
    );
    assert_eq!(
        convert(json!({"amount": "5", "fromIdOrName": "Ounce", "toIdOrName": "ounce"})).await,
        json!(5.0)
    );

    let (status, body) = app.call(um, "convert", json!([1, "Ounce", "Pound"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let msg = fields(&body)["toIdOrName"][0].as_str().unwrap();
    assert!(
        msg.contains("no conversion") && msg.contains("Ounce") && msg.contains("Pound"),
        "{msg}"
    );
    let (status, body) = app.call(um, "convert", json!([1, "Parsec", "Pound"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["fromIdOrName"].is_array(), "{body}");
    let (status, body) = app.call(um, "convert", json!(["NaN", "Kilogram", "Pound"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["amount"].is_array(), "{body}");
    let _ = oz;
    app.stop().await;
}

#[tokio::test]
async fn conversions_need_a_positive_factor_two_different_units_and_are_unique() {
    let app = spawn_app().await;
    let um = "unitOfMeasure";
    let kg = app.ok(um, "saveUnitOfMeasure", json!({"name": "Kilogram", "symbol": "kg"})).await;
    let lb = app.ok(um, "saveUnitOfMeasure", json!({"name": "Pound", "symbol": "lb"})).await;
    let conv = app
        .ok(
            um,
            "saveUnitOfMeasureConversion",
            json!({"fromId": kg["id"], "toId": lb["id"], "conversionFactor": 2.2}),
        )
        .await;

    for (data, field) in [
        (
            json!({"fromId": kg["id"], "toId": lb["id"], "conversionFactor": 0}),
            "conversionFactor",
        ),
        (
            json!({"fromId": kg["id"], "toId": lb["id"], "conversionFactor": -1}),
            "conversionFactor",
        ),
        (json!({"fromId": kg["id"], "toId": kg["id"], "conversionFactor": 1}), "toId"),
        (json!({"fromId": kg["id"], "toId": lb["id"], "conversionFactor": 3}), "toId"),
    ] {
        let (status, body) = app.call(um, "saveUnitOfMeasureConversion", data.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{data}: {body}");
        assert!(fields(&body)[field].is_array(), "{data}: {body}");
    }
    let all = app.ok(um, "getAllUnitOfMeasureConversions", json!(null)).await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    assert_eq!(
        app.ok(um, "getUnitOfMeasureConversion", json!([conv["id"]])).await["conversionFactor"],
        json!(2.2)
    );

    // The units are in use by the conversion.
    assert_delete_refused(&app, um, "deleteUnitOfMeasure", "Kilogram", "unit_of_measure_conversions").await;
    let refs = app.ok(um, "getUnitOfMeasureReferences", json!(["Pound"])).await;
    assert_eq!(
        refs,
        json!([{"tableName": "unit_of_measure_conversions", "references": [{"fkColName": "to_id", "id": conv["id"]}]}])
    );
    let rest = app.send(Method::DELETE, "/api/v1/units-of-measure/Kilogram", None, &[]).await;
    assert_eq!(rest.status, StatusCode::CONFLICT);
    assert_eq!(rest.json["error"]["code"], "in_use");
    assert!(rest.json["error"]["references"].is_array());

    assert_eq!(
        app.ok(um, "deleteUnitOfMeasureConversion", json!([conv["id"]])).await["success"],
        true
    );
    assert_eq!(app.ok(um, "deleteUnitOfMeasure", json!(["Kilogram"])).await["success"], true);
    app.stop().await;
}

// ---------------------------------------------------------------- material

#[tokio::test]
async fn material_classes_form_a_tree_with_derived_paths() {
    let app = spawn_app().await;
    let m = "material";
    let raw = app.ok(m, "saveMaterialClass", json!({"name": "RAW"})).await;
    let flav = app.ok(m, "saveMaterialClass", json!({"name": "FLAV", "parentId": raw["id"]})).await;

    assert_eq!(raw["path"], "RAW");
    assert_eq!(flav["path"], "RAW/FLAV");
    assert_eq!(app.ok(m, "getMaterialClass", json!(["raw/flav"])).await["id"], flav["id"]);
    assert_eq!(app.ok(m, "getMaterialClass", json!(["/RAW/FLAV"])).await["id"], flav["id"]);
    assert!(
        app.ok(m, "getMaterialClass", json!(["FLAV"])).await.is_null(),
        "a class is found by path, not bare name"
    );

    // Same name under another parent is fine, under the same parent (any case) it is not.
    let pack = app.ok(m, "saveMaterialClass", json!({"name": "PACK"})).await;
    app.ok(m, "saveMaterialClass", json!({"name": "FLAV", "parentId": pack["id"]}))
        .await;
    let (status, body) = app
        .call(m, "saveMaterialClass", json!({"name": "flav", "parentId": raw["id"]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["name"].is_array(), "{body}");
    let (status, body) = app.call(m, "saveMaterialClass", json!({"name": "a/b"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["name"].is_array(), "{body}");
    let (status, body) = app
        .call(m, "saveMaterialClass", json!({"id": raw["id"], "parentId": flav["id"]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["parentId"][0].as_str().unwrap().contains("ancestor"), "{body}");

    let all = app.ok(m, "getAllMaterialClasses", json!(null)).await;
    let paths: Vec<&str> = all.as_array().unwrap().iter().map(|c| c["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["PACK", "PACK/FLAV", "RAW", "RAW/FLAV"]);
    assert_eq!(app.ok(m, "validateMaterialClass", json!({"name": "NEW"})).await, json!({}));
    assert!(app.ok(m, "newMaterialClass", json!(null)).await["parentId"].is_null());
    app.stop().await;
}

#[tokio::test]
async fn create_material_classes_for_path_creates_only_the_missing_classes() {
    let app = spawn_app().await;
    let m = "material";
    app.ok(m, "saveMaterialClass", json!({"name": "A"})).await;

    let c = app.ok(m, "createMaterialClassesForPath", json!(["/A/B/C"])).await;
    assert_eq!(c["path"], "A/B/C");
    assert_eq!(app.ok(m, "getAllMaterialClasses", json!(null)).await.as_array().unwrap().len(), 3);

    let again = app.ok(m, "createMaterialClassesForPath", json!({"path": "a/b/c"})).await;
    assert_eq!(again["id"], c["id"], "existing classes are reused (any case)");
    assert_eq!(app.ok(m, "getAllMaterialClasses", json!(null)).await.as_array().unwrap().len(), 3);

    let (status, body) = app.call(m, "createMaterialClassesForPath", json!(["A//B"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["path"].is_array(), "{body}");
    assert_eq!(app.ok(m, "getAllMaterialClasses", json!(null)).await.as_array().unwrap().len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn materials_have_paths_unique_names_within_a_class_and_unique_erp_ids() {
    let app = spawn_app().await;
    let m = "material";
    let (unit, widget) = app.master_data().await;
    let fg = app.ok(m, "getMaterialClass", json!(["FG"])).await;
    let other = app.ok(m, "saveMaterialClass", json!({"name": "WIP"})).await;

    let w = app
        .ok(m, "saveMaterial", json!({"id": widget, "erpId": "ERP-1", "shelfLifeDays": 30}))
        .await;
    assert_eq!(w["path"], "FG/Widget");
    assert_eq!(w["materialClassName"], "FG");
    assert_eq!(w["unitOfMeasureSymbol"], "ea");
    assert_eq!(app.ok(m, "getMaterialByErpId", json!(["ERP-1"])).await["id"], widget.as_str());
    assert!(app.ok(m, "getMaterialByErpId", json!(["ERP-404"])).await.is_null());
    assert_eq!(app.ok(m, "getMaterial", json!(["fg/widget"])).await["id"], widget.as_str());

    let (status, body) = app
        .call(
            m,
            "saveMaterial",
            json!({"name": "WIDGET", "materialClassId": fg["id"], "unitOfMeasureId": unit}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["name"][0].as_str().unwrap().contains("already exists"), "{body}");

    let (status, body) = app
        .call(
            m,
            "saveMaterial",
            json!({"name": "Gadget", "materialClassId": fg["id"], "unitOfMeasureId": unit, "erpId": "ERP-1"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["erpId"][0].as_str().unwrap().contains("ERP-1"), "{body}");

    let twin = app
        .ok(
            m,
            "saveMaterial",
            json!({"name": "Widget", "materialClassId": other["id"], "unitOfMeasureId": unit}),
        )
        .await;
    assert_eq!(twin["path"], "WIP/Widget");
    let all = app.ok(m, "getAllMaterials", json!(null)).await;
    let paths: Vec<&str> = all.as_array().unwrap().iter().map(|x| x["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["FG/Widget", "WIP/Widget"]);
    let found = app
        .ok(
            m,
            "findMaterials",
            json!({"filters": [{"field": "materialClassName", "condition": "EQUALS", "stringValue": "wip"}]}),
        )
        .await;
    assert_eq!(found["totalElements"], 1);

    // Renaming a material re-paths it.
    let moved = app.ok(m, "saveMaterial", json!({"id": twin["id"], "name": "Gizmo"})).await;
    assert_eq!(moved["path"], "WIP/Gizmo");
    let perms = app.ok(m, "getMaterialPermissions", json!(null)).await;
    assert!(perms.as_array().unwrap().contains(&json!("MATERIAL.READ.GET")));
    app.stop().await;
}

#[tokio::test]
async fn renaming_or_moving_a_material_class_re_paths_every_class_and_material_below() {
    let app = spawn_app().await;
    let m = "material";
    let (unit, _) = app.master_data().await;
    let raw = app.ok(m, "saveMaterialClass", json!({"name": "RAW"})).await;
    let flav = app.ok(m, "saveMaterialClass", json!({"name": "FLAV", "parentId": raw["id"]})).await;
    let nat = app.ok(m, "saveMaterialClass", json!({"name": "NAT", "parentId": flav["id"]})).await;
    let vanilla = app
        .ok(
            m,
            "saveMaterial",
            json!({"name": "Vanilla", "materialClassId": nat["id"], "unitOfMeasureId": unit}),
        )
        .await;
    assert_eq!(vanilla["path"], "RAW/FLAV/NAT/Vanilla");

    app.ok(m, "saveMaterialClass", json!({"id": raw["id"], "name": "INPUTS"})).await;

    assert_eq!(app.ok(m, "getMaterialClass", json!([nat["id"]])).await["path"], "INPUTS/FLAV/NAT");
    assert_eq!(
        app.ok(m, "getMaterial", json!([vanilla["id"]])).await["path"],
        "INPUTS/FLAV/NAT/Vanilla"
    );
    assert_eq!(
        app.ok(m, "getMaterial", json!(["inputs/flav/nat/vanilla"])).await["id"],
        vanilla["id"]
    );
    assert!(app.ok(m, "getMaterial", json!(["RAW/FLAV/NAT/Vanilla"])).await.is_null());

    // Moving FLAV to the root.
    app.ok(m, "saveMaterialClass", json!({"id": flav["id"], "parentId": null})).await;
    assert_eq!(app.ok(m, "getMaterial", json!([vanilla["id"]])).await["path"], "FLAV/NAT/Vanilla");
    app.stop().await;
}

#[tokio::test]
async fn material_and_class_deletes_are_refused_while_referenced() {
    let app = spawn_app().await;
    let m = "material";
    let (unit, widget) = app.master_data().await;
    let order = app.order("O1", &unit, &widget).await;
    let child = app.ok(m, "createMaterialClassesForPath", json!(["FG/Sub"])).await;

    assert_delete_refused(&app, m, "deleteMaterial", "FG/Widget", "production_orders").await;
    let refs = app.ok(m, "getMaterialReferences", json!(["FG/Widget"])).await;
    assert_eq!(
        refs,
        json!([{"tableName": "production_orders", "references": [{"fkColName": "product_id", "id": order["id"]}]}])
    );
    assert_delete_refused(&app, m, "deleteMaterialClass", "FG", "materials").await;
    assert_delete_refused(&app, m, "deleteMaterialClass", "FG", "material_classes").await;
    assert_delete_refused(&app, "unitOfMeasure", "deleteUnitOfMeasure", "Each", "production_orders").await;
    assert_delete_refused(&app, "unitOfMeasure", "deleteUnitOfMeasure", "Each", "materials").await;
    assert!(app.ok(m, "getMaterial", json!([widget])).await.is_object(), "the material survives");

    assert_eq!(app.ok(m, "deleteMaterialClass", json!([child["id"]])).await["success"], true);
    app.ok("productionOrder", "deleteProductionOrder", json!(["O1"])).await;
    assert_eq!(app.ok(m, "deleteMaterial", json!([widget])).await["success"], true);
    assert_eq!(app.ok(m, "deleteMaterialClass", json!(["FG"])).await["success"], true);
    app.stop().await;
}

// ---------------------------------------------------------------- location

#[tokio::test]
async fn locations_form_a_tree_with_paths_children_and_a_filterable_tree() {
    let app = spawn_app().await;
    let l = "location";
    let co = app.location("DairyCo", None).await;
    let p1 = app
        .ok(l, "saveLocation", json!({"name": "Plant1", "parentId": co["id"], "type": "site"}))
        .await;
    let line1 = app
        .ok(l, "saveLocation", json!({"name": "Line1", "parentId": p1["id"], "type": "LINE"}))
        .await;
    let line2 = app
        .ok(l, "saveLocation", json!({"name": "Line2", "parentId": p1["id"], "type": "line"}))
        .await;
    app.location("Other", None).await;

    assert_eq!(co["type"], "ENTERPRISE", "default type");
    assert_eq!(p1["type"], "SITE");
    assert_eq!(line1["path"], "DairyCo/Plant1/Line1");
    assert_eq!(app.ok(l, "getLocation", json!(["/dairyco/plant1/line2"])).await["id"], line2["id"]);
    assert_eq!(app.ok(l, "getLocation", json!(["DairyCo/Plant1/Line2"])).await["id"], line2["id"]);
    assert_eq!(
        names(&app.ok(l, "getChildren", json!(["DairyCo/Plant1"])).await),
        ["Line1", "Line2"]
    );
    assert_eq!(names(&app.ok(l, "getChildren", json!([line1["id"]])).await), Vec::<String>::new());
    let (status, _) = app.call(l, "getChildren", json!(["Nowhere"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let tree = app.ok(l, "getLocationTree", json!(null)).await;
    assert_eq!(names(&tree), ["DairyCo", "Other"]);
    assert_eq!(names(&tree[0]["children"]), ["Plant1"]);
    assert_eq!(names(&tree[0]["children"][0]["children"]), ["Line1", "Line2"]);
    assert_eq!(tree[0]["children"][0]["children"][0]["children"], json!([]));

    let filtered = app.ok(l, "getLocationTree", json!(["LINE2"])).await;
    assert_eq!(names(&filtered), ["DairyCo"]);
    assert_eq!(names(&filtered[0]["children"]), ["Plant1"]);
    assert_eq!(
        names(&filtered[0]["children"][0]["children"]),
        ["Line2"],
        "only matches and their ancestors"
    );
    assert_eq!(app.ok(l, "getLocationTree", json!({"filter": "zzz"})).await, json!([]));

    let (status, body) = app.call(l, "saveLocation", json!({"name": "Bad", "type": "GALAXY"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["type"].is_array(), "{body}");
    let (status, body) = app.call(l, "saveLocation", json!({"name": "line1", "parentId": p1["id"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["name"].is_array(), "{body}");
    assert_eq!(app.ok(l, "getAllLocations", json!(null)).await.as_array().unwrap().len(), 5);
    let perms = app.ok(l, "getLocationPermissions", json!(null)).await;
    assert!(perms.as_array().unwrap().contains(&json!("LOCATION.WRITE.DELETE")));
    app.stop().await;
}

#[tokio::test]
async fn a_location_cannot_become_its_own_ancestor() {
    let app = spawn_app().await;
    let a = app.location("A", None).await;
    let b = app.location("B", Some(&a)).await;
    let c = app.location("C", Some(&b)).await;

    for parent in [&a, &c] {
        let (status, body) = app
            .call("location", "saveLocation", json!({"id": a["id"], "parentId": parent["id"]}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(fields(&body)["parentId"][0].as_str().unwrap().contains("ancestor"), "{body}");
    }
    let stored = app.ok("location", "getLocation", json!([a["id"]])).await;
    assert!(stored["parentId"].is_null());
    assert_eq!(stored["version"], 1);
    app.stop().await;
}

#[tokio::test]
async fn moving_a_location_re_paths_its_descendants_and_the_orders_there() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let p1 = app.location("Plant1", None).await;
    let p2 = app.location("Plant2", None).await;
    let line = app.location("Line", Some(&p1)).await;
    let cell = app.location("Cell", Some(&line)).await;
    app.ok(
        "productionOrder",
        "saveProductionOrder",
        json!({"name": "O1", "productId": material, "unitOfMeasureId": unit, "locationId": cell["id"]}),
    )
    .await;

    let moved = app
        .ok("location", "saveLocation", json!({"id": line["id"], "parentId": p2["id"]}))
        .await;

    assert_eq!(moved["path"], "Plant2/Line");
    assert_eq!(
        app.ok("location", "getLocation", json!([cell["id"]])).await["path"],
        "Plant2/Line/Cell"
    );
    assert!(app.ok("location", "getLocation", json!(["Plant1/Line/Cell"])).await.is_null());
    assert_eq!(app.get_order("O1").await["locationPath"], "Plant2/Line/Cell");
    assert_eq!(
        names(&app.ok("location", "getChildren", json!(["Plant1"])).await),
        Vec::<String>::new()
    );
    let r = app
        .ok(
            "productionOrder",
            "getDetailedProductionOrdersByLocationAndStatus",
            json!([["Plant2"], ["IDLE"]]),
        )
        .await;
    assert_eq!(names(&r), ["O1"]);
    app.stop().await;
}

#[tokio::test]
async fn location_deletes_are_refused_while_children_orders_or_shifts_use_them() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let plant = app.location("Plant", None).await;
    let line = app.location("Line", Some(&plant)).await;
    let lonely = app.location("Lonely", None).await;
    app.ok("shift", "saveShift", json!({"name": "Day", "locationId": lonely["id"]}))
        .await;
    app.ok(
        "productionOrder",
        "saveProductionOrder",
        json!({"name": "O1", "productId": material, "unitOfMeasureId": unit, "locationId": line["id"]}),
    )
    .await;

    assert_delete_refused(&app, "location", "deleteLocation", "Plant", "locations").await;
    assert_delete_refused(&app, "location", "deleteLocation", "Plant/Line", "production_orders").await;
    assert_delete_refused(&app, "location", "deleteLocation", "Lonely", "shifts").await;
    let rest = app.send(Method::DELETE, "/api/v1/locations/Plant", None, &[]).await;
    assert_eq!(rest.status, StatusCode::CONFLICT);
    assert_eq!(rest.json["error"]["code"], "in_use");
    assert_eq!(
        app.ok("location", "getAllLocations", json!(null)).await.as_array().unwrap().len(),
        3
    );

    let gone = app.ok("location", "deleteLocation", json!(["Nowhere"])).await;
    assert_eq!(gone["success"], false);
    app.stop().await;
}

// ---------------------------------------------------------------- customer

#[tokio::test]
async fn customers_support_every_call_and_are_protected_while_orders_use_them() {
    let app = spawn_app().await;
    let c = "customer";
    let (unit, material) = app.master_data().await;
    let t = app.ok(c, "newCustomer", json!(null)).await;
    for k in [
        "name",
        "description",
        "address",
        "city",
        "state",
        "country",
        "zip",
        "primaryContact",
        "primaryContactEmail",
        "primaryContactPhone",
    ] {
        assert!(t.get(k).is_some(), "template lacks {k}");
    }
    let acme = app
        .ok(
            c,
            "saveCustomer",
            json!({"name": "ACME", "city": "Springfield", "primaryContactEmail": "a@acme.test"}),
        )
        .await;
    app.ok(c, "saveCustomer", json!({"name": "Globex"})).await;
    assert_eq!(app.ok(c, "getCustomer", json!(["acme"])).await["city"], "Springfield");
    assert_eq!(names(&app.ok(c, "getAllCustomers", json!(null)).await), ["ACME", "Globex"]);
    let found = app
        .ok(c, "findCustomers", json!({"filters": [{"field": "city", "condition": "IS_NULL"}]}))
        .await;
    assert_eq!(names(&found["content"]), ["Globex"]);
    assert_eq!(
        app.ok(c, "validateCustomer", json!({"name": "Acme "})).await["name"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let (status, _) = app.call(c, "saveCustomer", json!({"name": " acme"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let order = app
        .ok(
            "productionOrder",
            "saveProductionOrder",
            json!({"name": "O1", "productId": material, "unitOfMeasureId": unit, "customerId": acme["id"]}),
        )
        .await;
    assert_delete_refused(&app, c, "deleteCustomer", "ACME", "production_orders").await;
    assert_eq!(
        app.ok(c, "getCustomerReferences", json!([acme["id"]])).await,
        json!([{"tableName": "production_orders", "references": [{"fkColName": "customer_id", "id": order["id"]}]}])
    );
    app.ok(
        "productionOrder",
        "saveProductionOrder",
        json!({"id": order["id"], "customerId": null}),
    )
    .await;
    assert_eq!(app.ok(c, "deleteCustomer", json!(["ACME"])).await["success"], true);
    assert!(app.ok(c, "getCustomer", json!(["ACME"])).await.is_null());
    let perms = app.ok(c, "getCustomerPermissions", json!(null)).await;
    assert_eq!(perms.as_array().unwrap().len(), 5);
    app.stop().await;
}

// ---------------------------------------------------------------- shift

#[tokio::test]
async fn start_shift_opens_an_active_record_and_closes_the_previous_one() {
    let app = spawn_app().await;
    let s = "shift";
    let plant = app.location("Plant", None).await;
    let day = app.ok(s, "saveShift", json!({"name": "Day", "locationId": plant["id"]})).await;
    let night = app.ok(s, "saveShift", json!({"name": "Night", "locationId": plant["id"]})).await;
    assert_eq!(day["locationPath"], "Plant");

    let first = app.ok(s, "startShift", json!([day["id"]])).await;
    assert_eq!(first["status"], "ACTIVE");
    assert_eq!(first["shiftId"], day["id"]);
    assert_eq!(first["locationId"], plant["id"]);
    assert_eq!(first["shiftName"], "Day");
    assert!(first["startDate"].is_string() && first["endDate"].is_null());

    let second = app.ok(s, "startShift", json!({"locationIdOrPath": "Plant", "name": "night"})).await;
    assert_eq!(second["shiftId"], night["id"]);
    let first_now = app.ok(s, "getShiftRecord", json!([first["id"]])).await;
    assert_eq!(first_now["status"], "CLOSED");
    assert!(first_now["endDate"].is_string());
    assert_eq!(app.ok(s, "getCurrentShiftRecord", json!(["Plant"])).await["id"], second["id"]);

    let (status, body) = app.call(s, "stopShift", json!([day["id"]])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "Day is not running: {body}");
    assert!(fields(&body)["name"].is_array());

    let stopped = app.ok(s, "stopShift", json!([night["id"]])).await;
    assert_eq!(stopped["status"], "CLOSED");
    assert_eq!(stopped["id"], second["id"]);
    assert!(app.ok(s, "getCurrentShiftRecord", json!(["Plant"])).await.is_null());
    assert_eq!(app.ok(s, "getAllShiftRecords", json!(null)).await.as_array().unwrap().len(), 2);

    let (status, body) = app.call(s, "startShift", json!(["Day"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a name needs a location: {body}");
    assert!(fields(&body)["shiftId"].is_array());
    let (status, body) = app.call(s, "startShift", json!(["Nowhere", "Day"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["locationIdOrPath"].is_array());
    let perms = app.ok(s, "getShiftPermissions", json!(null)).await;
    assert!(perms.as_array().unwrap().contains(&json!("SHIFT.EXECUTE")));
    app.stop().await;
}

#[tokio::test]
async fn shifts_speak_the_documented_fields_call_forms_and_conflict_strategy() {
    let app = spawn_app().await;
    let s = "shift";
    let plant = app.location("Plant", None).await;
    let line = app.location("Line", Some(&plant)).await;

    // The documented template saves as it is, with every documented field stored.
    let mut template = app.ok(s, "newShift", json!([])).await;
    assert_eq!(template["shiftScheduleSource"], "IGNITION_SCHEDULE");
    assert_eq!(template["runningConflictStrategy"], "STOP_PREVIOUS");
    assert_eq!(
        (template["startTriggerType"].as_str(), template["stopTriggerType"].as_str()),
        (Some("RISING_EDGE"), Some("FALLING_EDGE"))
    );
    template["name"] = json!("Day");
    template["locationId"] = plant["id"].clone();
    template["shiftScheduleName"] = json!("Weekdays");
    template["startTriggerExpression"] = json!("{[default]Line/Start}");
    let day = app.ok(s, "saveShift", template).await;
    assert_eq!(day["shiftScheduleName"], "Weekdays");
    assert!(day["currentRecordId"].is_null());
    let strict = app
        .ok(
            s,
            "saveShift",
            json!({"name": "Night", "locationId": plant["id"], "runningConflictStrategy": "throw_exception"}),
        )
        .await;
    assert_eq!(strict["runningConflictStrategy"], "THROW_EXCEPTION");
    let (status, body) = app
        .call(
            s,
            "saveShift",
            json!({"name": "X", "locationId": plant["id"], "startTriggerType": "SIDEWAYS"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["startTriggerType"].is_array(), "{body}");

    // getShift by id or by location and name (found at an ancestor); null when there is none.
    assert_eq!(app.ok(s, "getShift", json!({"id": day["id"]})).await["id"], day["id"]);
    assert_eq!(app.ok(s, "getShift", json!(["Plant/Line", "day"])).await["id"], day["id"]);
    assert!(app.ok(s, "getShift", json!(["Plant", "Evening"])).await.is_null());

    // startShift(shiftId, startDateMillis) and the shift's current record.
    let t0 = 1_767_600_000_000_i64; // 2026-01-05T08:00:00Z
    let first = app.ok(s, "startShift", json!([day["id"], t0])).await;
    assert_eq!(first["startDate"], "2026-01-05T08:00:00.000Z");
    assert_eq!(app.ok(s, "getShift", json!([day["id"]])).await["currentRecordId"], first["id"]);
    assert_eq!(app.ok(s, "getShiftStatus", json!([day["id"]])).await, "ACTIVE");
    assert_eq!(app.ok(s, "getShiftStatus", json!([strict["id"]])).await, "IDLE", "never ran");
    assert!(app.ok(s, "getShiftStatus", json!(["01JAAAAAAAAAAAAAAAAAAAAAAA"])).await.is_null());
    assert_eq!(app.ok(s, "getShiftRecordStatus", json!([first["id"]])).await, "ACTIVE");
    assert_eq!(app.ok(s, "getCurrentShift", json!(["Plant/Line"])).await["id"], day["id"]);
    let (status, body) = app.call(s, "deleteShiftRecord", json!([first["id"]])).await;
    assert_eq!(
        (status, &body["success"]),
        (StatusCode::OK, &json!(false)),
        "the current record stays: {body}"
    );

    // THROW_EXCEPTION refuses to start over a running shift and changes nothing.
    let (status, body) = app.call(s, "startShift", json!(["Plant", "Night"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["runningConflictStrategy"].is_array(), "{body}");
    assert_eq!(app.ok(s, "getShiftRecordStatus", json!([first["id"]])).await, "ACTIVE");

    // stopShift(locationIdOrPath, name, endDateMillis); the record in force at a past moment.
    let stopped = app.ok(s, "stopShift", json!(["Plant", "Day", t0 + 8 * 3_600_000])).await;
    assert_eq!(stopped["endDate"], "2026-01-05T16:00:00.000Z");
    assert!(app.ok(s, "getShift", json!([day["id"]])).await["currentRecordId"].is_null());
    assert!(app.ok(s, "getCurrentShift", json!(["Plant"])).await.is_null());
    let then = app
        .ok(
            s,
            "getCurrentShiftRecord",
            json!({"locationIdOrPath": "Plant/Line", "timestampMillis": t0 + 3_600_000}),
        )
        .await;
    assert_eq!(then["id"], first["id"]);
    assert_eq!(
        app.ok(s, "getCurrentShift", json!(["Plant", t0 + 3_600_000])).await["id"],
        day["id"]
    );
    assert!(app.ok(s, "getCurrentShiftRecord", json!(["Plant", t0 - 1])).await.is_null());
    // Now Night may start: nothing runs.
    assert_eq!(app.ok(s, "startShift", json!(["Plant", "Night"])).await["shiftId"], strict["id"]);

    // Disabled shifts are left out unless asked; by location lists only that location's.
    app.ok(s, "saveShift", json!({"name": "Old", "locationId": line["id"], "enabled": false}))
        .await;
    let names = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(app.ok(s, "getAllShifts", json!([])).await), ["Day", "Night"]);
    assert_eq!(names(app.ok(s, "getAllShifts", json!([true])).await), ["Day", "Night", "Old"]);
    assert_eq!(
        names(app.ok(s, "getShiftsByLocation", json!(["Plant/Line"])).await),
        Vec::<String>::new()
    );
    assert_eq!(
        names(
            app.ok(
                s,
                "getShiftsByLocation",
                json!({"locationIdOrPath": "Plant/Line", "includeDisabled": true})
            )
            .await
        ),
        ["Old"]
    );
    assert!(app.ok(s, "reloadStateFromDB", json!([])).await.is_null());
    let (status, body) = app.call(s, "startShift", json!([day["id"], "soon"])).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a shift id and then a name: no such shift there: {body}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_shift_named_at_an_ancestor_starts_at_the_child_and_the_current_record_walks_up_the_tree() {
    let app = spawn_app().await;
    let s = "shift";
    let plant = app.location("Plant", None).await;
    let line = app.location("Line", Some(&plant)).await;
    let cell = app.location("Cell", Some(&line)).await;
    app.ok(s, "saveShift", json!({"name": "Day", "locationId": plant["id"]})).await;

    assert!(app.ok(s, "getCurrentShiftRecord", json!(["Plant/Line/Cell"])).await.is_null());
    let at_plant = app.ok(s, "startShift", json!(["Plant", "Day"])).await;
    assert_eq!(app.ok(s, "getCurrentShiftRecord", json!([cell["id"]])).await["id"], at_plant["id"]);

    let at_line = app.ok(s, "startShift", json!(["Plant/Line", "day"])).await;
    assert_eq!(at_line["locationId"], line["id"], "the record is for the location given");
    assert_eq!(
        app.ok(s, "getCurrentShiftRecord", json!(["Plant/Line/Cell"])).await["id"],
        at_line["id"]
    );
    assert_eq!(app.ok(s, "getCurrentShiftRecord", json!(["Plant"])).await["id"], at_plant["id"]);

    let (status, body) = app.call(s, "getCurrentShiftRecord", json!(["Nowhere"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["locationIdOrPath"].is_array());
    // Shift names are unique per location, any case.
    let (status, body) = app.call(s, "saveShift", json!({"name": "DAY", "locationId": plant["id"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["name"].is_array());
    app.ok(s, "saveShift", json!({"name": "Day", "locationId": line["id"]})).await;
    app.stop().await;
}

#[tokio::test]
async fn get_shift_records_returns_the_records_overlapping_a_window() {
    let app = spawn_app().await;
    let s = "shift";
    let plant = app.location("Plant", None).await;
    let day = app.ok(s, "saveShift", json!({"name": "Day", "locationId": plant["id"]})).await;
    let rec = |start: &str, end: Option<&str>, status: &str| json!({"shiftId": day["id"], "locationId": plant["id"], "startDate": start, "endDate": end, "status": status});
    let jan = app
        .ok(
            s,
            "saveShiftRecord",
            rec("2025-01-01T06:00:00Z", Some("2025-01-01T14:00:00Z"), "CLOSED"),
        )
        .await;
    let feb = app
        .ok(
            s,
            "saveShiftRecord",
            rec("2025-02-01T06:00:00Z", Some("2025-02-01T14:00:00Z"), "CLOSED"),
        )
        .await;
    let open = app.ok(s, "saveShiftRecord", rec("2025-03-01T06:00:00Z", None, "ACTIVE")).await;
    let ids = |v: Value| -> Vec<Value> { v.as_array().unwrap().iter().map(|r| r["id"].clone()).collect() };

    assert_eq!(
        ids(app.ok(s, "getShiftRecords", json!(["Plant"])).await),
        [jan["id"].clone(), feb["id"].clone(), open["id"].clone()]
    );
    let window = app
        .ok(
            s,
            "getShiftRecords",
            json!(["Plant", "2025-01-01T10:00:00Z", "2025-02-15T00:00:00Z"]),
        )
        .await;
    assert_eq!(ids(window), [jan["id"].clone(), feb["id"].clone()]);
    // Epoch milliseconds: 2025-02-20 .. 2025-04-01 covers only the still-running record.
    let window = app
        .ok(
            s,
            "getShiftRecords",
            json!({"locationIdOrPath": plant["id"], "startDate": 1_740_009_600_000i64, "endDate": 1_743_465_600_000i64}),
        )
        .await;
    assert_eq!(ids(window), [open["id"].clone()]);
    let window = app.ok(s, "getShiftRecords", json!(["Plant", null, "2025-01-31T00:00:00Z"])).await;
    assert_eq!(ids(window), [jan["id"].clone()]);

    let (status, body) = app.call(s, "getShiftRecords", json!(["Plant", "yesterday"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["startDate"].is_array(), "{body}");
    let (status, body) = app
        .call(
            s,
            "saveShiftRecord",
            rec("2025-05-02T00:00:00Z", Some("2025-05-01T00:00:00Z"), "CLOSED"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["endDate"].is_array(), "{body}");
    assert_delete_refused(&app, s, "deleteShift", day["id"].as_str().unwrap(), "shift_records").await;
    app.stop().await;
}

// ---------------------------------------------------------------- query

#[tokio::test]
async fn the_query_module_builds_and_validates_query_and_filter_requests() {
    let app = spawn_app().await;
    let q = "query";

    let qr = app.ok(q, "newQueryRequest", json!(null)).await;
    for k in ["pageSize", "pageIndex", "sortFields", "sortDirections", "filters"] {
        assert!(qr.get(k).is_some_and(Value::is_null), "newQueryRequest.{k}: {qr}");
    }
    let fr = app.ok(q, "newFilterRequest", json!(null)).await;
    for k in ["field", "condition", "stringValue", "numberValue", "dateValue", "stringListValue"] {
        assert!(fr.get(k).is_some_and(Value::is_null), "newFilterRequest.{k}: {fr}");
    }
    // The templates themselves are valid requests.
    assert_eq!(app.ok(q, "validateQueryRequest", qr).await, json!({}));

    let good = json!({"pageSize": 10, "pageIndex": 0, "sortFields": ["name"], "sortDirections": ["desc"],
                      "filters": [{"field": "status", "condition": "in", "stringListValue": ["IDLE", "running"]}]});
    assert_eq!(app.ok(q, "validateQueryRequest", good).await, json!({}));
    let bad = app
        .ok(
            q,
            "validateQueryRequest",
            json!({"pageSize": 0, "sortFields": ["nope"], "pageIndx": 1,
                   "filters": [{"field": "name", "condition": "EQUALS", "stringValue": "x"}, {"field": "quantity", "condition": "LIKE"}]}),
        )
        .await;
    for k in ["pageSize", "sortFields[0]", "pageIndx", "filters[1].condition"] {
        assert!(bad[k].is_array(), "{k} missing in {bad}");
    }
    assert!(bad.get("filters[0].field").is_none());

    let ok = app
        .ok(
            q,
            "validateFilterRequest",
            json!({"field": "dueDate", "condition": "BETWEEN", "minDateValue": "2025-01-01", "maxDateValue": 1}),
        )
        .await;
    assert_eq!(ok, json!({}));
    let bad = app
        .ok(
            q,
            "validateFilterRequest",
            json!({"field": "name", "condition": "GREATER_THAN", "numberValue": 1}),
        )
        .await;
    assert!(bad["condition"].is_array(), "{bad}");
    let bad = app.ok(q, "validateFilterRequest", json!({"condition": "EQUALS"})).await;
    assert!(bad["field"].is_array(), "{bad}");
    let bad = app
        .ok(q, "validateFilterRequest", json!({"field": "quantity", "condition": "EQUALS"}))
        .await;
    assert!(bad["numberValue"].is_array(), "missing operand: {bad}");

    // A request is checked against the entity it could be for, not production orders only.
    let for_customers =
        json!({"filters": [{"field": "city", "condition": "EQUALS", "stringValue": "Oslo"}], "sortFields": ["primaryContact"]});
    assert_eq!(app.ok(q, "validateQueryRequest", for_customers).await, json!({}));
    let for_shifts = json!({"field": "runningConflictStrategy", "condition": "EQUALS", "stringValue": "STOP_PREVIOUS"});
    assert_eq!(app.ok(q, "validateFilterRequest", for_shifts).await, json!({}));
    let nowhere = app
        .ok(
            q,
            "validateFilterRequest",
            json!({"field": "lastNme", "condition": "EQUALS", "stringValue": "x"}),
        )
        .await;
    assert!(nowhere["field"].is_array(), "a field of no entity: {nowhere}");
    let perms = app.ok(q, "getQueryPermissions", json!([])).await;
    assert!(perms.as_array().unwrap().contains(&json!("QUERY.READ.VALIDATE")), "{perms}");
    app.stop().await;
}
