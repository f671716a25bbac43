//! B2MML export: `SyncProductionSchedule` and `SyncProductionPerformance` documents of orders.

use super::{priority_number, NAMESPACE};
use quick_xml::escape::escape;
use serde_json::Value as Json;

fn el(out: &mut String, name: &str, text: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    out.push_str(&escape(text));
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn text(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn quantity(out: &mut String, amount: &Json, unit: &Json) {
    out.push_str("<Quantity>");
    el(out, "QuantityString", &text(amount));
    el(out, "DataType", "decimal");
    el(out, "UnitOfMeasure", &text(unit));
    out.push_str("</Quantity>");
}

/// `SyncProductionSchedule` of the orders (as `getProductionOrder` returns them).
pub fn schedule(orders: &[Json]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<SyncProductionSchedule xmlns=\"{NAMESPACE}\"><DataArea><Sync/><ProductionSchedule>"
    );
    for o in orders {
        out.push_str("<ProductionRequest>");
        el(&mut out, "ID", &text(&o["name"]));
        if let Some(notes) = o["notes"].as_str() {
            el(&mut out, "Description", notes);
        }
        el(
            &mut out,
            "Priority",
            priority_number(o["schedulePriority"].as_str().unwrap_or("NORMAL")),
        );
        for (key, element) in [("startDate", "StartTime"), ("endDate", "EndTime")] {
            if let Some(t) = o[key].as_str() {
                el(&mut out, element, t);
            }
        }
        out.push_str("<SegmentRequirement>");
        for v in o["propertyValues"].as_array().map(Vec::as_slice).unwrap_or_default() {
            out.push_str("<ProductionParameter><Parameter>");
            el(&mut out, "ID", &text(&v["propertyName"]));
            out.push_str("<Value>");
            el(&mut out, "ValueString", &text(&v["value"]));
            el(&mut out, "DataType", &text(&v["dataType"]).to_lowercase());
            out.push_str("</Value></Parameter></ProductionParameter>");
        }
        out.push_str("<MaterialRequirement>");
        el(&mut out, "MaterialDefinitionID", &text(&o["productPath"]));
        el(&mut out, "MaterialUse", "Produced");
        quantity(&mut out, &o["quantity"], &o["unitOfMeasureName"]);
        out.push_str("</MaterialRequirement>");
        for item in o["billOfMaterials"].as_array().map(Vec::as_slice).unwrap_or_default() {
            out.push_str("<MaterialRequirement>");
            el(&mut out, "MaterialDefinitionID", &text(&item["materialPath"]));
            el(&mut out, "MaterialUse", "Consumed");
            quantity(&mut out, &item["quantityOrder"], &item["unitOfMeasureSymbol"]);
            out.push_str("</MaterialRequirement>");
        }
        out.push_str("</SegmentRequirement></ProductionRequest>");
    }
    out.push_str("</ProductionSchedule></DataArea></SyncProductionSchedule>\n");
    out
}

/// `SyncProductionPerformance`: one `ProductionResponse` per order with the produced quantity.
pub fn performance(orders: &[Json]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<SyncProductionPerformance xmlns=\"{NAMESPACE}\"><DataArea><Sync/><ProductionPerformance>"
    );
    for o in orders {
        out.push_str("<ProductionResponse>");
        el(&mut out, "ID", &text(&o["name"]));
        el(&mut out, "ProductionRequestID", &text(&o["name"]));
        el(&mut out, "ResponseState", &text(&o["status"]));
        if let Some(t) = o["startDate"].as_str() {
            el(&mut out, "StartTime", t);
        }
        if let Some(t) = o["endDate"].as_str() {
            el(&mut out, "EndTime", t);
        }
        out.push_str("<SegmentResponse><MaterialActual>");
        el(&mut out, "MaterialDefinitionID", &text(&o["productPath"]));
        el(&mut out, "MaterialUse", "Produced");
        quantity(&mut out, &o["quantityProduced"], &o["unitOfMeasureName"]);
        out.push_str("</MaterialActual></SegmentResponse></ProductionResponse>");
    }
    out.push_str("</ProductionPerformance></DataArea></SyncProductionPerformance>\n");
    out
}
