//! `creator events` and `creator quarantine`: read the ledger.

use std::io::{self, BufWriter, Stdout};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use futures::TryStreamExt;
use futures::stream::BoxStream;

use super::{DbArgs, output_result, parse_since};
use crate::CliError;
use crate::ledger::{
    self, EventFilter, Ledger, LedgerError, QuarantineFilter, QuarantineReason, timestamp,
};
use crate::output::{EventWithBody, Format, QuarantineWithBody, Record, RecordWriter, body_forms};

/// A platform whose webhooks the relay receives (`creator events --provider`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EventProvider {
    /// Gumroad Pings and resource subscriptions (`/webhooks/gumroad/<secret>`).
    Gumroad,
    /// Gank webhooks (`/webhooks/gank`).
    Gank,
}

/// The name clap shows and the ledger stores (`too_large`).
fn value_name(value: impl ValueEnum) -> Option<String> {
    value.to_possible_value().map(|v| v.get_name().to_owned())
}

/// Options of `creator events`.
#[derive(Debug, Clone, Args)]
pub struct EventsArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Only events of this provider.
    #[arg(long, value_enum)]
    provider: Option<EventProvider>,
    /// Only this kind (`sale`, `refund`, `membership_payment`, …) or platform
    /// event name (`USER_MEMBERSHIP.TX_SUCCEED`).
    #[arg(long)]
    kind: Option<String>,
    /// Only events received since: `2025-03-14`, `2025-03-14T10:00:00Z`, or an age like `24h`, `7d`.
    #[arg(long)]
    since: Option<String>,
    /// At most this many events (oldest first).
    #[arg(long)]
    limit: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Include the raw body (json/jsonl: `raw_body`, or `raw_body_base64` when not UTF-8).
    #[arg(long)]
    with_body: bool,
    #[command(flatten)]
    follow: super::follow::FollowArgs,
}

/// Options of `creator events`: list (the default, or `--follow`), or `replay`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct EventsCommandArgs {
    /// What to do (default: list).
    #[command(subcommand)]
    command: Option<EventsCommand>,
    #[command(flatten)]
    list: EventsArgs,
}

/// The `creator events` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum EventsCommand {
    /// Send stored events to the destinations again (`ID…` or `--since 24h`,
    /// optionally `--destination NAME`); a running relay delivers them.
    Replay(super::follow::ReplayArgs),
}

/// Runs `creator events`.
///
/// # Errors
/// Bad options, a missing or unreadable ledger, or a failed write.
pub async fn run(args: EventsCommandArgs) -> Result<(), CliError> {
    match args.command {
        None if args.list.follow.follow => {
            super::follow::follow(&args.list.db.db, &args.list.follow).await
        }
        None => run_events(args.list).await,
        Some(EventsCommand::Replay(r)) => super::follow::replay(r).await,
    }
}

/// Options of `creator quarantine`.
#[derive(Debug, Clone, Args)]
pub struct QuarantineArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Only deliveries quarantined for this reason.
    #[arg(long, value_enum)]
    reason: Option<QuarantineReason>,
    /// Only deliveries received since (as for `creator events`).
    #[arg(long)]
    since: Option<String>,
    /// At most this many (oldest first).
    #[arg(long)]
    limit: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Include the raw body (json/jsonl).
    #[arg(long)]
    with_body: bool,
}

/// Fails with a usage error when `db` names an SQLite file that does not
/// exist (reading never creates an empty ledger).
pub(crate) fn existing(db: &str) -> Result<(), CliError> {
    if !ledger::is_postgres_url(db) {
        let path = db.strip_prefix("sqlite://").unwrap_or(db);
        if !std::path::Path::new(path).exists() {
            return Err(CliError::Usage(format!(
                "no ledger at {path}: start `creator relay --db {path}` first, or pass --db with the ledger's path"
            )));
        }
    }
    Ok(())
}

/// Opens an existing ledger read-only: nothing is created, migrated or written.
pub(crate) async fn open_existing(db: &str) -> Result<Arc<dyn Ledger>, CliError> {
    existing(db)?;
    Ok(ledger::open_read_only(db).await?)
}

fn since(value: Option<&str>) -> Result<Option<String>, CliError> {
    value
        .map(|v| parse_since(v, time::OffsetDateTime::now_utc()).map(timestamp))
        .transpose()
}

/// Runs `creator events`.
///
/// # Errors
/// Bad options, a missing or unreadable ledger, or a failed write.
pub async fn run_events(args: EventsArgs) -> Result<(), CliError> {
    let filter = EventFilter {
        provider: args.provider.and_then(value_name),
        kind: args.kind.clone(),
        since: since(args.since.as_deref())?,
        limit: args.limit,
    };
    let ledger = open_existing(&args.db.db).await?;
    let rows = ledger.events(filter);
    print_rows::<_, EventWithBody<'_>>(&ledger, rows, args.format, |out, event| {
        let (raw_body, raw_body_base64) = bodies(args.with_body, &event.raw_body);
        out.write(&EventWithBody {
            event,
            raw_body,
            raw_body_base64,
        })
    })
    .await
}

/// Runs `creator quarantine`.
///
/// # Errors
/// Bad options, a missing or unreadable ledger, or a failed write.
pub async fn run_quarantine(args: QuarantineArgs) -> Result<(), CliError> {
    let filter = QuarantineFilter {
        id: None,
        since: since(args.since.as_deref())?,
        reason: args.reason,
        limit: args.limit,
    };
    let ledger = open_existing(&args.db.db).await?;
    let rows = ledger.quarantined(filter);
    print_rows::<_, QuarantineWithBody<'_>>(&ledger, rows, args.format, |out, delivery| {
        let (raw_body, raw_body_base64) = bodies(args.with_body, &delivery.raw_body);
        out.write(&QuarantineWithBody {
            delivery,
            raw_body,
            raw_body_base64,
        })
    })
    .await
}

/// The raw body as text (or base64 when it is not UTF-8), when asked for.
fn bodies(with_body: bool, raw: &[u8]) -> (Option<String>, Option<String>) {
    if with_body {
        body_forms(raw)
    } else {
        (None, None)
    }
}

/// Streams ledger rows to stdout as records of type `R` (built by `write`),
/// then closes the ledger. A closed pipe (`| head`) is not an error.
pub(crate) async fn print_rows<T, R: Record>(
    ledger: &Arc<dyn Ledger>,
    mut rows: BoxStream<'static, Result<T, LedgerError>>,
    format: Format,
    mut write: impl FnMut(&mut RecordWriter<BufWriter<Stdout>>, &T) -> io::Result<()>,
) -> Result<(), CliError> {
    let mut out = RecordWriter::new::<R>(BufWriter::new(std::io::stdout()), format);
    let result = loop {
        match rows.try_next().await {
            Ok(Some(row)) => {
                if let Err(e) = write(&mut out, &row) {
                    break output_result::<()>(Err(e));
                }
            }
            Ok(None) => break output_result(out.finish()),
            Err(e) => {
                // As for the platform lists: no header before the first row.
                let _ = out.abandon();
                break Err(e.into());
            }
        }
    };
    drop(rows);
    ledger.close().await;
    result
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use clap::error::ErrorKind;

    use super::*;

    #[test]
    fn reasons_are_the_names_the_relay_stores() {
        let names: Vec<String> = QuarantineReason::value_variants()
            .iter()
            .filter_map(|r| value_name(*r))
            .collect();
        assert_eq!(
            names,
            [
                "verification",
                "parse",
                "too_large",
                "unknown_endpoint",
                "not_configured",
                "incomplete"
            ]
        );
        assert_eq!(value_name(EventProvider::Gank).as_deref(), Some("gank"));
    }

    #[test]
    fn a_mistyped_provider_or_reason_is_a_usage_error_naming_the_values() {
        for (args, values) in [
            (
                &["creator", "events", "--provider", "gumrod"][..],
                "[possible values: gumroad, gank]",
            ),
            (
                &["creator", "quarantine", "--reason", "too-large"][..],
                "[possible values: verification, parse, too_large, unknown_endpoint, not_configured, incomplete]",
            ),
        ] {
            let err = crate::Cli::try_parse_from(args).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidValue, "{args:?}");
            assert_eq!(err.exit_code(), 2);
            let shown = err.to_string();
            assert!(shown.contains(values), "{shown}");
        }
        let ok = crate::Cli::try_parse_from(["creator", "quarantine", "--reason", "too_large"]);
        assert!(ok.is_ok(), "{ok:?}");
    }
}
