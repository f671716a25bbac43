//! `system.mes.personnel`: the people of the plant and the departments they belong to (a tree,
//! looked up by path). A person is found by id or `username` and may be linked to one login
//! user (`userId`); people without a login (operators at a line) are people without that link.

use crate::master_data_exchange::ExchangeFunctions;
use crate::registry::{required, script_delete, Builder, EntityFunctions};
use shopfloor_core::schema::Entity;
use shopfloor_core::service::entity;
use shopfloor_exchange::master_data;

pub fn register(b: &mut Builder) {
    let mut m = b.module("personnel");
    m.entity(
        Entity::Department,
        EntityFunctions {
            new: "newDepartment",
            save: "saveDepartment",
            validate: "validateDepartment",
            get: "getDepartment",
            get_all: "getAllDepartments",
            find: "findDepartments",
            references: "getDepartmentReferences",
            delete: "deleteDepartment",
        },
    )
    .register();
    m.entity(
        Entity::Person,
        EntityFunctions {
            new: "newPerson",
            save: "savePerson",
            validate: "validatePerson",
            get: "getPerson",
            get_all: "getAllPeople",
            find: "findPeople",
            references: "getPersonReferences",
            delete: "deletePerson",
        },
    )
    .register();
    m.permission_list("getPersonnelPermissions", "PERSONNEL");
    m.no_cache_to_clear("clearDepartmentCache", "PERSONNEL");
    m.master_data_exchange(&[
        (
            &master_data::PEOPLE,
            ExchangeFunctions {
                import: "importPeople",
                export: "exportPeople",
                queue_size: "getPersonnelImportQueueSize",
                cancel_queue: "cancelPersonnelImportQueue",
            },
        ),
        (
            &master_data::DEPARTMENTS,
            ExchangeFunctions {
                import: "importDepartments",
                export: "exportDepartments",
                queue_size: "getDepartmentImportQueueSize",
                cancel_queue: "cancelDepartmentImportQueue",
            },
        ),
    ]);
    // The reference's table names the argument `idsOrUsernames`, its Syntax line `ids`.
    for (name, param, also, e) in [
        ("deletePeople", "idsOrUsernames", "ids", Entity::Person),
        ("deleteDepartments", "idsOrPaths", "ids", Entity::Department),
    ] {
        m.function(name)
            .params([required(param).or(also)])
            .permission("PERSONNEL.WRITE.DELETE")
            .writes()
            .summary(format!(
                "Deletes the {}s, all or none: an ApiResponse with success false (nothing deleted) when one is missing or still referenced from outside the list.",
                e.def().label
            ))
            .handler(move |tx, c, a| script_delete(entity::delete_many(tx, c, e, &a.str_list(param)?)));
    }
}
