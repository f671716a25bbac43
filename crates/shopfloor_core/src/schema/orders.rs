//! The definitions of production orders and their bill of materials (their custom properties
//! are defined with the other property families in `properties`).

use super::fields::{d, f, fields, req, with_default, MATERIAL_TYPES, ORDER_STATUSES, PRIORITIES, QUANTITY, TEXT};
use super::types::{Default, Entity::*, EntityDef, Kind, Lookup, UniqueName};

pub(super) fn production_order() -> EntityDef {
    EntityDef {
        entity: ProductionOrder,
        noun: "ProductionOrder",
        plural: "ProductionOrders",
        label: "production order",
        module: "productionOrder",
        permission_prefix: "PRODUCTION_ORDER",
        table: "production_orders",
        rest: "production-orders",
        unique_name: UniqueName::Global,
        lookup: Lookup::Name,
        fields: fields(vec![
            req("name", "name", Kind::Name),
            req("productId", "product_id", Kind::Ref(Material)),
            f("customerId", "customer_id", Kind::Ref(Customer)),
            f("locationId", "location_id", Kind::Ref(Location)),
            with_default(req("status", "status", Kind::Enum(ORDER_STATUSES)), Default::Text("IDLE")),
            with_default(
                req("schedulePriority", "schedule_priority", Kind::Enum(PRIORITIES)),
                Default::Text("NORMAL"),
            ),
            with_default(req("quantity", "quantity", QUANTITY), Default::Real(0.0)),
            with_default(req("quantityProduced", "quantity_produced", QUANTITY), Default::Real(0.0)),
            with_default(req("quantityScheduled", "quantity_scheduled", QUANTITY), Default::Real(0.0)),
            f("startDate", "start_date", Kind::Time),
            f("endDate", "end_date", Kind::Time),
            f("dueDate", "due_date", Kind::Time),
            req("unitOfMeasureId", "unit_of_measure_id", Kind::Ref(UnitOfMeasure)),
            f("shiftRecordId", "shift_record_id", Kind::Ref(ShiftRecord)),
        ]),
        derived: vec![
            d("productName", "productId", "name"),
            d("productPath", "productId", "path"),
            d("customerName", "customerId", "name"),
            d("locationName", "locationId", "name"),
            d("locationPath", "locationId", "path"),
            d("unitOfMeasureName", "unitOfMeasureId", "name"),
            d("unitOfMeasureSymbol", "unitOfMeasureId", "symbol"),
        ],
        aliases: &[
            ("scheduleShiftRecordId", "shiftRecordId"),
            ("scheduleShiftId", "shiftRecordId"),
            ("productMaterialId", "productId"),
        ],
        params: None,
    }
}

pub(super) fn bill_of_materials_item() -> EntityDef {
    EntityDef {
        entity: BillOfMaterialsItem,
        noun: "BillOfMaterialsItem",
        plural: "BillOfMaterialsItems",
        label: "bill of materials item",
        module: "productionOrder",
        permission_prefix: "PRODUCTION_ORDER",
        table: "bill_of_materials_items",
        rest: "bill-of-materials-items",
        unique_name: UniqueName::None,
        lookup: Lookup::IdOnly,
        fields: fields(vec![
            req("productionOrderId", "production_order_id", Kind::Ref(ProductionOrder)),
            f("productId", "product_id", Kind::Ref(Material)),
            req("materialId", "material_id", Kind::Ref(Material)),
            with_default(
                req("quantityPerProducedUnit", "quantity_per_produced_unit", QUANTITY),
                Default::Real(0.0),
            ),
            f("quantityOrder", "quantity_order", QUANTITY),
            f("unitOfMeasureId", "unit_of_measure_id", Kind::Ref(UnitOfMeasure)),
            f("position", "position", Kind::Int),
            f("materialGroup", "material_group", TEXT),
            with_default(
                req("materialType", "material_type", Kind::Enum(MATERIAL_TYPES)),
                Default::Text("COMPONENT"),
            ),
        ]),
        derived: vec![
            d("materialName", "materialId", "name"),
            d("materialPath", "materialId", "path"),
            d("productName", "productId", "name"),
            d("unitOfMeasureSymbol", "unitOfMeasureId", "symbol"),
            d("productionOrderName", "productionOrderId", "name"),
        ],
        aliases: &[],
        params: Some(("billOfMaterialsId", "billOfMaterialsData")),
    }
}
