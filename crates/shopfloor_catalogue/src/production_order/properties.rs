//! Custom order properties and their values (SPEC §2.3).

use super::ORDER;
use crate::registry::{kwargs, optional, required, EntityFunctions, Module};
use serde_json::Value as Json;
use shopfloor_core::record::Record;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{entity, property};

const PROPERTY: &str = "propertyIdOrName";

fn value_json(r: Record) -> Json {
    r.to_json(Entity::ProductionOrderPropertyValue.def())
}

pub fn register(m: &mut Module) {
    m.entity(
        Entity::ProductionOrderProperty,
        EntityFunctions {
            new: "newProductionOrderProperty",
            save: "saveProductionOrderProperty",
            validate: "validateProductionOrderProperty",
            get: "getProductionOrderProperty",
            get_all: "getAllProductionOrderProperties",
            find: "findProductionOrderProperties",
            references: "getProductionOrderPropertyReferences",
            delete: "deleteProductionOrderProperty",
        },
    )
    .register();
    m.entity(
        Entity::ProductionOrderPropertyValue,
        EntityFunctions {
            new: "newProductionOrderPropertyValue",
            save: "saveProductionOrderPropertyValue",
            validate: "validateProductionOrderPropertyValue",
            get: "getProductionOrderPropertyValue",
            get_all: "getAllProductionOrderPropertyValues",
            find: "findProductionOrderPropertyValues",
            references: "getProductionOrderPropertyValueReferences",
            delete: "deleteProductionOrderPropertyValue",
        },
    )
    .register();
    m.function("getProductionOrderPropertyOrCreateNew")
        .params([kwargs("propertyData")])
        .permission("PRODUCTION_ORDER.READ.GET")
        .writes()
        .summary(
            "The property with the given id or name, created from the data if there is none (creating needs PRODUCTION_ORDER.WRITE.SAVE).",
        )
        .handler(|tx, c, a| {
            property::get_or_create(tx, c, &property::ORDER, a.object("propertyData")?)
                .map(|r| r.to_json(Entity::ProductionOrderProperty.def()))
        });
    m.function("setPropertyValue")
        .params([required(ORDER), required(PROPERTY), optional("value")])
        .permission("PRODUCTION_ORDER.WRITE.SAVE")
        .writes()
        .summary("Creates or updates the order's value of the property; returns the value record.")
        .handler(|tx, c, a| {
            property::set_value(
                tx,
                c,
                &property::ORDER,
                &a.str(ORDER)?,
                &a.str(PROPERTY)?,
                &a.json_or_null("value")?,
            )
            .map(value_json)
        });
    m.function("setPropertyValues")
        .params([required(ORDER), required("values")])
        .permission("PRODUCTION_ORDER.WRITE.SAVE")
        .writes()
        .summary("Sets {propertyIdOrName: value, …} on the order, all or none; returns the value records.")
        .handler(|tx, c, a| {
            let saved = property::set_values(tx, c, &property::ORDER, &a.str(ORDER)?, a.object("values")?)?;
            Ok(Json::Array(saved.into_iter().map(value_json).collect()))
        });
    m.function("getProductionOrderPropertyValuesForOrder")
        .params([required(ORDER)])
        .permission("PRODUCTION_ORDER.READ.GET")
        .summary("The order's property values, or null when there is no such order.")
        .handler(
            |tx, _, a| match entity::lookup(tx, Entity::ProductionOrder, &a.str(ORDER)?)?.and_then(|o| o.id()) {
                Some(id) => Ok(Json::Array(property::values_for(tx, id)?.into_iter().map(value_json).collect())),
                None => Ok(Json::Null),
            },
        );
    m.function("getProductionOrderPropertyValueFor")
        .params([required(ORDER), required(PROPERTY)])
        .permission("PRODUCTION_ORDER.READ.GET")
        .summary("The order's value of the property, or null.")
        .handler(|tx, _, a| {
            Ok(property::value_for(tx, &property::ORDER, &a.str(ORDER)?, &a.str(PROPERTY)?)?
                .map(value_json)
                .unwrap_or(Json::Null))
        });
}
