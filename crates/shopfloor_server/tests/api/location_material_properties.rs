//! The location fields, location and material property families, material reason codes and the
//! material existence and bulk-delete calls (issue 18), called through the script endpoint
//! positionally and with the keyword names the original scripting API documents.

use crate::helpers::{authorized_client, fields, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const LOC: &str = "location";
const MAT: &str = "material";

/// Stored rows of the tables, to show that a refused call wrote nothing.
async fn count(app: &TestApp, module: &str, function: &str) -> usize {
    app.ok(module, function, json!([])).await.as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn a_location_template_has_the_documented_fields_and_saves_as_is() {
    let app = spawn_app().await;
    let mut template = app.ok(LOC, "newLocation", json!([])).await;
    for (key, default) in [
        ("processType", json!("NONE")),
        ("sortOrder", json!(0)),
        ("allowNegativeInventory", json!(false)),
        ("storageCapacity", json!(null)),
        ("storageCapacityUnitId", json!(null)),
        ("lotStorageStrategy", json!("NO_STORAGE")),
        ("lotUseStrategy", json!("FIFO")),
    ] {
        assert_eq!(template[key], default, "{key} in {template}");
    }
    let (unit, _) = app.master_data().await;
    template["name"] = json!("Warehouse");
    template["processType"] = json!("storage");
    template["sortOrder"] = json!(3);
    template["allowNegativeInventory"] = json!(true);
    template["storageCapacity"] = json!(1500.5);
    template["storageCapacityUnitId"] = json!(unit);
    template["lotStorageStrategy"] = json!("MERGE_INTO_NEW");
    template["lotUseStrategy"] = json!("FEFO");
    assert_eq!(app.ok(LOC, "validateLocation", template.clone()).await, json!({}));
    let saved = app.ok(LOC, "saveLocation", template).await;
    let read = app.ok(LOC, "getLocation", json!({"idOrPath": "Warehouse"})).await;
    for (key, value) in [
        ("processType", json!("STORAGE")),
        ("sortOrder", json!(3)),
        ("allowNegativeInventory", json!(true)),
        ("storageCapacity", json!(1500.5)),
        ("storageCapacityUnitId", json!(unit)),
        ("lotStorageStrategy", json!("MERGE_INTO_NEW")),
        ("lotUseStrategy", json!("FEFO")),
    ] {
        assert_eq!(saved[key], value, "{key}");
        assert_eq!(read[key], value, "{key}");
    }
    // The unit is referenced now: deleting it is refused.
    let refused = app.ok("unitOfMeasure", "deleteUnitOfMeasure", json!([unit])).await;
    assert_eq!(refused["success"], false, "{refused}");
    // The documented update from a fresh template keeps what it does not set.
    let mut update = app.ok(LOC, "newLocation", json!([])).await;
    update["id"] = saved["id"].clone();
    update["name"] = json!("Warehouse");
    update["sortOrder"] = json!(4);
    let updated = app.ok(LOC, "saveLocation", update).await;
    assert_eq!(updated["sortOrder"], 4);
    assert_eq!(updated["processType"], "STORAGE");
    assert_eq!(updated["lotUseStrategy"], "FEFO");
}

#[tokio::test]
async fn bad_location_fields_are_refused_by_name_and_nothing_is_written() {
    let app = spawn_app().await;
    for (desc, data, field) in [
        ("unknown process type", json!({"name": "A", "processType": "MAGIC"}), "processType"),
        ("sort order not a number", json!({"name": "A", "sortOrder": "first"}), "sortOrder"),
        ("fractional sort order", json!({"name": "A", "sortOrder": 1.5}), "sortOrder"),
        (
            "flag not a boolean",
            json!({"name": "A", "allowNegativeInventory": "perhaps"}),
            "allowNegativeInventory",
        ),
        ("negative capacity", json!({"name": "A", "storageCapacity": -1}), "storageCapacity"),
        (
            "unknown unit",
            json!({"name": "A", "storageCapacityUnitId": "01J00000000000000000000000"}),
            "storageCapacityUnitId",
        ),
        (
            "unknown storage strategy",
            json!({"name": "A", "lotStorageStrategy": "PILE"}),
            "lotStorageStrategy",
        ),
        (
            "unknown use strategy",
            json!({"name": "A", "lotUseStrategy": "RANDOM"}),
            "lotUseStrategy",
        ),
        ("null process type", json!({"name": "A", "processType": null}), "processType"),
    ] {
        let (status, body) = app.call(LOC, "saveLocation", data.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{desc}: {body}");
        assert!(fields(&body)[field].is_array(), "{desc}: {body}");
        let errors = app.ok(LOC, "validateLocation", data).await;
        assert!(errors[field].is_array(), "{desc}: {errors}");
    }
    assert_eq!(count(&app, LOC, "getAllLocations").await, 0);
}

/// Plant/Line1 and Plant/Line2, returned as (plant, line1, line2).
async fn plant(app: &TestApp) -> (Value, Value, Value) {
    let plant = app.location("Plant", None).await;
    let line1 = app.location("Line1", Some(&plant)).await;
    let line2 = app.location("Line2", Some(&plant)).await;
    (plant, line1, line2)
}

#[tokio::test]
async fn location_properties_are_defined_found_and_deleted_under_their_documented_names() {
    let app = spawn_app().await;
    let template = app.ok(LOC, "newProperty", json!([])).await;
    assert_eq!(template["dataType"], "STRING");
    assert_eq!(template["nullable"], false);
    let p = app
        .ok(
            LOC,
            "saveProperty",
            json!({"name": "Speed", "dataType": "Int8", "lowLimit": 0, "highLimit": 500, "defaultValue": "100"}),
        )
        .await;
    assert_eq!(p["dataType"], "INTEGER");
    assert_eq!(p["defaultValue"], 100);
    assert_eq!(app.ok(LOC, "getProperty", json!({"idOrName": "speed"})).await["id"], p["id"]);
    assert_eq!(app.ok(LOC, "getProperty", json!([p["id"]])).await["name"], "Speed");
    assert_eq!(app.ok(LOC, "getProperty", json!(["nothing"])).await, Value::Null);
    let errors = app
        .ok(
            LOC,
            "validateProperty",
            json!({"name": "Bad", "dataType": "INTEGER", "lowLimit": 5, "highLimit": 1}),
        )
        .await;
    assert!(errors["highLimit"].is_array(), "{errors}");
    let all = app.ok(LOC, "getAllLocationProperties", json!([])).await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    // Found by name, or created from the data.
    let same = app
        .ok(LOC, "getPropertyOrCreateNew", json!({"name": "SPEED", "dataType": "STRING"}))
        .await;
    assert_eq!(same["id"], p["id"]);
    let created = app
        .ok(LOC, "getPropertyOrCreateNew", json!({"name": "Zone", "dataType": "STRING"}))
        .await;
    assert_eq!(created["dataType"], "STRING");
    assert_eq!(count(&app, LOC, "getAllLocationProperties").await, 2);
    // A property in use cannot be deleted; its references say by what.
    let (_, line1, _) = plant(&app).await;
    let value = app.ok(LOC, "setPropertyValue", json!([line1["id"], "Speed", 250])).await;
    let refs = app.ok(LOC, "getLocationPropertyReferences", json!({"idOrName": "Speed"})).await;
    assert_eq!(refs[0]["tableName"], "location_property_values", "{refs}");
    assert_eq!(refs[0]["references"][0]["id"], value["id"]);
    let refused = app.ok(LOC, "deleteProperty", json!({"idOrName": "Speed"})).await;
    assert_eq!(refused["success"], false, "{refused}");
    let deleted = app.ok(LOC, "deleteProperty", json!(["Zone"])).await;
    assert_eq!(deleted["success"], true, "{deleted}");
    assert_eq!(count(&app, LOC, "getAllLocationProperties").await, 1);
}

#[tokio::test]
async fn location_property_values_are_typed_checked_and_found_by_location_and_property() {
    let app = spawn_app().await;
    let (_, line1, line2) = plant(&app).await;
    app.ok(
        LOC,
        "saveProperty",
        json!({"name": "Speed", "dataType": "INTEGER", "lowLimit": 0, "highLimit": 500, "defaultValue": 100}),
    )
    .await;
    app.ok(
        LOC,
        "saveProperty",
        json!({"name": "Mode", "dataType": "STRING", "options": "[auto, manual]"}),
    )
    .await;
    let template = app.ok(LOC, "newPropertyValue", json!([])).await;
    assert!(
        template.get("locationId").is_some() && template.get("propertyId").is_some(),
        "{template}"
    );
    let speed = app.ok(LOC, "getProperty", json!(["Speed"])).await;
    // A new value row without `value` takes the property's default.
    let v = app
        .ok(
            LOC,
            "savePropertyValue",
            json!({"locationId": line1["id"], "propertyId": speed["id"]}),
        )
        .await;
    assert_eq!(v["value"], 100);
    assert_eq!(v["dataType"], "INTEGER");
    let v = app
        .ok(
            LOC,
            "setPropertyValue",
            json!({"locationIdOrPath": "Plant/Line1", "propertyIdOrName": "Speed", "value": "250"}),
        )
        .await;
    assert_eq!(v["value"], 250);
    app.ok(LOC, "setPropertyValue", json!(["/Plant/Line2", "Speed", 300])).await;
    app.ok(LOC, "setPropertyValue", json!(["Plant/Line2", "Mode", "manual"])).await;
    // Bad values are refused by field, and nothing changes.
    for (desc, args, field) in [
        ("above the high limit", json!(["Plant/Line1", "Speed", 501]), "value"),
        ("not a whole number", json!(["Plant/Line1", "Speed", "fast"]), "value"),
        ("not an option", json!(["Plant/Line1", "Mode", "turbo"]), "value"),
        ("not nullable", json!(["Plant/Line1", "Speed", null]), "value"),
        ("unknown property", json!(["Plant/Line1", "Nope", 1]), "propertyIdOrName"),
        ("unknown location", json!(["Plant/Nowhere", "Speed", 1]), "locationIdOrPath"),
    ] {
        let (status, body) = app.call(LOC, "setPropertyValue", args).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{desc}: {body}");
        assert!(fields(&body)[field].is_array(), "{desc}: {body}");
    }
    let errors = app
        .ok(
            LOC,
            "validatePropertyValue",
            json!({"locationId": line1["id"], "propertyId": speed["id"], "value": 7}),
        )
        .await;
    assert!(errors["propertyId"].is_array(), "one value per location and property: {errors}");
    let found = app
        .ok(
            LOC,
            "getPropertyValueFor",
            json!({"locationIdOrPath": "Plant/Line1", "propertyIdOrName": "speed"}),
        )
        .await;
    assert_eq!(found["value"], 250);
    assert_eq!(found["propertyName"], "Speed");
    assert_eq!(app.ok(LOC, "getPropertyValue", json!({"id": found["id"]})).await["value"], 250);
    let of_line2 = app.ok(LOC, "getLocationPropertyValues", json!({"idOrPath": "Plant/Line2"})).await;
    let names: Vec<&str> = of_line2
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["propertyName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Mode", "Speed"]);
    assert_eq!(app.ok(LOC, "getLocationPropertyValues", json!(["Nowhere"])).await, Value::Null);
    // Locations by value, compared as the property's type; locations by part of their path.
    let at_300 = app
        .ok(
            LOC,
            "getLocationsByPropertyValue",
            json!({"propertyIdOrName": "Speed", "propertyValue": "300"}),
        )
        .await;
    assert_eq!(at_300.as_array().unwrap().len(), 1);
    assert_eq!(at_300[0]["id"], line2["id"]);
    let manual = app
        .ok(LOC, "getLocationsByPropertyValue", json!({"idOrName": "Mode", "value": "MANUAL"}))
        .await;
    assert_eq!(manual[0]["path"], "Plant/Line2");
    let (status, body) = app.call(LOC, "getLocationsByPropertyValue", json!(["Speed", "fast"])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["propertyValue"].is_array(), "{body}");
    let lines = app.ok(LOC, "getLocationsByPartialPath", json!({"path": "plant/line"})).await;
    let paths: Vec<&str> = lines.as_array().unwrap().iter().map(|l| l["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["Plant/Line1", "Plant/Line2"]);
    assert_eq!(app.ok(LOC, "getLocationsByPartialPath", json!(["2"])).await[0]["name"], "Line2");
    // Values hold their location: deleting it is refused until the values go.
    let refused = app.ok(LOC, "deleteLocation", json!(["Plant/Line1"])).await;
    assert_eq!(refused["success"], false);
    let refs = app.ok(LOC, "getLocationPropertyValueReferences", json!([found["id"]])).await;
    assert_eq!(refs, json!([]));
    let deleted = app.ok(LOC, "deletePropertyValue", json!({"id": found["id"]})).await;
    assert_eq!(deleted["success"], true, "{deleted}");
    assert_eq!(
        app.ok(LOC, "getPropertyValueFor", json!(["Plant/Line1", "Speed"])).await,
        Value::Null
    );
    assert_eq!(app.ok(LOC, "deleteLocation", json!(["Plant/Line1"])).await["success"], true);
}

#[tokio::test]
async fn a_location_property_keeps_its_type_while_values_exist() {
    let app = spawn_app().await;
    let (_, line1, _) = plant(&app).await;
    let p = app.ok(LOC, "saveProperty", json!({"name": "Speed", "dataType": "INTEGER"})).await;
    app.ok(LOC, "setPropertyValue", json!([line1["id"], "Speed", 5])).await;
    let (status, body) = app.call(LOC, "saveProperty", json!({"id": p["id"], "dataType": "STRING"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["dataType"].is_array(), "{body}");
}

/// Classes RAW and RAW/FLAV, unit kg, materials RAW/Sugar and RAW/FLAV/Vanilla.
async fn materials(app: &TestApp) -> (Value, Value, Value, Value) {
    let unit = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Kilogram", "symbol": "kg"}))
        .await;
    let raw = app.ok(MAT, "saveMaterialClass", json!({"name": "RAW"})).await;
    let flav = app
        .ok(MAT, "saveMaterialClass", json!({"name": "FLAV", "parentId": raw["id"]}))
        .await;
    let sugar = app
        .ok(
            MAT,
            "saveMaterial",
            json!({"name": "Sugar", "materialClassId": raw["id"], "unitOfMeasureId": unit["id"]}),
        )
        .await;
    let vanilla = app
        .ok(
            MAT,
            "saveMaterial",
            json!({"name": "Vanilla", "materialClassId": flav["id"], "unitOfMeasureId": unit["id"]}),
        )
        .await;
    (raw, flav, sugar, vanilla)
}

#[tokio::test]
async fn material_properties_belong_to_a_class_and_values_to_its_materials() {
    let app = spawn_app().await;
    let (raw, flav, sugar, vanilla) = materials(&app).await;
    let template = app.ok(MAT, "newProperty", json!([])).await;
    assert!(template.get("materialClassId").is_some(), "{template}");
    let (status, body) = app.call(MAT, "saveProperty", json!({"name": "Brix", "dataType": "FLOAT"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a property needs its class: {body}");
    assert!(fields(&body)["materialClassId"].is_array());
    let brix = app
        .ok(
            MAT,
            "saveProperty",
            json!({"name": "Brix", "dataType": "FLOAT", "materialClassId": raw["id"], "highLimit": 100}),
        )
        .await;
    let organic = app
        .ok(
            MAT,
            "saveProperty",
            json!({"name": "Organic", "dataType": "BOOLEAN", "materialClassId": raw["id"], "nullable": true}),
        )
        .await;
    app.ok(
        MAT,
        "saveProperty",
        json!({"name": "Aroma", "dataType": "STRING", "materialClassId": flav["id"]}),
    )
    .await;
    assert!(app
        .ok(MAT, "validateProperty", json!({"name": "brix", "materialClassId": flav["id"]}))
        .await["name"]
        .is_array());
    assert_eq!(app.ok(MAT, "getProperty", json!({"id": brix["id"]})).await["name"], "Brix");
    let of_raw = app.ok(MAT, "getPropertiesForMaterialClass", json!({"idOrPath": "RAW"})).await;
    let names: Vec<&str> = of_raw.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Brix", "Organic"]);
    assert_eq!(app.ok(MAT, "getPropertiesForMaterialClass", json!(["NONE"])).await, Value::Null);
    let found = app
        .ok(
            MAT,
            "getPropertyOrCreateNew",
            json!({"name": "Brix", "dataType": "STRING", "materialClassId": flav["id"]}),
        )
        .await;
    assert_eq!(found["id"], brix["id"]);
    // Values: typed, by material path or id; only the properties of the material's class.
    let template = app.ok(MAT, "newPropertyValue", json!([])).await;
    assert!(template.get("materialPropertyId").is_some(), "{template}");
    let v = app
        .ok(
            MAT,
            "setPropertyValue",
            json!({"materialIdOrPath": "RAW/Sugar", "propertyIdOrName": "Brix", "value": "65.5"}),
        )
        .await;
    assert_eq!(v["value"], 65.5);
    app.ok(
        MAT,
        "savePropertyValue",
        json!({"materialId": sugar["id"], "materialPropertyId": organic["id"], "value": true}),
    )
    .await;
    let (status, body) = app.call(MAT, "setPropertyValue", json!(["RAW/FLAV/Vanilla", "Brix", 10])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["materialPropertyId"].is_array(), "{body}");
    let (status, body) = app.call(MAT, "setPropertyValue", json!(["RAW/Sugar", "Brix", 101])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["value"].is_array());
    let errors = app
        .ok(
            MAT,
            "validatePropertyValue",
            json!({"materialId": vanilla["id"], "materialPropertyId": organic["id"], "value": true}),
        )
        .await;
    assert!(errors["materialPropertyId"].is_array(), "{errors}");
    assert_eq!(app.ok(MAT, "getPropertyValue", json!([v["id"]])).await["value"], 65.5);
    let values = app.ok(MAT, "getPropertyValuesForMaterial", json!({"idOrPath": "RAW/Sugar"})).await;
    assert_eq!(values.as_array().unwrap().len(), 2);
    let one = app
        .ok(
            MAT,
            "getValueForMaterialAndProperty",
            json!({"materialIdOrPath": sugar["id"], "propertyIdOrName": "organic"}),
        )
        .await;
    assert_eq!(one["value"], true);
    assert_eq!(
        app.ok(MAT, "getValueForMaterialAndProperty", json!(["RAW/FLAV/Vanilla", "Aroma"]))
            .await,
        Value::Null
    );
    let joined = app
        .ok(MAT, "getPropertiesAndValuesForMaterial", json!({"idOrPath": "RAW/FLAV/Vanilla"}))
        .await;
    assert_eq!(joined.as_array().unwrap().len(), 1);
    assert_eq!(joined[0]["name"], "Aroma");
    assert_eq!(joined[0]["value"], Value::Null);
    assert_eq!(joined[0]["materialPropertyValueId"], Value::Null);
    let joined = app.ok(MAT, "getPropertiesAndValuesForMaterial", json!(["RAW/Sugar"])).await;
    assert_eq!(joined[0]["name"], "Brix");
    assert_eq!(joined[0]["value"], 65.5);
    assert_eq!(joined[0]["materialPropertyValueId"], v["id"]);
    assert_eq!(joined[0]["materialId"], sugar["id"]);
    assert_eq!(joined[0]["dataType"], "FLOAT");
    // References; a material with values keeps its class; a property in use stays.
    let refs = app.ok(MAT, "getMaterialPropertyReferences", json!({"id": brix["id"]})).await;
    assert_eq!(refs[0]["tableName"], "material_property_values", "{refs}");
    assert_eq!(app.ok(MAT, "getMaterialPropertyValueReferences", json!([v["id"]])).await, json!([]));
    let (status, body) = app
        .call(MAT, "saveMaterial", json!({"id": sugar["id"], "materialClassId": flav["id"]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["materialClassId"].is_array());
    let (status, body) = app
        .call(MAT, "saveProperty", json!({"id": brix["id"], "materialClassId": flav["id"]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["materialClassId"].is_array());
    assert_eq!(app.ok(MAT, "deleteProperty", json!({"idOrName": "Brix"})).await["success"], false);
    assert_eq!(app.ok(MAT, "deleteProperty", json!(["Aroma"])).await["success"], true);
}

async fn sugar_values(app: &TestApp) -> usize {
    let values = app.ok(MAT, "getPropertyValuesForMaterial", json!(["RAW/Sugar"])).await;
    values.as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn material_property_values_are_deleted_one_by_path_and_name_or_several_all_or_none() {
    let app = spawn_app().await;
    let (raw, _, _, _) = materials(&app).await;
    for (name, t) in [("Brix", "FLOAT"), ("Organic", "BOOLEAN"), ("Grade", "STRING")] {
        app.ok(
            MAT,
            "saveProperty",
            json!({"name": name, "dataType": t, "materialClassId": raw["id"]}),
        )
        .await;
    }
    let brix = app.ok(MAT, "setPropertyValue", json!(["RAW/Sugar", "Brix", 60])).await;
    let organic = app.ok(MAT, "setPropertyValue", json!(["RAW/Sugar", "Organic", false])).await;
    let grade = app.ok(MAT, "setPropertyValue", json!(["RAW/Sugar", "Grade", "A"])).await;
    // One missing id or name refuses the whole call: nothing is deleted.
    let refused = app
        .ok(
            MAT,
            "deletePropertyValues",
            json!({"ids": [brix["id"], "01J00000000000000000000000"]}),
        )
        .await;
    assert_eq!(refused["success"], false, "{refused}");
    let refused = app
        .ok(
            MAT,
            "deletePropertyValuesFor",
            json!({"materialPath": "RAW/Sugar", "propertyNames": ["Brix", "Colour"]}),
        )
        .await;
    assert_eq!(refused["success"], false, "{refused}");
    assert_eq!(sugar_values(&app).await, 3);
    let one = app
        .ok(
            MAT,
            "deletePropertyValueFor",
            json!({"materialPath": "RAW/Sugar", "propertyName": "grade"}),
        )
        .await;
    assert_eq!(one["success"], true, "{one}");
    assert_eq!(one["data"][0]["id"], grade["id"]);
    assert_eq!(
        app.ok(MAT, "deletePropertyValueFor", json!(["RAW/Sugar", "Grade"])).await["success"],
        false
    );
    let two = app.ok(MAT, "deletePropertyValues", json!([[brix["id"], organic["id"]]])).await;
    assert_eq!(two["success"], true, "{two}");
    assert_eq!(sugar_values(&app).await, 0);
    let again = app.ok(MAT, "setPropertyValue", json!(["RAW/Sugar", "Brix", 61])).await;
    let by_names = app.ok(MAT, "deletePropertyValuesFor", json!(["RAW/Sugar", ["Brix"]])).await;
    assert_eq!(by_names["data"][0]["id"], again["id"]);
    let single = app.ok(MAT, "setPropertyValue", json!(["RAW/Sugar", "Grade", "B"])).await;
    assert_eq!(
        app.ok(MAT, "deletePropertyValue", json!({"id": single["id"]})).await["success"],
        true
    );
    assert_eq!(sugar_values(&app).await, 0);
}

#[tokio::test]
async fn material_existence_and_bulk_deletes_follow_the_reference_rules_all_or_none() {
    let app = spawn_app().await;
    let (raw, flav, _, _) = materials(&app).await;
    assert_eq!(app.ok(MAT, "doesMaterialExist", json!({"idOrPath": "raw/sugar"})).await, true);
    assert_eq!(app.ok(MAT, "doesMaterialExist", json!(["RAW/Salt"])).await, false);
    assert_eq!(app.ok(MAT, "doesMaterialClassExist", json!({"idOrPath": "RAW/FLAV"})).await, true);
    assert_eq!(app.ok(MAT, "doesMaterialClassExist", json!([raw["id"]])).await, true);
    assert_eq!(app.ok(MAT, "doesMaterialClassExist", json!(["PACK"])).await, false);
    // Classes that still hold materials are refused, and nothing is deleted.
    let refused = app
        .ok(MAT, "deleteMaterialClasses", json!({"idsOrPaths": ["RAW", "RAW/FLAV"]}))
        .await;
    assert_eq!(refused["success"], false, "{refused}");
    assert_eq!(count(&app, MAT, "getAllMaterialClasses").await, 2);
    // A missing material refuses the call before anything goes.
    let refused = app.ok(MAT, "deleteMaterials", json!([["RAW/Sugar", "RAW/Salt"]])).await;
    assert_eq!(refused["success"], false, "{refused}");
    assert_eq!(count(&app, MAT, "getAllMaterials").await, 2);
    // A material used by an order is refused with its references.
    let order_unit = app.ok(MAT, "getMaterial", json!(["RAW/Sugar"])).await["unitOfMeasureId"].clone();
    let sugar = app.ok(MAT, "getMaterial", json!(["RAW/Sugar"])).await;
    app.order("O-1", order_unit.as_str().unwrap(), sugar["id"].as_str().unwrap()).await;
    let refused = app.ok(MAT, "deleteMaterials", json!([["RAW/Sugar", "RAW/FLAV/Vanilla"]])).await;
    assert_eq!(refused["success"], false);
    assert_eq!(refused["data"][0]["name"], "RAW/Sugar", "{refused}");
    assert_eq!(count(&app, MAT, "getAllMaterials").await, 2);
    let deleted = app.ok(MAT, "deleteMaterials", json!({"idsOrPaths": ["RAW/FLAV/Vanilla"]})).await;
    assert_eq!(deleted["success"], true, "{deleted}");
    // A class and its subclass go together (the subclass first).
    let pack = app.ok(MAT, "saveMaterialClass", json!({"name": "PACK"})).await;
    app.ok(MAT, "saveMaterialClass", json!({"name": "BOX", "parentId": pack["id"]}))
        .await;
    let deleted = app
        .ok(MAT, "deleteMaterialClasses", json!([["PACK", "PACK/BOX", flav["id"]]]))
        .await;
    assert_eq!(deleted["success"], true, "{deleted}");
    assert_eq!(count(&app, MAT, "getAllMaterialClasses").await, 1);
}

#[tokio::test]
async fn material_reason_codes_are_saved_found_by_id_or_code_and_deleted() {
    let app = spawn_app().await;
    let template = app.ok(MAT, "newMaterialReasonCode", json!([])).await;
    for key in ["lotRecordType", "reasonCode", "description", "requireComments", "enabled"] {
        assert!(template.get(key).is_some(), "{key} in {template}");
    }
    let code = app
        .ok(
            MAT,
            "saveMaterialReasonCode",
            json!({"lotRecordType": "CONSUME", "reasonCode": " SCRP001 ", "description": "Scrapped", "requireComments": true}),
        )
        .await;
    assert_eq!(code["reasonCode"], "SCRP001");
    assert_eq!(code["createdBy"], "admin");
    let by_code = app
        .ok(MAT, "getMaterialReasonCode", json!({"materialReasonCodeIdOrCode": "scrp001"}))
        .await;
    assert_eq!(by_code["id"], code["id"]);
    assert_eq!(
        app.ok(MAT, "getMaterialReasonCode", json!([code["id"]])).await["requireComments"],
        true
    );
    assert_eq!(app.ok(MAT, "getMaterialReasonCode", json!(["NONE"])).await, Value::Null);
    for (desc, data, field) in [
        (
            "duplicate code",
            json!({"lotRecordType": "CONSUME", "reasonCode": "scrp001"}),
            "reasonCode",
        ),
        ("missing code", json!({"lotRecordType": "CONSUME"}), "reasonCode"),
        ("missing lot record type", json!({"reasonCode": "X1"}), "lotRecordType"),
        (
            "flag not a boolean",
            json!({"lotRecordType": "CONSUME", "reasonCode": "X2", "requireComments": "often"}),
            "requireComments",
        ),
        (
            "unknown key",
            json!({"lotRecordType": "CONSUME", "reasonCode": "X3", "reason": "typo"}),
            "reason",
        ),
    ] {
        let (status, body) = app.call(MAT, "saveMaterialReasonCode", data.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{desc}: {body}");
        assert!(fields(&body)[field].is_array(), "{desc}: {body}");
        assert!(app.ok(MAT, "validateMaterialReasonCode", data).await[field].is_array(), "{desc}");
    }
    app.ok(
        MAT,
        "saveMaterialReasonCode",
        json!({"lotRecordType": "ADJUST", "reasonCode": "ADJ01"}),
    )
    .await;
    assert_eq!(count(&app, MAT, "getAllMaterialReasonCodes").await, 2);
    let found = app
        .ok(
            MAT,
            "findMaterialReasonCodes",
            json!({"filters": [{"field": "lotRecordType", "condition": "EQUALS", "stringValue": "adjust"}]}),
        )
        .await;
    assert_eq!(found["content"][0]["reasonCode"], "ADJ01", "{found}");
    let deleted = app.ok(MAT, "deleteMaterialReasonCode", json!({"id": code["id"]})).await;
    assert_eq!(deleted["success"], true, "{deleted}");
    assert_eq!(count(&app, MAT, "getAllMaterialReasonCodes").await, 1);
}

#[tokio::test]
async fn get_property_or_create_new_finds_with_read_permission_but_creates_only_with_save() {
    let app = spawn_app().await;
    app.ok(LOC, "saveProperty", json!({"name": "Speed", "dataType": "INTEGER"})).await;
    app.ok(
        "security",
        "saveRole",
        json!({"name": "Readers", "permissions": ["LOCATION.READ.GET"]}),
    )
    .await;
    app.ok("security", "saveUser", json!({"name": "reader", "roles": ["Readers"]}))
        .await;
    let token = app.ok("security", "createApiToken", json!(["reader", "test"])).await;
    let reader = authorized_client(token["token"].as_str().unwrap());
    let url = format!("{}/api/v1/script/location/getPropertyOrCreateNew", app.address);
    let call = |body: Value| {
        let (reader, url) = (reader.clone(), url.clone());
        async move {
            let r = reader.post(url).json(&body).send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, found) = call(json!({"name": "speed"})).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["name"], "Speed");
    let (status, refused) = call(json!({"name": "Zone", "dataType": "STRING"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert_eq!(refused["error"]["permission"], "LOCATION.WRITE.SAVE", "{refused}");
    assert_eq!(count(&app, LOC, "getAllLocationProperties").await, 1);
}
