//! `system.mes.material`: materials and their class tree, the material properties (defined per
//! material class) and their values per material, and material reason codes.

use crate::master_data_exchange::ExchangeFunctions;
use crate::properties::{self, value_json};
use crate::registry::{record_or_null, records, required, script_delete, Builder, EntityFunctions, Module};
use serde_json::Value as Json;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::property::{self, MATERIAL};
use shopfloor_core::service::{entity, material};
use shopfloor_exchange::master_data;

const MATERIAL_PARAM: &str = "materialIdOrPath";
const CLASS_PARAM: &str = "materialClassIdOrPath";
const PROPERTY: &str = "propertyIdOrName";

pub fn register(b: &mut Builder) {
    let mut m = b.module("material");
    m.entity(
        Entity::MaterialClass,
        EntityFunctions {
            new: "newMaterialClass",
            save: "saveMaterialClass",
            validate: "validateMaterialClass",
            get: "getMaterialClass",
            get_all: "getAllMaterialClasses",
            find: "findMaterialClasses",
            references: "getMaterialClassReferences",
            delete: "deleteMaterialClass",
        },
    )
    .register();
    m.entity(
        Entity::Material,
        EntityFunctions {
            new: "newMaterial",
            save: "saveMaterial",
            validate: "validateMaterial",
            get: "getMaterial",
            get_all: "getAllMaterials",
            find: "findMaterials",
            references: "getMaterialReferences",
            delete: "deleteMaterial",
        },
    )
    .register();
    m.permission_list("getMaterialPermissions", "MATERIAL");
    m.no_cache_to_clear("clearMaterialCache", "MATERIAL");
    m.no_cache_to_clear("clearMaterialClassCache", "MATERIAL");
    m.documented_files_as_bytes(&master_data::MATERIALS);
    m.master_data_exchange(&[(
        &master_data::MATERIALS,
        ExchangeFunctions {
            import: "importMaterials",
            export: "exportMaterials",
            queue_size: "getMaterialImportQueueSize",
            cancel_queue: "cancelMaterialImportQueue",
        },
    )]);
    m.function("createMaterialClassesForPath")
        .params([required("path")])
        .permission("MATERIAL.WRITE.SAVE")
        .writes()
        .summary("Creates the missing material classes along a path; returns the last.")
        .handler(|tx, c, a| material::create_classes_for_path(tx, c, &a.str("path")?).map(|r| r.to_json(Entity::MaterialClass.def())));
    m.function("getMaterialByErpId")
        .params([required("erpId")])
        .permission("MATERIAL.READ.GET")
        .summary("The material with that ERP id, or null.")
        .handler(|tx, _, a| Ok(record_or_null(Entity::Material, material::by_erp_id(tx, &a.str("erpId")?)?)));
    for (name, param, e) in [
        ("doesMaterialExist", MATERIAL_PARAM, Entity::Material),
        ("doesMaterialClassExist", CLASS_PARAM, Entity::MaterialClass),
    ] {
        m.function(name)
            .params([required(param).or("idOrPath")])
            .permission("MATERIAL.READ.GET")
            .summary(format!("Whether a {} with that id or path exists.", e.def().label))
            .handler(move |tx, _, a| Ok(Json::Bool(entity::lookup(tx, e, &a.str(param)?)?.is_some())));
    }
    for (name, e) in [
        ("deleteMaterials", Entity::Material),
        ("deleteMaterialClasses", Entity::MaterialClass),
    ] {
        m.function(name)
            .params([required("idsOrPaths")])
            .permission("MATERIAL.WRITE.DELETE")
            .writes()
            .summary(format!(
                "Deletes the {}s, all or none: an ApiResponse with success false (nothing deleted) when one is missing or still referenced from outside the list.",
                e.def().label
            ))
            .handler(move |tx, c, a| script_delete(entity::delete_many(tx, c, e, &a.str_list("idsOrPaths")?)));
    }
    register_properties(&mut m);
    register_reason_codes(&mut m);
}

fn register_properties(m: &mut Module) {
    properties::register(
        m,
        &MATERIAL,
        EntityFunctions {
            new: "newMaterialProperty",
            save: "saveMaterialProperty",
            validate: "validateMaterialProperty",
            get: "getMaterialProperty",
            get_all: "getAllMaterialProperties",
            find: "findMaterialProperties",
            references: "getMaterialPropertyReferences",
            delete: "deleteMaterialProperty",
        },
        EntityFunctions {
            new: "newMaterialPropertyValue",
            save: "saveMaterialPropertyValue",
            validate: "validateMaterialPropertyValue",
            get: "getMaterialPropertyValue",
            get_all: "getAllMaterialPropertyValues",
            find: "findMaterialPropertyValues",
            references: "getMaterialPropertyValueReferences",
            delete: "deleteMaterialPropertyValue",
        },
    );
    m.function("getPropertiesForMaterialClass")
        .params([required(CLASS_PARAM).or("idOrPath")])
        .permission("MATERIAL.READ.GET")
        .summary("The properties defined for the material class, by name; null when there is no such class.")
        .handler(|tx, _, a| {
            Ok(material::properties_of_class(tx, &a.str(CLASS_PARAM)?)?
                .map(|ps| records(Entity::MaterialProperty, ps))
                .unwrap_or(Json::Null))
        });
    m.function("getPropertyValuesForMaterial")
        .params([required(MATERIAL_PARAM).or("idOrPath")])
        .permission("MATERIAL.READ.GET")
        .summary("Every property value of the material, by property name; null when there is no such material.")
        .handler(|tx, _, a| properties::values_of_owner(tx, &MATERIAL, &a.str(MATERIAL_PARAM)?));
    m.function("getValueForMaterialAndProperty")
        .params([required(MATERIAL_PARAM), required(PROPERTY)])
        .permission("MATERIAL.READ.GET")
        .summary("The material's value of the property, or null.")
        .handler(|tx, _, a| {
            Ok(property::value_for(tx, &MATERIAL, &a.str(MATERIAL_PARAM)?, &a.str(PROPERTY)?)?
                .map(|r| value_json(&MATERIAL, r))
                .unwrap_or(Json::Null))
        });
    m.function("getPropertiesAndValuesForMaterial")
        .params([required(MATERIAL_PARAM).or("idOrPath")])
        .permission("MATERIAL.READ.GET")
        .summary("One row per property of the material's class with the material's value (null where it has none); null when there is no such material.")
        .handler(|tx, _, a| Ok(material::properties_and_values(tx, &a.str(MATERIAL_PARAM)?)?.map(Json::Array).unwrap_or(Json::Null)));
    m.function("deletePropertyValueFor")
        .params([required("materialPath"), required("propertyName")])
        .permission("MATERIAL.WRITE.DELETE")
        .writes()
        .summary("Deletes the material's value of the property; an ApiResponse (success false when there is none).")
        .handler(|tx, c, a| {
            let names = [a.str("propertyName")?];
            script_delete(
                property::values_named(tx, &MATERIAL, &a.str("materialPath")?, &names)
                    .and_then(|vs| property::delete_values(tx, c, &MATERIAL, vs)),
            )
        });
    m.function("deletePropertyValues")
        .params([required("ids")])
        .permission("MATERIAL.WRITE.DELETE")
        .writes()
        .summary("Deletes the material property values with these ids, all or none; an ApiResponse.")
        .handler(|tx, c, a| {
            script_delete(
                property::values_by_id(tx, &MATERIAL, &a.str_list("ids")?).and_then(|vs| property::delete_values(tx, c, &MATERIAL, vs)),
            )
        });
    m.function("deletePropertyValuesFor")
        .params([required("materialPath"), required("propertyNames")])
        .permission("MATERIAL.WRITE.DELETE")
        .writes()
        .summary("Deletes the material's values of the named properties, all or none; an ApiResponse.")
        .handler(|tx, c, a| {
            script_delete(
                property::values_named(tx, &MATERIAL, &a.str("materialPath")?, &a.str_list("propertyNames")?)
                    .and_then(|vs| property::delete_values(tx, c, &MATERIAL, vs)),
            )
        });
}

fn register_reason_codes(m: &mut Module) {
    m.entity(
        Entity::MaterialReasonCode,
        EntityFunctions {
            new: "newMaterialReasonCode",
            save: "saveMaterialReasonCode",
            validate: "validateMaterialReasonCode",
            get: "getMaterialReasonCode",
            get_all: "getAllMaterialReasonCodes",
            find: "findMaterialReasonCodes",
            references: "getMaterialReasonCodeReferences",
            delete: "deleteMaterialReasonCode",
        },
    )
    .register();
}
