//! `creator sync`: backfill sales and subscribers into the ledger.
//!
//! Idempotent: rows are upserted by `(provider, id)`, so running it again
//! never duplicates anything. Resumable: the cursor is saved in the ledger in
//! the same transaction as each batch of rows.
//!
//! **Sales** are read newest first. Once a sale from day *D* arrives, every
//! day after *D* is complete, so the saved cursor says "still to do: sales
//! before *D + 1*". An interrupted run resumes from there (re-reading at most
//! day *D*); a run after a complete one reads only from the newest day it saw
//! (`--full` re-reads everything, to pick up refunds of older sales). If a
//! platform turns out not to list newest first, the cursor is not advanced
//! and an interrupted run restarts from the top (still idempotent).
//!
//! With `--concurrency` above 1 (the default is 1) the sales are fetched as
//! concurrent day windows and still arrive newest first, so the same cursor
//! holds: a killed run resumes below the last day it completed.
//!
//! **Subscribers** have no order to resume from: each run re-reads the list
//! (pages are cheap) and upserts; the saved state records progress. Gumroad
//! lists only *active* subscriptions, so after a complete Gumroad (or Maton)
//! run, the subscribers it no longer lists are marked `ended`.

use std::sync::Arc;

use clap::{Args, ValueEnum};
use creator_core::window::WindowOrder;
use creator_core::{Sale, SaleQuery, Sales, Subscriber, SubscriberQuery, Subscribers};
use futures::TryStreamExt;
use serde::Serialize;
use time::{Date, OffsetDateTime};

use super::{DbArgs, day_string, parse_day};
use crate::CliError;
use crate::error::{Credentials, provider_error};
use crate::ledger::{
    self, EndUnseen, Ledger, SyncBatch, SyncState, SyncedSale, SyncedSubscriber, timestamp,
};
use crate::progress::Progress;
use crate::providers::{ProviderArgs, ProviderName, Resource, shop};

/// Rows written per transaction.
pub const BATCH: usize = 100;

/// What to sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncOnly {
    /// Only sales.
    Sales,
    /// Only subscribers.
    Subscribers,
}

/// Options of `creator sync`.
#[derive(Debug, Clone, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    #[command(flatten)]
    db: DbArgs,
    /// Sync only sales or only subscribers (default: both).
    #[arg(long, value_enum)]
    only: Option<SyncOnly>,
    /// Ignore the saved cursor and re-read everything (picks up refunds of old sales).
    #[arg(long)]
    full: bool,
    /// On a fresh or full run, read sales from this day on (`2025-01-01`).
    #[arg(long)]
    after: Option<String>,
    /// Read at most this many pages per list in this run; the run stays
    /// resumable and the next `creator sync` continues from its cursor.
    #[arg(long)]
    max_pages: Option<u32>,
    /// No progress counter on stderr.
    #[arg(long)]
    no_progress: bool,
    #[command(flatten)]
    windows: super::windows::WindowArgs,
}

/// Sync settings for [`sync_sales`] and [`sync_subscribers`].
#[derive(Debug, Clone, Default)]
pub struct SyncOptions {
    /// Ignore the saved cursor.
    pub full: bool,
    /// Lower bound for a fresh or full sales run.
    pub after: Option<Date>,
    /// Page cap per list for this run (the run is left resumable, not complete).
    pub max_pages: Option<u32>,
    /// Show a progress counter on stderr (when it is a terminal).
    pub progress: bool,
    /// The platform lists only active subscriptions (Gumroad): after a
    /// complete run, this provider's subscribers it did not list are marked `ended`.
    pub ends_unlisted_of: Option<String>,
    /// Sales as concurrent day windows (newest first, so the cursor below
    /// works as for one cursor); `None` walks one cursor.
    pub windows: Option<creator_core::window::Windowing>,
}

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// `sales` or `subscribers`.
    pub resource: String,
    /// `fresh`, `resumed`, `incremental` or `full`.
    pub mode: String,
    /// Rows written by this invocation.
    pub written: u64,
    /// The state saved at the end.
    pub state: SyncState,
}

fn now() -> String {
    timestamp(OffsetDateTime::now_utc())
}

fn sale_row(s: &Sale) -> SyncedSale {
    SyncedSale {
        provider: s.provider.as_str().to_owned(),
        id: s.id.clone(),
        product_id: s.product_id.clone(),
        email: s.customer.email.clone(),
        amount_minor: s.amount.map(|m| m.minor_units()),
        currency: s.amount.map(|m| m.currency().to_string()),
        created_at: s.created_at.map(timestamp),
        refunded: s.refunded,
        test: s.test,
        record: serde_json::to_string(s).unwrap_or_else(|_| "null".into()),
    }
}

fn subscriber_row(s: &Subscriber) -> SyncedSubscriber {
    let status = match serde_json::to_value(&s.status) {
        Ok(serde_json::Value::String(v)) => v,
        _ => "unknown".into(),
    };
    SyncedSubscriber {
        provider: s.provider.as_str().to_owned(),
        id: s.id.clone(),
        product_id: s.product_id.clone(),
        email: s.customer.email.clone(),
        status,
        started_at: s.started_at.map(timestamp),
        ends_at: s.ends_at.map(timestamp),
        record: serde_json::to_string(s).unwrap_or_else(|_| "null".into()),
    }
}

fn parse_saved_day(v: &Option<String>) -> Option<Date> {
    v.as_deref().and_then(|d| parse_day("saved cursor", d).ok())
}

/// Backfills sales of `provider` (the name the state is saved under).
///
/// # Errors
/// A platform error (the cursor of the batches already written is kept, so
/// the next run resumes) or a ledger error.
pub async fn sync_sales(
    ledger: &dyn Ledger,
    provider: &str,
    sales: &dyn Sales,
    options: &SyncOptions,
) -> Result<SyncReport, SyncError> {
    let saved = ledger.sync_state(provider, "sales").await?;
    let (mode, after, resume_before, newest_before_run, mut items, started_at) =
        match (&saved, options.full) {
            (Some(s), false) if s.status == "running" => (
                "resumed",
                parse_saved_day(&s.after),
                parse_saved_day(&s.resume_before),
                parse_saved_day(&s.newest_day),
                s.items,
                s.started_at.clone(),
            ),
            (Some(s), false) if s.newest_day.is_some() => (
                "incremental",
                parse_saved_day(&s.newest_day),
                None,
                parse_saved_day(&s.newest_day),
                0,
                now(),
            ),
            (Some(_), true) => ("full", options.after, None, None, 0, now()),
            _ => ("fresh", options.after, None, None, 0, now()),
        };
    let mut query = SaleQuery::new();
    if let Some(a) = after {
        query = query.after(a);
    }
    if let Some(b) = resume_before {
        query = query.before(b);
    }
    if let Some(p) = options.max_pages {
        query = query.max_pages(p);
    }
    if let Some(windows) = &options.windows {
        // Newest first, whatever the caller set: the resume cursor relies
        // on every day after the current sale's being complete.
        query = query.windowed(windows.clone().order(WindowOrder::NewestFirst));
    }
    let mut state = SyncState {
        provider: provider.to_owned(),
        resource: "sales".into(),
        status: "running".into(),
        after: after.map(day_string),
        resume_before: resume_before.map(day_string),
        newest_day: newest_before_run.map(day_string),
        items,
        started_at,
        updated_at: now(),
    };
    let mut newest = newest_before_run;
    let mut oldest_seen: Option<Date> = None;
    let mut ordered = true;
    let mut written = 0u64;
    let mut batch = Vec::with_capacity(BATCH);
    let mut progress = Progress::new(format!("{provider} sales"), options.progress, false);
    let mut stream = sales.list_sales(query);
    loop {
        let next = stream.try_next().await;
        let sale = match next {
            Ok(Some(sale)) => sale,
            Ok(None) => break,
            Err(e) => {
                // Keep what was read: write the pending rows with the cursor.
                flush_sales(ledger, &mut batch, &mut state, &mut written).await?;
                progress.finish();
                return Err(e.into());
            }
        };
        if let Some(day) = sale.created_at.map(|t| t.date()) {
            newest = Some(newest.map_or(day, |n| n.max(day)));
            match oldest_seen {
                Some(o) if day > o => ordered = false,
                Some(o) if day < o && ordered => {
                    // Every day after `day` is complete.
                    state.resume_before = day.next_day().map(day_string);
                    oldest_seen = Some(day);
                }
                None => oldest_seen = Some(day),
                _ => {}
            }
        }
        if !ordered {
            state.resume_before = None;
        }
        state.newest_day = newest.map(day_string);
        batch.push(sale_row(&sale));
        items += 1;
        state.items = items;
        progress.inc();
        if batch.len() >= BATCH {
            flush_sales(ledger, &mut batch, &mut state, &mut written).await?;
        }
    }
    if options.max_pages.is_none() {
        state.status = "complete".into();
        state.resume_before = None;
    }
    // With a page cap the list may have been cut short: the run stays
    // `running` with its cursor, and the next run continues from there.
    flush_sales(ledger, &mut batch, &mut state, &mut written).await?;
    progress.finish();
    Ok(SyncReport {
        resource: "sales".into(),
        mode: mode.into(),
        written,
        state,
    })
}

async fn flush_sales(
    ledger: &dyn Ledger,
    batch: &mut Vec<SyncedSale>,
    state: &mut SyncState,
    written: &mut u64,
) -> Result<(), SyncError> {
    state.updated_at = now();
    let n = batch.len() as u64;
    ledger
        .write_sync_batch(SyncBatch {
            sales: std::mem::take(batch),
            subscribers: Vec::new(),
            state: Some(state.clone()),
            end_unseen: None,
        })
        .await?;
    *written += n;
    Ok(())
}

/// Backfills every subscriber of `provider`.
///
/// # Errors
/// A platform error or a ledger error.
pub async fn sync_subscribers(
    ledger: &dyn Ledger,
    provider: &str,
    subscribers: &dyn Subscribers,
    options: &SyncOptions,
) -> Result<SyncReport, SyncError> {
    let saved = ledger.sync_state(provider, "subscribers").await?;
    let mode = match &saved {
        Some(s) if s.status == "running" && !options.full => "resumed",
        Some(_) if !options.full => "incremental",
        Some(_) => "full",
        None => "fresh",
    };
    let mut query = SubscriberQuery::new();
    if let Some(p) = options.max_pages {
        query = query.max_pages(p);
    }
    let mut state = SyncState {
        provider: provider.to_owned(),
        resource: "subscribers".into(),
        status: "running".into(),
        after: None,
        resume_before: None,
        newest_day: None,
        items: 0,
        started_at: now(),
        updated_at: now(),
    };
    let mut written = 0u64;
    let mut batch = Vec::with_capacity(BATCH);
    let mut progress = Progress::new(format!("{provider} subscribers"), options.progress, false);
    let mut stream = subscribers.list_subscribers(query);
    loop {
        let sub = match stream.try_next().await {
            Ok(Some(s)) => s,
            Ok(None) => break,
            Err(e) => {
                flush_subscribers(ledger, &mut batch, &mut state, &mut written).await?;
                progress.finish();
                return Err(e.into());
            }
        };
        batch.push(subscriber_row(&sub));
        state.items += 1;
        progress.inc();
        if batch.len() >= BATCH {
            flush_subscribers(ledger, &mut batch, &mut state, &mut written).await?;
        }
    }
    let mut end_unseen = None;
    if options.max_pages.is_none() {
        state.status = "complete".into();
        end_unseen = options.ends_unlisted_of.clone().map(|provider| EndUnseen {
            provider,
            not_synced_since: state.started_at.clone(),
        });
    }
    state.updated_at = now();
    let n = batch.len() as u64;
    ledger
        .write_sync_batch(SyncBatch {
            sales: Vec::new(),
            subscribers: std::mem::take(&mut batch),
            state: Some(state.clone()),
            end_unseen,
        })
        .await?;
    written += n;
    progress.finish();
    Ok(SyncReport {
        resource: "subscribers".into(),
        mode: mode.into(),
        written,
        state,
    })
}

async fn flush_subscribers(
    ledger: &dyn Ledger,
    batch: &mut Vec<SyncedSubscriber>,
    state: &mut SyncState,
    written: &mut u64,
) -> Result<(), SyncError> {
    state.updated_at = now();
    let n = batch.len() as u64;
    ledger
        .write_sync_batch(SyncBatch {
            sales: Vec::new(),
            subscribers: std::mem::take(batch),
            state: Some(state.clone()),
            end_unseen: None,
        })
        .await?;
    *written += n;
    Ok(())
}

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// The platform failed (what was read before is saved with its cursor).
    #[error(transparent)]
    Provider(#[from] creator_core::Error),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] ledger::LedgerError),
}

/// Runs `creator sync`.
///
/// # Errors
/// Bad options, missing credentials, a platform or ledger error.
pub async fn run(args: SyncArgs) -> Result<(), CliError> {
    let after = args
        .after
        .as_deref()
        .map(|d| parse_day("--after", d))
        .transpose()?;
    let resources: Vec<Resource> = match args.only {
        Some(SyncOnly::Sales) => vec![Resource::Sales],
        Some(SyncOnly::Subscribers) => vec![Resource::Subscribers],
        None => vec![Resource::Sales, Resource::Subscribers],
    };
    let shop = shop(&args.provider, &resources)?;
    let ledger: Arc<dyn Ledger> = ledger::open(&args.db.db).await?;
    // Gumroad (also through Maton) lists only active subscriptions.
    let ends_unlisted_of = matches!(
        args.provider.provider,
        ProviderName::Gumroad | ProviderName::Maton
    )
    .then(|| "gumroad".to_owned());
    let options = SyncOptions {
        full: args.full,
        after,
        max_pages: args.max_pages,
        progress: !args.no_progress,
        ends_unlisted_of,
        windows: args.windows.windowing(),
    };
    let name = shop.name.as_str();
    let result = async {
        let mut reports = Vec::new();
        if resources.contains(&Resource::Sales) {
            let sales = shop
                .sales
                .clone()
                .ok_or_else(|| CliError::NotAvailable(format!("{name} offers no sales list")))?;
            let report = sync_sales(&*ledger, name, &*sales, &options)
                .await
                .map_err(|e| sync_error(e, shop.credentials, "sales"))?;
            print_report(name, &report)?;
            reports.push(report);
        }
        if resources.contains(&Resource::Subscribers) {
            let subs = shop.subscribers.clone().ok_or_else(|| {
                CliError::NotAvailable(format!("{name} offers no subscriber list"))
            })?;
            let report = sync_subscribers(&*ledger, name, &*subs, &options)
                .await
                .map_err(|e| sync_error(e, shop.credentials, "subscribers"))?;
            print_report(name, &report)?;
            reports.push(report);
        }
        Ok::<_, CliError>(reports)
    }
    .await;
    ledger.close().await;
    result.map(|_| ())
}

fn sync_error(e: SyncError, creds: Credentials, what: &str) -> CliError {
    let base = match e {
        SyncError::Provider(e) => provider_error(e, creds),
        SyncError::Ledger(e) => return CliError::Ledger(e),
    };
    match base {
        CliError::Provider { message, source } => CliError::Provider {
            // `message` already names the platform.
            message: format!(
                "{what} sync stopped: {message}; what was read is saved: run the same command again to resume"
            ),
            source,
        },
        other => other,
    }
}

fn print_report(provider: &str, r: &SyncReport) -> Result<(), CliError> {
    use std::io::Write as _;
    super::output_result(writeln!(
        std::io::stdout(),
        "{provider} {}: {} written ({} run, {} in this sync so far, newest day {})",
        r.resource,
        r.written,
        r.mode,
        r.state.items,
        r.state.newest_day.as_deref().unwrap_or("-")
    ))
}
