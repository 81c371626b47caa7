//! # creator-cli
//!
//! The `creator` command of creator-commerce, and the library behind it:
//!
//! - `creator relay`: a webhook relay ([`relay`]) with one endpoint per
//!   platform that verifies, parses and stores each delivery durably in an
//!   event [`ledger`] (an SQLite file by default, PostgreSQL with the
//!   `postgres` feature), once per event
//!   ([`ledger::identity`]), with a bounded quarantine for everything it rejects.
//! - `creator events` / `creator quarantine`: read the ledger.
//! - `creator products|sales|subscribers --provider gumroad|gank|maton`:
//!   streaming lists through the `creator-core` traits.
//! - `creator sync --provider …`: resumable, idempotent backfill of sales and
//!   subscribers into the ledger.
//! - `creator license verify --product ID KEY`: check a Gumroad license key.
//! - `creator access check --product ID --email E|--license-key K|--user-id U [--live]`:
//!   whether someone has access, from the ledger's entitlement view (and the API).
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
mod stored;

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
    /// List deliveries the relay rejected; `prune` them, or `replay` an
    /// authentic one through this build's parser.
    Quarantine(commands::quarantine::QuarantineCommandArgs),
    /// List products (Gumroad products, Gank listings and membership tiers).
    Products(commands::list::ProductsArgs),
    /// List sales (Gumroad sales, Gank transactions).
    Sales(commands::list::SalesArgs),
    /// List subscribers (Gumroad subscribers, Gank members).
    Subscribers(commands::list::SubscribersArgs),
    /// Backfill sales and subscribers into the ledger (resumable, idempotent).
    Sync(commands::sync::SyncArgs),
    /// Whether a person has access to a product, from the ledger (and live).
    Access {
        /// What to ask.
        #[command(subcommand)]
        command: commands::access::AccessCommand,
    },
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
        Command::Quarantine(args) => commands::quarantine::run(args).await,
        Command::Products(args) => commands::list::run_products(args).await,
        Command::Sales(args) => commands::list::run_sales(args).await,
        Command::Subscribers(args) => commands::list::run_subscribers(args).await,
        Command::Sync(args) => commands::sync::run(args).await,
        Command::License { command } => commands::license::run(command).await,
        Command::Access { command } => commands::access::run(command).await,
    }
}

/// Installs the log: `RUST_LOG` when set (`info`, `debug`,
/// `creator_cli=debug,creator_core=trace`, …), else one line per delivery
/// for `creator relay` (warnings only with `--quiet`) and warnings only for
/// the other commands. Writes go to stderr and never panic: a closed stderr
/// (a dead log reader) costs the log, not the relay.
fn install_log(command: &Command) {
    use std::str::FromStr;
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::prelude::*;
    let default = match command {
        Command::Relay(args) if !args.quiet() => "warn,creator_cli=info",
        _ => "warn",
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| Targets::from_str(&v).ok())
        .unwrap_or_else(|| Targets::from_str(default).unwrap_or_default());
    // Each platform request is a span (provider, method, path template,
    // attempt, status; never the query, body or token): show it when it ends.
    let layer = tracing_subscriber::fmt::layer()
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .log_internal_errors(false);
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init();
}

/// The `creator` binary: parses the arguments, runs the command on a tokio
/// runtime, prints an error as one line on stderr and returns the exit code
/// (0 success, 1 failure, 2 usage or missing configuration, 3 rejected
/// credentials, 4 license that no longer grants access).
pub fn main_entry() -> ExitCode {
    let cli = Cli::parse();
    install_log(&cli.command);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            say_error(format_args!(
                "error: could not start the async runtime: {e}"
            ));
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli));
    // Blocking work still running (a verification cut off by the shutdown
    // grace) must not hold the exit.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let CliError::LicenseNotValid(_) = e {
                say_error(format_args!("{e}"));
            } else {
                say_error(format_args!("error: {e}"));
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// One line on stderr; a closed stderr is ignored (never a panic).
fn say_error(line: std::fmt::Arguments<'_>) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
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
        (
            "CREATOR_TRUSTED_PROXIES",
            "addresses of the operator's own proxies",
        ),
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
