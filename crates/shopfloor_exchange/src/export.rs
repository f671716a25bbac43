//! Export of orders with their bill of materials and property values, in every import format.

use crate::{Format, ORDER};
use serde_json::{Map, Value as Json};
use shopfloor_core::errors::CoreResult;
use shopfloor_core::id::Id;
use shopfloor_core::service::{entity, production_order};
use shopfloor_core::tx::Tx;

/// `exportProductionOrders(format, queryRequest=None)`: the orders the query selects (all when
/// none), each as `getProductionOrder` returns it (with `billOfMaterials` and `propertyValues`),
/// which is a shape `importProductionOrders` reads back.
pub fn export(tx: &mut dyn Tx, format: Format, request: &Map<String, Json>) -> CoreResult<Json> {
    let found = entity::find(tx, ORDER, request)?;
    let mut orders = Vec::new();
    for listed in found["content"].as_array().map(Vec::as_slice).unwrap_or_default() {
        let Some(id) = listed["id"].as_str().and_then(|t| Id::parse(t).ok()) else {
            continue;
        };
        if let Some(order) = tx.get(ORDER, id)? {
            orders.push(production_order::detailed(tx, &order)?);
        }
    }
    match format {
        Format::Json => Ok(Json::Array(orders)),
        Format::Csv => orders_csv(&orders).map(Json::String),
        Format::CsvBom => bill_of_materials_csv(&orders).map(Json::String),
        Format::B2mml => Ok(Json::String(crate::b2mml::schedule(&orders))),
        Format::B2mmlPerformance => Ok(Json::String(crate::b2mml::performance(&orders))),
    }
}

/// Order fields written to CSV: the name, the natural keys instead of the references, then the
/// other input fields.
fn order_columns() -> Vec<String> {
    let mut columns: Vec<String> = ["name", "productPath", "unitOfMeasureName", "locationPath", "customerName"]
        .iter()
        .map(|c| c.to_string())
        .collect();
    for f in &ORDER.def().fields {
        let skip = matches!(f.kind, shopfloor_core::schema::Kind::Ref(_) | shopfloor_core::schema::Kind::Id)
            || f.access != shopfloor_core::schema::Access::Input
            || f.key == "name"
            || f.key == "version";
        if !skip {
            columns.push(f.key.to_string());
        }
    }
    columns
}

fn orders_csv(orders: &[Json]) -> CoreResult<String> {
    let mut columns = order_columns();
    let mut properties: Vec<String> = Vec::new();
    let mut rows = Vec::with_capacity(orders.len());
    for o in orders {
        let mut row = o.as_object().cloned().unwrap_or_default();
        for v in o["propertyValues"].as_array().map(Vec::as_slice).unwrap_or_default() {
            if let Some(name) = v["propertyName"].as_str() {
                let column = format!("{}{name}", crate::csv::PROPERTY_PREFIX);
                if !properties.contains(&column) {
                    properties.push(column.clone());
                }
                row.insert(column, v["value"].clone());
            }
        }
        rows.push(row);
    }
    properties.sort();
    columns.extend(properties);
    crate::csv::write(&columns, &rows)
}

fn bill_of_materials_csv(orders: &[Json]) -> CoreResult<String> {
    let columns: Vec<String> = [
        crate::csv::ORDER_KEY,
        "materialPath",
        "quantityPerProducedUnit",
        "quantityOrder",
        "unitOfMeasureSymbol",
        "materialGroup",
        "materialType",
    ]
    .iter()
    .map(|c| c.to_string())
    .collect();
    let mut rows = Vec::new();
    for o in orders {
        for item in o["billOfMaterials"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let mut row = item.as_object().cloned().unwrap_or_default();
            row.insert(crate::csv::ORDER_KEY.into(), o["name"].clone());
            rows.push(row);
        }
    }
    crate::csv::write(&columns, &rows)
}
