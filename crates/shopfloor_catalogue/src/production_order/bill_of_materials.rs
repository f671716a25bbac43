//! Bill-of-materials items of an order (SPEC §2.4).

use super::ORDER;
use crate::registry::{required, script_delete, EntityFunctions, Module};
use serde_json::Value as Json;
use shopfloor_core::record::Record;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{bill_of_materials, entity};

fn item_json(r: Record) -> Json {
    r.to_json(Entity::BillOfMaterialsItem.def())
}

pub fn register(m: &mut Module) {
    m.entity(
        Entity::BillOfMaterialsItem,
        EntityFunctions {
            new: "newBillOfMaterialsItem",
            save: "saveBillOfMaterialsItem",
            validate: "validateBillOfMaterialsItem",
            get: "getBillOfMaterialsItem",
            get_all: "getAllBillOfMaterialsItems",
            find: "findBillOfMaterialsItems",
            references: "getBillOfMaterialsItemReferences",
            delete: "deleteBillOfMaterialsItem",
        },
    )
    .register();
    m.function("getBillOfMaterialsForOrder")
        .params([required(ORDER)])
        .permission("PRODUCTION_ORDER.READ.GET")
        .summary("The order's bill of materials items by position, or null when there is no such order.")
        .handler(
            |tx, _, a| match entity::lookup(tx, Entity::ProductionOrder, &a.str(ORDER)?)?.and_then(|o| o.id()) {
                Some(id) => Ok(Json::Array(
                    bill_of_materials::items_of(tx, id)?.into_iter().map(item_json).collect(),
                )),
                None => Ok(Json::Null),
            },
        );
    m.function("getBillOfMaterialsForOrderFlattened")
        .params([required(ORDER)])
        .permission("PRODUCTION_ORDER.READ.GET")
        .summary("The order's items with the names and descriptions of material, class, product, unit and order.")
        .handler(|tx, _, a| {
            Ok(bill_of_materials::flattened(tx, &a.str(ORDER)?)?
                .map(Json::Array)
                .unwrap_or(Json::Null))
        });
    m.function("getBillOfMaterialsFor")
        .params([required(ORDER), required("materialIdOrPath")])
        .permission("PRODUCTION_ORDER.READ.GET")
        .summary("The order's item for that material, or null.")
        .handler(|tx, _, a| {
            Ok(bill_of_materials::item_for(tx, &a.str(ORDER)?, &a.str("materialIdOrPath")?)?
                .map(item_json)
                .unwrap_or(Json::Null))
        });
    m.function("deleteBillOfMaterialsForOrder")
        .params([required(ORDER)])
        .permission("PRODUCTION_ORDER.WRITE.DELETE")
        .writes()
        .summary("Deletes every bill of materials item of the order.")
        .handler(|tx, c, a| script_delete(bill_of_materials::delete_for_order(tx, c, &a.str(ORDER)?)));
    m.function("swapBillOfMaterialsPositions")
        .params([required("billOfMaterialsId1"), required("billOfMaterialsId2")])
        .permission("PRODUCTION_ORDER.WRITE.SAVE")
        .writes()
        .summary("Swaps the positions of two items of the same order.")
        .handler(|tx, c, a| bill_of_materials::swap(tx, c, &a.str("billOfMaterialsId1")?, &a.str("billOfMaterialsId2")?));
}
