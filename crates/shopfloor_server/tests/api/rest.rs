//! The REST surface: production-order resources (create, get, PUT, PATCH, If-Match, delete,
//! references, history, transitions, production, list and search), one master-data resource
//! (customers), the script listing, the OpenAPI document, health and metrics, and the change feed.

use crate::helpers::{spawn_app, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const ORDERS: &str = "/api/v1/production-orders";

async fn create_order(app: &TestApp, body: Value) -> Value {
    let r = app.send(Method::POST, ORDERS, Some(body), &[]).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.json
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("a list expected: {list}"))
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn post_creates_an_order_with_201_and_an_etag_and_get_finds_it_by_id_or_name() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;

    let r = app
        .send(
            Method::POST,
            ORDERS,
            Some(json!({"name": "R1", "productId": material, "unitOfMeasureId": unit, "quantity": "12"})),
            &[],
        )
        .await;

    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.header("etag"), "\"1\"");
    assert_eq!(r.json["quantity"], json!(12.0));
    assert_eq!(r.json["productName"], "Widget");
    let id = r.json["id"].as_str().unwrap().to_string();
    for key in [id.clone(), id.replace('-', "").to_lowercase(), "R1".into(), "r1".into()] {
        let got = app.send(Method::GET, &format!("{ORDERS}/{key}"), None, &[]).await;
        assert_eq!(got.status, StatusCode::OK, "{key}");
        assert_eq!(got.json["id"], id.as_str(), "{key}");
        assert_eq!(got.header("etag"), "\"1\"");
    }
    let missing = app.send(Method::GET, &format!("{ORDERS}/nope"), None, &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json["error"]["code"], "not_found");
    app.stop().await;
}

#[tokio::test]
async fn put_replaces_the_order_resetting_absent_keys_to_their_defaults() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let o = create_order(
        &app,
        json!({"name": "R1", "productId": material, "unitOfMeasureId": unit, "quantity": 5, "notes": "n", "schedulePriority": "HIGH"}),
    )
    .await;

    let r = app
        .send(
            Method::PUT,
            &format!("{ORDERS}/R1"),
            Some(json!({"name": "R1", "productId": material, "unitOfMeasureId": unit, "spare1": "s"})),
            &[],
        )
        .await;

    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["id"], o["id"]);
    assert_eq!(r.json["quantity"], json!(0.0));
    assert!(r.json["notes"].is_null());
    assert_eq!(r.json["schedulePriority"], "NORMAL");
    assert_eq!(r.json["spare1"], "s");
    assert_eq!(r.json["version"], 2);
    assert_eq!(r.header("etag"), "\"2\"");

    // A PUT missing a required key is a validation error.
    let bad = app
        .send(Method::PUT, &format!("{ORDERS}/R1"), Some(json!({"name": "R1"})), &[])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.json["error"]["fields"]["productId"].is_array());
    app.stop().await;
}

#[tokio::test]
async fn patch_merges_and_if_match_guards_against_lost_updates() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    create_order(
        &app,
        json!({"name": "R1", "productId": material, "unitOfMeasureId": unit, "quantity": 5}),
    )
    .await;
    let path = format!("{ORDERS}/r1");

    let r = app
        .send(Method::PATCH, &path, Some(json!({"notes": "first"})), &[("if-match", "\"1\"")])
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["quantity"], json!(5.0), "PATCH keeps absent keys");
    assert_eq!(r.json["notes"], "first");
    assert_eq!(r.header("etag"), "\"2\"");

    let stale = app
        .send(Method::PATCH, &path, Some(json!({"notes": "second"})), &[("if-match", "\"1\"")])
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.text);
    assert_eq!(stale.json["error"]["code"], "conflict");
    assert_eq!(stale.json["error"]["current"]["version"], 2);
    assert_eq!(stale.json["error"]["current"]["notes"], "first");

    let stale_put = app
        .send(
            Method::PUT,
            &path,
            Some(json!({"name": "R1", "productId": material, "unitOfMeasureId": unit})),
            &[("if-match", "W/\"1\"")],
        )
        .await;
    assert_eq!(stale_put.status, StatusCode::CONFLICT);

    let fresh = app
        .send(Method::PATCH, &path, Some(json!({"notes": "second"})), &[("if-match", "2")])
        .await;
    assert_eq!(fresh.status, StatusCode::OK, "{}", fresh.text);
    assert_eq!(fresh.json["version"], 3);
    assert_eq!(app.get_order("R1").await["notes"], "second");
    app.stop().await;
}

#[tokio::test]
async fn delete_removes_the_order_and_its_references_and_history_stay_reachable() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let o = create_order(&app, json!({"name": "R1", "productId": material, "unitOfMeasureId": unit})).await;
    let id = o["id"].as_str().unwrap();

    let refs = app.send(Method::GET, &format!("{ORDERS}/R1/references"), None, &[]).await;
    assert_eq!(refs.status, StatusCode::OK);
    assert_eq!(refs.json, json!([]));

    let r = app.send(Method::DELETE, &format!("{ORDERS}/R1"), None, &[]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.json["success"], true);

    let gone = app.send(Method::GET, &format!("{ORDERS}/{id}"), None, &[]).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let again = app.send(Method::DELETE, &format!("{ORDERS}/{id}"), None, &[]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{}", again.text);
    assert_eq!(again.json["error"]["code"], "not_found");
    let refs = app.send(Method::GET, &format!("{ORDERS}/{id}/references"), None, &[]).await;
    assert_eq!(refs.status, StatusCode::NOT_FOUND);

    let history = app.send(Method::GET, &format!("{ORDERS}/{id}/history"), None, &[]).await;
    assert_eq!(history.status, StatusCode::OK);
    let actions: Vec<&str> = history
        .json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["CREATE", "DELETE"]);
    let unknown = app.send(Method::GET, &format!("{ORDERS}/never/history"), None, &[]).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn transitions_are_listed_and_taken_and_production_is_reported() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    create_order(&app, json!({"name": "R1", "productId": material, "unitOfMeasureId": unit})).await;
    let base = format!("{ORDERS}/R1");

    let t = app.send(Method::GET, &format!("{base}/transitions"), None, &[]).await;
    assert_eq!(t.json, json!(["SCHEDULED", "RUNNING", "CANCELLED"]));

    let s = app
        .send(
            Method::POST,
            &format!("{base}/transitions"),
            Some(json!({"status": "scheduled"})),
            &[],
        )
        .await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text);
    assert_eq!(s.json["status"], "SCHEDULED");
    assert_eq!(s.header("etag"), "\"2\"");
    let back = app
        .send(Method::POST, &format!("{base}/transitions"), Some(json!({"status": "IDLE"})), &[])
        .await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.text);
    assert_eq!(back.json["status"], "IDLE");
    let run = app
        .send(
            Method::POST,
            &format!("{base}/transitions"),
            Some(json!({"to": "RUNNING", "reason": "go"})),
            &[],
        )
        .await;
    assert_eq!(run.json["status"], "RUNNING");
    assert!(run.json["startDate"].is_string());

    let p = app
        .send(
            Method::POST,
            &format!("{base}/production"),
            Some(json!({"quantity": 7, "reason": "shift end"})),
            &[],
        )
        .await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert_eq!(p.json["quantityProduced"], json!(7.0));

    let h = app.send(Method::GET, &format!("{base}/history"), None, &[]).await;
    let events = h.json.as_array().unwrap();
    let last = events.last().unwrap();
    assert_eq!(last["action"], "REPORT");
    assert_eq!(last["reason"], "shift end");
    assert_eq!(events[3]["reason"], "go");
    let t = app.send(Method::GET, &format!("{base}/transitions"), None, &[]).await;
    assert_eq!(t.json, json!(["PAUSED", "STOPPED"]));
    app.stop().await;
}

#[tokio::test]
async fn the_list_endpoint_takes_query_parameters_and_search_takes_a_query_request_body() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    for (name, q) in [("A", 5), ("B", 1), ("C", 4), ("D", 2), ("E", 3)] {
        create_order(
            &app,
            json!({"name": name, "productId": material, "unitOfMeasureId": unit, "quantity": q}),
        )
        .await;
    }

    let all = app.send(Method::GET, ORDERS, None, &[]).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(all.json["totalElements"], 5);

    let page = app
        .send(
            Method::GET,
            &format!("{ORDERS}?pageSize=2&pageIndex=1&sortFields=quantity&sortDirections=desc"),
            None,
            &[],
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(names(&page.json["content"]), ["E", "D"]);
    assert_eq!(page.json["totalElements"], 5);
    assert_eq!(page.json["totalPages"], 3);
    assert_eq!(page.json["pageIndex"], 1);
    assert_eq!(page.json["hasNext"], true);
    assert_eq!(page.json["hasPrevious"], true);

    let filters = json!([{"field": "quantity", "condition": "GREATER_THAN_OR_EQUAL_TO", "numberValue": 3}]).to_string();
    let encoded: String = filters
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let filtered = app
        .send(
            Method::GET,
            &format!("{ORDERS}?filters={encoded}&sortFields=name,quantity&sortDirections=Descending,asc"),
            None,
            &[],
        )
        .await;
    assert_eq!(filtered.status, StatusCode::OK, "{}", filtered.text);
    assert_eq!(names(&filtered.json["content"]), ["E", "C", "A"]);

    let searched = app
        .send(
            Method::POST,
            &format!("{ORDERS}/search"),
            Some(
                json!({"filters": [{"field": "name", "condition": "IN", "stringListValue": ["a", "b", "z"]}], "sortFields": ["quantity"]}),
            ),
            &[],
        )
        .await;
    assert_eq!(searched.status, StatusCode::OK, "{}", searched.text);
    assert_eq!(names(&searched.json["content"]), ["B", "A"]);
    assert_eq!(searched.json["totalElements"], 2);
    app.stop().await;
}

#[tokio::test]
async fn the_customer_resource_supports_create_get_put_patch_delete_and_refuses_deleting_while_in_use() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let base = "/api/v1/customers";

    let c = app
        .send(Method::POST, base, Some(json!({"name": "ACME", "city": "Springfield"})), &[])
        .await;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    assert_eq!(c.header("etag"), "\"1\"");
    let got = app.send(Method::GET, &format!("{base}/acme"), None, &[]).await;
    assert_eq!(got.json["city"], "Springfield");

    let patched = app
        .send(Method::PATCH, &format!("{base}/ACME"), Some(json!({"zip": "12345"})), &[])
        .await;
    assert_eq!(patched.json["city"], "Springfield");
    assert_eq!(patched.json["zip"], "12345");
    let put = app
        .send(Method::PUT, &format!("{base}/ACME"), Some(json!({"name": "ACME Corp"})), &[])
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    assert!(put.json["city"].is_null() && put.json["zip"].is_null());
    assert_eq!(put.json["version"], 3);

    let listed = app.send(Method::GET, &format!("{base}?sortFields=name"), None, &[]).await;
    assert_eq!(names(&listed.json["content"]), ["ACME Corp"]);

    app.ok(
        "productionOrder",
        "saveProductionOrder",
        json!({"name": "O1", "productId": material, "unitOfMeasureId": unit, "customerId": c.json["id"]}),
    )
    .await;
    let refused = app.send(Method::DELETE, &format!("{base}/acme corp"), None, &[]).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.text);
    assert_eq!(refused.json["error"]["code"], "in_use");
    assert_eq!(refused.json["error"]["references"][0]["tableName"], "production_orders");
    let refs = app.send(Method::GET, &format!("{base}/ACME Corp/references"), None, &[]).await;
    assert_eq!(refs.json[0]["references"][0]["fkColName"], "customer_id");

    app.ok("productionOrder", "deleteProductionOrder", json!(["O1"])).await;
    let deleted = app
        .send(Method::DELETE, &format!("{base}/{}", c.json["id"].as_str().unwrap()), None, &[])
        .await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.text);
    assert_eq!(
        app.send(Method::GET, &format!("{base}/ACME Corp"), None, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    app.stop().await;
}

#[tokio::test]
async fn the_script_listing_names_every_module_function_parameter_and_permission() {
    let app = spawn_app().await;

    let r = app.send(Method::GET, "/api/v1/script", None, &[]).await;

    assert_eq!(r.status, StatusCode::OK);
    let modules = r.json["modules"].as_array().unwrap();
    let module_names: Vec<&str> = modules.iter().map(|m| m["name"].as_str().unwrap()).collect();
    for m in [
        "productionOrder",
        "unitOfMeasure",
        "material",
        "location",
        "customer",
        "shift",
        "query",
    ] {
        assert!(module_names.contains(&m), "{m} missing in {module_names:?}");
    }
    let find = |module: &str, name: &str| -> Value {
        modules
            .iter()
            .find(|m| m["name"] == module)
            .and_then(|m| m["functions"].as_array().unwrap().iter().find(|f| f["name"] == name).cloned())
            .unwrap_or_else(|| panic!("{module}.{name} missing"))
    };
    let save = find("productionOrder", "saveProductionOrder");
    assert_eq!(save["permission"], "PRODUCTION_ORDER.WRITE.SAVE");
    assert_eq!(
        save["params"],
        json!([{"name": "productionOrderData", "required": false, "kwargs": true, "also": []}])
    );
    assert!(find("productionOrder", "newProductionOrder")["permission"].is_null());
    let report = find("productionOrder", "reportProduction");
    assert_eq!(report["permission"], "PRODUCTION_ORDER.EXECUTE.REPORT");
    let params: Vec<(&str, bool)> = report["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["required"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        params,
        [
            ("productionOrderIdOrName", true),
            ("quantity", true),
            ("reason", false),
            ("person", false)
        ]
    );
    assert_eq!(find("unitOfMeasure", "convert")["permission"], "UNIT_OF_MEASURE.READ.GET");
    assert_eq!(find("query", "validateQueryRequest")["permission"], "QUERY.READ.VALIDATE");
    assert_eq!(find("material", "deleteMaterial")["permission"], "MATERIAL.WRITE.DELETE");
    assert_eq!(find("shift", "startShift")["permission"], "SHIFT.EXECUTE");
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_is_version_3_1_with_a_path_for_every_catalogue_function() {
    let app = spawn_app().await;
    let listing = app.send(Method::GET, "/api/v1/script", None, &[]).await.json;

    let r = app.send(Method::GET, "/api/v1/openapi.json", None, &[]).await;

    assert_eq!(r.status, StatusCode::OK);
    let doc = r.json;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().unwrap();
    let mut count = 0;
    for m in listing["modules"].as_array().unwrap() {
        for f in m["functions"].as_array().unwrap() {
            let path = format!("/api/v1/script/{}/{}", m["name"].as_str().unwrap(), f["name"].as_str().unwrap());
            let op = &paths.get(&path).unwrap_or_else(|| panic!("{path} missing"))["post"];
            assert_eq!(op["x-permission"], f["permission"], "{path}");
            count += 1;
        }
    }
    assert!(count > 60, "only {count} functions");
    for p in [
        ORDERS,
        "/api/v1/production-orders/{key}",
        "/api/v1/customers",
        "/api/v1/events",
        "/healthz",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    for route in shopfloor_server::routes::rest::table() {
        let (method, path) = (route.method.as_str(), &route.path);
        let op = &paths.get(path).unwrap_or_else(|| panic!("{path} missing"))[method.to_ascii_lowercase()];
        assert!(op.is_object(), "{method} {path} ({}) missing", route.function);
    }
    let import = &paths["/api/v1/production-orders/imports"]["post"];
    assert!(import["requestBody"]["content"]["text/csv"].is_object(), "{import}");
    assert_eq!(import["x-permission"], "PRODUCTION_ORDER.WRITE.SAVE");
    let job = &paths["/api/v1/production-orders/imports/{key}"]["get"];
    let names: Vec<&str> = job["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["key", "status", "pageIndex", "pageSize"]);
    assert!(doc["components"]["schemas"]["ProductionOrder"]["properties"]["productName"].is_object());
    assert_eq!(
        doc["components"]["schemas"]["ProductionOrderInput"]["additionalProperties"], false,
        "unknown keys are refused"
    );
    app.stop().await;
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let app = spawn_app().await;

    let h = app.send(Method::GET, "/healthz", None, &[]).await;
    assert_eq!(h.status, StatusCode::OK);
    assert_eq!(h.json["status"], "ok");
    let r = app.send(Method::GET, "/readyz", None, &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json["database"], "ok");

    app.send(Method::GET, "/nope", None, &[]).await;
    let (unit, material) = app.master_data().await;
    app.order("O1", &unit, &material).await;
    let m = app.send(Method::GET, "/metrics", None, &[]).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.header("content-type").starts_with("text/plain"));
    let metric = |name: &str| -> f64 {
        m.text
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} missing in\n{}", m.text))
    };
    assert!(metric("shopfloor_http_requests_total{class=\"2xx\"}") >= 6.0);
    assert!(metric("shopfloor_http_requests_total{class=\"4xx\"}") >= 1.0);
    assert!(metric("shopfloor_store_commits_total") >= 1.0);
    assert!(metric("shopfloor_history_last_sequence") >= 1.0, "the order's CREATE event");
    app.stop().await;
}

fn lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect()
}

#[tokio::test]
async fn the_change_feed_returns_history_events_as_json_lines_after_a_sequence() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let before = app.send(Method::GET, "/api/v1/events?after=0&timeout=0", None, &[]).await;
    let start: i64 = before.header("x-last-sequence").parse().unwrap();
    let o = app.order("O1", &unit, &material).await;
    app.ok("productionOrder", "startProductionOrder", json!(["O1"])).await;
    app.ok("productionOrder", "reportProduction", json!(["O1", 3])).await;

    let r = app
        .send(Method::GET, &format!("/api/v1/events?after={start}&timeout=0"), None, &[])
        .await;

    assert_eq!(r.status, StatusCode::OK);
    assert!(r.header("content-type").contains("ndjson"), "{}", r.header("content-type"));
    let events = lines(&r.text);
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["CREATE", "TRANSITION", "REPORT"]);
    assert!(events.iter().all(|e| e["orderId"] == o["id"]));
    let last = events[2]["sequence"].as_i64().unwrap();
    assert_eq!(r.header("x-last-sequence"), last.to_string());

    let after_first = app
        .send(
            Method::GET,
            &format!("/api/v1/events?after={}&timeout=0", events[0]["sequence"]),
            None,
            &[],
        )
        .await;
    assert_eq!(lines(&after_first.text).len(), 2);
    let limited = app
        .send(Method::GET, &format!("/api/v1/events?after={start}&limit=1&timeout=0"), None, &[])
        .await;
    assert_eq!(lines(&limited.text).len(), 1);
    // A timeout too large for any clock is the server's longest wait, not a dropped connection.
    let huge = app
        .send(
            Method::GET,
            &format!("/api/v1/events?after={start}&timeout=1.8446744073709552e%2B19"),
            None,
            &[],
        )
        .await;
    assert_eq!(huge.status, StatusCode::OK, "{}", huge.text);
    assert_eq!(lines(&huge.text).len(), 3);

    let started = Instant::now();
    let empty = app
        .send(Method::GET, &format!("/api/v1/events?after={last}&timeout=0"), None, &[])
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    assert!(empty.text.trim().is_empty(), "{}", empty.text);
    assert_eq!(empty.header("x-last-sequence"), last.to_string());
    assert!(started.elapsed() < Duration::from_secs(2), "timeout=0 answers at once");

    let started = Instant::now();
    let waited = app
        .send(Method::GET, &format!("/api/v1/events?after={last}&timeout=0.3"), None, &[])
        .await;
    assert!(waited.text.trim().is_empty());
    assert!(started.elapsed() >= Duration::from_millis(300), "a long poll waits for its timeout");
    app.stop().await;
}

#[tokio::test]
async fn a_waiting_change_feed_request_is_woken_by_a_save() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let first = app.send(Method::GET, "/api/v1/events?after=0&timeout=0", None, &[]).await;
    let after: i64 = first.header("x-last-sequence").parse().unwrap();

    let started = Instant::now();
    let url = format!("{}/api/v1/events?after={after}&timeout=20", app.address);
    let client = app.client.clone();
    let poll = tokio::spawn(async move { client.get(url).send().await.unwrap().text().await.unwrap() });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!poll.is_finished(), "the request waits while there is nothing new");
    app.order("Wake", &unit, &material).await;
    let text = tokio::time::timeout(Duration::from_secs(10), poll).await.expect("woken").unwrap();

    assert!(started.elapsed() < Duration::from_secs(10));
    let events = lines(&text);
    assert_eq!(events.len(), 1, "{text}");
    assert_eq!(events[0]["action"], "CREATE");
    assert_eq!(events[0]["changes"]["name"], json!([null, "Wake"]));
    app.stop().await;
}

#[tokio::test]
async fn the_master_data_helper_routes_answer_paths_children_tree_shifts_and_conversions() {
    let app = spawn_app().await;
    let plant = app.location("Plant", None).await;
    app.location("Line1", Some(&plant)).await;
    app.location("Line2", Some(&plant)).await;
    let shift = app
        .ok("shift", "saveShift", json!({"name": "Day", "locationId": plant["id"]}))
        .await;

    let by_path = app.send(Method::GET, "/api/v1/locations/Plant%2FLine2", None, &[]).await;
    assert_eq!(by_path.status, StatusCode::OK, "{}", by_path.text);
    assert_eq!(by_path.json["path"], "Plant/Line2");
    let children = app.send(Method::GET, "/api/v1/locations/Plant/children", None, &[]).await;
    assert_eq!(names(&children.json), ["Line1", "Line2"]);
    let tree = app.send(Method::GET, "/api/v1/location-tree?filter=line1", None, &[]).await;
    assert_eq!(names(&tree.json), ["Plant"]);
    assert_eq!(names(&tree.json[0]["children"]), ["Line1"]);

    let started = app
        .send(
            Method::POST,
            &format!("/api/v1/shifts/{}/start", shift["id"].as_str().unwrap()),
            Some(json!({})),
            &[],
        )
        .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    assert_eq!(started.json["status"], "ACTIVE");
    let stopped = app
        .send(
            Method::POST,
            &format!("/api/v1/shifts/{}/stop", shift["id"].as_str().unwrap()),
            Some(json!({"locationIdOrPath": "Plant"})),
            &[],
        )
        .await;
    assert_eq!(stopped.status, StatusCode::OK, "{}", stopped.text);
    assert_eq!(stopped.json["status"], "CLOSED");
    assert_eq!(stopped.json["id"], started.json["id"]);

    let kg = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Kilogram", "symbol": "kg"}))
        .await;
    let g = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Gram", "symbol": "g"}))
        .await;
    app.ok(
        "unitOfMeasure",
        "saveUnitOfMeasureConversion",
        json!({"fromId": kg["id"], "toId": g["id"], "conversionFactor": 1000}),
    )
    .await;
    let c = app
        .send(
            Method::GET,
            "/api/v1/units-of-measure/convert?amount=2.5&from=Kilogram&to=Gram",
            None,
            &[],
        )
        .await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text);
    assert_eq!(c.json, json!(2500.0));
    let none = app
        .send(
            Method::GET,
            "/api/v1/units-of-measure/convert?amount=1&from=Gram&to=Plant",
            None,
            &[],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", none.text);
    app.stop().await;
}
