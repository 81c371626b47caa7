//! The ledger: writable, schema, disk space, the last delivery per
//! provider, the quarantine's growth, and forwarding per destination.
//!
//! Built on the ledger's own queries: [`Ledger::probe`] and
//! [`Ledger::health`] (what `/healthz` reads, judged by the relay's
//! [`HealthPolicy`]), [`Ledger::stats`], [`Ledger::events`],
//! [`Ledger::quarantined`], [`Ledger::destinations`] and [`Ledger::messages`].

use std::collections::BTreeMap;

use futures::TryStreamExt;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Check;
use crate::ledger::{
    DeliveryStatus, Ledger, LedgerError, OutboxFilter, QuarantineBudget, QuarantineFilter,
    SCHEMA_VERSION, timestamp,
};
use crate::relay::HealthPolicy;

/// Runs the ledger checks; `providers` are the ones whose deliveries are
/// expected (a provider with none for `quiet_after` is a warning).
pub async fn check(
    ledger: &dyn Ledger,
    providers: &[String],
    quiet_after: time::Duration,
    now: OffsetDateTime,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let policy = HealthPolicy::default();
    match ledger.probe().await {
        Ok(()) => checks.push(Check::ok(
            "ledger.writable",
            format!("a probe write committed ({})", ledger.backend()),
        )),
        Err(e) => checks.push(Check::problem(
            "ledger.writable",
            format!("a probe write failed: {e}"),
            "free space or fix the permissions of the ledger (or the PostgreSQL server), then restart the relay",
        )),
    }
    checks.push(Check::ok(
        "ledger.schema",
        format!("schema version {SCHEMA_VERSION}, this build's"),
    ));
    let health = ledger.health();
    checks.push(match health.free_bytes {
        Some(free) if free < policy.min_free_bytes => Check::problem(
            "ledger.disk",
            format!(
                "{} MiB free on the ledger's filesystem (the relay reports unhealthy under {} MiB)",
                free / (1024 * 1024),
                policy.min_free_bytes / (1024 * 1024)
            ),
            "free disk space on the ledger's filesystem",
        ),
        Some(free) => Check::ok(
            "ledger.disk",
            format!(
                "{} MiB free on the ledger's filesystem",
                free / (1024 * 1024)
            ),
        ),
        None => Check::unknown(
            "ledger.disk",
            format!("free space is not measured for {}", ledger.backend()),
            "watch the database server's disk in its own monitoring",
        ),
    });
    if let Some(problem) = &health.file_problem {
        checks.push(Check::problem(
            "ledger.file",
            problem.clone(),
            "restart the relay",
        ));
    }
    for provider in providers {
        checks.push(match last_delivery(ledger, provider).await {
            Ok(Some(at)) => {
                let age = now - at;
                let text = format!(
                    "last {provider} delivery {} ago ({})",
                    ago(age),
                    timestamp(at)
                );
                if age > quiet_after {
                    Check::warning(
                        format!("ledger.last_delivery.{provider}"),
                        text,
                        format!(
                            "check the {provider} checks above; `creator reconcile --provider {provider}` finds what no webhook delivered"
                        ),
                    )
                } else {
                    Check::ok(format!("ledger.last_delivery.{provider}"), text)
                }
            }
            Ok(None) => Check::warning(
                format!("ledger.last_delivery.{provider}"),
                format!("no {provider} delivery stored yet"),
                format!(
                    "make a test purchase (or `creator simulate --provider {provider}`) and check the {provider} checks above"
                ),
            ),
            Err(e) => Check::problem(
                format!("ledger.last_delivery.{provider}"),
                format!("could not read the events: {e}"),
                "check the ledger",
            ),
        });
    }
    checks.push(quarantine(ledger, now).await);
    checks.extend(forwarding(ledger).await);
    checks
}

/// The newest delivery of `provider` (one aggregate query: a ledger of a
/// million events answers as fast as an empty one).
async fn last_delivery(
    ledger: &dyn Ledger,
    provider: &str,
) -> Result<Option<OffsetDateTime>, LedgerError> {
    Ok(ledger
        .last_received(provider)
        .await?
        .and_then(|at| OffsetDateTime::parse(&at, &Rfc3339).ok()))
}

fn ago(d: time::Duration) -> String {
    let s = d.whole_seconds().max(0);
    match s {
        0..=119 => format!("{s}s"),
        120..=7199 => format!("{}m", s / 60),
        7200..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// The quarantine: authentic deliveries not yet replayed (a problem: an
/// event the relay has not stored), and growth against the budget.
async fn quarantine(ledger: &dyn Ledger, now: OffsetDateTime) -> Check {
    let stats = match ledger.stats().await {
        Ok(s) => s,
        Err(e) => {
            return Check::problem(
                "ledger.quarantine",
                format!("could not count: {e}"),
                "check the ledger",
            );
        }
    };
    let day = QuarantineFilter {
        since: Some(timestamp(now - time::Duration::days(1))),
        ..QuarantineFilter::default()
    };
    let last_day: Result<Vec<_>, _> = ledger.quarantined(day).try_collect().await;
    let all: Result<Vec<_>, _> = ledger
        .quarantined(QuarantineFilter::default())
        .try_collect()
        .await;
    let (Ok(last_day), Ok(all)) = (last_day, all) else {
        return Check::problem(
            "ledger.quarantine",
            "could not read the quarantine",
            "check the ledger",
        );
    };
    let waiting: Vec<i64> = all
        .iter()
        .filter(|q| q.authenticated && q.replayed_as.is_none())
        .map(|q| q.id)
        .collect();
    let budget = QuarantineBudget::default();
    let detail = format!(
        "{} row(s), {} KiB; {} in the last 24h",
        stats.quarantined,
        stats.quarantine_bytes / 1024,
        last_day.len()
    );
    if !waiting.is_empty() {
        let ids: Vec<String> = waiting.iter().take(5).map(ToString::to_string).collect();
        return Check::problem(
            "ledger.quarantine",
            format!(
                "{detail}; {} authentic deliver(ies) could not be stored as events (ids {})",
                waiting.len(),
                ids.join(", ")
            ),
            format!(
                "`creator quarantine replay {}` once this build parses them (see `creator quarantine --id {}` for the error)",
                waiting[0], waiting[0]
            ),
        );
    }
    let rows = u64::try_from(stats.quarantined).unwrap_or(0);
    let bytes = u64::try_from(stats.quarantine_bytes).unwrap_or(0);
    if rows * 10 >= budget.max_rows * 8 || bytes * 10 >= budget.max_bytes * 8 {
        return Check::warning(
            "ledger.quarantine",
            format!(
                "{detail}: near the default budget ({} rows, {} MiB), past which the oldest strangers' rows are pruned",
                budget.max_rows,
                budget.max_bytes / (1024 * 1024)
            ),
            "see who sends them (`creator quarantine`), then `creator quarantine prune`",
        );
    }
    Check::ok("ledger.quarantine", detail)
}

/// Backlog and dead letters per destination.
async fn forwarding(ledger: &dyn Ledger) -> Vec<Check> {
    let destinations = match ledger.destinations().await {
        Ok(d) => d,
        Err(e) => {
            return vec![Check::problem(
                "ledger.forwarding",
                format!("could not read the destinations: {e}"),
                "check the ledger",
            )];
        }
    };
    if destinations.is_empty() {
        return vec![Check::ok(
            "ledger.forwarding",
            "no destinations: events are stored, not forwarded",
        )];
    }
    // (pending, failed, dead) per destination name.
    let mut counts: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for status in [
        DeliveryStatus::Pending,
        DeliveryStatus::Failed,
        DeliveryStatus::Dead,
    ] {
        let filter = OutboxFilter {
            status: Some(status),
            ..OutboxFilter::default()
        };
        let counted = ledger
            .messages(filter)
            .try_for_each(|m| {
                let entry = counts.entry(m.destination).or_default();
                match status {
                    DeliveryStatus::Pending => entry.0 += 1,
                    DeliveryStatus::Failed => entry.1 += 1,
                    _ => entry.2 += 1,
                }
                futures::future::ready(Ok(()))
            })
            .await;
        if let Err(e) = counted {
            return vec![Check::problem(
                "ledger.forwarding",
                format!("could not read the outbox: {e}"),
                "check the ledger",
            )];
        }
    }
    destinations
        .iter()
        .map(|d| {
            let (pending, failed, dead) = counts.get(&d.name).copied().unwrap_or_default();
            // A destination's URL may carry Basic credentials: never shown.
            let url = super::shown_url(&d.url, &[]);
            let name = format!("ledger.forwarding.{}", d.name);
            let detail = format!(
                "{pending} pending, {failed} waiting for a retry, {dead} dead letter(s){}",
                if d.enabled { "" } else { "; disabled" }
            );
            if dead > 0 {
                Check::problem(
                    name,
                    detail,
                    format!(
                        "fix {} (see `creator deliveries --destination {} --status dead --attempts`), then `creator events replay --destination {}`",
                        url, d.name, d.name
                    ),
                )
            } else if failed > 0 || (!d.enabled && pending > 0) {
                Check::warning(
                    name,
                    detail,
                    format!(
                        "see why {} fails: `creator deliveries --destination {} --attempts`{}",
                        url,
                        d.name,
                        if d.enabled {
                            ""
                        } else {
                            "; `creator destinations enable` it"
                        }
                    ),
                )
            } else {
                Check::ok(name, detail)
            }
        })
        .collect()
}
