//! `system.mes.customer`: the customers orders are made for.

use crate::registry::{Builder, EntityFunctions};
use shopfloor_core::schema::Entity;

pub fn register(b: &mut Builder) {
    let mut m = b.module("customer");
    m.entity(
        Entity::Customer,
        EntityFunctions {
            new: "newCustomer",
            save: "saveCustomer",
            validate: "validateCustomer",
            get: "getCustomer",
            get_all: "getAllCustomers",
            find: "findCustomers",
            references: "getCustomerReferences",
            delete: "deleteCustomer",
        },
    )
    .register();
    m.permission_list("getCustomerPermissions", "CUSTOMER");
}
