//! `creator deliveries`: what the relay forwarded, is forwarding, or gave up
//! on, one row per message (or per attempt with `--attempts`).

use clap::Args;

use super::DbArgs;
use super::destinations::short_time;
use super::events::{open_existing, print_rows};
use crate::CliError;
use crate::ledger::{AttemptRecord, DeliveryStatus, OutboxFilter, OutboxMessage};
use crate::output::{Format, Record};

/// Options of `creator deliveries`.
#[derive(Debug, Clone, Args)]
pub struct DeliveriesArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Only messages to this destination.
    #[arg(long)]
    destination: Option<String>,
    /// Only messages in this state (`failed`: waiting for a retry).
    #[arg(long, value_enum)]
    status: Option<DeliveryStatus>,
    /// One row per attempt: its status code, latency, error and the next attempt it scheduled.
    #[arg(long)]
    attempts: bool,
    /// At most this many rows (oldest first).
    #[arg(long)]
    limit: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Runs `creator deliveries`.
///
/// # Errors
/// A missing or unreadable ledger, or a failed write.
pub async fn run(args: DeliveriesArgs) -> Result<(), CliError> {
    let filter = OutboxFilter {
        destination: args.destination.clone(),
        status: args.status,
        limit: args.limit,
    };
    let ledger = open_existing(&args.db.db).await?;
    if args.attempts {
        let rows = ledger.attempts(filter);
        print_rows::<_, AttemptRecord>(&ledger, rows, args.format, |out, a| out.write(a)).await
    } else {
        let rows = ledger.messages(filter);
        print_rows::<_, OutboxMessage>(&ledger, rows, args.format, |out, m| out.write(m)).await
    }
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

impl Record for OutboxMessage {
    const COLUMNS: &'static [(&'static str, usize)] = &[
        ("id", 6),
        ("event", 6),
        ("kind", 10),
        ("destination", 14),
        ("status", 9),
        ("attempts", 8),
        ("last_status", 11),
        ("last_ms", 7),
        ("next_attempt_at", 20),
        ("last_error", 40),
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.event_id.to_string(),
            self.kind.clone(),
            self.destination.clone(),
            self.status.clone(),
            self.attempts.to_string(),
            opt(&self.last_status),
            opt(&self.last_latency_ms),
            self.next_attempt_at
                .as_deref()
                .map(short_time)
                .unwrap_or_default(),
            opt(&self.last_error),
        ]
    }
}

impl Record for AttemptRecord {
    const COLUMNS: &'static [(&'static str, usize)] = &[
        ("message", 7),
        ("event", 6),
        ("destination", 14),
        ("attempt", 7),
        ("started_at", 20),
        ("status_code", 11),
        ("latency_ms", 10),
        ("next_attempt_at", 20),
        ("error", 40),
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.message_id.to_string(),
            self.event_id.to_string(),
            self.destination.clone(),
            self.attempt.to_string(),
            short_time(&self.started_at),
            opt(&self.status_code),
            self.latency_ms.to_string(),
            self.next_attempt_at
                .as_deref()
                .map(short_time)
                .unwrap_or_default(),
            opt(&self.error),
        ]
    }
}
