//! `system.mes.material`: materials and their class tree.

use crate::registry::{record_or_null, required, Builder, EntityFunctions};
use shopfloor_core::schema::Entity;
use shopfloor_core::service::material;

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
}
