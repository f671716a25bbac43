//! `shopfloor demo` / `serve --demo`: a small, realistic dairy plant so that a newcomer sees a
//! working system at once. Everything goes through the same services as the API, so the demo
//! data obeys every rule (and has history). Never touches a database that already has data.

use anyhow::Context;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use shopfloor_core::errors::CoreResult;
use shopfloor_core::lifecycle::Status;
use shopfloor_core::query::Query;
use shopfloor_core::record::Record;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{entity, production_order, shift};
use shopfloor_core::time::Timestamp;
use shopfloor_core::tx::{Caller, Tx};
use shopfloor_store::Store;

const ORDERS: usize = 300;
const DAY_MS: i64 = 86_400_000;

fn save(tx: &mut dyn Tx, caller: &Caller, e: Entity, data: Value) -> CoreResult<Record> {
    let map: Map<String, Value> = data.as_object().cloned().unwrap_or_default();
    entity::save(tx, caller, e, &map)
}

fn id(r: &Record) -> String {
    r.id().map(|i| i.to_string()).unwrap_or_default()
}

/// Fills the database if it is empty; says what it did.
pub async fn fill(store: &Store) -> anyhow::Result<String> {
    let empty = store
        .read(|tx| {
            let q = Query {
                page: Some(shopfloor_core::query::Page { size: 1, index: 0 }),
                ..Query::default()
            };
            Ok(tx.find(Entity::UnitOfMeasure, &q)?.is_empty() && tx.find(Entity::ProductionOrder, &q)?.is_empty())
        })
        .await
        .context("checking whether the database is empty")?;
    if !empty {
        return Ok("the database already has data; the demo plant was not added".into());
    }
    store.write(plant).await.context("creating the demo plant")?;
    Ok(format!(
        "demo plant created: units, materials, locations DairyCo/Plant1/…, customers, shifts and {ORDERS} production orders"
    ))
}

fn plant(tx: &mut dyn Tx) -> CoreResult<()> {
    let caller = Caller {
        user: "demo".into(),
        ..Caller::system()
    };
    let c = &caller;
    let ea = save(tx, c, Entity::UnitOfMeasure, json!({"name": "Each", "symbol": "ea"}))?;
    let kg = save(tx, c, Entity::UnitOfMeasure, json!({"name": "Kilogram", "symbol": "kg"}))?;
    let l = save(tx, c, Entity::UnitOfMeasure, json!({"name": "Liter", "symbol": "L"}))?;
    let cs = save(tx, c, Entity::UnitOfMeasure, json!({"name": "Case", "symbol": "cs"}))?;
    let plt = save(tx, c, Entity::UnitOfMeasure, json!({"name": "Pallet", "symbol": "plt"}))?;
    save(
        tx,
        c,
        Entity::UnitOfMeasureConversion,
        json!({"fromId": id(&cs), "toId": id(&ea), "conversionFactor": 24}),
    )?;
    save(
        tx,
        c,
        Entity::UnitOfMeasureConversion,
        json!({"fromId": id(&plt), "toId": id(&cs), "conversionFactor": 40}),
    )?;
    save(
        tx,
        c,
        Entity::UnitOfMeasureConversion,
        json!({"fromId": id(&l), "toId": id(&kg), "conversionFactor": 1.03, "notes": "whole milk density"}),
    )?;

    let raw = save(tx, c, Entity::MaterialClass, json!({"name": "RAW", "description": "Raw materials"}))?;
    let dairy = save(tx, c, Entity::MaterialClass, json!({"name": "DAIRY", "parentId": id(&raw)}))?;
    let flav = save(
        tx,
        c,
        Entity::MaterialClass,
        json!({"name": "FLAV", "parentId": id(&raw), "description": "Flavours and fruit preparations"}),
    )?;
    let pack = save(tx, c, Entity::MaterialClass, json!({"name": "PACK", "description": "Packaging"}))?;
    let fg = save(tx, c, Entity::MaterialClass, json!({"name": "FG", "description": "Finished goods"}))?;
    for (name, class, unit, erp) in [
        ("Whole Milk", &dairy, &l, "RM-1001"),
        ("Cream", &dairy, &l, "RM-1002"),
        ("Cultures YC-380", &dairy, &kg, "RM-1003"),
        ("Sugar", &raw, &kg, "RM-1010"),
        ("Strawberry Prep", &flav, &kg, "RM-1020"),
        ("Vanilla Extract", &flav, &kg, "RM-1021"),
        ("Cup 150g", &pack, &ea, "PK-2001"),
        ("Lid 150g", &pack, &ea, "PK-2002"),
        ("Shipper Case 24", &pack, &ea, "PK-2003"),
    ] {
        save(
            tx,
            c,
            Entity::Material,
            json!({"name": name, "materialClassId": id(class), "unitOfMeasureId": id(unit), "erpId": erp}),
        )?;
    }
    let mut products = Vec::new();
    for (name, erp, days) in [
        ("Yogurt Strawberry 150g", "FG-3001", 28),
        ("Yogurt Vanilla 150g", "FG-3002", 28),
        ("Yogurt Plain 500g", "FG-3003", 21),
        ("Drinking Yogurt Strawberry 1L", "FG-3004", 21),
    ] {
        products.push(save(
            tx,
            c,
            Entity::Material,
            json!({"name": name, "materialClassId": id(&fg), "unitOfMeasureId": id(&cs), "erpId": erp, "shelfLifeDays": days}),
        )?);
    }

    let ent = save(tx, c, Entity::Location, json!({"name": "DairyCo", "type": "ENTERPRISE"}))?;
    let site = save(
        tx,
        c,
        Entity::Location,
        json!({"name": "Plant1", "type": "SITE", "parentId": id(&ent), "description": "Main plant"}),
    )?;
    let cultured = save(
        tx,
        c,
        Entity::Location,
        json!({"name": "Cultured", "type": "AREA", "parentId": id(&site)}),
    )?;
    let packaging = save(
        tx,
        c,
        Entity::Location,
        json!({"name": "Packaging", "type": "AREA", "parentId": id(&site)}),
    )?;
    let mut lines = Vec::new();
    for (name, area) in [("Line1", &cultured), ("Line2", &cultured), ("Line3", &packaging)] {
        lines.push(save(
            tx,
            c,
            Entity::Location,
            json!({"name": name, "type": "LINE", "parentId": id(area)}),
        )?);
    }

    let mut customers = Vec::new();
    for (name, city, country) in [
        ("FreshMart", "Columbus", "US"),
        ("GreenGrocer Co-op", "Portland", "US"),
        ("Alpine Foods", "Zurich", "CH"),
        ("Northern Retail", "Oslo", "NO"),
        ("Café Lumière", "Lyon", "FR"),
    ] {
        customers.push(save(
            tx,
            c,
            Entity::Customer,
            json!({"name": name, "city": city, "country": country, "primaryContact": "Purchasing"}),
        )?);
    }

    let day = save(
        tx,
        c,
        Entity::Shift,
        json!({"name": "Day", "locationId": id(&site), "description": "06:00-14:00"}),
    )?;
    save(
        tx,
        c,
        Entity::Shift,
        json!({"name": "Swing", "locationId": id(&site), "description": "14:00-22:00"}),
    )?;
    save(
        tx,
        c,
        Entity::Shift,
        json!({"name": "Night", "locationId": id(&site), "description": "22:00-06:00"}),
    )?;
    shift::start(tx, c, shift::ShiftRef::Id(&id(&day)), None)?;

    let mut rng = StdRng::seed_from_u64(2026);
    let now = Timestamp::now().millis();
    let priorities = ["LOW", "NORMAL", "NORMAL", "NORMAL", "HIGH", "URGENT"];
    for n in 0..ORDERS {
        let product = &products[rng.gen_range(0..products.len())];
        let line = &lines[rng.gen_range(0..lines.len())];
        let quantity = (rng.gen_range(10..200) * 10) as f64;
        let due = now + rng.gen_range(-10..30) * DAY_MS;
        let mut data = json!({
            "name": format!("PO-{:05}", 10_000 + n),
            "productId": id(product),
            "unitOfMeasureId": id(&cs),
            "locationId": id(line),
            "quantity": quantity,
            "schedulePriority": priorities[rng.gen_range(0..priorities.len())],
            "dueDate": due,
        });
        if rng.gen_bool(0.7) {
            data["customerId"] = json!(id(&customers[rng.gen_range(0..customers.len())]));
        }
        let order = save(tx, c, Entity::ProductionOrder, data)?;
        let name = order.text("name").unwrap_or_default().to_string();
        // Walk each order a random distance along the lifecycle, so every status appears.
        let path: &[Status] = match n % 8 {
            0 => &[],
            1 => &[Status::Scheduled],
            2 | 3 => &[Status::Scheduled, Status::Running],
            4 => &[Status::Scheduled, Status::Running, Status::Paused],
            5 => &[Status::Scheduled, Status::Running, Status::Stopped],
            6 => &[Status::Scheduled, Status::Running, Status::Stopped, Status::Closed],
            _ => &[Status::Cancelled],
        };
        for step in path {
            production_order::transition(tx, c, &name, *step, None)?;
            if *step == Status::Running {
                let made = (quantity * rng.gen_range(0.1..1.05)).round();
                production_order::report(tx, c, &name, &json!(made), Some("line counter".into()))?;
            }
        }
    }
    Ok(())
}
