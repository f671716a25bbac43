//! Webhooks (issue 20): their save rules (an `http`/`https` URL, known entities and actions, a
//! secret to sign with), their write-only secret, and their delivery state ([`crate::delivery`])
//! as the script API reads and resets it. The delivering itself is `shopfloor_server`'s
//! `workers::webhooks`.

use crate::delivery::HookState;
use crate::errors::{CoreError, CoreResult, FieldErrors};
use crate::history::Action;
use crate::record::{Record, Value};
use crate::schema::Entity;
use crate::service::generic::{self, Checked, Draft, Event, Hooks};
use crate::tx::{Caller, Tx};
use serde_json::{json, Map, Value as Json};

const HOOK: Entity = Entity::Webhook;

/// Shortest secret accepted: it keys an HMAC-SHA256, so it should be hard to guess.
pub const SECRET_MIN: usize = 16;

/// The most attempts `getWebhookDeliveries` keeps per hook (older ones are trimmed).
pub const ATTEMPTS_KEPT: u64 = 1000;

pub static WEBHOOK_HOOKS: Hooks = Hooks {
    save_rules: Some(webhook_rules),
    after_write: Some(after_write),
    ..Hooks::plain(HOOK)
};

/// The URL is `http://` or `https://` with a host; `entities` and `actions` are lists of
/// known names (an empty list or none: all).
fn webhook_rules(_: &mut dyn Tx, draft: &mut Draft) -> CoreResult<()> {
    if let Some(url) = draft.record.text("url") {
        if let Err(message) = check_url(url) {
            draft.errors.add("url", message);
        }
    }
    let entities = names(draft.record.get("entities"), "entities", &mut draft.errors, |n| {
        Entity::from_noun(n).map(|e| e.def().noun)
    });
    let actions = names(draft.record.get("actions"), "actions", &mut draft.errors, |n| {
        Action::ALL.into_iter().map(Action::as_str).find(|a| a.eq_ignore_ascii_case(n))
    });
    if let Some(list) = entities {
        draft.record.set("entities", Value::Json(json!(list)));
    }
    if let Some(list) = actions {
        draft.record.set("actions", Value::Json(json!(list)));
    }
    Ok(())
}

/// Where deliveries may go: `http://host…` or `https://host…`, nothing else (no `file:`, no
/// other schemes a client library might follow).
pub fn check_url(url: &str) -> Result<(), String> {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower.strip_prefix("http://").or_else(|| lower.strip_prefix("https://")) else {
        return Err(format!("must be an http:// or https:// URL, got '{url}'"));
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map(|(_, h)| h).unwrap_or(host);
    if host.is_empty() || host.starts_with(':') {
        return Err(format!("names no host: '{url}'"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces or control characters".into());
    }
    Ok(())
}

/// A list of names checked by `known` (which gives each its canonical spelling); `None` when
/// the field is empty or has errors.
fn names(value: &Value, field: &str, errors: &mut FieldErrors, known: impl Fn(&str) -> Option<&'static str>) -> Option<Vec<&'static str>> {
    let items = match value {
        Value::Null => return None,
        Value::Json(Json::Array(items)) => items,
        other => {
            errors.add(field, format!("must be a list of names, got {}", other.to_json()));
            return None;
        }
    };
    let mut out = Vec::new();
    for item in items {
        match item.as_str().and_then(&known) {
            Some(name) => out.push(name),
            None => errors.add(field, format!("unknown: {item}")),
        }
    }
    Some(out)
}

/// A new hook delivers the events committed after it; any save resumes a paused hook.
fn after_write(tx: &mut dyn Tx, _: &Caller, _: Entity, record: &Record, _: Option<&Record>) -> CoreResult<()> {
    let Some(id) = record.id() else { return Ok(()) };
    let delivery = tx.delivery()?;
    let state = match delivery.hook_state(id)? {
        Some(mut state) => {
            state.resume();
            state
        }
        None => HookState::new(id, delivery.head_sequence()?),
    };
    delivery.put_hook_state(&state)
}

/// `saveWebhook(**webhookData)`: `secret` is required for a new hook, kept when left out of
/// an update, and never answered.
pub fn save(tx: &mut dyn Tx, caller: &Caller, data: &Map<String, Json>) -> CoreResult<Record> {
    let mut data = data.clone();
    let secret = data.remove("secret");
    let mut errors = FieldErrors::new();
    let secret = match secret {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) if s.chars().count() >= SECRET_MIN => Some(s),
        Some(Json::String(_)) => {
            errors.add("secret", format!("must have at least {SECRET_MIN} characters"));
            None
        }
        Some(other) => {
            errors.add("secret", format!("must be a string, got {other}"));
            None
        }
    };
    let checked = match generic::check(tx, caller, &WEBHOOK_HOOKS, &data) {
        Ok(checked) => Some(checked),
        Err(CoreError::Validation(more)) => {
            errors.merge(more);
            None
        }
        Err(other) => return Err(other),
    };
    let creating = checked.as_ref().map(|c| c.before.is_none()).unwrap_or(!data.contains_key("id"));
    if creating && secret.is_none() && !errors.has("secret") {
        errors.add("secret", "is required");
    }
    errors.into_result()?;
    let Some(Checked { mut record, before, .. }) = checked else {
        return Err(CoreError::Internal("a webhook checked without errors has no record".into()));
    };
    if let Some(secret) = secret {
        record.set("secret", Value::Text(secret.into()));
    }
    generic::write(tx, caller, &WEBHOOK_HOOKS, record, before, Event::default())
}

/// `getWebhook(idOrName)`: the hook with its delivery state (`delivery`: last delivered
/// sequence, lag behind the history's head, failures, pause and why).
pub fn answer(tx: &mut dyn Tx, hook: &Record) -> CoreResult<Json> {
    let mut json = hook.to_json(HOOK.def());
    if let Some(id) = hook.id() {
        let delivery = tx.delivery()?;
        let head = delivery.head_sequence()?;
        if let Some(state) = delivery.hook_state(id)? {
            json["delivery"] = state.to_json(head);
        }
    }
    Ok(json)
}

/// `deleteWebhook(idOrName)`: the hook, its delivery state and its attempts.
pub fn delete(tx: &mut dyn Tx, caller: &Caller, text: &str) -> CoreResult<Json> {
    let hook = generic::require(tx, HOOK, text)?;
    if let Some(id) = hook.id() {
        tx.delivery()?.delete_hook_state(id)?;
    }
    generic::delete(tx, caller, &WEBHOOK_HOOKS, text)
}

/// `getWebhookDeliveries(idOrName, pageIndex, pageSize)`: the newest attempts first.
pub fn deliveries(tx: &mut dyn Tx, text: &str, page_index: u64, page_size: u64) -> CoreResult<Json> {
    let hook = generic::require(tx, HOOK, text)?;
    let id = hook.id().ok_or_else(|| CoreError::Internal("webhook without id".into()))?;
    let (attempts, total) = tx.delivery()?.attempts(id, page_index.saturating_mul(page_size), page_size)?;
    Ok(crate::query::result(
        attempts.iter().map(|a| a.to_json()).collect(),
        total,
        Some(crate::query::Page {
            size: page_size,
            index: page_index,
        }),
    ))
}

/// `replayWebhook(idOrName, fromSequence)`: delivers again every event from `fromSequence` on
/// (at least 1), and resumes a paused hook.
pub fn replay(tx: &mut dyn Tx, text: &str, from: i64) -> CoreResult<Json> {
    if from < 1 {
        return Err(CoreError::field("fromSequence", format!("must be at least 1, got {from}")));
    }
    let hook = generic::require(tx, HOOK, text)?;
    let id = hook.id().ok_or_else(|| CoreError::Internal("webhook without id".into()))?;
    let delivery = tx.delivery()?;
    let mut state = delivery.hook_state(id)?.unwrap_or_else(|| HookState::new(id, 0));
    state.last_sequence = from - 1;
    state.resume();
    delivery.put_hook_state(&state)?;
    let head = delivery.head_sequence()?;
    Ok(state.to_json(head))
}
