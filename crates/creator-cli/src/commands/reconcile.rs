//! `creator reconcile`: find what no webhook delivered, and store it.
//!
//! Webhooks fail silently: Gumroad does not retry a delivery that timed
//! out, gives up after three retries, and drops a resource subscription
//! when its token is revoked. Reconcile reads the platform's sales (with
//! their refund and dispute state) and, for Gumroad, its subscriptions
//! (cancellation, end) through the API, and for each event the API shows
//! that no stored delivery reported, stores a *recovered* event through the
//! intake's own path: forwarded to the destinations and applied to the
//! entitlement view like a delivery, marked with the API object it came from.
//! See [`crate::ledger::reconcile`] for how a later real delivery of the
//! same event is taken as a duplicate of it.
//!
//! A run reads the window since the start of the last *complete* run (the
//! cursor in the ledger; `--since` overrides it, 7 days on a first run); a
//! run that fails or is killed leaves the cursor where it was. One run per
//! provider at a time holds the ledger's lease, so several relays on one
//! PostgreSQL ledger never reconcile together.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clap::Args;
use creator_core::{
    EventKind, Provider, Sale, SaleQuery, Sales, Subscriber, SubscriberQuery, Subscribers,
    SubscriptionStatus, WebhookEvent,
};
use futures::StreamExt;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{DbArgs, parse_since};
use crate::CliError;
use crate::error::{Credentials, provider_error};
use crate::ledger::reconcile::{Lease, RunEnd};
use crate::ledger::{self, Ledger, NewEvent, Recorded, timestamp};
use crate::output::{Format, Record, RecordWriter};
use crate::providers::{ProviderArgs, ProviderName, Resource, shop};

/// Items checked against the ledger per round trip.
const CHUNK: usize = 100;

/// Recovered events handed to the ledger at once, so they share commits.
const IN_FLIGHT: usize = 64;

/// The window of a first run without `--since`.
pub const FIRST_WINDOW: time::Duration = time::Duration::days(7);

/// How long a run's lease holds without renewal (it is renewed every chunk).
pub const LEASE: Duration = Duration::from_secs(10 * 60);

/// Options of `creator reconcile`.
#[derive(Debug, Clone, Args)]
pub struct ReconcileArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    #[command(flatten)]
    db: DbArgs,
    /// Read from this time (`7d`, `24h`, `2025-03-01`) instead of the start
    /// of the last complete run.
    #[arg(long)]
    since: Option<String>,
    /// Exit with status 5 when anything was missing (for a cron job or a monitor).
    #[arg(long)]
    check: bool,
    /// Output format of the per-kind summary.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    #[command(flatten)]
    windows: super::windows::WindowArgs,
}

/// Where a reconcile reads from.
#[derive(Clone)]
pub struct Source {
    /// The provider the ledger stores the platform's deliveries under
    /// (`gumroad` also for `--provider maton`).
    pub provider: Provider,
    /// The sales listing.
    pub sales: Arc<dyn Sales>,
    /// The subscription listing, where the platform sends subscription
    /// webhooks (Gumroad); `None` skips cancellations and ends.
    pub subscribers: Option<Arc<dyn Subscribers>>,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("provider", &self.provider)
            .field("subscribers", &self.subscribers.is_some())
            .finish_non_exhaustive()
    }
}

/// Settings of one run.
#[derive(Debug, Clone)]
pub struct ReconcileOptions {
    /// Read from here instead of the cursor.
    pub since: Option<OffsetDateTime>,
    /// Who runs it (the lease's owner).
    pub owner: String,
    /// How long the lease holds between renewals.
    pub lease: Duration,
    /// Sales as concurrent day windows; `None` walks one cursor.
    pub windows: Option<creator_core::window::Windowing>,
}

impl ReconcileOptions {
    /// Options for `owner`, reading from the cursor.
    pub fn new(owner: impl Into<String>) -> Self {
        Self {
            since: None,
            owner: owner.into(),
            lease: LEASE,
            windows: None,
        }
    }
}

/// What one kind of event came to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KindCount {
    /// The provider (`gumroad`, `gank`).
    pub provider: String,
    /// The normalized kind (`sale`, `refund`, `subscription_cancelled`, …).
    pub kind: String,
    /// Events the API shows in the window.
    pub seen: u64,
    /// Of those, events the ledger had (delivered, or recovered before).
    pub stored: u64,
    /// Events no delivery had reported, stored now as recovered.
    pub recovered: u64,
}

impl Record for KindCount {
    const COLUMNS: &'static [(&'static str, usize)] = &[
        ("PROVIDER", 8),
        ("KIND", 24),
        ("SEEN", 8),
        ("STORED", 8),
        ("RECOVERED", 9),
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.provider.clone(),
            self.kind.clone(),
            self.seen.to_string(),
            self.stored.to_string(),
            self.recovered.to_string(),
        ]
    }
}

/// One recovered event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecoveredEvent {
    /// Its row id.
    pub id: i64,
    /// The normalized kind.
    pub kind: String,
    /// The platform's event name.
    pub name: String,
    /// The subject (sale or subscription id).
    pub subject_id: String,
}

/// What a run found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReconcileReport {
    /// The provider.
    pub provider: String,
    /// The window's start ([`timestamp`] format).
    pub since: String,
    /// The run's start: the cursor after it.
    pub started_at: String,
    /// Per kind, in a fixed order.
    pub kinds: Vec<KindCount>,
    /// The events stored as recovered.
    pub recovered: Vec<RecoveredEvent>,
}

impl ReconcileReport {
    /// Events that were missing (and are recovered now).
    pub fn missing(&self) -> u64 {
        self.kinds.iter().map(|k| k.recovered).sum()
    }
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReconcileError {
    /// The platform failed (what was recovered before stays; the cursor does not move).
    #[error(transparent)]
    Provider(#[from] creator_core::Error),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] ledger::LedgerError),
    /// Another run holds the lease.
    #[error("another reconcile of {provider} is running ({owner}, until {until}): try again later")]
    Busy {
        /// The provider.
        provider: String,
        /// The lease's owner.
        owner: String,
        /// Until when it holds.
        until: String,
    },
}

/// An event the API shows, with the object it came from.
struct Candidate {
    event: WebhookEvent,
    api: serde_json::Value,
}

/// Runs one reconcile of `source` against `ledger`: takes the lease, reads
/// the window, stores what is missing, and moves the cursor when the run
/// read everything.
///
/// # Errors
/// [`ReconcileError::Busy`] when another run holds the lease; a platform or
/// ledger failure (the cursor stays, the lease is given back).
pub async fn reconcile(
    ledger: &dyn Ledger,
    source: &Source,
    options: &ReconcileOptions,
) -> Result<ReconcileReport, ReconcileError> {
    let provider = source.provider.as_str().to_owned();
    let started = OffsetDateTime::now_utc();
    take_lease(ledger, &provider, options).await?;
    let since = match options.since {
        Some(t) => t,
        None => ledger
            .reconcile_state(&provider)
            .await?
            .and_then(|s| s.cursor)
            .and_then(|c| OffsetDateTime::parse(&c, &Rfc3339).ok())
            .unwrap_or(started - FIRST_WINDOW),
    };
    let mut run = Run {
        ledger,
        provider: provider.clone(),
        options,
        counts: BTreeMap::new(),
        recovered: Vec::new(),
    };
    let result = run.walk(source, since).await;
    let end = RunEnd {
        provider: provider.clone(),
        owner: options.owner.clone(),
        cursor: result.is_ok().then(|| timestamp(started)),
        now: timestamp(OffsetDateTime::now_utc()),
    };
    let ended = ledger.reconcile_end(end).await;
    result?;
    ended?;
    Ok(ReconcileReport {
        provider,
        since: timestamp(since),
        started_at: timestamp(started),
        kinds: run.counts.into_values().collect(),
        recovered: run.recovered,
    })
}

async fn take_lease(
    ledger: &dyn Ledger,
    provider: &str,
    options: &ReconcileOptions,
) -> Result<(), ReconcileError> {
    let now = OffsetDateTime::now_utc();
    let lease = Lease {
        provider: provider.to_owned(),
        owner: options.owner.clone(),
        now: timestamp(now),
        until: timestamp(now + options.lease),
    };
    if ledger.reconcile_lease(lease).await? {
        return Ok(());
    }
    let state = ledger.reconcile_state(provider).await?;
    Err(ReconcileError::Busy {
        provider: provider.to_owned(),
        owner: state
            .as_ref()
            .and_then(|s| s.lease_owner.clone())
            .unwrap_or_default(),
        until: state.and_then(|s| s.lease_until).unwrap_or_default(),
    })
}

/// One run's progress.
struct Run<'a> {
    ledger: &'a dyn Ledger,
    provider: String,
    options: &'a ReconcileOptions,
    counts: BTreeMap<u8, KindCount>,
    recovered: Vec<RecoveredEvent>,
}

impl Run<'_> {
    async fn walk(&mut self, source: &Source, since: OffsetDateTime) -> Result<(), ReconcileError> {
        let mut query = SaleQuery::new().after(since.date());
        query.windows = self.options.windows.clone();
        let mut sales = source.sales.list_sales(query).chunks(CHUNK);
        while let Some(chunk) = sales.next().await {
            let (chunk, failed) = read_until_error(chunk);
            let found = chunk
                .iter()
                .flat_map(|s| sale_events(source.provider, s))
                .collect();
            self.settle(found).await?;
            if let Some(e) = failed {
                return Err(e.into());
            }
        }
        if let Some(subscribers) = &source.subscribers {
            let mut subs = subscribers
                .list_subscribers(SubscriberQuery::new())
                .chunks(CHUNK);
            while let Some(chunk) = subs.next().await {
                let (chunk, failed) = read_until_error(chunk);
                let found = chunk
                    .iter()
                    .flat_map(|s| subscription_events(source.provider, s, since))
                    .collect();
                self.settle(found).await?;
                if let Some(e) = failed {
                    return Err(e.into());
                }
            }
        }
        Ok(())
    }

    /// Checks a chunk's events against the ledger and stores the missing ones.
    async fn settle(&mut self, found: Vec<Candidate>) -> Result<(), ReconcileError> {
        take_lease(self.ledger, &self.provider, self.options).await?;
        let mut by_kind: BTreeMap<String, Vec<Candidate>> = BTreeMap::new();
        for c in found {
            by_kind
                .entry(ledger::kind_name(&c.event.kind))
                .or_default()
                .push(c);
        }
        for (kind, candidates) in by_kind {
            let subjects = candidates
                .iter()
                .map(|c| c.event.subject_id.clone())
                .collect();
            let stored = self
                .ledger
                .reported(&self.provider, &kind, subjects)
                .await?;
            let mut missing = Vec::new();
            for (c, stored) in candidates.into_iter().zip(stored) {
                let count = self.count(&c.event.kind, &kind);
                count.seen += 1;
                if stored {
                    count.stored += 1;
                } else {
                    missing.push(c);
                }
            }
            self.store(&kind, missing).await?;
        }
        Ok(())
    }

    /// Stores `missing` events of `kind` as recovered, [`IN_FLIGHT`] at a
    /// time so they share the intake's commits, counting them in order.
    /// Every event handed over is awaited; the first ledger error is
    /// returned after them.
    async fn store(&mut self, kind: &str, missing: Vec<Candidate>) -> Result<(), ReconcileError> {
        let ledger = self.ledger;
        let mut results = futures::stream::iter(missing)
            .map(|c| async move {
                let recorded = ledger.record_event(recovered(&c)).await;
                (c, recorded)
            })
            .buffered(IN_FLIGHT);
        let mut failed = None;
        while let Some((c, recorded)) = results.next().await {
            match recorded {
                Ok(Recorded::Stored { id, .. }) => {
                    self.count(&c.event.kind, kind).recovered += 1;
                    self.recovered.push(RecoveredEvent {
                        id,
                        kind: kind.to_owned(),
                        name: c.event.name,
                        subject_id: c.event.subject_id,
                    });
                }
                // Listed twice in one run (a window edge): stored already.
                Ok(Recorded::Duplicate { .. }) => self.count(&c.event.kind, kind).stored += 1,
                Err(e) => {
                    failed.get_or_insert(e);
                }
            }
        }
        failed.map_or(Ok(()), |e| Err(e.into()))
    }

    fn count(&mut self, kind: &EventKind, name: &str) -> &mut KindCount {
        let provider = self.provider.clone();
        self.counts
            .entry(kind_order(kind))
            .or_insert_with(|| KindCount {
                provider,
                kind: name.to_owned(),
                ..KindCount::default()
            })
    }
}

/// The items of a chunk up to its first error (a listing ends at its
/// first error), and that error: what was read before it is still settled.
fn read_until_error<T>(
    chunk: Vec<creator_core::Result<T>>,
) -> (Vec<T>, Option<creator_core::Error>) {
    let mut items = Vec::with_capacity(chunk.len());
    for item in chunk {
        match item {
            Ok(item) => items.push(item),
            Err(e) => return (items, Some(e)),
        }
    }
    (items, None)
}

/// The summary's row order.
fn kind_order(kind: &EventKind) -> u8 {
    match kind {
        EventKind::Sale => 0,
        EventKind::MembershipPayment => 1,
        EventKind::Refund => 2,
        EventKind::Dispute => 3,
        EventKind::DisputeWon => 4,
        EventKind::SubscriptionCancelled => 5,
        EventKind::SubscriptionEnded => 6,
        _ => 7,
    }
}

/// The row a recovered event is stored as: the intake's row for the same
/// event, verified as `reconcile`, with the API object as body and mark.
fn recovered(c: &Candidate) -> NewEvent {
    let api = c.api.to_string();
    let mut row = NewEvent::from_event(
        &c.event,
        c.event.provider.as_str(),
        "reconcile",
        &timestamp(OffsetDateTime::now_utc()),
        Some("application/json".into()),
        "{}".into(),
        Bytes::from(api.clone()),
    );
    row.recovered_from = Some(api);
    row
}

/// The event a delivery of `name` about `subject` carries, as the intake
/// parses it: no content fingerprint and no retry (see
/// [`crate::ledger::reconcile`] for how a real delivery then matches).
fn event(provider: Provider, kind: EventKind, name: &str, subject: &str) -> WebhookEvent {
    WebhookEvent::new(provider, kind, name, subject)
}

/// The events a sale shows: Gumroad's `sale` (and `refund`, `dispute`,
/// `dispute_won` from its state, each about the `sale_id`), Gank's
/// `DIGITAL_GOODS.TX_SUCCEED` or `USER_MEMBERSHIP.TX_SUCCEED` (about the `human_id`).
fn sale_events(provider: Provider, sale: &Sale) -> Vec<Candidate> {
    let mut sale = sale.clone();
    sale.provider = provider;
    let with_sale = |kind: EventKind, name: &str, api: &serde_json::Value| {
        let mut e = event(provider, kind.clone(), name, &sale.id);
        e.test = sale.test;
        if kind == EventKind::Sale || kind == EventKind::MembershipPayment {
            e.occurred_at = sale.created_at;
        }
        e.sale = Some(sale.clone());
        Candidate {
            event: e,
            api: api.clone(),
        }
    };
    let mut out = Vec::new();
    if let Some(native) = sale.provider_data.downcast_ref::<gumroad_api::Sale>() {
        let api = serde_json::to_value(native).unwrap_or_default();
        let yes = |b: Option<bool>| b == Some(true);
        out.push(with_sale(EventKind::Sale, "sale", &api));
        if sale.refunded || yes(native.refunded) || yes(native.partially_refunded) {
            out.push(with_sale(EventKind::Refund, "refund", &api));
        }
        if yes(native.chargedback) || yes(native.disputed) {
            out.push(with_sale(EventKind::Dispute, "dispute", &api));
        }
        if yes(native.dispute_won) {
            out.push(with_sale(EventKind::DisputeWon, "dispute_won", &api));
        }
    } else if let Some(tx) = sale.provider_data.downcast_ref::<gank_api::Transaction>() {
        // Gank sends a webhook for successful payments only.
        if !matches!(
            tx.payment_status,
            None | Some(gank_api::PaymentStatus::Succeed)
        ) {
            return out;
        }
        let api = serde_json::to_value(tx).unwrap_or_default();
        let membership = sale.id.starts_with("UM-")
            || tx.usecase.as_ref().is_some_and(|u| u.is_membership())
            || (!sale.id.starts_with("DG-") && sale.subscription_id.is_some());
        out.push(if membership {
            with_sale(
                EventKind::MembershipPayment,
                "USER_MEMBERSHIP.TX_SUCCEED",
                &api,
            )
        } else {
            with_sale(EventKind::Sale, "DIGITAL_GOODS.TX_SUCCEED", &api)
        });
    } else {
        // A provider whose model is not known here: the sale itself only.
        let api = serde_json::to_value(&sale).unwrap_or_default();
        out.push(with_sale(EventKind::Sale, "sale", &api));
        if sale.refunded {
            out.push(with_sale(EventKind::Refund, "refund", &api));
        }
    }
    out
}

/// The events a Gumroad subscription shows, each about the
/// `subscription_id`: `cancellation` once it is cancelled (pending or
/// over), `subscription_ended` once it is over; only those that happened in
/// the window (or whose time the API does not give).
fn subscription_events(
    provider: Provider,
    subscriber: &Subscriber,
    since: OffsetDateTime,
) -> Vec<Candidate> {
    let mut sub = subscriber.clone();
    sub.provider = provider;
    let native = sub.provider_data.downcast_ref::<gumroad_api::Subscriber>();
    let api = match native {
        Some(n) => serde_json::to_value(n).unwrap_or_default(),
        None => serde_json::to_value(&sub).unwrap_or_default(),
    };
    let in_window = |at: Option<OffsetDateTime>| at.is_none_or(|t| t >= since);
    let cancelled_at = native
        .and_then(|n| n.user_requested_cancellation_at.or(n.cancelled_at))
        .or(sub.ends_at);
    let ended_at = native
        .and_then(|n| n.ended_at.or(n.failed_at).or(n.cancelled_at))
        .or(sub.ends_at);
    let mut out = Vec::new();
    let mut push = |kind: EventKind, name: &str, at: Option<OffsetDateTime>| {
        let mut e = event(provider, kind, name, &sub.id);
        e.occurred_at = at;
        e.subscriber = Some(sub.clone());
        out.push(Candidate {
            event: e,
            api: api.clone(),
        });
    };
    let cancelled = matches!(
        sub.status,
        SubscriptionStatus::PendingCancellation | SubscriptionStatus::Cancelled
    );
    if cancelled && in_window(cancelled_at) {
        push(
            EventKind::SubscriptionCancelled,
            "cancellation",
            cancelled_at,
        );
    }
    let over = matches!(
        sub.status,
        SubscriptionStatus::Cancelled | SubscriptionStatus::Ended
    );
    if over && in_window(ended_at) {
        push(EventKind::SubscriptionEnded, "subscription_ended", ended_at);
    }
    out
}

/// The reconcile source of a provider's clients.
///
/// # Errors
/// [`CliError::NotAvailable`] when the provider offers no sales list.
pub fn source_of(shop: &crate::providers::Shop) -> Result<Source, CliError> {
    let sales = shop.sales.clone().ok_or_else(|| {
        CliError::NotAvailable(format!("{} offers no sales list", shop.name.as_str()))
    })?;
    let (provider, subscribers) = match shop.name {
        // Deliveries come from Gumroad whichever way the API is reached.
        ProviderName::Gumroad | ProviderName::Maton => {
            (Provider::Gumroad, shop.subscribers.clone())
        }
        // Gank sends no subscription webhooks.
        ProviderName::Gank => (Provider::Gank, None),
    };
    Ok(Source {
        provider,
        sales,
        subscribers,
    })
}

/// What reconcile reads of `provider` (so only those credentials are needed).
fn resources(provider: ProviderName) -> &'static [Resource] {
    match provider {
        ProviderName::Gank => &[Resource::Sales],
        ProviderName::Gumroad | ProviderName::Maton => &[Resource::Sales, Resource::Subscribers],
    }
}

/// A lease owner id for this process.
pub fn owner_id(role: &str) -> String {
    let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
    format!("{role}:{}:{:x}", std::process::id(), nanos & 0xffff_ffff)
}

/// Maps a run's failure to the CLI's error.
pub fn cli_error(e: ReconcileError, creds: Credentials) -> CliError {
    match e {
        ReconcileError::Provider(e) => match provider_error(e, creds) {
            CliError::Provider { message, source } => CliError::Provider {
                message: format!(
                    "reconcile stopped: {message}; what was recovered is stored, the cursor did not move: run it again"
                ),
                source,
            },
            other => other,
        },
        ReconcileError::Ledger(e) => CliError::Ledger(e),
        busy @ ReconcileError::Busy { .. } => CliError::Busy(busy.to_string()),
    }
}

/// `creator relay --reconcile-every`: reconcile inside the relay.
#[derive(Debug, Clone, Args)]
pub struct RelayReconcileArgs {
    /// Run `creator reconcile` inside the relay this often (`1h`, `30m`),
    /// first right after the start. With several relays on one PostgreSQL
    /// ledger only one runs it at a time (a lease in the ledger). The API
    /// credentials and URLs come from the environment as for `creator reconcile`.
    #[arg(long, value_name = "INTERVAL")]
    pub reconcile_every: Option<String>,
    /// The platform to reconcile (repeatable; default gumroad).
    #[arg(long = "reconcile-provider", value_enum, value_name = "PROVIDER")]
    pub reconcile_providers: Vec<ProviderName>,
}

/// The relay's reconcile loop, ready to spawn.
pub struct Scheduled {
    every: Duration,
    sources: Vec<(Source, Credentials)>,
}

impl std::fmt::Debug for Scheduled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scheduled")
            .field("every", &self.every)
            .field("sources", &self.sources.len())
            .finish()
    }
}

impl RelayReconcileArgs {
    /// The loop these options ask for (`None` without `--reconcile-every`);
    /// the clients are built now, so a missing credential stops the relay's start.
    ///
    /// # Errors
    /// A bad interval, a missing credential or a client that cannot be built.
    pub fn schedule(&self) -> Result<Option<Scheduled>, CliError> {
        let Some(every) = &self.reconcile_every else {
            return Ok(None);
        };
        let every = super::destinations::parse_duration("--reconcile-every", every)?;
        if every < Duration::from_secs(1) {
            return Err(CliError::Usage(
                "--reconcile-every must be at least 1s".into(),
            ));
        }
        let providers = if self.reconcile_providers.is_empty() {
            vec![ProviderName::Gumroad]
        } else {
            self.reconcile_providers.clone()
        };
        let sources = providers
            .into_iter()
            .map(|provider| {
                let args = ProviderArgs::from_env(provider);
                let shop = shop(&args, resources(provider))?;
                Ok((source_of(&shop)?, shop.credentials))
            })
            .collect::<Result<_, CliError>>()?;
        Ok(Some(Scheduled { every, sources }))
    }
}

impl Scheduled {
    /// The interval.
    pub fn every(&self) -> Duration {
        self.every
    }

    /// Runs forever: every interval, one reconcile per source; a run another
    /// relay holds the lease for is skipped, a failed one is logged (and the
    /// next one reads its window again).
    pub async fn run(self, ledger: Arc<dyn Ledger>) {
        let owner = owner_id("relay");
        let mut tick = tokio::time::interval(self.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            for (source, creds) in &self.sources {
                let provider = source.provider.as_str();
                match reconcile(&*ledger, source, &ReconcileOptions::new(owner.clone())).await {
                    Ok(r) => tracing::info!(
                        provider,
                        since = %r.since,
                        recovered = r.missing(),
                        "reconcile complete"
                    ),
                    Err(ReconcileError::Busy { owner, .. }) => {
                        tracing::info!(provider, %owner, "reconcile skipped: another relay runs it");
                    }
                    Err(e) => {
                        tracing::warn!(provider, error = %cli_error(e, *creds), "reconcile failed");
                    }
                }
            }
        }
    }
}

/// Runs `creator reconcile`.
///
/// # Errors
/// Bad options, missing credentials, a platform or ledger error, another
/// run holding the lease, or (with `--check`) anything missing.
pub async fn run(args: ReconcileArgs) -> Result<(), CliError> {
    let now = OffsetDateTime::now_utc();
    let since = args
        .since
        .as_deref()
        .map(|s| parse_since(s, now))
        .transpose()?;
    let shop = shop(&args.provider, resources(args.provider.provider))?;
    let source = source_of(&shop)?;
    let mut options = ReconcileOptions::new(owner_id("cli"));
    options.since = since;
    options.windows = args.windows.windowing();
    let ledger: Arc<dyn Ledger> = ledger::open(&args.db.db).await?;
    let result = reconcile(&*ledger, &source, &options).await;
    ledger.close().await;
    let report = result.map_err(|e| cli_error(e, shop.credentials))?;
    print_report(&report, args.format)?;
    if args.check && report.missing() > 0 {
        return Err(CliError::Missing(format!(
            "{} event(s) of {} were missing from the ledger since {} (now recovered)",
            report.missing(),
            report.provider,
            report.since
        )));
    }
    Ok(())
}

fn print_report(report: &ReconcileReport, format: Format) -> Result<(), CliError> {
    use std::io::Write as _;
    let mut out = RecordWriter::new::<KindCount>(std::io::stdout().lock(), format);
    let written: std::io::Result<()> = report.kinds.iter().try_for_each(|k| out.write(k));
    super::output_result(written.and_then(|()| out.finish().map(|_| ())))?;
    super::output_result(writeln!(
        std::io::stderr(),
        "{}: read since {}; {} missing event(s) recovered",
        report.provider,
        report.since,
        report.missing()
    ))
}
