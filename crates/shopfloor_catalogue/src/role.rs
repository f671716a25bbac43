//! `system.mes.role`: roles as the original scripting API documents them — a role grants its
//! permissions to whoever holds its security levels (`securityLevels`, `roleRequirementType`
//! ALL_OF/ANY_OF) — over the same roles as `security` (one table, one rule of permissions:
//! `service::security_levels`). Everything needs `SYSTEM.ADMIN` but the template and the
//! questions a caller asks about itself (docs/adr/0015-role-module.md).

use crate::master_data_exchange::ExchangeFunctions;
use crate::registry::{kwargs, required, script_delete, Builder, EntityFunctions};
use serde_json::json;
use shopfloor_core::record::fresh_template_update;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{entity, role, security_levels};
use shopfloor_exchange::master_data;

const ADMIN: &str = "SYSTEM.ADMIN";

/// The role's common calls, the same in module `role` and in module `security`: one roles table.
pub(crate) const ROLE_FUNCTIONS: EntityFunctions = EntityFunctions {
    new: "newRole",
    save: "saveRole",
    validate: "validateRole",
    get: "getRole",
    get_all: "getAllRoles",
    find: "findRoles",
    references: "getRoleReferences",
    delete: "deleteRole",
};

pub fn register(b: &mut Builder) {
    let mut m = b.module("role");
    m.entity(Entity::Role, ROLE_FUNCTIONS).permission(ADMIN).register();
    // Roles of the original API have no name: a new one gets `Role <id>`, an update keeps it.
    m.overload("saveRole")
        .params([kwargs("roleData")])
        .permission(ADMIN)
        .writes()
        .summary("Creates a role, or updates the one with the given id. Without a name a new role is named `Role <id>` and an update keeps its name.")
        .handler(|tx, c, a| {
            let data = fresh_template_update(Entity::Role.def(), a.object("roleData")?);
            let data = role::nameless_role_data(tx, &data)?;
            entity::save_answer(tx, c, Entity::Role, &data)
        });
    m.overload("validateRole")
        .params([kwargs("roleData")])
        .permission(ADMIN)
        .summary("Checks a role as saveRole would (a missing name is generated, as there); returns {field: [messages]}. Writes nothing.")
        .handler(|tx, c, a| {
            let data = fresh_template_update(Entity::Role.def(), a.object("roleData")?);
            let data = role::nameless_role_data(tx, &data)?;
            entity::validate(tx, c, Entity::Role, &data)
        });
    m.function("deleteRoles")
        .params([required("idsOrNames").or("ids")])
        .permission(ADMIN)
        .writes()
        .summary("Deletes the roles, all or none: an ApiResponse with success false (nothing deleted) when one is missing, built in, held by users, named by a security level of a role outside the list, or the last way to *.")
        .handler(|tx, c, a| script_delete(role::delete_roles(tx, c, &a.str_list("idsOrNames")?, "idsOrNames")));
    m.function("getAllPermissions")
        .permission(ADMIN)
        .summary("Every permission string the server knows, with *.")
        .handler(|_, _, _| {
            let mut all = crate::CATALOGUE.permissions();
            all.push("*".into());
            Ok(json!(all))
        });
    m.function("getSecurityLevelTree")
        .permission(ADMIN)
        .summary("The security levels as a tree of {name, path, description, children}: Authenticated (every signed-in user), Authenticated/Roles, and one level per role (the users it is assigned to).")
        .handler(|tx, _, _| Ok(security_levels::tree(&entity::all(tx, Entity::Role)?)));
    m.function("getAllSecurityLevelPaths")
        .permission(ADMIN)
        .summary("The paths of every leaf security level (Authenticated/Roles/<role name>).")
        .handler(|tx, _, _| {
            let tree = security_levels::tree(&entity::all(tx, Entity::Role)?);
            Ok(json!(security_levels::leaf_paths(&tree)))
        });
    m.function("userHasAllPermissions")
        .params([required("permissions")])
        .summary("Whether the calling user holds every one of the permissions.")
        .handler(|_, c, a| Ok(json!(a.str_list("permissions")?.iter().all(|p| c.require(p).is_ok()))));
    // The documented queue functions, with the import and export they count (roles travel
    // as other master data do: name as the natural key, lists as JSON text in CSV cells).
    m.master_data_exchange(&[(
        &master_data::ROLES,
        ExchangeFunctions {
            import: "importRoles",
            export: "exportRoles",
            queue_size: "getRoleImportQueueSize",
            cancel_queue: "cancelRoleImportQueue",
        },
    )]);
    m.function("userHasAtLeastOnePermission")
        .params([required("permissions")])
        .summary("Whether the calling user holds at least one of the permissions.")
        .handler(|_, c, a| Ok(json!(a.str_list("permissions")?.iter().any(|p| c.require(p).is_ok()))));
}
