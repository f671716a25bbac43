//! The definitions of plant personnel (`system.mes.personnel`): departments (a tree, like
//! locations) and the people who work in them. A person may be linked to one login user
//! (`userId`); operators without a login are people without that link (docs/adr/0013).

use super::fields::{d, f, fields, read_only, req, with_default, LONG_TEXT, PERSON_STATUSES, TEXT};
use super::types::{Default, Entity::*, EntityDef, Kind, Lookup, UniqueName};

pub(super) fn department() -> EntityDef {
    EntityDef {
        entity: Department,
        noun: "Department",
        plural: "Departments",
        label: "department",
        module: "personnel",
        permission_prefix: "PERSONNEL",
        table: "departments",
        rest: "departments",
        unique_name: UniqueName::Within("parentId"),
        lookup: Lookup::Path,
        fields: fields(vec![
            req("name", "name", Kind::Name),
            f("description", "description", LONG_TEXT),
            f("parentId", "parent_id", Kind::Ref(Department)),
            read_only("path", "path", LONG_TEXT),
        ]),
        derived: vec![],
        aliases: &[],
        params: None,
    }
}

/// A person: `username` is the person's unique key (`getPerson(idOrUsername)`), required as the
/// reference documents; `userId` is the optional link to a login user, at most one person per user.
pub(super) fn person() -> EntityDef {
    EntityDef {
        entity: Person,
        noun: "Person",
        plural: "People",
        label: "person",
        module: "personnel",
        permission_prefix: "PERSONNEL",
        table: "people",
        rest: "people",
        unique_name: UniqueName::None,
        lookup: Lookup::Field("username"),
        fields: fields(vec![
            f("departmentId", "department_id", Kind::Ref(Department)),
            with_default(
                req("personStatus", "person_status", Kind::Enum(PERSON_STATUSES)),
                Default::Text("ACTIVE"),
            ),
            // Text, not `Kind::Name`: the documented template holds `""`, which the save rules
            // refuse as empty (`service::personnel`) but a fresh-template update must read as
            // "not set".
            with_default(req("firstName", "first_name", TEXT), Default::Text("")),
            with_default(req("lastName", "last_name", TEXT), Default::Text("")),
            with_default(f("initials", "initials", Kind::Text { max: 32 }), Default::Text("")),
            with_default(req("username", "username", TEXT), Default::Text("")),
            f("userId", "user_id", Kind::Ref(User)),
        ]),
        derived: vec![
            d("departmentName", "departmentId", "name"),
            d("departmentPath", "departmentId", "path"),
            d("userName", "userId", "name"),
        ],
        aliases: &[],
        params: Some(("personIdOrUsername", "personData")),
    }
}
