//! `system.mes.unitOfMeasure`: units, conversions between them, and converting amounts.

use crate::args::Args;
use crate::master_data_exchange::ExchangeFunctions;
use crate::registry::{optional, record_or_null, records, required, Builder, EntityFunctions};
use serde_json::json;
use shopfloor_core::errors::CoreResult;
use shopfloor_core::record::Record;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{entity, unit_of_measure};
use shopfloor_core::tx::Tx;
use shopfloor_exchange::master_data;

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
    m.no_cache_to_clear("clearUnitOfMeasureCache", "UNIT_OF_MEASURE");
    m.master_data_exchange(&[(
        &master_data::UNITS_OF_MEASURE,
        ExchangeFunctions {
            import: "importUnitsOfMeasure",
            export: "exportUnitsOfMeasure",
            queue_size: "getUnitOfMeasureImportQueueSize",
            cancel_queue: "cancelUnitOfMeasureImportQueue",
        },
    )]);
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
    let conversion = Entity::UnitOfMeasureConversion;
    m.function("getConversion")
        .params([required("id")])
        .permission("UNIT_OF_MEASURE.READ.GET")
        .summary("The conversion with that id, or null (the same as getUnitOfMeasureConversion).")
        .handler(move |tx, _, a| Ok(record_or_null(conversion, entity::lookup(tx, conversion, &a.str("id")?)?)));
    m.function("getConversionFor")
        .params([required("fromIdOrName"), required("toIdOrName"), optional("materialId")])
        .permission("UNIT_OF_MEASURE.READ.GET")
        .summary("The conversion stored for exactly these units (and material), or null; no fallback or inverse.")
        .handler(move |tx, _, a| Ok(record_or_null(conversion, conversion_for(tx, a)?)));
    m.function("doesConversionExist")
        .params([required("fromIdOrName"), required("toIdOrName"), optional("materialId")])
        .permission("UNIT_OF_MEASURE.READ.GET")
        .summary("Whether a conversion is stored for exactly these units (and material).")
        .handler(|tx, _, a| Ok(json!(conversion_for(tx, a)?.is_some())));
    m.function("addConversion")
        .params([
            required("fromIdOrName"),
            required("toIdOrName"),
            required("conversionFactor"),
            optional("materialId"),
        ])
        .permission("UNIT_OF_MEASURE.WRITE.SAVE")
        .writes()
        .summary("Creates a conversion between two units given by id or name (optionally for one material).")
        .handler(move |tx, c, a| {
            let added = unit_of_measure::add_conversion(
                tx,
                c,
                &a.str("fromIdOrName")?,
                &a.str("toIdOrName")?,
                &a.json_or_null("conversionFactor")?,
                a.opt_str("materialId")?.as_deref(),
            )?;
            Ok(added.to_json(conversion.def()))
        });
    m.function("getAllConversions")
        .permission("UNIT_OF_MEASURE.READ.GET")
        .summary("Every conversion (the same as getAllUnitOfMeasureConversions).")
        .handler(move |tx, _, _| Ok(records(conversion, entity::all(tx, conversion)?)));
    m.function("getAllConversionsForMaterial")
        .params([required("id").or("materialIdOrPath")])
        .permission("UNIT_OF_MEASURE.READ.GET")
        .summary("The conversions that apply to one material only (material by id or path).")
        .handler(move |tx, _, a| Ok(records(conversion, unit_of_measure::conversions_for_material(tx, &a.str("id")?)?)));
}

/// The conversion `(fromIdOrName, toIdOrName, materialId=None)` name exactly, for
/// `getConversionFor` and `doesConversionExist`.
fn conversion_for(tx: &mut dyn Tx, a: &Args) -> CoreResult<Option<Record>> {
    let material = a.opt_str("materialId")?;
    unit_of_measure::conversion_for(tx, &a.str("fromIdOrName")?, &a.str("toIdOrName")?, material.as_deref())
}
