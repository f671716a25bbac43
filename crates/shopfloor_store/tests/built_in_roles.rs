//! Built-in roles on start: a built-in role nobody edited (its permissions still what an earlier
//! version created) is brought to this version's permissions; a role an administrator changed is
//! left as it is (docs/ROLES.md).

use serde_json::{json, Value as Json};
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{entity, generic, security};
use shopfloor_core::tx::Caller;
use shopfloor_store::{Store, StoreConfig};

async fn role(store: &Store, name: &'static str) -> Json {
    store
        .read(move |tx| generic::require(tx, Entity::Role, name))
        .await
        .unwrap()
        .to_json(Entity::Role.def())
}

async fn set_permissions(store: &Store, name: &'static str, permissions: Json) {
    let mut data = role(store, name).await.as_object().unwrap().clone();
    data.insert("permissions".into(), permissions);
    store
        .write(move |tx| entity::save(tx, &Caller::system(), Entity::Role, &data))
        .await
        .expect("role saved");
}

async fn start(store: &Store) {
    store
        .write(|tx| security::ensure_built_in_roles(tx, &Caller::system()))
        .await
        .expect("built-in roles ensured");
}

#[tokio::test]
async fn an_unedited_built_in_role_gets_this_versions_permissions_and_an_edited_one_stays() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("roles.db").display());
    let store = Store::open(&StoreConfig::new(url)).expect("store opens");
    start(&store).await;
    let today = role(&store, "Operator").await["permissions"].clone();
    assert!(!today.as_array().unwrap().contains(&json!("PRODUCTION_ORDER.EXECUTE")), "{today}");

    // As the two earlier versions created them: Operator may cancel; Viewer edited by hand.
    set_permissions(&store, "Operator", json!(["PRODUCTION_ORDER.EXECUTE", "PRODUCTION_ORDER.READ"])).await;
    let custom = json!(["PRODUCTION_ORDER.READ.GET", "MATERIAL.READ.GET"]);
    set_permissions(&store, "Viewer", custom.clone()).await;
    start(&store).await;

    assert_eq!(role(&store, "Operator").await["permissions"], today, "brought up to date");
    assert_eq!(role(&store, "Viewer").await["permissions"], custom, "an edited role is kept");
    store.close();
}
