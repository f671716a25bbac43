//! `system.mes.security`: users, roles and API tokens (security.md). Everything needs
//! `SYSTEM.ADMIN` but the templates and the questions a caller asks about itself.

use crate::registry::{optional, required, Builder, EntityFunctions};
use serde_json::{json, Value as Json};
use shopfloor_core::record::Record;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{entity, security};

const ADMIN: &str = "SYSTEM.ADMIN";

fn user_json(r: Record) -> Json {
    r.to_json(Entity::User.def())
}

pub fn register(b: &mut Builder) {
    let mut m = b.module("security");
    m.entity(
        Entity::User,
        EntityFunctions {
            new: "newUser",
            save: "saveUser",
            validate: "validateUser",
            get: "getUser",
            get_all: "getAllUsers",
            find: "findUsers",
            references: "getUserReferences",
            delete: "deleteUser",
        },
    )
    .permission(ADMIN)
    .register();
    m.entity(Entity::Role, crate::role::ROLE_FUNCTIONS).permission(ADMIN).register();
    m.entity(
        Entity::ApiToken,
        EntityFunctions {
            new: "newApiToken",
            save: "saveApiToken",
            validate: "validateApiToken",
            get: "getApiToken",
            get_all: "getAllApiTokens",
            find: "findApiTokens",
            references: "getApiTokenReferences",
            delete: "deleteApiToken",
        },
    )
    .permission(ADMIN)
    .register();
    m.function("createApiToken")
        .params([required("userIdOrName"), optional("label"), optional("expiresDate")])
        .permission(ADMIN)
        .writes()
        .summary("Creates an API token for the user; the answer's `token` is the secret, shown only this once.")
        .handler(|tx, c, a| {
            security::create_token(tx, c, &a.str("userIdOrName")?, a.opt_str("label")?, a.opt_time("expiresDate")?)
                .map(|(record, secret)| entity::token_answer(&record, Some(secret)))
        });
    m.function("revokeApiToken")
        .params([required("tokenId")])
        .permission(ADMIN)
        .writes()
        .summary("Revokes a token or session; it stops working at once.")
        .handler(|tx, c, a| security::revoke_token(tx, c, &a.str("tokenId")?).map(|r| r.to_json(Entity::ApiToken.def())));
    m.function("setUserPassword")
        .params([required("userIdOrName"), optional("password")])
        .permission(ADMIN)
        .writes()
        .summary("Sets (or with null removes) a user's password for the web login.")
        .handler(|tx, c, a| {
            let hash = a.opt_str("password")?.map(|p| security::hash_password(&p)).transpose()?;
            security::set_password(tx, c, &a.str("userIdOrName")?, hash).map(user_json)
        });
    m.function("getSecurityPermissions")
        .summary("The permission strings of this module.")
        .handler(|_, _, _| Ok(json!([ADMIN])));
    m.function("getAllPermissions")
        .summary("Every permission string the server knows.")
        .handler(|_, _, _| {
            let mut all = crate::CATALOGUE.permissions();
            all.push("*".into());
            Ok(json!(all))
        });
    m.function("userHasAllPermissions")
        .params([required("permissions")])
        .summary("Whether the calling user holds every one of the permissions.")
        .handler(|_, c, a| Ok(json!(a.str_list("permissions")?.iter().all(|p| c.require(p).is_ok()))));
    m.function("userHasAtLeastOnePermission")
        .params([required("permissions")])
        .summary("Whether the calling user holds at least one of the permissions.")
        .handler(|_, c, a| Ok(json!(a.str_list("permissions")?.iter().any(|p| c.require(p).is_ok()))));
}
