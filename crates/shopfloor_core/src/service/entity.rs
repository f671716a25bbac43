//! The services of any entity named at run time (`saveX`, `validateX`, `findXs`, `deleteX` of
//! the script API and REST): the table that gives each entity its [`Hooks`], and the generic
//! services of [`crate::service::generic`] called with them. This is the one module that knows
//! every per-entity module; none of them imports it.

use crate::errors::CoreResult;
use crate::record::Record;
use crate::schema::Entity;
use crate::service::generic::{self, Hooks};
use crate::service::{
    bill_of_materials, bulk_delete, location, material, personnel, production_order, property, role, security, shift, unit_of_measure,
    webhook,
};
use crate::tx::{Caller, Tx};
use serde_json::{Map, Value as Json};

pub use crate::service::generic::{all, api_response, diff, lookup, references, require, require_as_field, Checked, MAX_LISTED_REFERENCES};

/// The hooks of each entity, as its service module declares them.
pub fn hooks(entity: Entity) -> &'static Hooks {
    match entity {
        Entity::ProductionOrder => &production_order::ORDER_HOOKS,
        Entity::UnitOfMeasure => &unit_of_measure::UNIT_HOOKS,
        Entity::UnitOfMeasureConversion => &unit_of_measure::CONVERSION_HOOKS,
        Entity::MaterialClass => &location::MATERIAL_CLASS_HOOKS,
        Entity::Material => &material::MATERIAL_HOOKS,
        Entity::Location => &location::LOCATION_HOOKS,
        Entity::Customer => &CUSTOMER_HOOKS,
        Entity::Shift => &shift::SHIFT_HOOKS,
        Entity::ShiftRecord => &shift::SHIFT_RECORD_HOOKS,
        Entity::ProductionOrderProperty => &property::PROPERTY_HOOKS,
        Entity::ProductionOrderPropertyValue => &property::VALUE_HOOKS,
        Entity::BillOfMaterialsItem => &bill_of_materials::ITEM_HOOKS,
        Entity::User => &security::USER_HOOKS,
        Entity::Role => &role::ROLE_HOOKS,
        Entity::ApiToken => &security::TOKEN_HOOKS,
        Entity::LocationProperty => &property::LOCATION_PROPERTY_HOOKS,
        Entity::LocationPropertyValue => &property::LOCATION_VALUE_HOOKS,
        Entity::MaterialProperty => &property::MATERIAL_PROPERTY_HOOKS,
        Entity::MaterialPropertyValue => &property::MATERIAL_VALUE_HOOKS,
        Entity::MaterialReasonCode => &material::REASON_CODE_HOOKS,
        Entity::Webhook => &webhook::WEBHOOK_HOOKS,
        Entity::Department => &location::DEPARTMENT_HOOKS,
        Entity::Person => &personnel::PERSON_HOOKS,
        Entity::StopReason => &STOP_REASON_HOOKS,
    }
}

/// Customers have no service module: no rules beyond the catalogue's.
static CUSTOMER_HOOKS: Hooks = Hooks::plain(Entity::Customer);

/// Stop reasons: a plain list (name unique, applies to PAUSE, STOP or both).
static STOP_REASON_HOOKS: Hooks = Hooks::plain(Entity::StopReason);

/// Parses, merges and validates `data` without writing (see [`generic::check`]).
pub fn check(tx: &mut dyn Tx, caller: &Caller, entity: Entity, data: &Map<String, Json>) -> CoreResult<Checked> {
    generic::check(tx, caller, hooks(entity), data)
}

/// `validateX(**data)`: the field-error map, `{}` when valid. Writes nothing.
pub fn validate(tx: &mut dyn Tx, caller: &Caller, entity: Entity, data: &Map<String, Json>) -> CoreResult<Json> {
    generic::validate(tx, caller, hooks(entity), data)
}

/// `saveX(**data)`: creates or merges, appends its history event, returns the stored record.
pub fn save(tx: &mut dyn Tx, caller: &Caller, entity: Entity, data: &Map<String, Json>) -> CoreResult<Record> {
    generic::save(tx, caller, hooks(entity), data)
}

/// `findXs(**queryRequest)`: the QueryResult.
pub fn find(tx: &mut dyn Tx, entity: Entity, request: &Map<String, Json>) -> CoreResult<Json> {
    generic::find(tx, hooks(entity), request)
}

/// What `saveX(**data)` answers, for the script API and REST alike: the stored record as JSON.
/// A bill-of-materials item keeps its order's positions, a user's password is stored only as its
/// hash, a new API token answers its secret (`token`), shown only this once, and a webhook's
/// secret is stored but never answered.
pub fn save_answer(tx: &mut dyn Tx, caller: &Caller, entity: Entity, data: &Map<String, Json>) -> CoreResult<Json> {
    let def = entity.def();
    match entity {
        Entity::BillOfMaterialsItem => bill_of_materials::save(tx, caller, data).map(|r| r.to_json(def)),
        Entity::User => security::save_user(tx, caller, data).map(|r| r.to_json(def)),
        Entity::Webhook => webhook::save(tx, caller, data).and_then(|r| webhook::answer(tx, &r)),
        Entity::ApiToken => {
            let (record, secret) = security::save_api_token(tx, caller, data)?;
            Ok(token_answer(&record, secret))
        }
        _ => save(tx, caller, entity, data).map(|r| r.to_json(def)),
    }
}

/// An API token as answered, with its secret (`token`) when it was just created: the secret is
/// shown only this once.
pub fn token_answer(record: &Record, secret: Option<String>) -> Json {
    let mut answer = record.to_json(Entity::ApiToken.def());
    if let Some(secret) = secret {
        answer["token"] = Json::String(secret);
    }
    answer
}

/// What `getX(idOr…)` answers, for the script API and REST alike (`None`: no such record). An
/// order comes with its property values and bill of materials, a webhook with its delivery state.
pub fn get_answer(tx: &mut dyn Tx, entity: Entity, text: &str) -> CoreResult<Option<Json>> {
    match (entity, lookup(tx, entity, text)?) {
        (_, None) => Ok(None),
        (Entity::ProductionOrder, Some(order)) => production_order::detailed(tx, &order).map(Some),
        (Entity::Webhook, Some(hook)) => webhook::answer(tx, &hook).map(Some),
        (_, Some(record)) => Ok(Some(record.to_json(entity.def()))),
    }
}

/// `deleteXs(idsOr…)`: all or none (see [`bulk_delete::delete_many`]).
pub fn delete_many(tx: &mut dyn Tx, caller: &Caller, entity: Entity, texts: &[String]) -> CoreResult<Json> {
    bulk_delete::delete_many(tx, caller, hooks(entity), texts)
}

/// `deleteX(idOr…)`: refused with [`crate::errors::CoreError::InUse`] while referenced. Users
/// and roles keep an administrator, items of a closed order stay.
pub fn delete(tx: &mut dyn Tx, caller: &Caller, entity: Entity, text: &str) -> CoreResult<Json> {
    match entity {
        Entity::User => security::delete_user(tx, caller, text),
        Entity::Role => role::delete_role(tx, caller, text),
        Entity::BillOfMaterialsItem => bill_of_materials::delete(tx, caller, text),
        Entity::Webhook => webhook::delete(tx, caller, text),
        _ => generic::delete(tx, caller, hooks(entity), text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entity_gets_its_own_hooks() {
        for entity in Entity::ALL {
            assert_eq!(hooks(entity).entity, entity);
        }
    }

    #[test]
    fn events_carry_an_order_for_orders_and_what_belongs_to_them() {
        let of_orders: Vec<Entity> = Entity::ALL.into_iter().filter(|e| hooks(*e).order_field.is_some()).collect();
        assert_eq!(
            of_orders,
            [
                Entity::ProductionOrder,
                Entity::ProductionOrderPropertyValue,
                Entity::BillOfMaterialsItem
            ]
        );
    }
}
