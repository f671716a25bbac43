//! Users, roles, permissions, tokens and sessions (security.md): every function and REST route
//! refuses callers without its permission, secrets are stored only as hashes, disabled users
//! and revoked tokens stop at once, and the last administrator stays.

use crate::helpers::{authorized_client, spawn_app, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const SEC: &str = "security";

/// Creates a role holding `permissions`, a user with it, and returns a token of that user.
pub(crate) async fn token_with(app: &TestApp, name: &str, permissions: &[&str]) -> String {
    app.ok(SEC, "saveRole", json!({"name": format!("role {name}"), "permissions": permissions}))
        .await;
    let roles: Vec<String> = if permissions.is_empty() {
        vec![]
    } else {
        vec![format!("role {name}")]
    };
    app.ok(SEC, "saveUser", json!({"name": format!("user {name}"), "roles": roles}))
        .await;
    let token = app.ok(SEC, "createApiToken", json!([format!("user {name}"), "test"])).await;
    token["token"].as_str().unwrap().to_string()
}

async fn send(client: &reqwest::Client, method: Method, url: String, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = client.request(method, url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request sent");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_script_function_and_rest_route_demands_its_permission() {
    let app = spawn_app().await;
    let (_, listing) = app.get("/api/v1/script").await;
    let mut functions = Vec::new();
    for module in listing["modules"].as_array().unwrap() {
        for f in module["functions"].as_array().unwrap() {
            functions.push((
                f["module"].as_str().unwrap().to_string(),
                f["name"].as_str().unwrap().to_string(),
                f["permission"].as_str().map(str::to_string),
            ));
        }
    }
    let permission_of = |module: &str, name: &str| {
        functions
            .iter()
            .find(|f| f.0 == module && f.1 == name)
            .map(|f| f.2.clone())
            .expect("route calls a registered function")
    };
    let mut needed: BTreeSet<String> = functions.iter().filter_map(|f| f.2.clone()).collect();
    needed.insert("PRODUCTION_ORDER.READ.GET".into());

    let nobody = authorized_client(&token_with(&app, "none", &[]).await);
    let anonymous = reqwest::Client::new();
    let mut exact = std::collections::HashMap::new();
    let mut prefix = std::collections::HashMap::new();
    for (i, p) in needed.iter().enumerate() {
        exact.insert(p.clone(), authorized_client(&token_with(&app, &format!("exact {i}"), &[p]).await));
        // The module prefix (`PRODUCTION_ORDER`) grants everything below it.
        let module = p.split('.').next().unwrap().to_string();
        if let std::collections::hash_map::Entry::Vacant(slot) = prefix.entry(module) {
            let token = token_with(&app, &format!("prefix {}", slot.key()), &[slot.key()]).await;
            slot.insert(authorized_client(&token));
        }
    }

    let mut checked = 0;
    for (module, name, permission) in &functions {
        let url = format!("{}/api/v1/script/{module}/{name}", app.address);
        let (status, body) = send(&anonymous, Method::POST, url.clone(), Some(json!({}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{module}.{name} without credentials: {body}");
        assert_eq!(body["error"]["code"], "unauthenticated");
        let (status, body) = send(&nobody, Method::POST, url.clone(), Some(json!({}))).await;
        match permission {
            Some(p) => {
                assert_eq!(status, StatusCode::FORBIDDEN, "{module}.{name} without {p}: {body}");
                assert_eq!(body["error"]["permission"], json!(p), "{module}.{name}");
                for client in [&exact[p], &prefix[p.split('.').next().unwrap()]] {
                    let (status, body) = send(client, Method::POST, url.clone(), Some(json!({}))).await;
                    assert_ne!(status, StatusCode::UNAUTHORIZED, "{module}.{name} with {p}: {body}");
                    // Get-or-create calls need the module's WRITE.SAVE as well when they create
                    // (api.md); the registered permission itself must never be the one refused.
                    if status == StatusCode::FORBIDDEN {
                        assert!(
                            name.ends_with("OrCreateNew") && body["error"]["permission"] != json!(p),
                            "{module}.{name} with {p}: {body}"
                        );
                    }
                }
            }
            None => assert!(
                status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                "{module}.{name} needs only a login: {status} {body}"
            ),
        }
        checked += 1;
    }

    // IDLE: creating an order in another status needs EXECUTE besides the route's WRITE.SAVE
    // (checked in `hardening.rs`).
    let body = json!({"status": "IDLE", "quantity": 1, "value": 1});
    for route in shopfloor_server::routes::rest::table() {
        let (method, path) = (route.method, route.path);
        let url = format!("{}{}", app.address, path.replace("{key}", "nope").replace("{property}", "nope"));
        let payload = (method != Method::GET && method != Method::DELETE).then(|| body.clone());
        let (status, _) = send(&anonymous, method.clone(), url.clone(), payload.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path} without credentials");
        let p = permission_of(route.module, &route.function).expect("REST routes need the permission of a function");
        let (status, answer) = send(&nobody, method.clone(), url.clone(), payload.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} without {p}: {answer}");
        assert_eq!(answer["error"]["permission"], json!(p), "{method} {path}");
        let (status, answer) = send(&exact[&p], method.clone(), url.clone(), payload.clone()).await;
        assert!(
            status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
            "{method} {path} with {p}: {status} {answer}"
        );
        checked += 1;
    }
    // The change feed needs PRODUCTION_ORDER.READ.GET.
    let feed = format!("{}/api/v1/events?after=0&timeout=0", app.address);
    assert_eq!(send(&anonymous, Method::GET, feed.clone(), None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&nobody, Method::GET, feed.clone(), None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        send(&exact["PRODUCTION_ORDER.READ.GET"], Method::GET, feed, None).await.0,
        StatusCode::OK
    );
    assert!(checked > 250, "only {checked} checks ran");
}

#[tokio::test]
async fn moving_an_order_back_to_idle_over_rest_is_the_unschedule_verb_needing_its_permission() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    app.order("O1", &unit, &material).await;
    app.ok("productionOrder", "scheduleProductionOrder", json!(["O1"])).await;
    let url = format!("{}/api/v1/production-orders/O1/transitions", app.address);
    // The route is open to readers of the order; the service demands the verb's own permission.
    let saver = authorized_client(&token_with(&app, "saver", &["PRODUCTION_ORDER.READ.GET", "PRODUCTION_ORDER.WRITE.SAVE"]).await);
    let operator = authorized_client(
        &token_with(
            &app,
            "operator",
            &["PRODUCTION_ORDER.READ.GET", "PRODUCTION_ORDER.EXECUTE.UNSCHEDULE"],
        )
        .await,
    );

    let (refused, answer) = send(&saver, Method::POST, url.clone(), Some(json!({"status": "IDLE"}))).await;
    let (status, order) = send(&operator, Method::POST, url, Some(json!({"status": "idle", "reason": "not yet"}))).await;

    assert_eq!(refused, StatusCode::FORBIDDEN, "{answer}");
    assert_eq!(answer["error"]["permission"], "PRODUCTION_ORDER.EXECUTE.UNSCHEDULE");
    assert_eq!(status, StatusCode::OK, "{order}");
    assert_eq!(order["status"], "IDLE");
    let history = app.history("O1").await;
    let last = history.last().unwrap();
    assert_eq!((&last["action"], &last["reason"]), (&json!("TRANSITION"), &json!("not yet")));
    app.stop().await;
}

#[tokio::test]
async fn users_and_tokens_created_over_rest_get_a_hashed_password_and_a_working_secret() {
    let app = spawn_app().await;
    let user = app
        .send(
            Method::POST,
            "/api/v1/users",
            Some(json!({"name": "ann", "roles": ["Viewer"], "password": "s3cret pass"})),
            &[],
        )
        .await;
    // Setting the password is a second write (version 2), so the answer is 200, not 201.
    assert!(user.status.is_success(), "{}", user.text);
    assert!(
        user.json.get("password").is_none() && user.json.get("passwordHash").is_none(),
        "{}",
        user.text
    );

    let token = app
        .send(
            Method::POST,
            "/api/v1/api-tokens",
            Some(json!({"userId": user.json["id"], "label": "rest"})),
            &[],
        )
        .await;
    assert_eq!(token.status, StatusCode::CREATED, "{}", token.text);
    let ann = authorized_client(token.json["token"].as_str().expect("the secret, shown once"));
    let (status, me) = send(&ann, Method::GET, format!("{}/api/v1/me", app.address), None).await;
    assert_eq!((status, &me["user"]), (StatusCode::OK, &json!("ann")), "{me}");
    let relabelled = app
        .send(
            Method::PATCH,
            &format!("/api/v1/api-tokens/{}", token.json["id"].as_str().unwrap()),
            Some(json!({"label": "renamed"})),
            &[],
        )
        .await;
    assert_eq!(relabelled.status, StatusCode::OK, "{}", relabelled.text);
    assert!(
        relabelled.json.get("token").is_none(),
        "a change shows no secret: {}",
        relabelled.text
    );
    let login = reqwest::Client::new()
        .post(format!("{}/api/v1/login", app.address))
        .json(&json!({"name": "ann", "password": "s3cret pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let bad = app
        .send(Method::PATCH, "/api/v1/users/ann", Some(json!({"password": 5})), &[])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.text);
    app.stop().await;
}

#[tokio::test]
async fn only_health_readiness_and_login_are_open() {
    let app = spawn_app().await;
    let anonymous = reqwest::Client::new();
    for open in ["/healthz", "/readyz"] {
        assert_eq!(
            anonymous.get(format!("{}{open}", app.address)).send().await.unwrap().status(),
            StatusCode::OK,
            "{open}"
        );
    }
    for closed in [
        "/metrics",
        "/api/v1/script",
        "/api/v1/openapi.json",
        "/api/v1/me",
        "/api/v1/production-orders",
        "/nowhere",
    ] {
        let resp = anonymous.get(format!("{}{closed}", app.address)).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{closed}");
    }
    let resp = anonymous
        .post(format!("{}/api/v1/script/productionOrder/getAllProductionOrders", app.address))
        .header("authorization", "Bearer sft_not_a_real_token")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_database_holds_no_token_or_password_in_clear_text() {
    let app = spawn_app().await;
    let password = "correct horse battery staple";
    app.ok(
        SEC,
        "saveUser",
        json!({"name": "alice", "roles": ["Operator"], "password": password}),
    )
    .await;
    let token = app.ok(SEC, "createApiToken", json!(["alice", "line 1"])).await;
    let secret = token["token"].as_str().unwrap().to_string();
    assert!(secret.len() >= 32);
    let login = app
        .client
        .post(format!("{}/api/v1/login", app.address))
        .json(&json!({"name": "alice", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let cookie = login.headers()[reqwest::header::SET_COOKIE].to_str().unwrap().to_string();
    let session = cookie.split(';').next().unwrap().split_once('=').unwrap().1.to_string();
    let user = app.ok(SEC, "getUser", json!(["alice"])).await;
    assert!(user.get("passwordHash").is_none() && user.get("password").is_none(), "{user}");
    // Hidden fields cannot be filtered or sorted by either: a comparison would leak them.
    for (function, field) in [("findUsers", "passwordHash"), ("findApiTokens", "tokenHash")] {
        let filter = json!({"filters": [{"field": field, "condition": "STARTS_WITH", "stringValue": "$"}]});
        let (status, body) = app.call(SEC, function, filter).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{function} by {field}: {body}");
        assert!(body["error"]["fields"]["filters[0].field"].is_array(), "{body}");
        let (status, body) = app.call(SEC, function, json!({"sortFields": [field]})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{function} sorted by {field}: {body}");
    }
    let listed = app.ok(SEC, "getAllApiTokens", json!([])).await;
    assert!(!listed.to_string().contains(&secret));
    // The database file and its write-ahead log as they are on disk (SQLite), or every stored
    // value of the account tables (PostgreSQL).
    let haystack = app.database.stored_text(&app.dir, &["users", "api_tokens"]);
    for (what, needle) in [("password", password), ("token", secret.as_str()), ("session", session.as_str())] {
        assert!(!haystack.contains(needle), "the {what} is stored in clear text");
    }
    assert!(haystack.contains("$argon2id$"), "passwords are stored as argon2id hashes");
}

#[tokio::test]
async fn a_disabled_users_token_and_a_revoked_token_stop_at_once() {
    let app = spawn_app().await;
    let token = token_with(&app, "ops", &["PRODUCTION_ORDER.READ"]).await;
    let client = authorized_client(&token);
    let url = format!("{}/api/v1/script/productionOrder/getAllProductionOrders", app.address);
    assert_eq!(client.post(&url).send().await.unwrap().status(), StatusCode::OK);
    app.ok(
        SEC,
        "saveUser",
        json!({"id": app.ok(SEC, "getUser", json!(["user ops"])).await["id"], "enabled": false}),
    )
    .await;
    assert_eq!(client.post(&url).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    app.ok(
        SEC,
        "saveUser",
        json!({"id": app.ok(SEC, "getUser", json!(["user ops"])).await["id"], "enabled": true}),
    )
    .await;
    assert_eq!(client.post(&url).send().await.unwrap().status(), StatusCode::OK);
    let tokens = app
        .ok(
            SEC,
            "findApiTokens",
            json!({"filters": [{"field": "userName", "condition": "EQUALS", "stringValue": "user ops"}]}),
        )
        .await;
    let id = tokens["content"][0]["id"].clone();
    let revoked = app.ok(SEC, "revokeApiToken", json!([id])).await;
    assert!(revoked["revokedDate"].is_string());
    assert_eq!(client.post(&url).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_last_administrator_cannot_be_removed() {
    let app = spawn_app().await;
    let admin = app.ok(SEC, "getUser", json!(["admin"])).await;
    let refused = app.ok(SEC, "deleteUser", json!(["admin"])).await;
    assert_eq!(refused["success"], false, "{refused}");
    for change in [
        json!({"id": admin["id"], "enabled": false}),
        json!({"id": admin["id"], "roles": ["Viewer"]}),
    ] {
        let (status, body) = app.call(SEC, "saveUser", change.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{change}: {body}");
    }
    let (status, _) = app
        .call(
            SEC,
            "saveRole",
            json!({"id": app.ok(SEC, "getRole", json!(["Administrator"])).await["id"], "permissions": ["PRODUCTION_ORDER"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused = app.ok(SEC, "deleteRole", json!(["Administrator"])).await;
    assert_eq!(refused["success"], false);
    // With a second administrator, the first may go.
    app.ok(SEC, "saveUser", json!({"name": "root2", "roles": ["administrator"]})).await;
    app.ok(SEC, "saveUser", json!({"id": admin["id"], "enabled": false})).await;
    assert_eq!(
        app.client
            .post(format!("{}/api/v1/script/security/getAllUsers", app.address))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn roles_and_users_are_validated() {
    let app = spawn_app().await;
    let (status, body) = app
        .call(SEC, "saveRole", json!({"name": "odd", "permissions": ["NOT_A_THING.READ"]}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app.call(SEC, "saveUser", json!({"name": "bob", "roles": ["Nope"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = app.call(SEC, "saveUser", json!({"name": "bob", "password": "short"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let roles = app.ok(SEC, "getAllRoles", json!([])).await;
    let names: Vec<&str> = roles.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Administrator", "Operator", "Supervisor", "Viewer"]);
    let user = app
        .ok(SEC, "saveUser", json!({"name": "bob", "roles": ["operator", "VIEWER"]}))
        .await;
    assert_eq!(user["roles"], json!(["Operator", "Viewer"]));
    let refused = app.ok(SEC, "deleteRole", json!(["Operator"])).await;
    assert_eq!(refused["success"], false);
    let perms = app.ok(SEC, "getAllPermissions", json!([])).await;
    assert!(perms.as_array().unwrap().contains(&json!("PRODUCTION_ORDER.WRITE.SAVE")));
}

#[tokio::test]
async fn users_can_ask_about_their_own_permissions() {
    let app = spawn_app().await;
    let client = authorized_client(&token_with(&app, "op", &["PRODUCTION_ORDER.READ", "PRODUCTION_ORDER.EXECUTE"]).await);
    let ask = |f: &'static str, perms: Value| {
        let client = client.clone();
        let url = format!("{}/api/v1/script/security/{f}", app.address);
        async move {
            client
                .post(url)
                .json(&json!([perms]))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    assert_eq!(
        ask(
            "userHasAllPermissions",
            json!(["PRODUCTION_ORDER.READ.GET", "PRODUCTION_ORDER.EXECUTE"])
        )
        .await,
        true
    );
    assert_eq!(
        ask(
            "userHasAllPermissions",
            json!(["PRODUCTION_ORDER.READ.GET", "PRODUCTION_ORDER.WRITE.SAVE"])
        )
        .await,
        false
    );
    assert_eq!(
        ask(
            "userHasAtLeastOnePermission",
            json!(["MATERIAL.READ.GET", "PRODUCTION_ORDER.EXECUTE"])
        )
        .await,
        true
    );
    assert_eq!(ask("userHasAtLeastOnePermission", json!(["MATERIAL.READ.GET"])).await, false);
    // createdBy records the authenticated user.
    let (unit, material) = app.master_data().await;
    let order = app.order("O1", &unit, &material).await;
    assert_eq!(order["createdBy"], "admin");
    let started = client
        .post(format!("{}/api/v1/script/productionOrder/startProductionOrder", app.address))
        .json(&json!(["O1"]))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(started["modifiedBy"], "user op");
    let history = app.ok("productionOrder", "getProductionOrderHistory", json!(["O1"])).await;
    assert_eq!(history[1]["user"], "user op");
}

#[tokio::test]
async fn web_login_sets_a_strict_cookie_and_writes_need_the_csrf_token() {
    let app = spawn_app().await;
    app.ok(
        SEC,
        "saveUser",
        json!({"name": "sue", "roles": ["Supervisor"], "password": "s3cret-passw0rd"}),
    )
    .await;
    let jar = reqwest::Client::new();
    let bad = jar
        .post(format!("{}/api/v1/login", app.address))
        .json(&json!({"name": "sue", "password": "wrong-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
    let bad_body: Value = bad.json().await.unwrap();
    let unknown: Value = jar
        .post(format!("{}/api/v1/login", app.address))
        .json(&json!({"name": "nobody", "password": "wrong-password"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        bad_body["error"]["message"], unknown["error"]["message"],
        "failures must not reveal whether the user exists"
    );

    let ok = jar
        .post(format!("{}/api/v1/login", app.address))
        .json(&json!({"name": "SUE", "password": "s3cret-passw0rd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let set_cookie = ok.headers()[reqwest::header::SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let body: Value = ok.json().await.unwrap();
    let csrf = body["csrfToken"].as_str().unwrap().to_string();
    let me: Value = jar
        .get(format!("{}/api/v1/me", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["user"], "sue");

    let url = format!("{}/api/v1/script/unitOfMeasure/getAllUnitsOfMeasure", app.address);
    let no_csrf = jar.post(&url).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);
    let with_csrf = jar
        .post(&url)
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(with_csrf.status(), StatusCode::OK);
    let (status, _) = {
        let r = jar
            .get(format!("{}/api/v1/production-orders", app.address))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        (r.status(), ())
    };
    assert_eq!(status, StatusCode::OK, "reads by cookie need no CSRF token");

    let out = jar
        .post(format!("{}/api/v1/logout", app.address))
        .header("cookie", &cookie)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::OK);
    let after = jar
        .get(format!("{}/api/v1/me", app.address))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_built_in_operator_runs_orders_at_the_line_but_cannot_schedule_close_or_cancel() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    let line = app.location("Line 7", None).await;
    app.ok("shift", "saveShift", json!({"name": "Early", "locationId": line["id"]}))
        .await;
    app.order("OP-1", &unit, &material).await;
    app.order("OP-2", &unit, &material).await;
    app.ok(SEC, "saveUser", json!({"name": "olga", "roles": ["Operator"]})).await;
    let token = app.ok(SEC, "createApiToken", json!(["olga", "tablet"])).await;
    let olga = authorized_client(token["token"].as_str().unwrap());
    let script = |f: &str| format!("{}/api/v1/script/{f}", app.address);

    // What the line screens need: the lines and the shift records.
    let (status, lines) = send(&olga, Method::POST, script("location/getAllLocations"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{lines}");
    assert!(lines.to_string().contains("Line 7"), "{lines}");
    let (status, records) = send(&olga, Method::POST, script("shift/findShiftRecords"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{records}");

    // Start, pause, report, stop: yes.
    for (f, args) in [
        ("productionOrder/startProductionOrder", json!(["OP-1"])),
        ("productionOrder/pauseProductionOrder", json!(["OP-1", "jam"])),
        ("productionOrder/reportProduction", json!(["OP-1", 5])),
        ("productionOrder/stopProductionOrder", json!(["OP-1"])),
    ] {
        let (status, body) = send(&olga, Method::POST, script(f), Some(args)).await;
        assert_eq!(status, StatusCode::OK, "{f}: {body}");
    }
    // Schedule, close, cancel, edit: no — each refusal names the permission it lacks.
    for (f, args, permission) in [
        (
            "productionOrder/scheduleProductionOrder",
            json!(["OP-2"]),
            "PRODUCTION_ORDER.EXECUTE.SCHEDULE",
        ),
        (
            "productionOrder/closeProductionOrder",
            json!(["OP-1"]),
            "PRODUCTION_ORDER.EXECUTE.CLOSE",
        ),
        (
            "productionOrder/cancelProductionOrder",
            json!(["OP-2"]),
            "PRODUCTION_ORDER.EXECUTE.CANCEL",
        ),
        (
            "productionOrder/saveProductionOrder",
            json!({"name": "OP-3"}),
            "PRODUCTION_ORDER.WRITE.SAVE",
        ),
    ] {
        let (status, body) = send(&olga, Method::POST, script(f), Some(args)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{f}: {body}");
        assert_eq!(body["error"]["permission"], permission, "{f}");
    }
    // Nor over REST: the transitions route reaches the service, which checks the verb.
    let url = format!("{}/api/v1/production-orders/OP-2/transitions", app.address);
    let (status, body) = send(&olga, Method::POST, url, Some(json!({"status": "CANCELLED"}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"]["permission"], "PRODUCTION_ORDER.EXECUTE.CANCEL");
    assert_eq!(app.get_order("OP-2").await["status"], "IDLE");
    assert_eq!(app.get_order("OP-1").await["status"], "STOPPED");
}
