//! The definitions of users, roles and API tokens (security.md).

use super::fields::{d, f, fields, hidden, read_only, req, with_default, LONG_TEXT, ROLE_REQUIREMENT_TYPES, TEXT, TOKEN_KINDS};
use super::types::{Default, Entity::*, EntityDef, Kind, Lookup, UniqueName};

pub(super) fn user() -> EntityDef {
    EntityDef {
        entity: User,
        noun: "User",
        plural: "Users",
        label: "user",
        module: "security",
        permission_prefix: "SYSTEM",
        table: "users",
        rest: "users",
        unique_name: UniqueName::Global,
        lookup: Lookup::Name,
        fields: fields(vec![
            req("name", "name", Kind::Name),
            f("displayName", "display_name", TEXT),
            f("roles", "roles", Kind::Json),
            hidden("passwordHash", "password_hash", TEXT),
        ]),
        derived: vec![],
        aliases: &[],
        params: Some(("userIdOrName", "userData")),
    }
}

pub(super) fn role() -> EntityDef {
    EntityDef {
        entity: Role,
        noun: "Role",
        plural: "Roles",
        label: "role",
        module: "security",
        permission_prefix: "SYSTEM",
        table: "roles",
        rest: "roles",
        unique_name: UniqueName::Global,
        lookup: Lookup::Name,
        fields: fields(vec![
            req("name", "name", Kind::Name),
            f("description", "description", LONG_TEXT),
            f("permissions", "permissions", Kind::Json),
            with_default(read_only("builtIn", "built_in", Kind::Bool), Default::Bool(false)),
            // Who holds the role besides the users it is assigned to: every user whose security
            // levels meet the requirement (docs/adr/0015-role-module.md).
            f("securityLevels", "security_levels", Kind::Json),
            with_default(
                req("roleRequirementType", "role_requirement_type", Kind::Enum(ROLE_REQUIREMENT_TYPES)),
                Default::Text("ANY_OF"),
            ),
        ]),
        derived: vec![],
        aliases: &[],
        params: Some(("roleIdOrName", "roleData")),
    }
}

pub(super) fn api_token() -> EntityDef {
    EntityDef {
        entity: ApiToken,
        noun: "ApiToken",
        plural: "ApiTokens",
        label: "API token",
        module: "security",
        permission_prefix: "SYSTEM",
        table: "api_tokens",
        rest: "api-tokens",
        unique_name: UniqueName::None,
        lookup: Lookup::IdOnly,
        fields: fields(vec![
            req("userId", "user_id", Kind::Ref(User)),
            f("label", "label", TEXT),
            read_only("kind", "kind", Kind::Enum(TOKEN_KINDS)),
            f("expiresDate", "expires_date", Kind::Time),
            read_only("lastUsedDate", "last_used_date", Kind::Time),
            read_only("revokedDate", "revoked_date", Kind::Time),
            hidden("tokenHash", "token_hash", TEXT),
            hidden("csrfHash", "csrf_hash", TEXT),
        ]),
        derived: vec![d("userName", "userId", "name")],
        aliases: &[],
        params: Some(("tokenId", "tokenData")),
    }
}
