//! `system.mes.location`: the site/area/line tree.

use crate::registry::{optional, records, required, Builder, EntityFunctions};
use serde_json::Value as Json;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::location;

pub fn register(b: &mut Builder) {
    let mut m = b.module("location");
    m.entity(
        Entity::Location,
        EntityFunctions {
            new: "newLocation",
            save: "saveLocation",
            validate: "validateLocation",
            get: "getLocation",
            get_all: "getAllLocations",
            find: "findLocations",
            references: "getLocationReferences",
            delete: "deleteLocation",
        },
    )
    .register();
    m.permission_list("getLocationPermissions", "LOCATION");
    m.function("getChildren")
        .params([required("locationIdOrPath")])
        .permission("LOCATION.READ.GET")
        .summary("The direct children of a location.")
        .handler(|tx, _, a| Ok(records(Entity::Location, location::children(tx, &a.str("locationIdOrPath")?)?)));
    m.function("getLocationTree")
        .params([optional("filter")])
        .permission("LOCATION.READ.GET")
        .summary("Locations as a tree (nested children); with a filter, matching names and their ancestors.")
        .handler(|tx, _, a| Ok(Json::Array(location::tree(tx, a.opt_str("filter")?.as_deref())?)));
}
