//! `system.mes.integration`: webhooks (issue 20) — the common calls of the entity (`saveWebhook`
//! takes a write-only `secret`), their delivery log and replay. Permission prefix `INTEGRATION`.

use crate::registry::{optional, required, Builder, EntityFunctions};
use serde_json::Value as Json;
use shopfloor_core::errors::{CoreError, CoreResult, FieldErrors};
use shopfloor_core::query::as_u64;
use shopfloor_core::schema::Entity;
use shopfloor_core::service::webhook;

/// Largest page of `getWebhookDeliveries`.
const MAX_PAGE: u64 = 1000;
const DEFAULT_PAGE: u64 = 100;

pub fn register(b: &mut Builder) {
    let mut m = b.module("integration");
    m.entity(
        Entity::Webhook,
        EntityFunctions {
            new: "newWebhook",
            save: "saveWebhook",
            validate: "validateWebhook",
            get: "getWebhook",
            get_all: "getAllWebhooks",
            find: "findWebhooks",
            references: "getWebhookReferences",
            delete: "deleteWebhook",
        },
    )
    .register();
    m.function("getWebhookDeliveries")
        .params([required("webhookIdOrName"), optional("pageIndex"), optional("pageSize")])
        .permission("INTEGRATION.READ.GET")
        .summary(
            "The delivery attempts of a webhook, newest first (status code, error, duration), one page (pageSize 1 to 1000, default 100).",
        )
        .handler(|tx, _, a| {
            let (index, size) = page(a.json("pageIndex")?, a.json("pageSize")?)?;
            webhook::deliveries(tx, &a.str("webhookIdOrName")?, index, size)
        });
    m.function("replayWebhook")
        .params([required("webhookIdOrName"), required("fromSequence")])
        .permission("INTEGRATION.WRITE.SAVE")
        .writes()
        .summary("Delivers again every event from fromSequence on, and resumes the webhook if it was paused; answers its delivery state.")
        .handler(|tx, _, a| {
            let from = a
                .json("fromSequence")?
                .and_then(Json::as_i64)
                .ok_or_else(|| CoreError::field("fromSequence", "must be a whole number"))?;
            webhook::replay(tx, &a.str("webhookIdOrName")?, from)
        });
}

/// `(pageIndex, pageSize)` of `getWebhookDeliveries`.
fn page(index: Option<&Json>, size: Option<&Json>) -> CoreResult<(u64, u64)> {
    let mut errors = FieldErrors::new();
    let index = match index.filter(|v| !v.is_null()) {
        None => 0,
        Some(v) => as_u64(v).unwrap_or_else(|| {
            errors.add("pageIndex", format!("must be a whole number ≥ 0, got {v}"));
            0
        }),
    };
    let size = match size.filter(|v| !v.is_null()) {
        None => DEFAULT_PAGE,
        Some(v) => match as_u64(v) {
            Some(s) if (1..=MAX_PAGE).contains(&s) => s,
            _ => {
                errors.add("pageSize", format!("must be a whole number from 1 to {MAX_PAGE}, got {v}"));
                DEFAULT_PAGE
            }
        },
    };
    errors.into_result()?;
    Ok((index, size))
}
