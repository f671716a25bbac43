//! `system.mes.productionOrder`: orders, their lifecycle verbs, production reports and history;
//! properties, bill of materials and ERP exchange in the files beside this one.

mod bill_of_materials;
mod exchange;
mod properties;

use crate::registry::{optional, required, script_delete, Builder, EntityFunctions};
use serde_json::{json, Value as Json};
use shopfloor_core::errors::CoreResult;
use shopfloor_core::lifecycle::VERBS;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{personnel, production_order};

const ORDER: &str = "productionOrderIdOrName";

pub fn register(b: &mut Builder) {
    let mut m = b.module("productionOrder");
    let order_json = |r: shopfloor_core::record::Record| r.to_json(Entity::ProductionOrder.def());
    m.entity(
        Entity::ProductionOrder,
        EntityFunctions {
            new: "newProductionOrder",
            save: "saveProductionOrder",
            validate: "validateProductionOrder",
            get: "getProductionOrder",
            get_all: "getAllProductionOrders",
            find: "findProductionOrders",
            references: "getProductionOrderReferences",
            delete: "deleteProductionOrder",
        },
    )
    .register();
    m.permission_list("getProductionOrderPermissions", "PRODUCTION_ORDER");
    m.entity(
        Entity::StopReason,
        EntityFunctions {
            new: "newStopReason",
            save: "saveStopReason",
            validate: "validateStopReason",
            get: "getStopReason",
            get_all: "getAllStopReasons",
            find: "findStopReasons",
            references: "getStopReasonReferences",
            delete: "deleteStopReason",
        },
    )
    .register();
    // The lifecycle verbs, named in the core's verb table.
    for verb in VERBS {
        let to = verb.to;
        m.function(verb.function)
            .params([required(ORDER), optional("reason"), optional("person")])
            .permission(verb.permission)
            .writes()
            .summary(format!(
                "Moves the order to {} (if the lifecycle allows it) and returns it; person (a username of personnel) names who did it in the history.",
                to.as_str()
            ))
            .handler(move |tx, c, a| {
                let c = &personnel::acting_for(tx, c, a.opt_str("person")?)?;
                production_order::transition(tx, c, &a.str(ORDER)?, to, a.opt_str("reason")?).map(order_json)
            });
    }
    m.function("getAllowedTransitions")
        .params([required(ORDER)])
        .permission("PRODUCTION_ORDER.READ.GET")
        .summary("The statuses the order can move to now.")
        .handler(|tx, _, a| Ok(json!(production_order::allowed_transitions(tx, &a.str(ORDER)?)?)));
    m.function("reportProduction")
        .params([required(ORDER), required("quantity"), optional("reason"), optional("person")])
        .permission(production_order::REPORT)
        .writes()
        .summary("Adds quantity (negative to correct) to quantityProduced atomically; returns the order. person (a username of personnel) names who produced it in the history.")
        .handler(move |tx, c, a| {
            let c = &personnel::acting_for(tx, c, a.opt_str("person")?)?;
            production_order::report(tx, c, &a.str(ORDER)?, &a.json_or_null("quantity")?, a.opt_str("reason")?).map(order_json)
        });
    m.function("getProductionOrderHistory")
        .params([required(ORDER)])
        .permission("PRODUCTION_ORDER.READ.GET")
        .summary("The order's history events, oldest first, or null.")
        .handler(|tx, _, a| {
            Ok(production_order::history(tx, &a.str(ORDER)?)?
                .map(|events| Json::Array(events.iter().map(|e| e.to_json()).collect()))
                .unwrap_or(Json::Null))
        });
    m.function("getDetailedProductionOrdersByLocationAndStatus")
        .params([required("locationIdsOrPaths"), required("statuses")])
        .permission("PRODUCTION_ORDER.READ.GET")
        .summary("Orders at those locations (and below) in those statuses, with property values and bill of materials.")
        .handler(|tx, _, a| {
            let orders = production_order::by_location_and_status(tx, &a.str_list("locationIdsOrPaths")?, &a.str_list("statuses")?)?;
            let detailed = orders
                .iter()
                .map(|o| production_order::detailed(tx, o))
                .collect::<CoreResult<Vec<_>>>()?;
            Ok(Json::Array(detailed))
        });
    m.function("deleteProductionOrderWithReferences")
        .params([required(ORDER)])
        .permission("PRODUCTION_ORDER.WRITE.DELETE")
        .writes()
        .summary("Deletes the order's property values and bill of materials items, then the order, in one transaction.")
        .handler(|tx, c, a| script_delete(production_order::delete_with_references(tx, c, &a.str(ORDER)?)));
    properties::register(&mut m);
    bill_of_materials::register(&mut m);
    exchange::register(&mut m);
}
