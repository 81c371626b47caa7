//! # creator-cli
//!
//! The `creator` command of creator-commerce, and the library behind it:
//!
//! - `creator relay`: a webhook relay ([`relay`]) with one endpoint per
//!   platform that verifies, parses and stores each delivery durably in an
//!   event [`ledger`] (an SQLite file by default, PostgreSQL with the
//!   `postgres` feature), deduplicated by `WebhookEvent::dedup_key`, with a
//!   quarantine for everything it rejects.
//! - `creator events` / `creator quarantine`: read the ledger.
//! - `creator products|sales|subscribers --provider gumroad|gank|maton`:
//!   streaming lists through the `creator-core` traits.
//! - `creator sync --provider …`: resumable, idempotent backfill of sales and
//!   subscribers into the ledger.
//! - `creator license verify --product ID KEY`: check a Gumroad license key.
//!
//! Run `creator --help` for the options. Every error is one line that says
//! what to do.
//!
//! ```no_run
//! use clap::Parser;
//!
//! # async fn run() -> Result<(), creator_cli::CliError> {
//! let cli = creator_cli::Cli::parse_from(["creator", "events", "--db", "creator.db", "--format", "json"]);
//! creator_cli::run(cli).await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod commands;
mod error;
pub mod ledger;
pub mod output;
pub mod progress;
pub mod providers;
pub mod relay;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use error::{CliError, Credentials, provider_error};

/// `creator`: Gumroad, Gank and Maton from the command line, and a webhook
/// relay with a durable event ledger.
#[derive(Debug, Parser)]
#[command(name = "creator", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Receive webhooks: verify, parse and store each delivery in the ledger.
    Relay(commands::relay::RelayArgs),
    /// List the events stored in the ledger.
    Events(commands::events::EventsArgs),
    /// List deliveries the relay rejected (kept with their raw bodies).
    Quarantine(commands::events::QuarantineArgs),
    /// List products (Gumroad products, Gank listings and membership tiers).
    Products(commands::list::ProductsArgs),
    /// List sales (Gumroad sales, Gank transactions).
    Sales(commands::list::SalesArgs),
    /// List subscribers (Gumroad subscribers, Gank members).
    Subscribers(commands::list::SubscribersArgs),
    /// Backfill sales and subscribers into the ledger (resumable, idempotent).
    Sync(commands::sync::SyncArgs),
    /// Gumroad license keys.
    License {
        /// What to do with a license.
        #[command(subcommand)]
        command: commands::license::LicenseCommand,
    },
}

/// Runs one parsed command line.
///
/// # Errors
/// Whatever the command fails with, as a one-line [`CliError`].
pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Relay(args) => commands::relay::run(args).await,
        Command::Events(args) => commands::events::run_events(args).await,
        Command::Quarantine(args) => commands::events::run_quarantine(args).await,
        Command::Products(args) => commands::list::run_products(args).await,
        Command::Sales(args) => commands::list::run_sales(args).await,
        Command::Subscribers(args) => commands::list::run_subscribers(args).await,
        Command::Sync(args) => commands::sync::run(args).await,
        Command::License { command } => commands::license::run(command).await,
    }
}

/// The `creator` binary: parses the arguments, runs the command on a tokio
/// runtime, prints an error as one line on stderr and returns the exit code
/// (0 success, 1 failure, 2 usage or missing configuration, 3 rejected
/// credentials, 4 license that no longer grants access).
pub fn main_entry() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let CliError::LicenseNotValid(_) = e {
                eprintln!("{e}");
            } else {
                eprintln!("error: {e}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Variables whose values `--help` may show: they never carry a secret.
    const SHOWN: &[(&str, &str)] = &[
        (
            "MATON_CONNECTION",
            "a connection id, useless without MATON_API_KEY",
        ),
        ("GANK_SIGNATURE_HEADER", "a header name"),
    ];

    fn env_options(cmd: &clap::Command, path: &str, found: &mut Vec<(String, String, bool)>) {
        for arg in cmd.get_arguments() {
            if let Some(var) = arg.get_env() {
                found.push((
                    format!("{path} --{}", arg.get_id()),
                    var.to_string_lossy().into_owned(),
                    arg.is_hide_env_values_set(),
                ));
            }
        }
        for sub in cmd.get_subcommands() {
            env_options(sub, &format!("{path} {}", sub.get_name()), found);
        }
    }

    /// Every option read from the environment hides its value in `--help`
    /// (tokens, keys, secrets, and URLs, which can carry a password), except
    /// the few in [`SHOWN`].
    #[test]
    fn help_never_shows_the_value_of_an_environment_variable_that_may_be_secret() {
        let mut found = Vec::new();
        env_options(&crate::Cli::command(), "creator", &mut found);
        assert!(found.len() >= 10, "{found:?}");
        for (option, var, hidden) in &found {
            let allowed = SHOWN.iter().any(|(v, _)| v == var);
            assert!(*hidden || allowed, "{option} shows ${var} in --help");
        }
    }
}
