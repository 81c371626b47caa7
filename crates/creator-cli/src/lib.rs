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
//! - `creator simulate --provider gumroad|gank --event sale|refund|… --to URL`:
//!   post a delivery shaped exactly as the platform sends it ([`simulate`]).
//! - `creator access check --product ID --email E|--license-key K|--user-id U [--live]`:
//!   whether someone has access, from the ledger's entitlement view (and the API).
//! - `creator doctor --url URL [--fix] [--gank-signature]`: whether the
//!   wiring is right now ([`doctor`]), exit 0 ok, 1 warnings, 2 problems.
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

pub mod auth;
pub mod commands;
pub mod doctor;
pub mod emit;
mod error;
mod hex;
pub mod ledger;
pub mod mcp;
pub mod output;
pub mod progress;
pub mod providers;
pub mod random;
pub mod relay;
pub mod simulate;
mod stored;
pub mod watch;
pub mod write;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use error::{CliError, Credentials, provider_error};

/// `creator`: Gumroad, Gank and Maton from the command line, and a webhook
/// relay with a durable event ledger.
#[derive(Debug, Parser)]
#[command(
    name = "creator",
    version,
    about = "Gumroad, Gank and Maton from the command line: read and change products, sales, licenses, emails, payouts and webhooks (every write with --dry-run, and --yes for destructive ones), and a webhook relay with a durable event ledger",
    long_about = None,
    after_help = "Log in first: `creator auth login --provider gumroad` (or set GUMROAD_ACCESS_TOKEN). `creator COMMAND --help` shows each command's options."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Use the credentials stored under this profile (one per shop).
    #[arg(long, global = true, env = "CREATOR_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Print each request and response line on stderr (secrets redacted).
    #[arg(long, global = true)]
    pub debug: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Receive webhooks: verify, parse and store each delivery in the ledger.
    Relay(commands::relay::RelayArgs),
    /// List the events stored in the ledger, `--follow` them as they are
    /// stored, or `replay` them to the destinations.
    Events(commands::events::EventsCommandArgs),
    /// Where the relay forwards events: `list`, `add`, `remove`,
    /// `rotate-secret`, `enable`, `disable`.
    Destinations(commands::destinations::DestinationsArgs),
    /// What the relay forwarded: each message's state, attempts, last status
    /// and next attempt (`--attempts`: one row per attempt).
    Deliveries(commands::deliveries::DeliveriesArgs),
    /// List deliveries the relay rejected; `prune` them, or `replay` an
    /// authentic one through this build's parser.
    Quarantine(commands::quarantine::QuarantineCommandArgs),
    /// List products (Gumroad products, Gank listings and membership
    /// tiers); view, create, update, publish, delete Gumroad products and
    /// their covers, variants, offer codes and custom fields.
    Products(commands::products::ProductsCommandArgs),
    /// List sales (Gumroad sales, Gank transactions); view, refund, ship,
    /// resend receipts, revoke access, summarise, group by buyer, export (Gumroad).
    Sales(commands::sales::SalesCommandArgs),
    /// List subscribers (Gumroad subscribers, Gank members).
    Subscribers(commands::list::SubscribersArgs),
    /// Gumroad upsells and cross-sells.
    #[command(subcommand)]
    Upsells(commands::shop::UpsellCommand),
    /// Gumroad audience emails: drafts, previews, sending, scheduling.
    #[command(subcommand)]
    Emails(commands::shop::EmailCommand),
    /// Gumroad workflows and their email steps.
    #[command(subcommand)]
    Workflows(commands::shop::WorkflowCommand),
    /// Gumroad payouts.
    #[command(subcommand)]
    Payouts(commands::shop::PayoutCommand),
    /// Gumroad webhook subscriptions (Gank's: `creator gank webhook`).
    #[command(subcommand)]
    Webhooks(commands::shop::WebhookCommand),
    /// Gank: the webhook registration.
    #[command(subcommand)]
    Gank(commands::accounts::GankCommand),
    /// Maton connections (list, create, show, delete).
    #[command(subcommand)]
    Connections(commands::accounts::ConnectionCommand),
    /// Backfill sales and subscribers into the ledger (resumable, idempotent).
    Sync(commands::sync::SyncArgs),
    /// Find the sales, refunds, disputes, cancellations and ends no webhook
    /// delivered, and store them as recovered events (forwarded like any other).
    Reconcile(commands::reconcile::ReconcileArgs),
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
    /// Print the shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(commands::docs::CompletionsArgs),
    /// Print the man page, or write one per command with `--out-dir`.
    Man(commands::docs::ManArgs),
    /// Log in, see who is logged in, log out, print a token.
    Auth {
        /// What to do.
        #[command(subcommand)]
        command: commands::auth::AuthCommand,
    },
    /// Serve the Model Context Protocol over stdio, for agents (docs/mcp.md).
    Mcp(mcp::McpArgs),
    /// Check the wiring now: Gumroad subscriptions, Gank registration, Maton
    /// connection, the ledger (exit 0 ok, 1 warnings, 2 problems; `--fix`).
    Doctor(commands::doctor::DoctorArgs),
    /// Post a delivery shaped exactly as Gumroad or Gank sends it (a sale,
    /// refund, cancellation, membership, …) to test a relay end to end.
    Simulate(commands::simulate::SimulateArgs),
}

/// Runs one parsed command line.
///
/// # Errors
/// Whatever the command fails with, as a one-line [`CliError`].
pub async fn run(cli: Cli) -> Result<(), CliError> {
    auth::set_profile(cli.profile.as_deref())?;
    watch::set_debug(cli.debug);
    if cli.debug {
        creator_core::http::observe(watch::Watch::debugging(), dispatch(cli.command)).await
    } else {
        dispatch(cli.command).await
    }
}

async fn dispatch(command: Command) -> Result<(), CliError> {
    match command {
        Command::Relay(args) => commands::relay::run(args).await,
        Command::Events(args) => commands::events::run(args).await,
        Command::Destinations(args) => commands::destinations::run(args).await,
        Command::Deliveries(args) => commands::deliveries::run(args).await,
        Command::Quarantine(args) => commands::quarantine::run(args).await,
        Command::Products(args) => commands::products::run(args).await,
        Command::Sales(args) => commands::sales::run(args).await,
        Command::Subscribers(args) => commands::list::run_subscribers(args).await,
        Command::Upsells(c) => commands::shop::upsells(c).await,
        Command::Emails(c) => commands::shop::emails(c).await,
        Command::Workflows(c) => commands::shop::workflows(c).await,
        Command::Payouts(c) => commands::shop::payouts(c).await,
        Command::Webhooks(c) => commands::shop::webhooks(c).await,
        Command::Gank(c) => commands::accounts::gank(c).await,
        Command::Connections(c) => commands::accounts::connections(c).await,
        Command::Completions(a) => commands::docs::completions(&a),
        Command::Man(a) => commands::docs::man(&a),
        Command::Sync(args) => commands::sync::run(args).await,
        Command::Reconcile(args) => commands::reconcile::run(args).await,
        Command::License { command } => commands::license::run(command).await,
        Command::Auth { command } => commands::auth::run(command).await,
        Command::Mcp(args) => mcp::run(args).await,
        Command::Access { command } => commands::access::run(command).await,
        Command::Doctor(args) => commands::doctor::run(args).await,
        Command::Simulate(args) => commands::simulate::run(args).await,
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
    use clap::{CommandFactory, FromArgMatches};
    let matches = Cli::command().get_matches();
    let json_errors = wants_json(&matches);
    // `creator relay --config FILE`: the file's values as if typed.
    let (matches, configured) =
        match commands::relay_config::apply(matches, std::env::args_os().collect()) {
            Ok(applied) => applied,
            Err(e) => {
                say_error(format_args!("error: {e}"));
                return ExitCode::from(e.exit_code());
            }
        };
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    if let Command::Relay(args) = &mut cli.command {
        args.set_configured(configured);
    }
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
        // The doctor's report already said everything.
        Err(e @ CliError::ChecksFailed { .. }) => ExitCode::from(e.exit_code()),
        Err(e) => {
            if json_errors {
                say_error(format_args!("{}", e.to_json()));
            } else if let CliError::LicenseNotValid(_) = e {
                say_error(format_args!("{e}"));
            } else {
                say_error(format_args!("error: {}", watch::redact(&e.to_string())));
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// True when the command asked for output for programs (`--format json`
/// or `jsonl`, or `--jq`): its errors are then one JSON object on stderr.
fn wants_json(matches: &clap::ArgMatches) -> bool {
    let mut m = matches;
    loop {
        let asked = |id: &str| {
            m.try_get_raw(id)
                .ok()
                .flatten()
                .is_some_and(|mut v| v.any(|x| x == "json" || x == "jsonl"))
        };
        if asked("format") || m.try_get_raw("jq").ok().flatten().is_some() {
            return true;
        }
        match m.subcommand() {
            Some((_, sub)) => m = sub,
            None => return false,
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
        ("CREATOR_PROFILE", "the name of a credentials profile"),
        (
            "CREATOR_RELAY_CONFIG",
            "the path of the relay's config file",
        ),
        (
            "CREATOR_GUMROAD_CLIENT_ID",
            "a public OAuth client id (public clients have no secret)",
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
