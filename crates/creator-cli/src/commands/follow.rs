//! `creator events --follow [--after ID]` and `creator events replay`.

use std::io::Write as _;
use std::time::Duration;

use clap::Args;

use super::events::{existing, open_existing};
use super::{DbArgs, output_result, parse_since};
use crate::CliError;
use crate::ledger::{self, Ledger, Replay, ReplaySelection, timestamp};
use crate::relay::forward::body;

/// How often `--follow` looks for new events when there were none.
const FOLLOW_POLL: Duration = Duration::from_millis(250);
/// Events read at once.
const PAGE: u64 = 500;

/// Options of `creator events replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Event ids (the `id` column of `creator events`).
    #[arg(required_unless_present = "since", conflicts_with = "since")]
    ids: Vec<i64>,
    /// Every event received since: `24h`, `7d`, `2025-03-14`, an RFC 3339 time.
    #[arg(long)]
    since: Option<String>,
    /// Only to this destination (whatever its filters); otherwise to every
    /// enabled destination whose filters match.
    #[arg(long)]
    destination: Option<String>,
}

/// Runs `creator events replay`: queues the events again, as new messages
/// (the webhook-id stays `evt_<id>`, so a receiver that deduplicates sees
/// the same message).
///
/// # Errors
/// Bad options, an unknown or disabled destination, or a ledger that fails.
pub async fn replay(args: ReplayArgs) -> Result<(), CliError> {
    let now = time::OffsetDateTime::now_utc();
    let events = match (&args.since, args.ids.is_empty()) {
        (Some(since), _) => ReplaySelection::Since(timestamp(parse_since(since, now)?)),
        (None, false) => ReplaySelection::Ids(args.ids.clone()),
        (None, true) => {
            return Err(CliError::Usage(
                "name event ids, or --since 24h (see `creator events`)".into(),
            ));
        }
    };
    existing(&args.db.db)?;
    let ledger = ledger::open(&args.db.db).await?;
    let result = queue(&*ledger, events, args.destination.clone(), timestamp(now)).await;
    ledger.close().await;
    let queued = result?;
    let to = args
        .destination
        .as_deref()
        .map_or("every matching destination".to_owned(), |d| {
            format!("destination {d}")
        });
    output_result(writeln!(
        std::io::stdout(),
        "queued {queued} message(s) to {to}; a running `creator relay` sends them (see `creator deliveries`)"
    ))
}

async fn queue(
    ledger: &dyn Ledger,
    events: ReplaySelection,
    destination: Option<String>,
    now: String,
) -> Result<u64, CliError> {
    let destinations = ledger.destinations().await?;
    match &destination {
        Some(name) => match destinations.iter().find(|d| &d.name == name) {
            None => {
                return Err(CliError::Usage(format!(
                    "no destination named {name:?}: see `creator destinations list`"
                )));
            }
            Some(d) if !d.enabled => {
                return Err(CliError::Usage(format!(
                    "destination {name} is disabled ({}): `creator destinations enable {name}` first",
                    d.disabled_reason.as_deref().unwrap_or("by hand")
                )));
            }
            Some(_) => {}
        },
        None if destinations.iter().all(|d| !d.enabled) => {
            return Err(CliError::Usage(
                "there is no enabled destination to replay to: `creator destinations add NAME URL`"
                    .into(),
            ));
        }
        None => {}
    }
    let ReplaySelection::Ids(ids) = events else {
        return Ok(ledger
            .replay(Replay {
                events,
                destination,
                now,
            })
            .await?);
    };
    // One id at a time, so an id that queues nothing is named, not hidden in a total.
    let mut queued = 0;
    let mut nothing = Vec::new();
    for id in ids {
        let n = ledger
            .replay(Replay {
                events: ReplaySelection::Ids(vec![id]),
                destination: destination.clone(),
                now: now.clone(),
            })
            .await?;
        if n == 0 {
            nothing.push(id.to_string());
        }
        queued += n;
    }
    if !nothing.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "nothing queued for event(s) {}: no such event, or no enabled destination whose filters match it (see `creator events`, `creator destinations list`)",
            nothing.join(", ")
        );
        if queued == 0 {
            return Err(CliError::Usage("no message was queued".into()));
        }
    }
    Ok(queued)
}

/// Options of `creator events --follow`.
#[derive(Debug, Clone, Args)]
pub struct FollowArgs {
    /// Print events as JSON lines as they are stored, until interrupted
    /// (the shape the webhooks carry, `docs/event.schema.json`).
    #[arg(long)]
    pub follow: bool,
    /// With `--follow`: start after this event id (the last one you
    /// handled; 0 for everything). Without it, only events stored from now on.
    #[arg(long, requires = "follow")]
    pub after: Option<i64>,
}

/// Runs `creator events --follow`.
///
/// # Errors
/// A missing or unreadable ledger, or a failed write.
pub async fn follow(db: &str, args: &FollowArgs) -> Result<(), CliError> {
    let ledger = open_existing(db).await?;
    let result = follow_on(&*ledger, args.after).await;
    ledger.close().await;
    result
}

async fn follow_on(ledger: &dyn Ledger, after: Option<i64>) -> Result<(), CliError> {
    let mut cursor = match after {
        Some(a) => a.max(0),
        // From now on: skip what is stored already (in the feed's order).
        None => {
            let mut c = 0;
            loop {
                let page = ledger.events_after(c, PAGE).await?;
                match page.last() {
                    Some(e) => c = e.id,
                    None => break c,
                }
            }
        }
    };
    let stop = super::relay::shutdown_signal();
    tokio::pin!(stop);
    let mut out = std::io::BufWriter::new(std::io::stdout());
    loop {
        let page = ledger.events_after(cursor, PAGE).await?;
        for event in &page {
            let line = serde_json::to_string(&body::document(event)).unwrap_or_default();
            if let Err(e) = writeln!(out, "{line}") {
                return output_result::<()>(Err(e));
            }
            cursor = event.id;
        }
        if let Err(e) = out.flush() {
            return output_result::<()>(Err(e));
        }
        if page.len() as u64 == PAGE {
            continue;
        }
        tokio::select! {
            () = &mut stop => return Ok(()),
            () = tokio::time::sleep(FOLLOW_POLL) => {}
        }
    }
}
