//! `system.mes.role` and `system.mes.schedule` (docs/adr/0015-role-module.md): roles of the
//! original scripting API — no name, held through security levels — over the same roles as
//! `security`, with one rule of permissions; and schedule rows read from scheduled orders.

use crate::helpers::{fields, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const ROLE: &str = "role";
const SEC: &str = "security";
const SCH: &str = "schedule";

fn ids(list: &Value) -> Vec<String> {
    let mut out: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn a_role_without_a_name_is_saved_named_by_its_id_and_listed_by_both_modules() {
    let app = spawn_app().await;
    let template = app.ok(ROLE, "newRole", json!([])).await;
    assert_eq!(template["roleRequirementType"], "ANY_OF");
    assert!(template.as_object().unwrap().contains_key("securityLevels"), "{template}");

    let mut data = template.clone();
    data["securityLevels"] = json!(["authenticated/roles/operator", "/Authenticated/Roles/Operator/"]);
    data["permissions"] = json!(["MATERIAL.READ"]);
    data["roleRequirementType"] = json!("all_of");
    let saved = app.ok(ROLE, "saveRole", data).await;
    let id = saved["id"].as_str().unwrap().to_string();
    assert_eq!(saved["name"], format!("Role {id}"));
    assert_eq!(saved["securityLevels"], json!(["Authenticated/Roles/Operator"]));
    assert_eq!(saved["roleRequirementType"], "ALL_OF");

    // An update without a name — a partial dict or a fresh template — keeps the generated name.
    let updated = app.ok(ROLE, "saveRole", json!({"id": id, "permissions": ["MATERIAL"]})).await;
    assert_eq!(updated["name"], saved["name"]);
    let mut fresh = app.ok(ROLE, "newRole", json!([])).await;
    fresh["id"] = json!(id);
    fresh["notes"] = json!("from a fresh template");
    let again = app.ok(ROLE, "saveRole", fresh).await;
    assert_eq!(
        (again["name"].clone(), again["permissions"].clone()),
        (saved["name"].clone(), json!(["MATERIAL"]))
    );
    let named_null = app.ok(ROLE, "saveRole", json!({"id": id, "name": null, "notes": "x"})).await;
    assert_eq!(named_null["name"], saved["name"]);

    // One table: both modules find and list the same roles.
    assert_eq!(app.ok(ROLE, "getRole", json!({"id": id})).await["notes"], "x");
    assert_eq!(
        app.ok(SEC, "getRole", json!([id])).await["securityLevels"],
        json!(["Authenticated/Roles/Operator"])
    );
    let by_role = app.ok(ROLE, "getAllRoles", json!([])).await;
    assert_eq!(ids(&by_role), ids(&app.ok(SEC, "getAllRoles", json!([])).await));
    assert_eq!(by_role.as_array().unwrap().len(), 5);
    let page = app
        .ok(ROLE, "findRoles", json!({"pageSize": 2, "pageIndex": 0, "sortFields": ["name"]}))
        .await;
    assert_eq!(page["totalElements"], 5);
    assert_eq!(page["content"][0]["name"], "Administrator");
    assert_eq!(app.ok(ROLE, "getRole", json!(["no such role"])).await, Value::Null);
    // validateRole reads a nameless role as saveRole does.
    assert_eq!(
        app.ok(ROLE, "validateRole", json!({"securityLevels": ["Authenticated"]})).await,
        json!({})
    );
    // security.saveRole keeps requiring a name.
    let (status, body) = app.call(SEC, "saveRole", json!({"permissions": []})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["name"].is_array(), "{body}");
}

#[tokio::test]
async fn bad_roles_are_refused_naming_the_field_and_nothing_is_written() {
    let app = spawn_app().await;
    let cases = [
        ("an unknown root", json!({"securityLevels": ["Public"]}), "securityLevels"),
        (
            "an unknown role",
            json!({"securityLevels": ["Authenticated/Roles/Nobody"]}),
            "securityLevels",
        ),
        (
            "an unknown branch",
            json!({"securityLevels": ["Authenticated/Zones"]}),
            "securityLevels",
        ),
        (
            "a level that is not a list",
            json!({"securityLevels": "Authenticated"}),
            "securityLevels",
        ),
        ("a level that is not text", json!({"securityLevels": [1]}), "securityLevels"),
        (
            "an unknown requirement",
            json!({"roleRequirementType": "SOME_OF"}),
            "roleRequirementType",
        ),
        ("an unknown permission", json!({"permissions": ["NOPE.READ"]}), "permissions"),
        ("an unknown key", json!({"securityLevel": ["Authenticated"]}), "securityLevel"),
    ];
    for (what, data, field) in cases {
        let (status, body) = app.call(ROLE, "saveRole", data.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        assert!(fields(&body)[field].is_array(), "{what}: {body}");
        let problems = app.ok(ROLE, "validateRole", data).await;
        assert!(problems[field].is_array(), "{what}: {problems}");
    }
    assert_eq!(app.ok(ROLE, "getAllRoles", json!([])).await.as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn a_user_gains_and_loses_a_permission_through_a_level_granted_role() {
    let app = spawn_app().await;
    let op = app.user_with_roles("op", &["Operator"]).await;
    let nobody = app.user_with_roles("nobody", &[]).await;
    let save_class = |name: &str| json!({"name": name});
    let (status, _) = app.call_as(&op, "material", "saveMaterialClass", save_class("A")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let role = app
        .ok(
            ROLE,
            "saveRole",
            json!({"securityLevels": ["Authenticated/Roles/Operator"], "permissions": ["MATERIAL.WRITE.SAVE"]}),
        )
        .await;
    let (status, body) = app.call_as(&op, "material", "saveMaterialClass", save_class("B")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let has = app
        .call_as(
            &op,
            ROLE,
            "userHasAllPermissions",
            json!([["MATERIAL.WRITE.SAVE", "PRODUCTION_ORDER.EXECUTE.START"]]),
        )
        .await;
    assert_eq!(has, (StatusCode::OK, json!(true)));
    let me = op
        .get(format!("{}/api/v1/me", app.address))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert!(
        me["permissions"].as_array().unwrap().contains(&json!("MATERIAL.WRITE.SAVE")),
        "{me}"
    );
    // A user without the Operator role does not hold the level.
    let (status, _) = app.call_as(&nobody, "material", "saveMaterialClass", save_class("C")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // ALL_OF with a level the operator lacks: lost.
    app.ok(
        ROLE,
        "saveRole",
        json!({"id": role["id"], "roleRequirementType": "ALL_OF",
               "securityLevels": ["Authenticated/Roles/Operator", "Authenticated/Roles/Supervisor"]}),
    )
    .await;
    let (status, _) = app.call_as(&op, "material", "saveMaterialClass", save_class("D")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let has = app
        .call_as(
            &op,
            ROLE,
            "userHasAtLeastOnePermission",
            json!({"permissions": ["MATERIAL.WRITE.SAVE"]}),
        )
        .await;
    assert_eq!(has, (StatusCode::OK, json!(false)));

    // `Authenticated`: every signed-in user, also one without roles.
    app.ok(ROLE, "saveRole", json!({"id": role["id"], "securityLevels": ["Authenticated"]}))
        .await;
    let (status, _) = app.call_as(&nobody, "material", "saveMaterialClass", save_class("E")).await;
    assert_eq!(status, StatusCode::OK);
    // A disabled role grants nothing.
    app.ok(ROLE, "saveRole", json!({"id": role["id"], "enabled": false})).await;
    let (status, _) = app.call_as(&nobody, "material", "saveMaterialClass", save_class("F")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_security_levels_follow_the_roles() {
    let app = spawn_app().await;
    let tree = app.ok(ROLE, "getSecurityLevelTree", json!([])).await;
    assert_eq!(tree[0]["path"], "Authenticated");
    assert_eq!(tree[0]["children"][0]["path"], "Authenticated/Roles");
    let leaves: Vec<&str> = tree[0]["children"][0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(leaves, ["Administrator", "Operator", "Supervisor", "Viewer"]);
    app.ok(SEC, "saveRole", json!({"name": "Planner", "permissions": []})).await;
    let paths = app.ok(ROLE, "getAllSecurityLevelPaths", json!([])).await;
    assert_eq!(
        paths,
        json!([
            "Authenticated/Roles/Administrator",
            "Authenticated/Roles/Operator",
            "Authenticated/Roles/Planner",
            "Authenticated/Roles/Supervisor",
            "Authenticated/Roles/Viewer"
        ])
    );
    app.ok(ROLE, "deleteRole", json!({"id": "Planner"})).await;
    let paths = app.ok(ROLE, "getAllSecurityLevelPaths", json!([])).await;
    assert!(!paths.to_string().contains("Planner"), "{paths}");
}

#[tokio::test]
async fn a_role_a_security_level_names_is_neither_renamed_nor_deleted_alone() {
    let app = spawn_app().await;
    let planner = app.ok(SEC, "saveRole", json!({"name": "Planner", "permissions": []})).await;
    let by_level = app
        .ok(
            ROLE,
            "saveRole",
            json!({"securityLevels": ["Authenticated/Roles/planner"], "permissions": ["MATERIAL.READ"]}),
        )
        .await;
    assert_eq!(by_level["securityLevels"], json!(["Authenticated/Roles/Planner"]));

    let refused = app.ok(ROLE, "deleteRole", json!([planner["id"]])).await;
    assert_eq!(refused["success"], false, "{refused}");
    assert_eq!(refused["data"][0]["tableName"], "roles");
    assert_eq!(refused["data"][0]["references"][0]["id"], by_level["id"]);
    let (status, body) = app.call(ROLE, "saveRole", json!({"id": planner["id"], "name": "Scheduler"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(fields(&body)["name"].is_array(), "{body}");

    // Together they go: references from roles of the same list do not count.
    let deleted = app.ok(ROLE, "deleteRoles", json!({"ids": [planner["id"], by_level["id"]]})).await;
    assert_eq!(deleted["success"], true, "{deleted}");
    assert_eq!(app.ok(ROLE, "getAllRoles", json!([])).await.as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn delete_roles_removes_all_or_none() {
    let app = spawn_app().await;
    let a = app.ok(SEC, "saveRole", json!({"name": "A", "permissions": []})).await;
    app.ok(SEC, "saveRole", json!({"name": "B", "permissions": []})).await;
    app.ok(SEC, "saveUser", json!({"name": "holder", "roles": ["B"]})).await;
    let count = || async { app.ok(ROLE, "getAllRoles", json!([])).await.as_array().unwrap().len() };

    let cases = [
        ("a role users hold", json!([["A", "B"]])),
        ("a built-in role", json!({"idsOrNames": ["A", "Viewer"]})),
        ("a missing role", json!({"ids": ["A", "Nobody"]})),
    ];
    for (what, args) in cases {
        let answer = app.ok(ROLE, "deleteRoles", args).await;
        assert_eq!(answer["success"], false, "{what}: {answer}");
        assert_eq!(count().await, 6, "{what}: nothing deleted");
    }
    let (status, _) = app.call(ROLE, "deleteRoles", json!({"ids": ["A"], "idsOrNames": ["A"]})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let answer = app.ok(ROLE, "deleteRoles", json!({"ids": [a["id"], "a"]})).await;
    assert_eq!(answer["success"], true, "{answer}");
    assert_eq!(answer["data"].as_array().unwrap().len(), 1);
    assert_eq!(count().await, 5);
}

#[tokio::test]
async fn the_last_administrator_is_kept_also_when_a_level_makes_it() {
    let app = spawn_app().await;
    let level_admin = app
        .ok(
            ROLE,
            "saveRole",
            json!({"securityLevels": ["Authenticated/Roles/Viewer"], "permissions": ["*"]}),
        )
        .await;
    let boss_client = app.user_with_roles("boss", &["Viewer"]).await;
    let boss = app.ok(SEC, "getUser", json!(["boss"])).await;
    // `boss` holds * through the level, so `admin` may go; boss carries on.
    let admin = app.ok(SEC, "getUser", json!(["admin"])).await;
    app.ok(SEC, "saveUser", json!({"id": admin["id"], "enabled": false})).await;
    let boss_calls = |function: &'static str, args: Value| {
        let (app, client) = (&app, &boss_client);
        async move { app.call_as(client, ROLE, function, args).await }
    };

    let (status, refused) = boss_calls("deleteRole", json!([level_admin["id"]])).await;
    assert_eq!((status, refused["success"].clone()), (StatusCode::OK, json!(false)), "{refused}");
    let (status, refused) = boss_calls("deleteRoles", json!([[level_admin["id"]]])).await;
    assert_eq!((status, refused["success"].clone()), (StatusCode::OK, json!(false)), "{refused}");
    for change in [
        json!({"id": level_admin["id"], "permissions": []}),
        json!({"id": level_admin["id"], "enabled": false}),
        json!({"id": level_admin["id"], "securityLevels": ["Authenticated/Roles/Operator"]}),
    ] {
        let (status, body) = boss_calls("saveRole", change.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{change}: {body}");
    }
    let (status, body) = app
        .call_as(&boss_client, SEC, "saveUser", json!({"id": boss["id"], "roles": []}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["roles"].is_array(), "{body}");
    // Still the administrator.
    let (status, _) = boss_calls("getAllRoles", json!([])).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn permissions_of_the_role_module_follow_the_reference() {
    let app = spawn_app().await;
    let viewer = app.user_with_roles("viewer", &["Viewer"]).await;
    let all = app.ok(ROLE, "getAllPermissions", json!([])).await;
    for p in ["*", "SYSTEM.ADMIN", "SCHEDULE.READ.GET", "PERSONNEL.WRITE.SAVE"] {
        assert!(all.as_array().unwrap().contains(&json!(p)), "{p} in {all}");
    }
    for function in [
        "getAllPermissions",
        "getSecurityLevelTree",
        "getAllSecurityLevelPaths",
        "getAllRoles",
    ] {
        let (status, body) = app.call_as(&viewer, ROLE, function, json!([])).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{function}: {body}");
        assert_eq!(body["error"]["permission"], "SYSTEM.ADMIN");
    }
    for (function, args) in [
        ("newRole", json!([])),
        ("userHasAllPermissions", json!([["SCHEDULE.READ.GET"]])),
        (
            "userHasAtLeastOnePermission",
            json!({"permissions": ["SYSTEM.ADMIN", "SCHEDULE.READ.GET"]}),
        ),
    ] {
        let (status, body) = app.call_as(&viewer, ROLE, function, args).await;
        assert_eq!(status, StatusCode::OK, "{function}: {body}");
        assert_ne!(body, json!(false), "{function}");
    }
}

/// Orders O1 (IDLE), O2 (SCHEDULED), O3 (RUNNING), O4 (STOPPED), O5 (CANCELLED).
async fn orders_in_every_state(app: &TestApp) -> Vec<Value> {
    let (unit, material) = app.master_data().await;
    let mut out = Vec::new();
    for (name, verbs) in [
        ("O1", &[][..]),
        ("O2", &["scheduleProductionOrder"][..]),
        ("O3", &["startProductionOrder"][..]),
        ("O4", &["startProductionOrder", "stopProductionOrder"][..]),
        ("O5", &["cancelProductionOrder"][..]),
    ] {
        let mut order = app.order(name, &unit, &material).await;
        for verb in verbs {
            order = app.ok("productionOrder", verb, json!([name])).await;
        }
        out.push(order);
    }
    out
}

fn names(result: &Value) -> Vec<&str> {
    result["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["productionOrderName"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn schedules_are_the_scheduled_orders_paged_sorted_and_filtered() {
    let app = spawn_app().await;
    let orders = orders_in_every_state(&app).await;
    let sorted = json!({"sortFields": ["productionOrderName"]});
    let all = app.ok(SCH, "findSchedules", sorted.clone()).await;
    assert_eq!(names(&all), ["O2", "O3", "O4", "O5"]);
    let statuses: Vec<(&str, &str)> = all["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["status"].as_str().unwrap(), r["statusErp"].as_str().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("IDLE", "SCHEDULED"),
            ("RUNNING", "RUNNING"),
            ("COMPLETED", "STOPPED"),
            ("CANCELLED", "CANCELLED")
        ]
    );
    let o4 = &all["content"][2];
    assert_eq!(o4["productionOrderId"], orders[3]["id"]);
    assert_eq!(o4["startDate"], orders[3]["startDate"]);
    assert!(o4["durationExpected"].is_i64(), "{o4}");
    assert!(o4["operationId"].is_null() && o4["notes"].is_null(), "{o4}");

    let by_status = |condition: &str, value: Value| {
        let key = if value.is_array() { "stringListValue" } else { "stringValue" };
        json!({"sortFields": ["productionOrderName"], "filters": [{"field": "status", "condition": condition, key: value}]})
    };
    for (condition, value, expected) in [
        ("EQUALS", json!("idle"), vec!["O2"]),
        ("EQUALS", json!("COMPLETED"), vec!["O4"]),
        ("NOT_EQUALS", json!("IDLE"), vec!["O3", "O4", "O5"]),
        ("IN", json!(["RUNNING", "PAUSED"]), vec!["O3"]),
        ("NOT_IN", json!(["RUNNING", "IDLE"]), vec!["O4", "O5"]),
        ("STARTS_WITH", json!("C"), vec!["O4", "O5"]),
        ("EQUALS", json!("FAULTED"), vec![]),
    ] {
        let found = app.ok(SCH, "findSchedules", by_status(condition, value.clone())).await;
        assert_eq!(names(&found), expected, "{condition} {value}");
        assert_eq!(found["totalElements"], expected.len(), "{condition} {value}");
    }

    let page = app
        .ok(
            SCH,
            "findSchedules",
            json!({"pageSize": 3, "pageIndex": 0, "sortFields": ["productionOrderName"], "sortDirections": ["Descending"]}),
        )
        .await;
    assert_eq!(names(&page), ["O5", "O4", "O3"]);
    assert_eq!(page["totalElements"], 4);
    let one = app
        .ok(
            SCH,
            "findSchedules",
            json!({"filters": [{"field": "productionOrderId", "condition": "EQUALS", "stringValue": orders[2]["id"]}]}),
        )
        .await;
    assert_eq!(names(&one), ["O3"]);

    // A schedule follows its order.
    app.ok("productionOrder", "startProductionOrder", json!(["O2"])).await;
    let running = app.ok(SCH, "findSchedules", by_status("EQUALS", json!("RUNNING"))).await;
    assert_eq!(names(&running), ["O2", "O3"]);
}

#[tokio::test]
async fn bad_schedule_queries_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let cases = [
        (
            "a computed field",
            json!({"filters": [{"field": "durationExpected", "condition": "IS_NULL"}]}),
            "filters[0].field",
        ),
        (
            "an unknown field",
            json!({"filters": [{"field": "name", "condition": "IS_NULL"}]}),
            "filters[0].field",
        ),
        (
            "an order status",
            json!({"filters": [{"field": "status", "condition": "EQUALS", "stringValue": "SCHEDULED"}]}),
            "filters[0].stringValue",
        ),
        (
            "a number condition on status",
            json!({"filters": [{"field": "status", "condition": "GREATER_THAN", "stringValue": "IDLE"}]}),
            "filters[0].condition",
        ),
        ("a sort by status", json!({"sortFields": ["status"]}), "sortFields[0]"),
        (
            "a bad date",
            json!({"filters": [{"field": "startDate", "condition": "GREATER_THAN", "dateValue": "soon"}]}),
            "filters[0].dateValue",
        ),
        ("a bad page", json!({"pageSize": 0, "pageIndex": 0}), "pageSize"),
    ];
    for (what, request, field) in cases {
        let (status, body) = app.call(SCH, "findSchedules", request).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
        assert!(fields(&body)[field].is_array(), "{what}: {body}");
    }
}

#[tokio::test]
async fn schedules_need_their_read_permission_which_the_built_in_roles_give() {
    let app = spawn_app().await;
    assert_eq!(app.ok(SCH, "getSchedulePermissions", json!([])).await, json!(["SCHEDULE.READ.GET"]));
    for role in ["Supervisor", "Operator", "Viewer"] {
        let client = app.user_with_roles(&format!("user of {role}"), &[role]).await;
        let (status, body) = app.call_as(&client, SCH, "findSchedules", json!({})).await;
        assert_eq!(status, StatusCode::OK, "{role}: {body}");
    }
    let nobody = app.user_with_roles("nobody", &[]).await;
    let (status, body) = app.call_as(&nobody, SCH, "findSchedules", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error"]["permission"], "SCHEDULE.READ.GET");
}

/// Polls `role.getImportJob` until the job is DONE or CANCELLED.
async fn finished_role_job(app: &TestApp, id: &Value) -> Value {
    for _ in 0..600 {
        let job = app.ok("role", "getImportJob", json!([id])).await;
        if job["status"] == "DONE" || job["status"] == "CANCELLED" {
            return job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("role import job {id} did not finish");
}

#[tokio::test]
async fn roles_export_and_import_as_csv_and_json_with_their_lists_and_the_queue_counts_them() {
    let app = spawn_app().await;
    app.ok(
        "role",
        "saveRole",
        json!({"name": "Planner", "permissions": ["MATERIAL.READ", "PRODUCTION_ORDER"], "securityLevels": ["Authenticated/Roles/Operator"], "roleRequirementType": "ALL_OF"}),
    )
    .await;
    // CSV: the lists travel as JSON text in their cells, and read back as lists.
    let csv = app.ok("role", "exportRoles", json!({"format": "csv"})).await;
    let csv = csv.as_str().unwrap().to_string();
    assert!(csv.lines().next().unwrap().contains("permissions"), "{csv}");
    assert!(csv.contains("Planner"), "{csv}");
    app.ok("role", "deleteRole", json!(["Planner"])).await;
    assert_eq!(app.ok("role", "getRoleImportQueueSize", json!([])).await, json!(0));
    let job = app.ok("role", "importRoles", json!({"data": csv, "format": "csv"})).await;
    let done = finished_role_job(&app, &job).await;
    assert_eq!(done["status"], "DONE", "{done}");
    let planner = app.ok("security", "getRole", json!(["Planner"])).await;
    assert_eq!(planner["permissions"], json!(["MATERIAL.READ", "PRODUCTION_ORDER"]), "{planner}");
    assert_eq!(planner["securityLevels"], json!(["Authenticated/Roles/Operator"]), "{planner}");
    assert_eq!(planner["roleRequirementType"], json!("ALL_OF"), "{planner}");

    // A cell that is not JSON is an error of its field, and nothing is written.
    let bad = "name,permissions\nBroken,not json\n";
    let report = app
        .ok("role", "importRoles", json!({"data": bad, "format": "csv", "dryRun": true}))
        .await;
    assert!(report.to_string().contains("permissions"), "{report}");
    assert!(app.ok("security", "getRole", json!(["Broken"])).await.is_null());

    // JSON files carry the lists as lists; the role module needs SYSTEM.ADMIN for both.
    let json_file = app.ok("role", "exportRoles", json!({"format": "json"})).await;
    let text = json_file.as_str().map(str::to_string).unwrap_or_else(|| json_file.to_string());
    assert!(
        text.contains("\"securityLevels\":[\"Authenticated/Roles/Operator\"]"),
        "{json_file}"
    );
    let listing = app.get("/api/v1/script").await.1;
    let role = listing["modules"].as_array().unwrap().iter().find(|m| m["name"] == "role").unwrap();
    for f in ["importRoles", "exportRoles", "getRoleImportQueueSize", "cancelRoleImportQueue"] {
        let found = role["functions"].as_array().unwrap().iter().find(|x| x["name"] == f).unwrap();
        assert_eq!(found["permission"], "SYSTEM.ADMIN", "{f}");
    }
    assert_eq!(app.ok("role", "cancelRoleImportQueue", json!([])).await, json!(0));
}
