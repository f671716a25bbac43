//! Hardening, round two (issue 22): explicit nulls, finite numbers, `EXECUTE` as a real boundary,
//! API answer headers, password resets and change streams that end when access is withdrawn.

use crate::helpers::{spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use shopfloor_core::schema::{Access, Entity};
use std::collections::BTreeMap;

const PO: &str = "productionOrder";
const SEC: &str = "security";

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}")).to_string()
}

/// One stored record of every entity: its id, by entity.
async fn one_of_each(app: &TestApp) -> BTreeMap<Entity, String> {
    let (unit, material) = app.master_data().await;
    let other_unit = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Box", "symbol": "bx"}))
        .await;
    let conversion = app
        .ok(
            "unitOfMeasure",
            "saveUnitOfMeasureConversion",
            json!({"fromId": other_unit["id"], "toId": unit, "conversionFactor": 12}),
        )
        .await;
    let class = app.ok("material", "getMaterialClass", json!(["FG"])).await;
    let location = app.location("Plant", None).await;
    let customer = app.ok("customer", "saveCustomer", json!({"name": "ACME"})).await;
    let shift = app
        .ok("shift", "saveShift", json!({"name": "Early", "locationId": location["id"]}))
        .await;
    let shift_record = app
        .ok(
            "shift",
            "saveShiftRecord",
            json!({"shiftId": shift["id"], "locationId": location["id"]}),
        )
        .await;
    let order = app.order("O-1", &unit, &material).await;
    let property = app
        .ok(PO, "saveProductionOrderProperty", json!({"name": "Colour", "dataType": "STRING"}))
        .await;
    let value = app
        .ok(
            PO,
            "saveProductionOrderPropertyValue",
            json!({"productionOrderId": order["id"], "propertyId": property["id"], "value": "red"}),
        )
        .await;
    let item = app
        .ok(
            PO,
            "saveBillOfMaterialsItem",
            json!({"productionOrderId": order["id"], "materialId": material, "quantityPerProducedUnit": 2}),
        )
        .await;
    let role = app.ok(SEC, "saveRole", json!({"name": "Reader", "permissions": []})).await;
    let user = app.ok(SEC, "saveUser", json!({"name": "reader", "roles": ["Reader"]})).await;
    app.ok(SEC, "createApiToken", json!(["reader", "test"])).await;
    let tokens = app
        .ok(
            SEC,
            "findApiTokens",
            json!({"filters": [{"field": "userName", "condition": "EQUALS", "stringValue": "reader"}]}),
        )
        .await;
    let all = [
        (Entity::ProductionOrder, id(&order)),
        (Entity::UnitOfMeasure, unit),
        (Entity::UnitOfMeasureConversion, id(&conversion)),
        (Entity::MaterialClass, id(&class)),
        (Entity::Material, material),
        (Entity::Location, id(&location)),
        (Entity::Customer, id(&customer)),
        (Entity::Shift, id(&shift)),
        (Entity::ShiftRecord, id(&shift_record)),
        (Entity::ProductionOrderProperty, id(&property)),
        (Entity::ProductionOrderPropertyValue, id(&value)),
        (Entity::BillOfMaterialsItem, id(&item)),
        (Entity::User, id(&user)),
        (Entity::Role, id(&role)),
        (Entity::ApiToken, id(&tokens["content"][0])),
    ];
    let map: BTreeMap<Entity, String> = all.into_iter().collect();
    for e in Entity::ALL {
        assert!(map.contains_key(&e), "add a record of {e:?} to one_of_each");
    }
    map
}

#[tokio::test]
async fn null_for_every_field_that_is_not_nullable_is_a_validation_error_in_every_entity() {
    let app = spawn_app().await;
    let records = one_of_each(&app).await;
    let mut checked = 0;
    for e in Entity::ALL {
        let def = e.def();
        let record_id = &records[&e];
        for field in def.fields.iter().filter(|f| f.access == Access::Input && !f.nullable()) {
            let data = json!({"id": record_id, field.key: null});
            let script = format!("/api/v1/script/{}/save{}", def.module, def.noun);
            let rest = format!("/api/v1/{}/{record_id}", def.rest);
            let answers = [app.post(&script, data.clone()).await, {
                let r = app.send(reqwest::Method::PATCH, &rest, Some(data.clone()), &[]).await;
                (r.status, r.json)
            }];
            for (status, body) in answers {
                assert_eq!(
                    status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{}.{} = null answered {status} {body}",
                    def.noun,
                    field.key
                );
                assert!(
                    body["error"]["fields"][field.key].is_array(),
                    "{}.{}: the error names the field: {body}",
                    def.noun,
                    field.key
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 15, "every entity has at least `enabled`: {checked}");
    // Creating with null is refused the same way (the example of the issue).
    let (status, body) = app
        .call(
            "unitOfMeasure",
            "saveUnitOfMeasure",
            json!({"name": "u1", "symbol": "", "enabled": null}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["enabled"].is_array(), "{body}");
}

#[tokio::test]
async fn a_report_or_conversion_that_would_overflow_is_refused_and_nothing_infinite_is_stored() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    app.order("O-1", &unit, &material).await;
    app.ok(PO, "startProductionOrder", json!(["O-1"])).await;
    app.ok(PO, "reportProduction", json!(["O-1", 1e308])).await;
    let (status, body) = app.call(PO, "reportProduction", json!(["O-1", 1e308])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["error"]["fields"]["quantity"][0].as_str().unwrap().contains("too large"),
        "{body}"
    );
    let order = app.get_order("O-1").await;
    assert_eq!(order["quantityProduced"], json!(1e308), "{order}");
    let history = app.history("O-1").await;
    assert_eq!(history.iter().filter(|e| e["action"] == "REPORT").count(), 1);

    app.ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Pallet", "symbol": "pl"}))
        .await;
    app.ok(
        "unitOfMeasure",
        "saveUnitOfMeasureConversion",
        json!({"fromId": app.ok("unitOfMeasure", "getUnitOfMeasure", json!(["Pallet"])).await["id"], "toId": unit, "conversionFactor": 1000}),
    )
    .await;
    assert_eq!(
        app.ok("unitOfMeasure", "convert", json!([2, "Pallet", "Each"])).await,
        json!(2000.0)
    );
    for amount in [json!(1e308), json!("1e400")] {
        let (status, body) = app.call("unitOfMeasure", "convert", json!([amount, "Pallet", "Each"])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{amount}: {body}");
        assert!(body["error"]["fields"]["amount"].is_array(), "{body}");
    }
}
