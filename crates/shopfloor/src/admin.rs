//! `shopfloor user …` and `shopfloor token …`: account administration directly on the database,
//! so that an operator with shell access can always create the first user or recover access.

use anyhow::{bail, Context};
use clap::Subcommand;
use serde_json::{json, Map};
use shopfloor_core::schema::Entity;
use shopfloor_core::service::{entity, security};
use shopfloor_core::time::Timestamp;
use shopfloor_core::tx::Caller;
use shopfloor_store::{Store, StoreConfig};
use std::io::Read;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user (or give an existing one these roles and password).
    Add {
        name: String,
        /// Role to hold (repeatable): Administrator, Supervisor, Operator, Viewer or your own.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Read a password for the web login from standard input (first line).
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print only the token.
    Create {
        user: String,
        #[arg(long)]
        label: Option<String>,
        /// Lifetime such as 30d, 12h, 90m or 3600s (no expiry when absent).
        #[arg(long)]
        expires_in: Option<String>,
    },
    /// Revoke a token by its id; it stops working at once.
    Revoke { token_id: String },
}

fn cli_caller() -> Caller {
    Caller {
        user: "cli".into(),
        ..Caller::system()
    }
}

fn open(database: &str) -> anyhow::Result<Store> {
    Store::open(&StoreConfig::new(database)).with_context(|| format!("opening {}", shopfloor_store::redact_url(database)))
}

/// `30d`, `12h`, `90m`, `45s`, or a plain number of days → milliseconds.
pub fn parse_lifetime(text: &str) -> anyhow::Result<i64> {
    let t = text.trim();
    let (number, unit_ms) = match t.chars().last() {
        Some('d') => (&t[..t.len() - 1], 86_400_000),
        Some('h') => (&t[..t.len() - 1], 3_600_000),
        Some('m') => (&t[..t.len() - 1], 60_000),
        Some('s') => (&t[..t.len() - 1], 1_000),
        _ => (t, 86_400_000),
    };
    match number.trim().parse::<i64>() {
        Ok(n) if n > 0 => Ok(n.saturating_mul(unit_ms)),
        _ => bail!("'{text}' is not a lifetime such as 30d, 12h, 90m or 3600s"),
    }
}

pub async fn user(database: &str, command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Add {
        name,
        roles,
        display_name,
        password_stdin,
    } = command;
    let password = if password_stdin {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("reading the password from standard input")?;
        Some(text.lines().next().unwrap_or_default().to_string())
    } else {
        None
    };
    let hash = password
        .map(|p| security::hash_password(&p))
        .transpose()
        .map_err(|e| anyhow::anyhow!(describe(e)))?;
    let store = open(database)?;
    let result = store
        .write(move |tx| {
            let caller = cli_caller();
            security::ensure_built_in_roles(tx, &caller)?;
            let mut data = Map::new();
            if let Some(existing) = entity::lookup(tx, Entity::User, &name)? {
                data.insert("id".into(), existing.get("id").to_json());
            }
            data.insert("name".into(), json!(name));
            data.insert("roles".into(), json!(roles));
            if let Some(d) = display_name {
                data.insert("displayName".into(), json!(d));
            }
            let saved = entity::save(tx, &caller, Entity::User, &data)?;
            let id = saved.id().map(|i| i.to_string()).unwrap_or_default();
            match hash {
                Some(h) => security::set_password(tx, &caller, &id, Some(h)),
                None => Ok(saved),
            }
        })
        .await;
    store.close();
    let user = result.map_err(|e| anyhow::anyhow!(describe(e)))?;
    eprintln!(
        "user {} saved with roles {}",
        user.text("name").unwrap_or_default(),
        user.get("roles").to_json()
    );
    Ok(())
}

pub async fn token(database: &str, command: TokenCommand) -> anyhow::Result<()> {
    let store = open(database)?;
    let result = match command {
        TokenCommand::Create { user, label, expires_in } => {
            let lifetime = expires_in.as_deref().map(parse_lifetime).transpose()?;
            store
                .write(move |tx| {
                    let caller = cli_caller();
                    let expires = lifetime.map(|ms| Timestamp(caller.now.millis() + ms));
                    security::create_token(tx, &caller, &user, label, expires)
                })
                .await
                .map(|(record, secret)| {
                    eprintln!(
                        "token {} created for {}",
                        record.id().map(|i| i.to_string()).unwrap_or_default(),
                        record.text("userName").unwrap_or_default()
                    );
                    println!("{secret}");
                })
        }
        TokenCommand::Revoke { token_id } => store
            .write(move |tx| security::revoke_token(tx, &cli_caller(), &token_id))
            .await
            .map(|r| eprintln!("token {} revoked", r.id().map(|i| i.to_string()).unwrap_or_default())),
    };
    store.close();
    result.map_err(|e| anyhow::anyhow!(describe(e)))
}

/// A readable one-line account of a service error for the terminal.
fn describe(e: shopfloor_core::errors::CoreError) -> String {
    match e {
        shopfloor_core::errors::CoreError::Validation(fields) => {
            let parts: Vec<String> = fields.0.iter().map(|(k, v)| format!("{k}: {}", v.join("; "))).collect();
            format!("refused: {}", parts.join(", "))
        }
        other => other.to_string(),
    }
}
