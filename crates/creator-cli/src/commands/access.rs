//! `creator access check`: does this person have access right now? Answered
//! from the ledger's entitlement view (kept by `creator relay` and `creator
//! sync`), and with `--live` confirmed through the platform's API.
//! `creator access rebuild` fills the view anew from the stored events.

use clap::{Args, Subcommand};
use creator_core::{AccessQuery, AccessVerdict};
use serde::Serialize;
use time::OffsetDateTime;

use crate::CliError;
use crate::commands::DbArgs;
use crate::ledger::entitlements::{Lookup, Who};
use crate::providers::{ProviderArgs, ProviderName, Resource};

/// `creator access …`.
#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// Whether a person has access to a product: prints the verdict as JSON;
    /// exit code 4 when denied.
    Check(CheckArgs),
    /// Fills the entitlement view anew from every stored event and synced
    /// record (should it ever fall out of step with them); prints the rows
    /// it holds then.
    Rebuild(RebuildArgs),
}

/// `creator access rebuild`.
#[derive(Debug, Args)]
pub struct RebuildArgs {
    /// Where the ledger is.
    #[command(flatten)]
    pub db: DbArgs,
}

/// `creator access check`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("who").required(true).args(["email", "license_key", "user_id"])))]
pub struct CheckArgs {
    /// Where the ledger is.
    #[command(flatten)]
    pub db: DbArgs,
    /// The product or membership tier id.
    #[arg(long)]
    pub product: String,
    /// The purchase or subscription email.
    #[arg(long)]
    pub email: Option<String>,
    /// A license key.
    #[arg(long)]
    pub license_key: Option<String>,
    /// The platform's user id.
    #[arg(long)]
    pub user_id: Option<String>,
    /// Only this platform's entitlements (required with `--live`).
    #[arg(long, value_enum)]
    pub provider: Option<ProviderName>,
    /// Also ask the platform's API live, and print both answers.
    #[arg(long)]
    pub live: bool,
}

/// What `creator access check` prints.
#[derive(Debug, Serialize)]
pub struct AccessReport {
    /// True when the deciding answer grants (the live one with `--live`).
    pub granted: bool,
    /// The ledger's verdict.
    pub ledger: AccessVerdict,
    /// The platform's verdict, with `--live`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live: Option<AccessVerdict>,
    /// True when the two disagree (the ledger may lag behind a delivery in flight).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub disagree: bool,
}

fn who(args: &CheckArgs) -> Result<Who, CliError> {
    match (&args.email, &args.license_key, &args.user_id) {
        (Some(e), None, None) => Ok(Who::Email(e.clone())),
        (None, Some(k), None) => Ok(Who::LicenseKey(k.clone())),
        (None, None, Some(u)) => Ok(Who::UserId(u.clone())),
        _ => Err(CliError::Usage(
            "give exactly one of --email, --license-key, --user-id".into(),
        )),
    }
}

fn live_args(provider: ProviderName) -> ProviderArgs {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    ProviderArgs {
        provider,
        gumroad_url: env("GUMROAD_API_URL"),
        gank_v1_url: env("GANK_V1_URL"),
        gank_v2_url: env("GANK_V2_URL"),
        maton_url: env("MATON_API_URL"),
        maton_connection: env("MATON_CONNECTION"),
    }
}

/// Runs `creator access …`.
///
/// # Errors
/// A usage error, a ledger or platform error, or
/// [`CliError::LicenseNotValid`] (exit code 4) when access is denied.
pub async fn run(command: AccessCommand) -> Result<(), CliError> {
    let args = match command {
        AccessCommand::Check(args) => args,
        AccessCommand::Rebuild(args) => return rebuild(args).await,
    };
    let who = who(&args)?;
    if args.product.trim().is_empty() {
        return Err(CliError::Usage("--product must not be empty".into()));
    }
    if args.live && args.provider.is_none() {
        return Err(CliError::Usage(
            "--live asks one platform: add --provider gumroad|gank|maton".into(),
        ));
    }
    let ledger = crate::ledger::open_read_only(&args.db.db).await?;
    let now = OffsetDateTime::now_utc();
    let lookup = Lookup {
        product_id: args.product.clone(),
        who: who.clone(),
        provider: args.provider.map(|p| p.as_str().to_owned()),
    };
    let from_ledger = ledger.access(lookup, now).await?;
    let live = match args.provider.filter(|_| args.live) {
        None => None,
        Some(provider) => {
            let shop = crate::providers::shop(
                &live_args(provider),
                &[Resource::Sales, Resource::Subscribers],
            )?;
            let access = shop.access.ok_or_else(|| {
                CliError::NotAvailable(format!("{} has no live access check", provider.as_str()))
            })?;
            let query = match &who {
                Who::Email(e) => AccessQuery::email(&args.product, e),
                Who::LicenseKey(k) => AccessQuery::license_key(&args.product, k),
                Who::UserId(u) => AccessQuery::user_id(&args.product, u),
            };
            Some(
                access
                    .check(query)
                    .await
                    .map_err(|e| crate::error::provider_error(e, shop.credentials))?,
            )
        }
    };
    let granted = live.as_ref().map_or(from_ledger.granted, |v| v.granted);
    let disagree = live
        .as_ref()
        .is_some_and(|v| v.granted != from_ledger.granted);
    let reason = live.as_ref().map_or(from_ledger.reason, |v| v.reason);
    let report = AccessReport {
        granted,
        ledger: from_ledger,
        live,
        disagree,
    };
    let line = serde_json::to_string(&report).unwrap_or_else(|_| "{}".into());
    crate::commands::output_result(std::io::Write::write_all(
        &mut std::io::stdout().lock(),
        format!("{line}\n").as_bytes(),
    ))?;
    ledger.close().await;
    if granted {
        Ok(())
    } else {
        Err(CliError::LicenseNotValid(format!(
            "access denied: {reason}"
        )))
    }
}

/// `creator access rebuild`: prints `{"entitlements": n}`.
async fn rebuild(args: RebuildArgs) -> Result<(), CliError> {
    let ledger = crate::ledger::open(&args.db.db).await?;
    let rows = ledger.rebuild_entitlements().await;
    ledger.close().await;
    let line = serde_json::json!({ "entitlements": rows? }).to_string();
    crate::commands::output_result(std::io::Write::write_all(
        &mut std::io::stdout().lock(),
        format!("{line}\n").as_bytes(),
    ))
}
