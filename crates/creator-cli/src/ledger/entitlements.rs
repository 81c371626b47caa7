//! The entitlement view: who has access to what, kept up to date from every
//! stored event, in the same transaction as the event.
//!
//! One row per platform object (`sale:<id>`, `subscription:<id>`), with the
//! facts the events told about it. Facts only ever accumulate, so events may
//! arrive in any order: a refund stored before its sale leaves the sale
//! refunded when the sale arrives. Flags are kept with `MAX`, names and ids
//! with `COALESCE`; a subscription's state is the one told by the last
//! subscription event received, and a sale only says "active" for a
//! subscription no subscription event has spoken about yet. Test events are
//! not entered.
//!
//! A lookup ([`Ledger::access`](super::Ledger::access)) reads the rows of one
//! person and product through an index and decides with the same reasons as
//! the live [`creator_core::Access`] checks.

use creator_core::{AccessReason, AccessSource, AccessVerdict, Provider};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::{NewEvent, timestamp};

/// The schema step that adds the view (schema 5, after forwarding's 4).
pub(crate) const SQL: &str = r#"
CREATE TABLE entitlements (
    provider TEXT NOT NULL,
    object TEXT NOT NULL,
    product_id TEXT,
    email TEXT,
    user_id TEXT,
    license_hash TEXT,
    subscription_id TEXT,
    purchased BIGINT NOT NULL DEFAULT 0,
    refunded BIGINT NOT NULL DEFAULT 0,
    partially_refunded BIGINT NOT NULL DEFAULT 0,
    chargedback BIGINT NOT NULL DEFAULT 0,
    disputed BIGINT NOT NULL DEFAULT 0,
    dispute_won BIGINT NOT NULL DEFAULT 0,
    sub_state TEXT,
    state_at TEXT,
    until_at TEXT,
    since TEXT,
    last_event_id BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (provider, object)
);
CREATE INDEX entitlements_email ON entitlements (email, product_id);
CREATE INDEX entitlements_license ON entitlements (license_hash);
CREATE INDEX entitlements_user ON entitlements (user_id, product_id);
"#;

/// The upsert of one [`Change`] (SQLite placeholders; [`postgres_sql`] rewrites them).
pub(crate) const UPSERT: &str = "INSERT INTO entitlements (provider, object, product_id, email,
    user_id, license_hash, subscription_id, purchased, refunded, chargedback, disputed,
    dispute_won, sub_state, state_at, until_at, since, last_event_id, updated_at,
    partially_refunded)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
ON CONFLICT (provider, object) DO UPDATE SET
    product_id = COALESCE(entitlements.product_id, excluded.product_id),
    email = COALESCE(excluded.email, entitlements.email),
    user_id = COALESCE(excluded.user_id, entitlements.user_id),
    license_hash = COALESCE(excluded.license_hash, entitlements.license_hash),
    subscription_id = COALESCE(excluded.subscription_id, entitlements.subscription_id),
    purchased = MAX(entitlements.purchased, excluded.purchased),
    refunded = MAX(entitlements.refunded, excluded.refunded),
    partially_refunded = MAX(entitlements.partially_refunded, excluded.partially_refunded),
    chargedback = MAX(entitlements.chargedback, excluded.chargedback),
    disputed = MAX(entitlements.disputed, excluded.disputed),
    dispute_won = MAX(entitlements.dispute_won, excluded.dispute_won),
    sub_state = CASE WHEN excluded.sub_state IS NOT NULL
        AND (entitlements.state_at IS NULL OR excluded.state_at > entitlements.state_at)
        THEN excluded.sub_state ELSE entitlements.sub_state END,
    until_at = CASE WHEN excluded.sub_state IS NOT NULL
        AND (entitlements.state_at IS NULL OR excluded.state_at > entitlements.state_at)
        THEN excluded.until_at ELSE entitlements.until_at END,
    state_at = CASE WHEN excluded.sub_state IS NOT NULL
        AND (entitlements.state_at IS NULL OR excluded.state_at > entitlements.state_at)
        THEN excluded.state_at ELSE entitlements.state_at END,
    since = COALESCE(MIN(entitlements.since, excluded.since), entitlements.since, excluded.since),
    last_event_id = MAX(entitlements.last_event_id, excluded.last_event_id),
    updated_at = excluded.updated_at";

/// [`UPSERT`] and the lookups for PostgreSQL: `$n` placeholders, `GREATEST`/`LEAST`.
#[cfg(feature = "postgres")]
pub(crate) fn postgres_sql(sqlite: &str) -> String {
    let mut out = sqlite
        .replace("MAX(", "GREATEST(")
        .replace("MIN(", "LEAST(");
    for n in (1..=19).rev() {
        out = out.replace(&format!("?{n}"), &format!("${n}"));
    }
    out
}

/// The lookup by email and product.
pub(crate) const BY_EMAIL: &str = "SELECT provider, object, product_id, subscription_id, purchased,
    refunded, chargedback, disputed, dispute_won, sub_state, until_at, since, partially_refunded
    FROM entitlements WHERE email = ?1 AND product_id = ?2 AND (?3 = '' OR provider = ?3)";
/// The lookup by platform user id and product.
pub(crate) const BY_USER: &str = "SELECT provider, object, product_id, subscription_id, purchased,
    refunded, chargedback, disputed, dispute_won, sub_state, until_at, since, partially_refunded
    FROM entitlements WHERE user_id = ?1 AND product_id = ?2 AND (?3 = '' OR provider = ?3)";
/// The lookup by license key hash (the product is checked on the rows).
pub(crate) const BY_LICENSE: &str =
    "SELECT provider, object, product_id, subscription_id, purchased,
    refunded, chargedback, disputed, dispute_won, sub_state, until_at, since, partially_refunded
    FROM entitlements WHERE license_hash = ?1 AND (?2 = '' OR provider = ?2)";
/// A subscription row by object key.
pub(crate) const SUBSCRIPTION: &str = "SELECT provider, object, product_id, subscription_id,
    purchased, refunded, chargedback, disputed, dispute_won, sub_state, until_at, since, partially_refunded
    FROM entitlements WHERE provider = ?1 AND object = ?2";

/// Who a lookup is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    /// The purchase or subscription email (compared without case).
    Email(String),
    /// The platform user id.
    UserId(String),
    /// A license key (only its hash is stored).
    LicenseKey(String),
}

/// An entitlement lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The product or tier id.
    pub product_id: String,
    /// Who.
    pub who: Who,
    /// Only this provider's rows (`gumroad`, `gank`), when set.
    pub provider: Option<String>,
}

impl Lookup {
    /// The statement and its arguments (the provider argument `''` means every provider).
    pub(crate) fn statement(&self) -> (&'static str, Vec<String>) {
        let provider = self.provider.clone().unwrap_or_default();
        let product = self.product_id.clone();
        match &self.who {
            Who::Email(e) => (BY_EMAIL, vec![normalize_email(e), product, provider]),
            Who::UserId(u) => (BY_USER, vec![u.trim().to_owned(), product, provider]),
            Who::LicenseKey(k) => (BY_LICENSE, vec![license_hash(k), provider]),
        }
    }
}

/// The email as stored: trimmed, lower case.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The stored hash of a license key (SHA-256 of the trimmed, upper-cased key).
pub fn license_hash(key: &str) -> String {
    let digest = Sha256::digest(format!("license-key\0{}", key.trim().to_uppercase()));
    crate::hex::lower(&digest)
}

/// One row of the view as a lookup reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    pub provider: String,
    pub object: String,
    pub product_id: Option<String>,
    pub subscription_id: Option<String>,
    pub purchased: bool,
    pub refunded: bool,
    pub partially_refunded: bool,
    pub chargedback: bool,
    pub disputed: bool,
    pub dispute_won: bool,
    pub sub_state: Option<String>,
    pub until_at: Option<String>,
    pub since: Option<String>,
}

/// What one event tells about one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub provider: String,
    pub object: String,
    pub product_id: Option<String>,
    pub email: Option<String>,
    pub user_id: Option<String>,
    pub license_hash: Option<String>,
    pub subscription_id: Option<String>,
    pub purchased: bool,
    pub refunded: bool,
    pub partially_refunded: bool,
    pub chargedback: bool,
    pub disputed: bool,
    pub dispute_won: bool,
    pub sub_state: Option<&'static str>,
    pub state_at: Option<String>,
    pub until_at: Option<String>,
    pub since: Option<String>,
}

impl Change {
    fn new(provider: &str, object: String) -> Self {
        Self {
            provider: provider.to_owned(),
            object,
            product_id: None,
            email: None,
            user_id: None,
            license_hash: None,
            subscription_id: None,
            purchased: false,
            refunded: false,
            partially_refunded: false,
            chargedback: false,
            disputed: false,
            dispute_won: false,
            sub_state: None,
            state_at: None,
            until_at: None,
            since: None,
        }
    }
}

fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// What the view reads of an event: one being stored ([`NewEvent`]), one
/// stored before (a rebuild), or a record `creator sync` wrote ([`Synced`]).
/// Every path into the view goes through [`changes`] with these.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Facts<'a> {
    /// Provider name.
    pub provider: &'a str,
    /// Normalized kind (`sale`, `refund`, …).
    pub kind: &'a str,
    /// A test event (not entered).
    pub test: bool,
    /// When it was received ([`timestamp`] format): orders subscription states.
    pub received_at: &'a str,
    /// When the platform says it happened.
    pub occurred_at: Option<&'a str>,
    /// The normalized event as JSON.
    pub event: &'a str,
    /// The delivery's raw body (empty for synced records).
    pub raw_body: &'a [u8],
}

impl<'a> From<&'a NewEvent> for Facts<'a> {
    fn from(ev: &'a NewEvent) -> Self {
        Self {
            provider: &ev.provider,
            kind: &ev.kind,
            test: ev.test,
            received_at: &ev.received_at,
            occurred_at: ev.occurred_at.as_deref(),
            event: &ev.event,
            raw_body: &ev.raw_body,
        }
    }
}

/// A record `creator sync` wrote, as the event the view reads: a synced
/// sale is a `sale` event, a synced subscriber the subscription event its
/// status stands for (read at sync time, so it is the newest word on the
/// subscription's state).
#[derive(Debug, Clone)]
pub(crate) struct Synced {
    provider: String,
    kind: &'static str,
    test: bool,
    event: String,
}

impl Synced {
    /// A synced sale: its provider, test flag and normalized record (JSON).
    pub(crate) fn sale(provider: &str, test: bool, record: &str) -> Self {
        Self {
            provider: provider.to_owned(),
            kind: "sale",
            test,
            event: format!("{{\"sale\":{record}}}"),
        }
    }

    /// A synced subscriber: its provider, normalized status and record (JSON).
    pub(crate) fn subscriber(provider: &str, status: &str, record: &str) -> Self {
        let kind = match status {
            "active" | "past_due" => "subscription_updated",
            "pending_cancellation" | "cancelled" => "subscription_cancelled",
            _ => "subscription_ended",
        };
        Self {
            provider: provider.to_owned(),
            kind,
            test: false,
            event: format!("{{\"subscriber\":{record}}}"),
        }
    }

    /// Its facts, as read at `now` ([`timestamp`] format).
    pub(crate) fn facts<'a>(&'a self, now: &'a str) -> Facts<'a> {
        Facts {
            provider: &self.provider,
            kind: self.kind,
            test: self.test,
            received_at: now,
            occurred_at: None,
            event: &self.event,
            raw_body: &[],
        }
    }
}

/// The sales and subscribers of a `creator sync` batch, as the view reads them.
pub(crate) fn synced(batch: &super::SyncBatch) -> Vec<Synced> {
    let sales = batch
        .sales
        .iter()
        .map(|s| Synced::sale(&s.provider, s.test, &s.record));
    let subscribers = batch
        .subscribers
        .iter()
        .map(|s| Synced::subscriber(&s.provider, &s.status, &s.record));
    sales.chain(subscribers).collect()
}

/// The events a rebuild reads, in id order, 500 at a time after `?1` (SQLite placeholders).
pub(crate) const REBUILD_EVENTS: &str = "SELECT id, provider, kind, test, received_at, occurred_at,
    event, raw_body FROM events WHERE id > ?1 ORDER BY id LIMIT 500";
/// The synced sales a rebuild reads.
pub(crate) const REBUILD_SALES: &str = "SELECT provider, test, record FROM synced_sales";
/// The synced subscribers a rebuild reads.
pub(crate) const REBUILD_SUBSCRIBERS: &str =
    "SELECT provider, status, record FROM synced_subscribers";
/// Empties the view before a rebuild.
pub(crate) const CLEAR: &str = "DELETE FROM entitlements";

/// A top-level field of a delivery's raw body (a Gumroad ping, form or
/// JSON), as text: `license_key`, or `refunded`, which the normalized sale of
/// a refund event does not keep apart from a partial refund.
fn raw_field(ev: &Facts<'_>, name: &str) -> Option<String> {
    let body = ev.raw_body;
    if body.is_empty() {
        return None;
    }
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return match v.get(name)? {
            Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
    }
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, v)| k == name && !v.trim().is_empty())
        .map(|(_, v)| v.trim().to_owned())
}

/// What an event changes in the view (nothing for test events and kinds
/// that say nothing about access).
pub(crate) fn changes(ev: &Facts<'_>) -> Vec<Change> {
    if ev.test {
        return Vec::new();
    }
    let Ok(event) = serde_json::from_str::<Value>(ev.event) else {
        return Vec::new();
    };
    let provider = ev.provider;
    // Subscription states: the time they were received orders them.
    let state_at = Some(ev.received_at.to_owned());
    let mut out = Vec::new();
    let sale = event.get("sale").filter(|s| s.is_object());
    let subscriber = event.get("subscriber").filter(|s| s.is_object());
    let subscription_id = sale
        .and_then(|s| text(s, "/subscription_id"))
        .or_else(|| subscriber.and_then(|s| text(s, "/id")));

    if let Some(s) = sale
        && let Some(id) = text(s, "/id")
    {
        let mut c = Change::new(provider, format!("sale:{id}"));
        c.product_id = text(s, "/product_id");
        c.email = text(s, "/customer/email").map(|e| normalize_email(&e));
        c.user_id = text(s, "/customer/id");
        c.license_hash = raw_field(ev, "license_key").map(|k| license_hash(&k));
        c.subscription_id = subscription_id.clone();
        c.since = text(s, "/created_at").or_else(|| ev.occurred_at.map(str::to_owned));
        c.purchased = true;
        let refunded = raw_field(ev, "refunded")
            .map(|v| v == "true")
            .or_else(|| s.get("refunded").and_then(Value::as_bool));
        match ev.kind {
            // Gumroad's refund ping says `refunded: false` for a partial refund.
            "refund" if refunded == Some(false) => c.partially_refunded = true,
            "refund" => c.refunded = true,
            "dispute" => c.disputed = true,
            "dispute_won" => {
                c.disputed = true;
                c.dispute_won = true;
            }
            _ => {}
        }
        if refunded == Some(true) {
            c.refunded = true;
        }
        out.push(c);
    }

    let state: Option<&'static str> = match ev.kind {
        "subscription_cancelled" => Some("cancelled"),
        "subscription_ended" => match subscriber.and_then(|s| text(s, "/status")).as_deref() {
            Some("cancelled") => Some("cancelled"),
            _ if is_failed(&event) => Some("failed"),
            _ => Some("ended"),
        },
        "subscription_restarted" | "subscription_updated" | "membership_payment" => Some("active"),
        "sale" if subscription_id.is_some() => Some("active"),
        _ => None,
    };
    if let (Some(state), Some(sub_id)) = (state, subscription_id) {
        let mut c = Change::new(provider, format!("subscription:{sub_id}"));
        let person = subscriber.or(sale);
        c.product_id = person.and_then(|p| text(p, "/product_id"));
        c.email = person
            .and_then(|p| text(p, "/customer/email"))
            .map(|e| normalize_email(&e));
        c.user_id = person.and_then(|p| text(p, "/customer/id"));
        c.subscription_id = Some(sub_id);
        c.since = subscriber.and_then(|s| text(s, "/started_at"));
        c.sub_state = Some(state);
        // A sale only says "active" about a subscription nothing else has
        // spoken about: the empty time loses against every event's.
        c.state_at = if ev.kind == "sale" {
            Some(String::new())
        } else {
            state_at
        };
        c.until_at = match state {
            "active" => None,
            _ => subscriber.and_then(|s| text(s, "/ends_at")),
        };
        out.push(c);
    }
    out
}

fn is_failed(event: &Value) -> bool {
    let name = event.get("name").and_then(Value::as_str).unwrap_or("");
    name.contains("fail")
        || event.pointer("/subscriber/status").and_then(Value::as_str) == Some("past_due")
}

fn provider_of(name: &str) -> Provider {
    match name {
        "gumroad" => Provider::Gumroad,
        "gank" => Provider::Gank,
        "maton" => Provider::Maton,
        _ => Provider::Other("ledger"),
    }
}

fn parse_time(t: &Option<String>) -> Option<OffsetDateTime> {
    t.as_deref().filter(|s| !s.is_empty()).and_then(|s| {
        OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .ok()
            .or_else(|| {
                time::PrimitiveDateTime::parse(s, super::TIMESTAMP_FORMAT)
                    .ok()
                    .map(|p| p.assume_utc())
            })
    })
}

fn subscription_verdict(row: &Row, now: OffsetDateTime) -> Option<AccessVerdict> {
    let until = parse_time(&row.until_at);
    let reason = match row.sub_state.as_deref()? {
        "active" => AccessReason::ActiveSubscription,
        "cancelled" if until.is_some_and(|u| u > now) => AccessReason::ActiveSubscription,
        "cancelled" => AccessReason::SubscriptionCancelled,
        "failed" => AccessReason::SubscriptionFailed,
        _ => AccessReason::SubscriptionEnded,
    };
    let id = row
        .object
        .split_once(':')
        .map_or(row.object.as_str(), |(_, id)| id);
    Some(
        AccessVerdict::new(
            provider_of(&row.provider),
            reason,
            Some(AccessSource::new("subscription", id)),
        )
        .since(parse_time(&row.since))
        .until(until),
    )
}

/// The subscription rows the sales in `rows` refer to that `rows` lacks:
/// `(provider, object)` pairs to read before [`verdict`].
pub(crate) fn missing_subscriptions(rows: &[Row]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for row in rows {
        let Some(sub) = &row.subscription_id else {
            continue;
        };
        let key = format!("subscription:{sub}");
        let have = rows
            .iter()
            .any(|r| r.object == key && r.provider == row.provider)
            || out.iter().any(|(p, k)| *k == key && *p == row.provider);
        if !have && row.object.starts_with("sale:") {
            out.push((row.provider.clone(), key));
        }
    }
    out
}

/// The verdict for `rows` (one person's) about `product_id` at `now`;
/// `subscription` finds the subscription row a sale belongs to.
pub(crate) fn verdict(
    rows: &[Row],
    product_id: &str,
    now: OffsetDateTime,
    mut subscription: impl FnMut(&str, &str) -> Option<Row>,
) -> AccessVerdict {
    let provider = rows
        .first()
        .map_or(Provider::Other("ledger"), |r| provider_of(&r.provider));
    let mut verdicts = Vec::new();
    let mut mismatch = None;
    for row in rows {
        if row.product_id.as_deref().is_some_and(|p| p != product_id) {
            mismatch = Some(row);
            continue;
        }
        let Some(id) = row.object.strip_prefix("sale:") else {
            verdicts.extend(subscription_verdict(row, now));
            continue;
        };
        let source = Some(AccessSource::new("sale", id));
        let p = provider_of(&row.provider);
        let since = parse_time(&row.since);
        let denial = if row.refunded {
            Some(AccessReason::Refunded)
        } else if row.partially_refunded {
            Some(AccessReason::PartiallyRefunded)
        } else if row.chargedback {
            Some(AccessReason::ChargedBack)
        } else if row.disputed && !row.dispute_won {
            Some(AccessReason::Disputed)
        } else {
            None
        };
        if let Some(reason) = denial {
            verdicts.push(AccessVerdict::new(p, reason, source).since(since));
            continue;
        }
        match &row.subscription_id {
            Some(sub) => {
                let key = format!("subscription:{sub}");
                let sub_row = rows
                    .iter()
                    .find(|r| r.object == key && r.provider == row.provider)
                    .cloned()
                    .or_else(|| subscription(&row.provider, &key));
                match sub_row.and_then(|r| subscription_verdict(&r, now)) {
                    Some(v) => verdicts.push(v),
                    None => verdicts.push(
                        AccessVerdict::new(p, AccessReason::ActiveSubscription, source)
                            .since(since),
                    ),
                }
            }
            None => verdicts
                .push(AccessVerdict::new(p, AccessReason::LifetimePurchase, source).since(since)),
        }
    }
    if verdicts.is_empty()
        && let Some(row) = mismatch
    {
        let id = row
            .object
            .split_once(':')
            .map_or(row.object.as_str(), |(_, id)| id);
        return AccessVerdict::new(
            provider_of(&row.provider),
            AccessReason::ProductMismatch,
            Some(AccessSource::new("sale", id)),
        );
    }
    creator_core::decide(provider, verdicts)
}

/// The `updated_at` value for a change applied now.
pub(crate) fn now_stamp() -> String {
    timestamp(OffsetDateTime::now_utc())
}
