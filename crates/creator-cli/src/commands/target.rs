//! What the Gumroad commands (reads and writes of one shop) share: which
//! way to reach Gumroad, and printing what a read returns.

use clap::Args;
use serde::Serialize;

use crate::CliError;
use crate::emit::{self, Columns, OutputArgs};
use crate::error::{Credentials, provider_error};
use crate::providers::{self, ProviderArgs};

/// How to reach Gumroad: directly (`GUMROAD_ACCESS_TOKEN` or `creator auth
/// login`), or `--provider maton` through the Maton gateway.
#[derive(Debug, Clone, Args)]
#[command(
    mut_arg("provider", |a| a
        .required(false)
        .default_value("gumroad")
        .help("gumroad, or maton for Gumroad through the Maton gateway")),
    mut_arg("gank_v1_url", |a| a.hide(true)),
    mut_arg("gank_v2_url", |a| a.hide(true)),
)]
pub struct GumroadTarget {
    #[command(flatten)]
    provider: ProviderArgs,
}

impl GumroadTarget {
    /// The client, and the credentials its errors name.
    ///
    /// # Errors
    /// Missing credentials, `--provider gank`, or a bad base URL.
    pub fn client(&self) -> Result<(gumroad_api::GumroadClient, Credentials), CliError> {
        providers::gumroad_client(&self.provider)
    }
}

/// JSON of a model (`null` if it cannot be serialized, which a model never fails).
pub fn json<T: Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Prints what one read returned (an object).
///
/// # Errors
/// The platform's error as one line, or a failed write.
pub async fn show<T: Serialize>(
    out: &OutputArgs,
    creds: Credentials,
    read: impl std::future::Future<Output = creator_core::Result<T>>,
) -> Result<(), CliError> {
    let value = read.await.map_err(|e| provider_error(e, creds))?;
    emit::object(&json(&value), out)
}

/// Prints a list one read returned.
///
/// # Errors
/// The platform's error as one line, or a failed write.
pub async fn show_list<T: Serialize>(
    out: &OutputArgs,
    columns: Columns,
    creds: Credentials,
    read: impl std::future::Future<Output = creator_core::Result<Vec<T>>>,
) -> Result<(), CliError> {
    let items = read.await.map_err(|e| provider_error(e, creds))?;
    let values: Vec<serde_json::Value> = items.iter().map(json).collect();
    emit::list(&values, columns, out)
}
