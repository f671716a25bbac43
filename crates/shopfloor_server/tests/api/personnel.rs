//! `system.mes.personnel` (issue 18): departments and people through the script endpoint,
//! positionally and with the keyword names the original scripting API documents; the link of a
//! person to a login user; bad input refused by field name with nothing written.

use crate::helpers::{fields, spawn_app, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PER: &str = "personnel";

async fn count(app: &TestApp, function: &str) -> usize {
    app.ok(PER, function, json!([])).await.as_array().map_or(0, Vec::len)
}

/// Corporate and Corporate/Engineering, returned as (corporate, engineering).
async fn departments(app: &TestApp) -> (Value, Value) {
    let corporate = app.ok(PER, "saveDepartment", json!({"name": "Corporate"})).await;
    let engineering = app
        .ok(
            PER,
            "saveDepartment",
            json!({"name": "Engineering", "parentId": corporate["id"], "description": "Makes things"}),
        )
        .await;
    (corporate, engineering)
}

#[tokio::test]
async fn templates_have_the_documented_fields_and_defaults() {
    let app = spawn_app().await;
    let person = app.ok(PER, "newPerson", json!([])).await;
    for (key, default) in [
        ("departmentId", json!(null)),
        ("personStatus", json!("ACTIVE")),
        ("firstName", json!("")),
        ("lastName", json!("")),
        ("initials", json!("")),
        ("username", json!("")),
        ("userId", json!(null)),
        ("id", json!(null)),
        ("notes", json!(null)),
        ("spare1", json!(null)),
        ("spare2", json!(null)),
        ("spare3", json!(null)),
        ("enabled", json!(true)),
    ] {
        assert_eq!(person.get(key), Some(&default), "{key} in {person}");
    }
    let department = app.ok(PER, "newDepartment", json!([])).await;
    for (key, default) in [
        ("name", json!(null)),
        ("description", json!(null)),
        ("parentId", json!(null)),
        ("enabled", json!(true)),
    ] {
        assert_eq!(department.get(key), Some(&default), "{key} in {department}");
    }
}

#[tokio::test]
async fn departments_form_a_tree_found_by_path_and_deleted_unless_referenced() {
    let app = spawn_app().await;
    let (corporate, engineering) = departments(&app).await;
    assert_eq!(engineering["path"], "Corporate/Engineering");
    assert_eq!(
        app.ok(PER, "getDepartment", json!(["corporate/engineering"])).await["id"],
        engineering["id"]
    );
    assert_eq!(
        app.ok(PER, "getDepartment", json!({"idOrPath": engineering["id"]})).await["name"],
        "Engineering"
    );
    assert_eq!(
        app.ok(PER, "getDepartment", json!({"id": "Corporate"})).await["id"],
        corporate["id"]
    );
    assert_eq!(app.ok(PER, "getDepartment", json!(["Nowhere"])).await, Value::Null);
    assert_eq!(count(&app, "getAllDepartments").await, 2);
    let found = app
        .ok(
            PER,
            "findDepartments",
            json!({"filters": [{"field": "path", "condition": "STARTS_WITH", "stringValue": "Corporate/"}]}),
        )
        .await;
    assert_eq!(found["content"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(app.ok(PER, "validateDepartment", json!({"name": "Sales"})).await, json!({}));
    // A rename re-paths the children; people show the new path.
    let person = app
        .ok(
            PER,
            "savePerson",
            json!({"firstName": "Ada", "lastName": "Lovelace", "username": "ada", "departmentId": engineering["id"]}),
        )
        .await;
    assert_eq!(person["departmentPath"], "Corporate/Engineering");
    assert_eq!(person["departmentName"], "Engineering");
    app.ok(PER, "saveDepartment", json!({"id": corporate["id"], "name": "Head Office"}))
        .await;
    assert_eq!(
        app.ok(PER, "getPerson", json!(["ada"])).await["departmentPath"],
        "Head Office/Engineering"
    );
    // Referenced by the person (and by the child department): refused, nothing deleted.
    let refused = app
        .ok(PER, "deleteDepartment", json!({"idOrPath": "Head Office/Engineering"}))
        .await;
    assert_eq!(refused["success"], false, "{refused}");
    let refs = app.ok(PER, "getDepartmentReferences", json!([engineering["id"]])).await;
    assert_eq!(refs[0]["tableName"], "people", "{refs}");
    assert_eq!(refs[0]["references"][0]["fkColName"], "department_id", "{refs}");
    let refused = app.ok(PER, "deleteDepartment", json!(["Head Office"])).await;
    assert_eq!(refused["success"], false, "{refused}");
    assert_eq!(count(&app, "getAllDepartments").await, 2);
    app.ok(PER, "deletePerson", json!(["ada"])).await;
    let deleted = app.ok(PER, "deleteDepartment", json!(["Head Office/Engineering"])).await;
    assert_eq!(deleted["success"], true, "{deleted}");
    assert_eq!(count(&app, "getAllDepartments").await, 1);
}

#[tokio::test]
async fn a_person_is_saved_found_and_updated_from_a_fresh_template() {
    let app = spawn_app().await;
    let (_, engineering) = departments(&app).await;
    let mut template = app.ok(PER, "newPerson", json!([])).await;
    template["firstName"] = json!("Grace");
    template["lastName"] = json!("Hopper");
    template["username"] = json!("ghopper");
    template["departmentId"] = engineering["id"].clone();
    template["notes"] = json!("night shift");
    assert_eq!(app.ok(PER, "validatePerson", template.clone()).await, json!({}));
    let saved = app.ok(PER, "savePerson", template).await;
    assert_eq!(saved["initials"], "GH", "generated from the names: {saved}");
    assert_eq!(saved["personStatus"], "ACTIVE");
    assert_eq!(saved["userId"], Value::Null, "people without a login exist");
    for call in [json!(["GHopper"]), json!({"idOrUsername": "ghopper"}), json!({"id": saved["id"]})] {
        assert_eq!(app.ok(PER, "getPerson", call.clone()).await["id"], saved["id"], "{call}");
    }
    assert_eq!(
        app.ok(PER, "getPerson", json!({"personIdOrUsername": "ghopper"})).await["id"],
        saved["id"]
    );
    assert_eq!(app.ok(PER, "getPerson", json!(["nobody"])).await, Value::Null);
    // The documented update: a fresh template with id and what changes keeps everything else.
    let mut update = app.ok(PER, "newPerson", json!([])).await;
    update["id"] = saved["id"].clone();
    update["personStatus"] = json!("inactive");
    let updated = app.ok(PER, "savePerson", update).await;
    assert_eq!(updated["personStatus"], "INACTIVE");
    assert_eq!(updated["firstName"], "Grace");
    assert_eq!(updated["username"], "ghopper");
    assert_eq!(updated["departmentId"], engineering["id"]);
    assert_eq!(updated["notes"], "night shift");
    assert_eq!(updated["initials"], "GH");
    // A round trip of the read record (with its display-only names) saves unchanged.
    let read = app.ok(PER, "getPerson", json!(["ghopper"])).await;
    let again = app.ok(PER, "savePerson", read.clone()).await;
    assert_eq!(again["departmentName"], "Engineering");
    // Given initials are kept.
    let other = app
        .ok(
            PER,
            "savePerson",
            json!({"firstName": "Alan", "lastName": "Turing", "username": "alan", "initials": "AMT"}),
        )
        .await;
    assert_eq!(other["initials"], "AMT");
    assert_eq!(count(&app, "getAllPeople").await, 2);
    let found = app
        .ok(
            PER,
            "findPeople",
            json!({"filters": [{"field": "departmentName", "condition": "EQUALS", "stringValue": "engineering"}]}),
        )
        .await;
    assert_eq!(found["content"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["content"][0]["username"], "ghopper");
    let refs = app.ok(PER, "getPersonReferences", json!({"idOrUsername": "alan"})).await;
    assert_eq!(refs, json!([]));
    let deleted = app.ok(PER, "deletePerson", json!({"idOrUsername": "ALAN"})).await;
    assert_eq!(deleted["success"], true, "{deleted}");
    let missing = app.ok(PER, "deletePerson", json!(["alan"])).await;
    assert_eq!(missing["success"], false, "{missing}");
    assert_eq!(count(&app, "getAllPeople").await, 1);
}

#[tokio::test]
async fn a_person_may_have_one_login_user_whose_deletion_is_refused_while_linked() {
    let app = spawn_app().await;
    let user = app
        .ok("security", "saveUser", json!({"name": "linda", "roles": ["Operator"]}))
        .await;
    // Without a username, a person linked to a user takes the user's name.
    let linda = app
        .ok(
            PER,
            "savePerson",
            json!({"firstName": "Linda", "lastName": "Lee", "userId": user["id"]}),
        )
        .await;
    assert_eq!(linda["username"], "linda");
    assert_eq!(linda["userName"], "linda");
    // The same user for a second person is refused by field, nothing written.
    let (status, body) = app
        .call(
            PER,
            "savePerson",
            json!({"firstName": "Other", "lastName": "Person", "username": "other", "userId": user["id"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(fields(&body)["userId"].is_array(), "{body}");
    assert_eq!(count(&app, "getAllPeople").await, 1);
    // Deleting the linked user is refused; the person, the user and its token stay.
    let token = app.ok("security", "createApiToken", json!(["linda", "line 3"])).await;
    let tokens = json!({"filters": [{"field": "userName", "condition": "EQUALS", "stringValue": "linda"}]});
    let refused = app.ok("security", "deleteUser", json!(["linda"])).await;
    assert_eq!(refused["success"], false, "{refused}");
    assert_eq!(refused["data"][0]["tableName"], "people", "{refused}");
    assert_eq!(app.ok("security", "getUser", json!(["linda"])).await["id"], user["id"]);
    let kept = app.ok("security", "findApiTokens", tokens).await;
    assert_eq!(kept["content"][0]["id"], token["id"], "{kept}");
    // Unlinking the person (an operator without a login) lets the user go.
    let unlinked = app.ok(PER, "savePerson", json!({"id": linda["id"], "userId": null})).await;
    assert_eq!(unlinked["userId"], Value::Null);
    assert_eq!(unlinked["username"], "linda");
    let deleted = app.ok("security", "deleteUser", json!(["linda"])).await;
    assert_eq!(deleted["success"], true, "{deleted}");
}

#[tokio::test]
async fn bad_people_and_departments_are_refused_by_field_and_nothing_is_written() {
    let app = spawn_app().await;
    app.ok(PER, "savePerson", json!({"firstName": "Ada", "lastName": "L", "username": "ada"}))
        .await;
    let ok = |extra: Value| {
        let mut p = json!({"firstName": "Bob", "lastName": "Builder", "username": "bob"});
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };
    for (desc, data, field) in [
        ("unknown key", ok(json!({"shoeSize": 44})), "shoeSize"),
        ("first name missing", json!({"lastName": "B", "username": "bob"}), "firstName"),
        ("empty last name", ok(json!({"lastName": "  "})), "lastName"),
        ("no username and no user", json!({"firstName": "B", "lastName": "B"}), "username"),
        ("username taken (any case)", ok(json!({"username": "ADA"})), "username"),
        ("unknown status", ok(json!({"personStatus": "RETIRED"})), "personStatus"),
        ("status null", ok(json!({"personStatus": null})), "personStatus"),
        ("name not a string", ok(json!({"firstName": 7})), "firstName"),
        ("enabled not a boolean", ok(json!({"enabled": "yes"})), "enabled"),
        (
            "unknown department",
            ok(json!({"departmentId": "01J00000000000000000000000"})),
            "departmentId",
        ),
        ("department not a ULID", ok(json!({"departmentId": "Engineering"})), "departmentId"),
        ("unknown user", ok(json!({"userId": "01J00000000000000000000000"})), "userId"),
    ] {
        let (status, body) = app.call(PER, "savePerson", data.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{desc}: {body}");
        assert!(fields(&body)[field].is_array(), "{desc}: {body}");
        let errors = app.ok(PER, "validatePerson", data).await;
        assert!(errors[field].is_array(), "{desc}: {errors}");
    }
    assert_eq!(count(&app, "getAllPeople").await, 1);
    let corporate = app.ok(PER, "saveDepartment", json!({"name": "Corporate"})).await;
    for (desc, data, field) in [
        ("no name", json!({"description": "x"}), "name"),
        ("slash in name", json!({"name": "A/B"}), "name"),
        ("duplicate name", json!({"name": "corporate"}), "name"),
        (
            "unknown parent",
            json!({"name": "X", "parentId": "01J00000000000000000000000"}),
            "parentId",
        ),
        (
            "own ancestor",
            json!({"id": corporate["id"], "parentId": corporate["id"]}),
            "parentId",
        ),
        ("unknown key", json!({"name": "X", "manager": "me"}), "manager"),
    ] {
        let (status, body) = app.call(PER, "saveDepartment", data.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{desc}: {body}");
        assert!(fields(&body)[field].is_array(), "{desc}: {body}");
    }
    assert_eq!(count(&app, "getAllDepartments").await, 1);
    // Wrong argument names and shapes are bad requests.
    let (status, body) = app.call(PER, "getPerson", json!({"username": "ada"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app.call(PER, "deletePeople", json!([["ada"], "extra"])).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, body) = app.call(PER, "deletePeople", json!({"idsOrUsernames": [1, 2]})).await;
    assert!(status.is_client_error(), "{status} {body}");
    assert!(body.to_string().contains("idsOrUsernames"), "{body}");
    assert_eq!(count(&app, "getAllPeople").await, 1);
}

#[tokio::test]
async fn bulk_deletes_remove_all_or_none() {
    let app = spawn_app().await;
    let (corporate, engineering) = departments(&app).await;
    let sales = app.ok(PER, "saveDepartment", json!({"name": "Sales"})).await;
    for (name, dept) in [("a", &engineering), ("b", &sales), ("c", &sales)] {
        app.ok(
            PER,
            "savePerson",
            json!({"firstName": name, "lastName": name, "username": name, "departmentId": dept["id"]}),
        )
        .await;
    }
    // One missing: nothing deleted.
    let refused = app.ok(PER, "deletePeople", json!([["a", "b", "nobody"]])).await;
    assert_eq!(refused["success"], false, "{refused}");
    assert_eq!(count(&app, "getAllPeople").await, 3);
    // Documented keyword names (table and Syntax line).
    let deleted = app.ok(PER, "deletePeople", json!({"idsOrUsernames": ["a", "B"]})).await;
    assert_eq!(deleted["success"], true, "{deleted}");
    assert_eq!(count(&app, "getAllPeople").await, 1);
    // Sales is still referenced by person c: nothing deleted.
    let refused = app
        .ok(PER, "deleteDepartments", json!({"idsOrPaths": ["Sales", "Corporate/Engineering"]}))
        .await;
    assert_eq!(refused["success"], false, "{refused}");
    assert_eq!(count(&app, "getAllDepartments").await, 3);
    let deleted = app.ok(PER, "deletePeople", json!({"ids": ["c"]})).await;
    assert_eq!(deleted["success"], true, "{deleted}");
    // A parent deleted with its child in one call: references from inside the list do not count.
    let deleted = app
        .ok(
            PER,
            "deleteDepartments",
            json!([[corporate["id"], "Corporate/Engineering", "Sales"]]),
        )
        .await;
    assert_eq!(deleted["success"], true, "{deleted}");
    assert_eq!(count(&app, "getAllDepartments").await, 0);
}

#[tokio::test]
async fn permissions_and_the_cache_call_answer_as_documented() {
    let app = spawn_app().await;
    let perms = app.ok(PER, "getPersonnelPermissions", json!([])).await;
    for p in [
        "PERSONNEL.READ.GET",
        "PERSONNEL.READ.VALIDATE",
        "PERSONNEL.WRITE.SAVE",
        "PERSONNEL.WRITE.DELETE",
    ] {
        assert!(perms.as_array().unwrap().contains(&json!(p)), "{p} in {perms}");
    }
    assert_eq!(app.ok(PER, "clearDepartmentCache", json!([])).await, Value::Null);
    let catalogue = app.get("/api/v1/script").await.1;
    let text = catalogue.to_string();
    for name in ["deletePeople", "findPeople", "getAllDepartments", "clearDepartmentCache"] {
        assert!(text.contains(name), "{name} listed by GET /api/v1/script");
    }
}

#[tokio::test]
async fn reports_and_lifecycle_verbs_may_name_the_person_who_did_them() {
    let app = spawn_app().await;
    let (unit, material) = app.master_data().await;
    app.order("P-1", &unit, &material).await;
    app.ok(
        "personnel",
        "savePerson",
        json!({"firstName": "Jane", "lastName": "Doe", "username": "jdoe"}),
    )
    .await;
    // The script API and REST take `person` (a username or id); the history names it.
    app.ok(
        "productionOrder",
        "startProductionOrder",
        json!({"productionOrderIdOrName": "P-1", "person": "JDOE"}),
    )
    .await;
    app.ok("productionOrder", "reportProduction", json!(["P-1", 5, "first pallet", "jdoe"]))
        .await;
    let (status, body) = app
        .post("/api/v1/production-orders/P-1/production", json!({"quantity": 2, "person": "jdoe"}))
        .await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    let history = app.history("P-1").await;
    let people: Vec<&Value> = history.iter().map(|e| &e["person"]).collect();
    assert_eq!(
        people,
        [&Value::Null, &json!("jdoe"), &json!("jdoe"), &json!("jdoe")],
        "{history:?}"
    );
    assert_eq!(history[1]["user"], "admin", "the login stays the user: {:?}", history[1]);

    // Nobody by that name: an error of `person`, and nothing is written.
    let (status, body) = app
        .call(
            "productionOrder",
            "reportProduction",
            json!({"productionOrderIdOrName": "P-1", "quantity": 1, "person": "ghost"}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["fields"]["person"].to_string().contains("ghost"), "{body}");
    assert_eq!(app.get_order("P-1").await["quantityProduced"], json!(7.0));
    assert_eq!(app.history("P-1").await.len(), 4);
}
