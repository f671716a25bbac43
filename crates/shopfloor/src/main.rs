//! The `shopfloor` binary: parse configuration, start tracing, run a command.

mod admin;
mod bench;
mod demo;
mod exchange;

use anyhow::Context;
use clap::{Parser, Subcommand};
use shopfloor_server::workers::mqtt::MqttConfig;
use shopfloor_server::workers::webhooks::WebhookConfig;
use shopfloor_server::{Application, ServerConfig};
use std::time::Duration;

/// Shopfloor: a manufacturing execution server for production orders.
#[derive(Parser)]
#[command(name = "shopfloor", version, about)]
struct Cli {
    /// Database: a SQLite file path (or sqlite://PATH), or postgres://USER:PASS@HOST:PORT/DB
    /// (pool settings in the query string, see docs/OPERATIONS.md). Migrated on first start.
    #[arg(long, global = true, env = "SHOPFLOOR_DATABASE_URL", default_value = "./shopfloor.db")]
    database: String,
    /// Log format: `text` for people, `json` for machines.
    #[arg(long, global = true, env = "SHOPFLOOR_LOG_FORMAT", default_value = "text")]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server until SIGINT or SIGTERM.
    Serve {
        /// Address to listen on (loopback by default; give 0.0.0.0:8090 to serve the network).
        #[arg(long, env = "SHOPFLOOR_LISTEN", default_value = "127.0.0.1:8090")]
        listen: String,
        /// Fill an empty database with a small demo plant before serving.
        #[arg(long, env = "SHOPFLOOR_DEMO")]
        demo: bool,
        /// Largest accepted request body, in bytes.
        #[arg(long, env = "SHOPFLOOR_BODY_LIMIT", default_value_t = 4 * 1024 * 1024)]
        body_limit: usize,
        /// Longest time one request may take, in seconds.
        #[arg(long, env = "SHOPFLOOR_REQUEST_TIMEOUT", default_value_t = 60)]
        request_timeout: u64,
        /// Longest a change-feed long-poll waits, in seconds.
        #[arg(long, env = "SHOPFLOOR_MAX_POLL", default_value_t = 30)]
        max_poll: u64,
        /// Read connections to the database.
        #[arg(long, env = "SHOPFLOOR_READERS", default_value_t = 4)]
        readers: usize,
        /// Most open connections; a connection beyond them is answered 503 and closed.
        #[arg(long, env = "SHOPFLOOR_MAX_CONNECTIONS", default_value_t = 512)]
        max_connections: usize,
        /// Seconds a client may stall (sending a request head, idle between requests, not
        /// reading its response) before its connection is closed.
        #[arg(long, env = "SHOPFLOOR_CLIENT_TIMEOUT", default_value_t = 30)]
        client_timeout: u64,
        /// How long finished import jobs stay readable, in hours.
        #[arg(long, env = "SHOPFLOOR_IMPORT_RETENTION_HOURS", default_value_t = 168)]
        import_retention_hours: u64,
        /// Hours a webhook may keep failing before it is paused (until saved again or replayed).
        #[arg(long, env = "SHOPFLOOR_WEBHOOK_PAUSE_AFTER_HOURS", default_value_t = 24.0)]
        webhook_pause_after_hours: f64,
        /// Seconds one webhook delivery attempt may take before it counts as failed.
        #[arg(long, env = "SHOPFLOOR_WEBHOOK_TIMEOUT", default_value_t = 10.0)]
        webhook_timeout: f64,
        /// Publish every event to this MQTT broker: mqtt://[user[:password]@]host[:port], or
        /// mqtts://… for TLS.
        #[arg(long, env = "SHOPFLOOR_MQTT_URL")]
        mqtt_url: Option<String>,
        /// The first level(s) of every MQTT topic published.
        #[arg(long, env = "SHOPFLOOR_MQTT_TOPIC_PREFIX", default_value = "shopfloor")]
        mqtt_topic_prefix: String,
    },
    /// Manage users directly on the database.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Manage API tokens directly on the database (`token create` prints only the token).
    #[command(subcommand)]
    Token(admin::TokenCommand),
    /// Create or upgrade the database schema, then exit.
    Migrate,
    /// Fill an empty database with a small demo plant, then exit (never touches a database with data).
    Demo,
    /// Measure throughput, latency and memory against SQLite baselines (see docs/PERFORMANCE.md).
    Bench(bench::Args),
    /// Import production orders from a JSON, CSV or B2MML file (upsert by name), then exit.
    Import(exchange::ImportArgs),
    /// Export production orders as JSON, CSV or B2MML, then exit.
    Export(exchange::ExportArgs),
}

fn init_tracing(format: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_from_env("SHOPFLOOR_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing(&cli.log_format);
    match cli.command {
        Command::Bench(args) => bench::run(args, &cli.database).await?,
        Command::Import(args) => exchange::import(&cli.database, args).await?,
        Command::Export(args) => exchange::export(&cli.database, args).await?,
        Command::User(command) => admin::user(&cli.database, command).await?,
        Command::Token(command) => admin::token(&cli.database, command).await?,
        Command::Migrate => {
            let applied = shopfloor_store::migrate(&cli.database)
                .with_context(|| format!("migrating {}", shopfloor_store::redact_url(&cli.database)))?;
            println!(
                "database {} is up to date (applied now: {:?})",
                shopfloor_store::redact_url(&cli.database),
                applied
            );
        }
        Command::Demo => {
            let store = shopfloor_store::Store::open(&shopfloor_store::StoreConfig::new(cli.database.clone()))?;
            let outcome = demo::fill(&store).await;
            store.close();
            println!("{}", outcome?);
        }
        Command::Serve {
            listen,
            demo: with_demo,
            body_limit,
            request_timeout,
            max_poll,
            readers,
            max_connections,
            client_timeout,
            import_retention_hours,
            webhook_pause_after_hours,
            webhook_timeout,
            mqtt_url,
            mqtt_topic_prefix,
        } => {
            let mqtt = mqtt_url
                .map(|url| MqttConfig::parse(&url, &mqtt_topic_prefix))
                .transpose()
                .map_err(anyhow::Error::msg)?;
            let config = ServerConfig {
                database: cli.database.clone(),
                listen,
                body_limit,
                request_timeout: Duration::from_secs(request_timeout),
                max_poll: Duration::from_secs(max_poll),
                readers,
                max_connections,
                client_timeout: Duration::from_secs(client_timeout),
                import_retention: Duration::from_secs(import_retention_hours.saturating_mul(3600)),
                webhooks: WebhookConfig {
                    pause_after: seconds("--webhook-pause-after-hours", webhook_pause_after_hours * 3600.0)?,
                    attempt_timeout: seconds("--webhook-timeout", webhook_timeout)?,
                },
                mqtt,
            };
            let app = Application::build(config).await.context("starting the server")?;
            if let Some(token) = app.bootstrap_token() {
                println!("Created user 'admin' (role Administrator). Its API token, shown only this once:");
                println!();
                println!("    {token}");
                println!();
                println!("Send it as 'Authorization: Bearer <token>'. More tokens: shopfloor token create NAME; more users: shopfloor user add NAME --role ROLE");
            }
            if with_demo {
                let message = demo::fill(&app.store()).await?;
                tracing::info!("{message}");
            }
            tracing::info!(address = %app.local_addr(), database = %shopfloor_store::redact_url(&cli.database), "shopfloor is listening");
            app.run_until(shutdown_signal()).await.context("serving")?;
            tracing::info!("stopped");
        }
    }
    Ok(())
}

/// A positive, finite number of seconds given on the command line.
fn seconds(flag: &str, value: f64) -> anyhow::Result<Duration> {
    if value.is_finite() && value > 0.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        anyhow::bail!("{flag} must be a positive number, got {value}")
    }
}
