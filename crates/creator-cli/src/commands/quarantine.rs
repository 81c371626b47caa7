//! `creator quarantine`: list rejected deliveries (the default), `prune`
//! them, or `replay` an authentic one through this build's parser.

use clap::{Args, Subcommand};
use futures::TryStreamExt;

use super::events::{self, QuarantineArgs};
use super::{DbArgs, parse_since};
use crate::CliError;
use crate::ledger::{
    self, NewEvent, PruneFilter, QuarantineFilter, QuarantineReason, Recorded, timestamp,
};

/// Options of `creator quarantine`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct QuarantineCommandArgs {
    /// What to do (default: list).
    #[command(subcommand)]
    command: Option<QuarantineCommand>,
    #[command(flatten)]
    list: QuarantineArgs,
}

/// The `creator quarantine` subcommands.
#[derive(Debug, Subcommand)]
pub enum QuarantineCommand {
    /// Delete quarantined deliveries: by default every unauthenticated one
    /// (strangers' posts, kept as metadata only); authentic deliveries only
    /// with `--include-authentic`.
    Prune(PruneArgs),
    /// Parse a quarantined authentic delivery again with this build (after an
    /// upgrade or a configuration fix) and store it as an event.
    Replay(ReplayArgs),
}

/// Options of `creator quarantine prune`.
#[derive(Debug, Args)]
pub struct PruneArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Only deliveries received before this: `2025-03-14`, an RFC 3339 time, or an age like `7d`.
    #[arg(long)]
    older_than: Option<String>,
    /// Only deliveries quarantined for this reason.
    #[arg(long, value_enum)]
    reason: Option<QuarantineReason>,
    /// Also delete authentic deliveries that could not be parsed (events
    /// `creator quarantine replay` could still store).
    #[arg(long)]
    include_authentic: bool,
}

/// Options of `creator quarantine replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The quarantined delivery's id (the `id` column of `creator quarantine`).
    id: i64,
}

/// Runs `creator quarantine`.
///
/// # Errors
/// Bad options, a missing or unreadable ledger, or a delivery that cannot be replayed.
pub async fn run(args: QuarantineCommandArgs) -> Result<(), CliError> {
    match args.command {
        None => events::run_quarantine(args.list).await,
        Some(QuarantineCommand::Prune(p)) => prune(p).await,
        Some(QuarantineCommand::Replay(r)) => replay(r).await,
    }
}

async fn prune(args: PruneArgs) -> Result<(), CliError> {
    let before = args
        .older_than
        .as_deref()
        .map(|v| parse_since(v, time::OffsetDateTime::now_utc()).map(timestamp))
        .transpose()
        .map_err(|_| {
            CliError::Usage(format!(
                "--older-than `{}` is not a time: use 2025-03-14, 2025-03-14T10:00:00Z, or an age like 7d",
                args.older_than.as_deref().unwrap_or_default()
            ))
        })?;
    events::existing(&args.db.db)?;
    let ledger = ledger::open(&args.db.db).await?;
    let pruned = ledger
        .prune_quarantine(PruneFilter {
            before,
            reason: args.reason,
            include_authenticated: args.include_authentic,
        })
        .await;
    ledger.close().await;
    let pruned = pruned?;
    say(format_args!(
        "pruned {} quarantined deliveries ({} bytes)",
        pruned.rows, pruned.bytes
    ))
}

async fn replay(args: ReplayArgs) -> Result<(), CliError> {
    events::existing(&args.db.db)?;
    let ledger = ledger::open(&args.db.db).await?;
    let result = replay_one(&*ledger, args.id).await;
    ledger.close().await;
    match result? {
        Recorded::Stored { id, dedup_key } => say(format_args!(
            "stored delivery #{} as event {id} ({dedup_key})",
            args.id
        )),
        Recorded::Duplicate { id, dedup_key } => say(format_args!(
            "delivery #{} is event {id} already ({dedup_key}); its delivery count was bumped",
            args.id
        )),
    }
}

/// One line on stdout; a closed pipe ends quietly (never a panic).
fn say(line: std::fmt::Arguments<'_>) -> Result<(), CliError> {
    use std::io::Write as _;
    super::output_result(writeln!(std::io::stdout(), "{line}"))
}

/// Parses the quarantined delivery `id` again and stores it (`creator
/// quarantine replay`, and the console's replay button).
pub(crate) async fn replay_one(ledger: &dyn ledger::Ledger, id: i64) -> Result<Recorded, CliError> {
    let row = ledger
        .quarantined(QuarantineFilter {
            id: Some(id),
            ..QuarantineFilter::default()
        })
        .try_next()
        .await?
        .ok_or_else(|| {
            CliError::Usage(format!(
                "no quarantined delivery #{id}: see `creator quarantine`"
            ))
        })?;
    if !row.authenticated {
        return Err(CliError::Usage(format!(
            "delivery #{id} was not authenticated ({}): only authentic deliveries are kept whole and can be replayed",
            row.reason
        )));
    }
    if let Some(event) = row.replayed_as {
        return Err(CliError::Usage(format!(
            "delivery #{id} was already replayed as event {event}"
        )));
    }
    let event = crate::stored::parse(&row.endpoint, row.content_type.as_deref(), &row.raw_body)
        .ok_or_else(|| {
            CliError::NotAvailable(format!(
                "this creator has no parser for the `{}` endpoint",
                row.endpoint
            ))
        })?
        .map_err(|e| {
            CliError::Usage(format!(
                "delivery #{id} still does not parse: {}",
                crate::error::one_line(&e)
            ))
        })?;
    let record = NewEvent::from_event(
        &event,
        &row.endpoint,
        row.verified.as_deref().unwrap_or("unknown"),
        &row.received_at,
        row.content_type.clone(),
        row.headers.to_string(),
        row.raw_body.clone(),
    );
    Ok(ledger.replay_quarantined(id, record).await?)
}
