//! `system.mes.location`: the site/area/line tree, and the location properties and their
//! values (typed definitions, one value per location and property).

use crate::master_data_exchange::ExchangeFunctions;
use crate::properties::{self, value_json};
use crate::registry::{optional, records, required, Builder, EntityFunctions};
use serde_json::Value as Json;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::location;
use shopfloor_core::service::property::{self, LOCATION};
use shopfloor_exchange::master_data;

const LOCATION_PARAM: &str = "locationIdOrPath";
const PROPERTY: &str = "propertyIdOrName";

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
    m.no_cache_to_clear("clearLocationCache", "LOCATION");
    m.documented_files_as_text(&master_data::LOCATIONS);
    m.master_data_exchange(&[(
        &master_data::LOCATIONS,
        ExchangeFunctions {
            import: "importLocations",
            export: "exportLocations",
            queue_size: "getLocationImportQueueSize",
            cancel_queue: "cancelLocationImportQueue",
        },
    )]);
    m.function("getChildren")
        .params([required(LOCATION_PARAM)])
        .permission("LOCATION.READ.GET")
        .summary("The direct children of a location.")
        .handler(|tx, _, a| Ok(records(Entity::Location, location::children(tx, &a.str(LOCATION_PARAM)?)?)));
    m.function("getLocationTree")
        .params([optional("filter")])
        .permission("LOCATION.READ.GET")
        .summary("Locations as a tree (nested children); with a filter, matching names and their ancestors.")
        .handler(|tx, _, a| Ok(Json::Array(location::tree(tx, a.opt_str("filter")?.as_deref())?)));
    m.function("getLocationsByPartialPath")
        .params([required("path")])
        .permission("LOCATION.READ.GET")
        .summary("The locations whose path contains the text (any case), by path.")
        .handler(|tx, _, a| Ok(records(Entity::Location, location::by_partial_path(tx, &a.str("path")?)?)));
    properties::register(
        &mut m,
        &LOCATION,
        EntityFunctions {
            new: "newLocationProperty",
            save: "saveLocationProperty",
            validate: "validateLocationProperty",
            get: "getLocationProperty",
            get_all: "getAllLocationProperties",
            find: "findLocationProperties",
            references: "getLocationPropertyReferences",
            delete: "deleteLocationProperty",
        },
        EntityFunctions {
            new: "newLocationPropertyValue",
            save: "saveLocationPropertyValue",
            validate: "validateLocationPropertyValue",
            get: "getLocationPropertyValue",
            get_all: "getAllLocationPropertyValues",
            find: "findLocationPropertyValues",
            references: "getLocationPropertyValueReferences",
            delete: "deleteLocationPropertyValue",
        },
    );
    m.function("getLocationPropertyValues")
        .params([required(LOCATION_PARAM).or("idOrPath")])
        .permission("LOCATION.READ.GET")
        .summary("Every property value of the location, by property name; null when there is no such location.")
        .handler(|tx, _, a| properties::values_of_owner(tx, &LOCATION, &a.str(LOCATION_PARAM)?));
    m.function("getPropertyValueFor")
        .params([required(LOCATION_PARAM), required(PROPERTY)])
        .permission("LOCATION.READ.GET")
        .summary("The location's value of the property, or null.")
        .handler(|tx, _, a| {
            Ok(property::value_for(tx, &LOCATION, &a.str(LOCATION_PARAM)?, &a.str(PROPERTY)?)?
                .map(|r| value_json(&LOCATION, r))
                .unwrap_or(Json::Null))
        });
    m.function("getLocationsByPropertyValue")
        .params([required(PROPERTY).or("idOrName"), optional("propertyValue").or("value")])
        .permission("LOCATION.READ.GET")
        .summary("The locations whose value of the property equals the given value (compared as the property's type), by path.")
        .handler(|tx, _, a| {
            let found = property::owners_with_value(tx, &LOCATION, &a.str(PROPERTY)?, &a.json_or_null("propertyValue")?)?;
            Ok(records(Entity::Location, found))
        });
}
