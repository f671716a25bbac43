//! Hardening, round two (issue 22): explicit nulls, finite numbers, `EXECUTE` as a real boundary,
//! API answer headers, password resets and change streams that end when access is withdrawn.

use crate::helpers::{authorized_client, spawn_app, TestApp};
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
    let location_property = app
        .ok("location", "saveProperty", json!({"name": "Area m2", "dataType": "FLOAT"}))
        .await;
    let location_value = app
        .ok("location", "setPropertyValue", json!([location["id"], "Area m2", 12.5]))
        .await;
    let material_property = app
        .ok(
            "material",
            "saveProperty",
            json!({"name": "Density", "dataType": "FLOAT", "materialClassId": class["id"]}),
        )
        .await;
    let material_value = app.ok("material", "setPropertyValue", json!([material, "Density", 1.1])).await;
    let reason_code = app
        .ok(
            "material",
            "saveMaterialReasonCode",
            json!({"lotRecordType": "CONSUME", "reasonCode": "SCRP001"}),
        )
        .await;
    let hook = app
        .ok(
            "integration",
            "saveWebhook",
            json!({"name": "hook", "url": "http://127.0.0.1:9/in", "secret": "sixteen-characters"}),
        )
        .await;
    let department = app.ok("personnel", "saveDepartment", json!({"name": "Assembly"})).await;
    let person = app
        .ok(
            "personnel",
            "savePerson",
            json!({"firstName": "Ada", "lastName": "Lovelace", "username": "ada", "departmentId": department["id"]}),
        )
        .await;
    let stop_reason = app.ok(PO, "saveStopReason", json!({"name": "Waiting for material"})).await;
    let all = [
        (Entity::StopReason, id(&stop_reason)),
        (Entity::Department, id(&department)),
        (Entity::Person, id(&person)),
        (Entity::LocationProperty, id(&location_property)),
        (Entity::LocationPropertyValue, id(&location_value)),
        (Entity::MaterialProperty, id(&material_property)),
        (Entity::MaterialPropertyValue, id(&material_value)),
        (Entity::MaterialReasonCode, id(&reason_code)),
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
        (Entity::Webhook, id(&hook)),
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

/// Another caller of the same server: its token and a client sending it.
struct Other {
    address: String,
    client: reqwest::Client,
    token: String,
}

impl Other {
    async fn call(&self, module: &str, function: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .send(reqwest::Method::POST, &format!("/api/v1/script/{module}/{function}"), Some(body))
            .await;
        (r.0, r.1)
    }

    async fn ok(&self, module: &str, function: &str, body: Value) -> Value {
        let (status, value) = self.call(module, function, body.clone()).await;
        assert_eq!(status, StatusCode::OK, "{module}.{function}({body}) answered {value}");
        value
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.client.request(method, format!("{}{path}", self.address));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

/// A user whose role holds `permissions`, and a client sending its token.
async fn client_with(app: &TestApp, name: &str, permissions: &[&str]) -> Other {
    app.ok(SEC, "saveRole", json!({"name": format!("role {name}"), "permissions": permissions}))
        .await;
    app.ok(SEC, "saveUser", json!({"name": name, "roles": [format!("role {name}")]}))
        .await;
    let token = app.ok(SEC, "createApiToken", json!([name, "test"])).await;
    let token = token["token"].as_str().unwrap().to_string();
    Other {
        address: app.address.clone(),
        client: authorized_client(&token),
        token,
    }
}

#[tokio::test]
async fn status_and_quantity_produced_change_through_save_or_import_only_with_execute() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let saver = client_with(&app, "saver", &["PRODUCTION_ORDER.READ", "PRODUCTION_ORDER.WRITE.SAVE"]).await;
    let order = |name: &str, extra: Value| {
        let mut data = json!({"name": name, "productId": material, "unitOfMeasureId": unit});
        data.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        data
    };
    // Each refusal names the permission of what the save would do (the verb's, or REPORT's).
    let forbidden = |(status, body): (StatusCode, Value), what: &str| {
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
        let needed = body["error"]["permission"].as_str().unwrap_or_default();
        let expected = match what {
            "create with a count" | "count" => "PRODUCTION_ORDER.EXECUTE.REPORT",
            "schedule" => "PRODUCTION_ORDER.EXECUTE.SCHEDULE",
            _ => "PRODUCTION_ORDER.EXECUTE.START",
        };
        assert_eq!(needed, expected, "{what}: {body}");
    };
    // Plain edits, and creating in the default status with nothing produced, need only WRITE.SAVE.
    let created = saver
        .ok(
            PO,
            "saveProductionOrder",
            order("S-1", json!({"status": "idle", "quantityProduced": 0})),
        )
        .await;
    saver
        .ok(
            PO,
            "saveProductionOrder",
            json!({"id": created["id"], "quantity": 50, "status": "IDLE"}),
        )
        .await;
    for (what, data) in [
        ("create RUNNING", order("S-2", json!({"status": "RUNNING"}))),
        ("create with a count", order("S-3", json!({"quantityProduced": 5}))),
        ("start", json!({"id": created["id"], "status": "RUNNING"})),
        ("schedule", json!({"id": created["id"], "status": "SCHEDULED"})),
        ("count", json!({"id": created["id"], "quantityProduced": 7})),
    ] {
        forbidden(saver.call(PO, "saveProductionOrder", data.clone()).await, what);
    }
    let rest = saver
        .send(
            reqwest::Method::PATCH,
            &format!("/api/v1/production-orders/{}", id(&created)),
            Some(json!({"status": "RUNNING"})),
        )
        .await;
    forbidden(rest, "REST PATCH");
    let stored = app.get_order("S-1").await;
    assert_eq!((&stored["status"], &stored["quantityProduced"]), (&json!("IDLE"), &json!(0.0)));
    assert!(app.call(PO, "getProductionOrder", json!(["S-2"])).await.1.is_null());

    // The import runs as the importing caller: a new or existing order's status needs EXECUTE.
    let rows = json!([
        {"name": "S-1", "status": "RUNNING"},
        {"name": "S-4", "productId": material, "unitOfMeasureId": unit, "status": "SCHEDULED"},
        {"name": "S-5", "productId": material, "unitOfMeasureId": unit, "quantityProduced": 3},
        {"name": "S-6", "productId": material, "unitOfMeasureId": unit}
    ]);
    let report = saver
        .ok(
            PO,
            "importProductionOrders",
            json!({"data": rows, "format": "json", "dryRun": true}),
        )
        .await;
    let statuses: Vec<&str> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["error", "error", "error", "created"], "{report}");
    assert!(report.to_string().contains("PRODUCTION_ORDER.EXECUTE"), "{report}");

    // With EXECUTE the same save moves the order.
    let operator = client_with(
        &app,
        "planner",
        &["PRODUCTION_ORDER.READ", "PRODUCTION_ORDER.WRITE.SAVE", "PRODUCTION_ORDER.EXECUTE"],
    )
    .await;
    let started = operator
        .ok(PO, "saveProductionOrder", json!({"id": created["id"], "status": "RUNNING"}))
        .await;
    assert_eq!(started["status"], "RUNNING");
}

#[tokio::test]
async fn json_answers_are_not_sniffed_or_stored_and_routes_keep_their_own_caching() {
    let app = spawn_app().await;
    let answers = [
        app.send(
            reqwest::Method::POST,
            "/api/v1/script/unitOfMeasure/getAllUnitsOfMeasure",
            None,
            &[],
        )
        .await,
        app.send(reqwest::Method::GET, "/api/v1/production-orders/nope", None, &[]).await,
        app.send(reqwest::Method::GET, "/api/v1/no-such-route", None, &[]).await,
    ];
    for reply in &answers {
        assert!(reply.header("content-type").starts_with("application/json"), "{}", reply.text);
        assert_eq!(reply.header("x-content-type-options"), "nosniff", "{}", reply.text);
        assert_eq!(reply.header("cache-control"), "no-store", "{}", reply.text);
    }
    let listing = app.send(reqwest::Method::GET, "/api/v1/script", None, &[]).await;
    assert_eq!(listing.header("x-content-type-options"), "nosniff");
    assert_eq!(listing.header("cache-control"), "private, no-cache");
    assert!(!listing.header("etag").is_empty());
}

/// Logs `name` in over the web login; answers the session cookie.
async fn login(app: &TestApp, name: &str, password: &str) -> String {
    let ok = reqwest::Client::new()
        .post(format!("{}/api/v1/login", app.address))
        .json(&json!({"name": name, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let cookie = ok.headers()[reqwest::header::SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

async fn me_status(app: &TestApp, cookie: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("{}/api/v1/me", app.address))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn a_password_reset_ends_the_users_sessions_and_keeps_its_api_tokens() {
    let app = spawn_app().await;
    let user = client_with(&app, "sue", &["PRODUCTION_ORDER.READ"]).await;
    app.ok(SEC, "setUserPassword", json!(["sue", "first-passw0rd"])).await;
    let (first, second) = (
        login(&app, "sue", "first-passw0rd").await,
        login(&app, "sue", "first-passw0rd").await,
    );
    assert_eq!(me_status(&app, &first).await, StatusCode::OK);

    app.ok(SEC, "setUserPassword", json!(["sue", "second-passw0rd"])).await;
    assert_eq!(me_status(&app, &first).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&app, &second).await, StatusCode::UNAUTHORIZED);
    let third = login(&app, "sue", "second-passw0rd").await;
    assert_eq!(me_status(&app, &third).await, StatusCode::OK);

    let sue = app.ok(SEC, "getUser", json!(["sue"])).await;
    app.ok(SEC, "saveUser", json!({"id": sue["id"], "password": "third-passw0rd"}))
        .await;
    assert_eq!(me_status(&app, &third).await, StatusCode::UNAUTHORIZED);
    // Saving the user without a password leaves the new session alone.
    let fourth = login(&app, "sue", "third-passw0rd").await;
    app.ok(SEC, "saveUser", json!({"id": sue["id"], "displayName": "Sue"})).await;
    assert_eq!(me_status(&app, &fourth).await, StatusCode::OK);

    let (status, body) = user.call(PO, "getAllProductionOrders", json!({})).await;
    assert_eq!(status, StatusCode::OK, "the API token stays: {body}");
    assert!(!user.token.is_empty());
}

/// Reads an open SSE answer until it ends; the `data:` lines seen, or `None` if it is still
/// open after `within`.
async fn read_until_end(answer: &mut reqwest::Response, within: std::time::Duration) -> Option<Vec<String>> {
    let mut text = String::new();
    let ended = tokio::time::timeout(within, async {
        while let Some(chunk) = answer.chunk().await.expect("stream readable") {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
    })
    .await;
    ended
        .ok()
        .map(|_| text.lines().filter(|l| l.starts_with("data:")).map(str::to_string).collect())
}

/// Reads an open SSE answer until `wanted` `data:` lines arrived (at most `within`).
async fn read_events(answer: &mut reqwest::Response, wanted: usize, within: std::time::Duration) -> Vec<String> {
    let mut text = String::new();
    let _ = tokio::time::timeout(within, async {
        while text.lines().filter(|l| l.starts_with("data:")).count() < wanted {
            match answer.chunk().await.expect("stream readable") {
                Some(chunk) => text.push_str(&String::from_utf8_lossy(&chunk)),
                None => break,
            }
        }
    })
    .await;
    text.lines().filter(|l| l.starts_with("data:")).map(str::to_string).collect()
}

#[tokio::test]
async fn an_open_change_stream_ends_when_access_is_withdrawn() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let withdrawals = [
        "revoke the token",
        "disable the user",
        "delete the user",
        "take the permission from the role",
    ];
    for (i, withdrawal) in withdrawals.into_iter().enumerate() {
        let name = format!("watcher{i}");
        let watcher = client_with(&app, &name, &["PRODUCTION_ORDER.READ.GET"]).await;
        let open = || {
            watcher
                .client
                .get(format!("{}/api/v1/events?after=0", app.address))
                .header("accept", "text/event-stream")
                .send()
        };
        let mut stream = open().await.unwrap();
        assert_eq!(stream.status(), StatusCode::OK);
        app.order(&format!("before {i}"), &unit, &material).await;
        let seen = read_events(&mut stream, 1, std::time::Duration::from_secs(10)).await;
        assert!(!seen.is_empty(), "{withdrawal}: the stream delivers while access lasts");

        let user = app.ok(SEC, "getUser", json!([name])).await;
        match i {
            0 => {
                let tokens = app
                    .ok(
                        SEC,
                        "findApiTokens",
                        json!({"filters": [{"field": "userName", "condition": "EQUALS", "stringValue": name}]}),
                    )
                    .await;
                app.ok(SEC, "revokeApiToken", json!([tokens["content"][0]["id"]])).await;
            }
            1 => {
                app.ok(SEC, "saveUser", json!({"id": user["id"], "enabled": false})).await;
            }
            2 => {
                app.ok(SEC, "deleteUser", json!([user["id"]])).await;
            }
            _ => {
                let role = app.ok(SEC, "getRole", json!([format!("role {name}")])).await;
                app.ok(SEC, "saveRole", json!({"id": role["id"], "permissions": ["MATERIAL.READ"]}))
                    .await;
            }
        }
        let secret = format!("after {i}");
        app.order(&secret, &unit, &material).await;
        let rest = read_until_end(&mut stream, std::time::Duration::from_secs(10))
            .await
            .unwrap_or_else(|| panic!("{withdrawal}: the stream is still open"));
        assert!(
            rest.iter().all(|l| !l.contains(&secret)),
            "{withdrawal}: nothing after the withdrawal is delivered: {rest:?}"
        );
        assert_ne!(
            open().await.unwrap().status(),
            StatusCode::OK,
            "{withdrawal}: a new stream is refused"
        );
    }
}

#[tokio::test]
async fn a_long_poll_waiting_when_access_is_withdrawn_is_refused() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let watcher = client_with(&app, "poller", &["PRODUCTION_ORDER.READ.GET"]).await;
    let last: i64 = {
        let r = watcher
            .client
            .get(format!("{}/api/v1/events?timeout=0", app.address))
            .send()
            .await
            .unwrap();
        r.headers()["x-last-sequence"].to_str().unwrap().parse().unwrap()
    };
    let poll = tokio::spawn({
        let (client, url) = (
            watcher.client.clone(),
            format!("{}/api/v1/events?after={last}&timeout=20", app.address),
        );
        async move { client.get(url).send().await.unwrap() }
    });
    // Let the poll start waiting, then take the role's permission away and make a change.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let role = app.ok(SEC, "getRole", json!(["role poller"])).await;
    app.ok(SEC, "saveRole", json!({"id": role["id"], "permissions": ["MATERIAL.READ"]}))
        .await;
    app.order("secret", &unit, &material).await;
    let answer = tokio::time::timeout(std::time::Duration::from_secs(10), poll)
        .await
        .expect("the poll answers at the change")
        .unwrap();
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    assert!(!answer.text().await.unwrap().contains("secret"));
}
