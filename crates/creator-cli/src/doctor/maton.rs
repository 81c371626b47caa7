//! Maton: the API key works, and the Gumroad connection is `ACTIVE`.

use creator_core::Error;
use maton_gateway::{Connection, ConnectionStatus, ListConnections, MatonClient};

use super::{Check, said};

const KEY_FIX: &str = "export MATON_API_KEY=… (from https://maton.ai/settings) or `creator auth login --provider maton`";

/// Checks the key (`GET /connections`) and the connection in use: the one
/// `--maton-connection` names, else the account's Gumroad connections.
pub async fn check(client: &MatonClient) -> Vec<Check> {
    let listed = client
        .connections()
        .list(&ListConnections::new().app("gumroad"))
        .await;
    let connections = match listed {
        Ok(c) => c,
        Err(e) => {
            let fix = match e {
                Error::Unauthorized { .. } | Error::Forbidden { .. } => KEY_FIX,
                _ => "check the network and MATON_API_URL, then run the doctor again",
            };
            return vec![Check::problem("maton.key", said(&e), fix)];
        }
    };
    let mut checks = vec![Check::ok(
        "maton.key",
        format!(
            "accepted by GET /connections ({} Gumroad connection(s))",
            connections.len()
        ),
    )];
    let status_of = |c: &Connection| {
        c.status
            .as_ref()
            .map_or_else(|| "no status".to_owned(), |s| s.as_str().to_owned())
    };
    checks.push(match client.connection_id() {
        Some(id) => match client.connections().get(id).await {
            Ok(c) if c.status == Some(ConnectionStatus::Active) => {
                Check::ok("maton.connection", format!("connection {id} is ACTIVE"))
            }
            Ok(c) => Check::problem(
                "maton.connection",
                format!(
                    "connection {id} is {}: requests through it fail",
                    status_of(&c)
                ),
                format!(
                    "finish authorizing it at its URL (`creator connections show {id}`), or create a new one (`creator connections create gumroad`)"
                ),
            ),
            Err(e) => Check::problem(
                "maton.connection",
                format!("connection {id}: {}", said(&e)),
                "set MATON_CONNECTION to an ACTIVE connection (`creator connections list`)",
            ),
        },
        None => {
            let active: Vec<&Connection> = connections
                .iter()
                .filter(|c| c.status == Some(ConnectionStatus::Active))
                .collect();
            match active.as_slice() {
                [one] => Check::ok(
                    "maton.connection",
                    format!("Gumroad connection {} is ACTIVE", one.connection_id),
                ),
                [] if connections.is_empty() => Check::problem(
                    "maton.connection",
                    "no Gumroad connection in Maton",
                    "`creator connections create gumroad`, then open its URL to authorize",
                ),
                [] => Check::problem(
                    "maton.connection",
                    format!(
                        "no Gumroad connection is ACTIVE ({})",
                        connections
                            .iter()
                            .map(|c| format!("{} {}", c.connection_id, status_of(c)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    "finish authorizing one at its URL (`creator connections show ID`)",
                ),
                many => Check::warning(
                    "maton.connection",
                    format!(
                        "{} Gumroad connections are ACTIVE and none is chosen: Maton picks one",
                        many.len()
                    ),
                    "set MATON_CONNECTION (or --maton-connection) to the one to use",
                ),
            }
        }
    });
    checks
}
