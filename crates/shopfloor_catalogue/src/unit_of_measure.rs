//! `system.mes.unitOfMeasure`: units, conversions between them, and converting amounts.

use crate::registry::{optional, required, Builder, EntityFunctions};
use serde_json::json;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{entity, unit_of_measure};

pub fn register(b: &mut Builder) {
    let mut m = b.module("unitOfMeasure");
    m.entity(
        Entity::UnitOfMeasure,
        EntityFunctions {
            new: "newUnitOfMeasure",
            save: "saveUnitOfMeasure",
            validate: "validateUnitOfMeasure",
            get: "getUnitOfMeasure",
            get_all: "getAllUnitsOfMeasure",
            find: "findUnitsOfMeasure",
            references: "getUnitOfMeasureReferences",
            delete: "deleteUnitOfMeasure",
        },
    )
    .register();
    m.entity(
        Entity::UnitOfMeasureConversion,
        EntityFunctions {
            new: "newUnitOfMeasureConversion",
            save: "saveUnitOfMeasureConversion",
            validate: "validateUnitOfMeasureConversion",
            get: "getUnitOfMeasureConversion",
            get_all: "getAllUnitOfMeasureConversions",
            find: "findUnitOfMeasureConversions",
            references: "getUnitOfMeasureConversionReferences",
            delete: "deleteUnitOfMeasureConversion",
        },
    )
    .register();
    m.permission_list("getUnitOfMeasurePermissions", "UNIT_OF_MEASURE");
    m.function("getUnitOfMeasureOrCreateNew")
        .params([required("name"), required("symbol")])
        .permission("UNIT_OF_MEASURE.READ.GET")
        .writes()
        .summary("The unit with that name, created with the symbol if missing (creating needs UNIT_OF_MEASURE.WRITE.SAVE).")
        .handler(|tx, c, a| {
            let name = a.str("name")?;
            if entity::lookup(tx, Entity::UnitOfMeasure, &name)?.is_none() {
                c.require("UNIT_OF_MEASURE.WRITE.SAVE")?;
            }
            unit_of_measure::get_or_create(tx, c, &name, &a.str("symbol")?).map(|r| r.to_json(Entity::UnitOfMeasure.def()))
        });
    m.function("doesUnitOfMeasureExist")
        .params([required("unitOfMeasureIdOrName").or("idOrName")])
        .permission("UNIT_OF_MEASURE.READ.GET")
        .summary("Whether the unit exists.")
        .handler(|tx, _, a| {
            Ok(json!(
                entity::lookup(tx, Entity::UnitOfMeasure, &a.str("unitOfMeasureIdOrName")?)?.is_some()
            ))
        });
    m.function("convert")
        .params([
            required("amount"),
            required("fromIdOrName").or("from"),
            required("toIdOrName").or("to"),
            optional("materialIdOrPath"),
        ])
        .permission("UNIT_OF_MEASURE.READ.GET")
        .summary("Converts an amount between units (material-specific first, then generic, then inverse).")
        .handler(|tx, _, a| {
            let converted = unit_of_measure::convert(
                tx,
                &a.json_or_null("amount")?,
                &a.str("fromIdOrName")?,
                &a.str("toIdOrName")?,
                a.opt_str("materialIdOrPath")?.as_deref(),
            )?;
            Ok(json!(converted))
        });
}
