//! The platform-account commands beyond Gumroad's API: Gank's webhook
//! registration (`creator gank webhook`) and Maton's connections
//! (`creator connections`). Each subcommand is one line naming its call
//! ([`super::target`]).

use clap::{Args, Subcommand};
use gank_api::{GankClient, GankEventName, WebhookRegistration};
use maton_gateway::{AuthMethod, CreateConnection, ListConnections};
use serde_json::Value;

use super::target::{GankTarget, MatonTarget, Read, Write, confirm, json, list, object, plain};
use crate::CliError;
use crate::emit::Columns;

/// `creator gank …`.
#[derive(Debug, Clone, Subcommand)]
pub enum GankCommand {
    /// Gank's webhook registration (one callback URL per account).
    #[command(subcommand)]
    Webhook(GankWebhookCommand),
}

/// `creator gank webhook …`.
#[derive(Debug, Clone, Subcommand)]
pub enum GankWebhookCommand {
    /// Register the callback URL Gank sends deliveries to (replaces the old one: asks first).
    Register(Write<Register, GankTarget>),
    /// The registration: URL, events, and (`--reveal-key`) the signing key.
    Show(Read<Reveal, GankTarget>),
    /// Change the events the registration delivers.
    Events(Write<Events, GankTarget>),
}

/// A callback URL and its events.
#[derive(Debug, Clone, Args)]
pub struct Register {
    /// The URL Gank posts to (`creator relay`'s Gank endpoint).
    url: String,
    #[command(flatten)]
    events: Events,
    /// Print the new signing key (`creator relay` needs it as the Gank key).
    #[arg(long)]
    reveal_key: bool,
}

/// Events to deliver.
#[derive(Debug, Clone, Args)]
pub struct Events {
    /// An event (`USER_MEMBERSHIP.TX_SUCCEED`, `DIGITAL_GOODS.TX_SUCCEED`, …; repeat).
    #[arg(long = "event", value_name = "EVENT", value_parser = gank_event, required = true)]
    events: Vec<GankEventName>,
}

/// Whether to print the signing key.
#[derive(Debug, Clone, Args)]
pub struct Reveal {
    /// Print the signing key instead of `<redacted>`.
    #[arg(long)]
    reveal_key: bool,
}

/// A Gank event name: `<USECASE>.TX_<STATUS>`.
fn gank_event(value: &str) -> Result<GankEventName, String> {
    let event = GankEventName::parse(value.trim());
    match (event.usecase(), event.tx_status()) {
        (Some(u), Some(s)) if !u.is_empty() && !s.is_empty() => Ok(event),
        _ => Err("not a Gank event: use the form USER_MEMBERSHIP.TX_SUCCEED".into()),
    }
}

/// The registration as JSON, its key shown only when asked for.
fn registration(r: &WebhookRegistration, reveal: bool) -> Value {
    let mut v = json(r);
    if reveal && let Some(key) = &r.key {
        v["key"] = Value::String(key.expose().to_owned());
    }
    v
}

async fn show(c: &GankClient, reveal: bool) -> creator_core::Result<Value> {
    let r = c.webhook_registration().get().await?;
    Ok(registration(&r, reveal))
}

/// Runs `creator gank …`.
///
/// # Errors
/// Bad input, missing credentials, a platform error, or a refused confirmation.
pub async fn gank(cmd: GankCommand) -> Result<(), CliError> {
    let GankCommand::Webhook(cmd) = cmd;
    use GankWebhookCommand as G;
    match cmd {
        G::Register(w) => {
            w.run(|c, a| {
                confirm(
                    format!(
                        "Register {} as this account's Gank callback (it replaces the old one)?",
                        a.url
                    ),
                    format!("Registered {}", a.url),
                    async move {
                        let r = c
                            .webhook_registration()
                            .register(&a.url, &a.events.events)
                            .await?;
                        Ok(registration(&r, a.reveal_key))
                    },
                )
            })
            .await
        }
        G::Show(r) => r.run(|c, a| object(show(c, a.reveal_key))).await,
        G::Events(w) => {
            w.run(|c, a| {
                let names: Vec<&str> = a.events.iter().map(GankEventName::as_str).collect();
                plain(
                    format!("Gank now delivers {}", names.join(", ")),
                    async move { c.webhook_registration().update_events(&a.events).await },
                )
            })
            .await
        }
    }
}

/// `creator connections …` (Maton).
#[derive(Debug, Clone, Subcommand)]
pub enum ConnectionCommand {
    /// List the Maton account's connections.
    List(Read<AppFilter, MatonTarget>),
    /// One connection.
    Show(Read<ConnectionId, MatonTarget>),
    /// Start a connection to an app (`gumroad`); open the URL it prints to authorize.
    Create(Write<NewConnection, MatonTarget>),
    /// Delete a connection (asks first).
    Delete(Write<ConnectionId, MatonTarget>),
}

/// Which connections to list.
#[derive(Debug, Clone, Args)]
pub struct AppFilter {
    /// Only connections to this app.
    #[arg(long)]
    app: Option<String>,
}

/// A connection.
#[derive(Debug, Clone, Args)]
pub struct ConnectionId {
    /// The connection id.
    id: String,
}

/// A new connection.
#[derive(Debug, Clone, Args)]
pub struct NewConnection {
    /// The app (`gumroad`).
    #[arg(default_value = "gumroad")]
    app: String,
    /// How to authorize (Maton's default for the app when left out).
    #[arg(long, value_parser = ["API_KEY", "BASIC", "OAUTH1", "OAUTH2", "MCP"])]
    method: Option<String>,
}

const CONNECTION_COLUMNS: Columns = &[
    ("connection_id", 38),
    ("app", 12),
    ("status", 10),
    ("creation_time", 20),
];

/// Runs `creator connections …`.
///
/// # Errors
/// Bad input, missing credentials, a platform error, or a refused confirmation.
pub async fn connections(cmd: ConnectionCommand) -> Result<(), CliError> {
    use ConnectionCommand as C;
    match cmd {
        C::List(r) => {
            r.run(|c, a| {
                let mut query = ListConnections::new();
                if let Some(app) = &a.app {
                    query = query.app(app.clone());
                }
                list(CONNECTION_COLUMNS, async move {
                    c.connections().list(&query).await
                })
            })
            .await
        }
        C::Show(r) => {
            r.run(|c, a| object(async move { c.connections().get(&a.id).await }))
                .await
        }
        C::Create(w) => {
            w.run(|c, a| {
                let mut new = CreateConnection::new(a.app.clone());
                if let Some(m) = &a.method {
                    new = new.method(AuthMethod::parse(m));
                }
                plain(format!("Created a {} connection", a.app), async move {
                    c.connections().create(&new).await
                })
            })
            .await
        }
        C::Delete(w) => {
            w.run(|c, a| {
                confirm(
                    format!("Delete Maton connection {}?", a.id),
                    format!("Deleted Maton connection {}", a.id),
                    async move { c.connections().delete(&a.id).await },
                )
            })
            .await
        }
    }
}
