//! `creator relay --check-config`, and the config file's destinations put
//! into the ledger on start.

use std::io::Write as _;

use super::{
    ConfiguredDestination, GumroadAuth, RelayArgs, check_limits, check_secret, gank_endpoint,
    gumroad_webhooks, listen_address, shown_db,
};
use crate::CliError;
use crate::commands::destinations::{check_name, check_url, shown_url};
use crate::ledger::{self, DestinationChange, DestinationWrite, Ledger, NewDestination};
use crate::relay::forward::sign;

/// How long a destination's old secret keeps signing after the file changed it.
const KEEP_OLD_SECRET: time::Duration = time::Duration::hours(24);

/// What was checked, each fine or not.
#[derive(Debug, Default)]
struct Report {
    lines: Vec<(&'static str, String)>,
    problems: usize,
}

impl Report {
    fn ok(&mut self, what: impl Into<String>) {
        self.lines.push(("ok", what.into()));
    }

    fn warn(&mut self, what: impl Into<String>) {
        self.lines.push(("warning", what.into()));
    }

    fn problem(&mut self, what: &str, e: &CliError) {
        self.problems += 1;
        self.lines.push(("problem", format!("{what}: {e}")));
    }

    fn check<T>(&mut self, what: &str, r: Result<T, CliError>, ok: impl FnOnce(T) -> String) {
        match r {
            Ok(v) => self.ok(ok(v)),
            Err(e) => self.problem(what, &e),
        }
    }
}

/// Runs every check without starting, and prints one line per check.
///
/// # Errors
/// [`CliError::Usage`] when any check found a problem (each is printed).
pub(super) async fn run(args: &RelayArgs) -> Result<(), CliError> {
    let mut r = Report::default();
    if let Some(path) = &args.config {
        r.ok(format!(
            "config file {} read: every key known, every reference resolved",
            path.display()
        ));
    }
    r.check("limits", check_limits(args), |()| {
        format!(
            "limits: bodies up to {} bytes, {} connections ({} per sender)",
            args.max_body_bytes, args.max_connections, args.max_connections_per_peer
        )
    });
    let gumroad_secret = match &args.gumroad_secret {
        Some(s) => check_secret("gumroad-secret (CREATOR_GUMROAD_SECRET)", s.expose())
            .map(|()| "a given URL secret"),
        None => Ok("a URL secret kept in the ledger (generated on first start)"),
    };
    let gumroad = gumroad_webhooks(args).and(gumroad_secret);
    r.check("gumroad", gumroad, |secret| match args.gumroad_auth {
        GumroadAuth::UrlSecret => format!("gumroad: /webhooks/gumroad/<secret> with {secret}"),
        GumroadAuth::Basic => "gumroad: /webhooks/gumroad with HTTP Basic".to_owned(),
        GumroadAuth::Both => format!("gumroad: HTTP Basic and {secret}"),
    });
    r.check("gank", gank_endpoint(args), |(_, note)| {
        format!("gank: {note}")
    });
    match listen_address(&args.listen).await {
        Ok(addr) if addr.ip().is_loopback() => r.ok(format!("listen: {addr}")),
        Ok(addr) => r.warn(format!(
            "listen: {addr} is beyond this machine: put a TLS-terminating proxy in front (docs/deploying.md)"
        )),
        Err(e) => r.problem("listen", &e),
    }
    if !args.trusted_proxies.is_empty() {
        let shown: Vec<String> = args
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        r.ok(format!("trusted proxies: {}", shown.join(", ")));
    }
    r.check(
        "forwarding",
        args.forwarding.check(&args.webhook_secrets()),
        |()| "forwarding options: usable".to_owned(),
    );
    for url in args.forwarding.urls() {
        match check_url(url) {
            Ok(None) => r.ok(format!("forward: {}", shown_url(url))),
            Ok(Some(warning)) => r.warn(format!("forward: {warning}")),
            Err(e) => r.problem("forward", &e),
        }
    }
    for d in &args.configured {
        match check_destination(d) {
            Ok(None) => r.ok(format!("destination {}: {}", d.name, shown_url(&d.url))),
            Ok(Some(warning)) => r.warn(format!("destination {}: {warning}", d.name)),
            Err(e) => r.problem(&format!("destination {} ({})", d.name, d.at), &e),
        }
    }
    check_ledger(args, &mut r).await;

    let mut out = std::io::stdout().lock();
    for (state, line) in &r.lines {
        let _ = writeln!(out, "{state:<8} {line}");
    }
    if r.problems == 0 {
        let _ = writeln!(out, "the relay configuration is good: it starts with it");
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "{} problem(s) in the relay configuration (each is listed above)",
            r.problems
        )))
    }
}

/// The ledger opens (SQLite: created and migrated on first start, so a
/// missing file only needs a writable directory), and the file's
/// destinations agree with the ones it keeps.
async fn check_ledger(args: &RelayArgs, r: &mut Report) {
    let db = &args.db.db;
    let shown = shown_db(db);
    if !ledger::is_postgres_url(db) {
        let path = std::path::Path::new(db.strip_prefix("sqlite://").unwrap_or(db));
        if !path.exists() {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => std::path::Path::new("."),
            };
            match std::fs::metadata(dir) {
                Ok(m) if m.is_dir() && writable(dir, &m) => r.ok(format!(
                    "ledger: {shown} does not exist yet; it is created on first start"
                )),
                _ => r.problem(
                    "ledger",
                    &CliError::Usage(format!(
                        "{shown} does not exist and its directory {} is missing or read-only",
                        dir.display()
                    )),
                ),
            }
            return;
        }
    }
    let ledger = match ledger::open(db).await {
        Ok(l) => l,
        Err(e) => return r.problem("ledger", &e.into()),
    };
    r.ok(format!(
        "ledger: {} {shown} opens, schema up to date",
        ledger.backend()
    ));
    match ledger.destinations().await {
        Ok(kept) => {
            for d in &args.configured {
                if let Some(k) = kept.iter().find(|k| k.name == d.name)
                    && let Err(e) = same_destination(d, k)
                {
                    r.problem(&format!("destination {} ({})", d.name, d.at), &e);
                }
            }
        }
        Err(e) => r.problem("ledger", &e.into()),
    }
    ledger.close().await;
}

/// Whether this process may create a file in `dir`.
#[cfg(unix)]
fn writable(dir: &std::path::Path, _: &std::fs::Metadata) -> bool {
    rustix::fs::access(dir, rustix::fs::Access::WRITE_OK).is_ok()
}

/// Whether this process may create a file in `dir`.
#[cfg(not(unix))]
fn writable(_: &std::path::Path, m: &std::fs::Metadata) -> bool {
    !m.permissions().readonly()
}

fn check_destination(d: &ConfiguredDestination) -> Result<Option<String>, CliError> {
    check_name(&d.name)?;
    let warning = check_url(&d.url)?;
    if let Some(s) = &d.secret {
        sign::check_secret(s.expose()).map_err(CliError::Usage)?;
    }
    Ok(warning)
}

/// A file destination and the ledger's of the same name must agree on
/// where and what (a secret change is a rotation).
fn same_destination(d: &ConfiguredDestination, kept: &ledger::Destination) -> Result<(), CliError> {
    if kept.url != d.url || kept.provider != d.provider || kept.kind != d.kind {
        return Err(CliError::Usage(format!(
            "{}: destination {} is in the ledger with another URL or filter ({}): rename it in the file, or `creator destinations remove {}` first",
            d.at,
            d.name,
            shown_url(&kept.url),
            d.name
        )));
    }
    Ok(())
}

/// Adds the file's destinations the ledger lacks, and rotates to a secret
/// the file changed; returns lines for the banner.
///
/// # Errors
/// A destination that is not usable or disagrees with the ledger's, or a ledger that fails.
pub(super) async fn sync_destinations(
    ledger: &dyn Ledger,
    configured: &[ConfiguredDestination],
) -> Result<Vec<String>, CliError> {
    if configured.is_empty() {
        return Ok(Vec::new());
    }
    let kept = ledger.destinations().await?;
    let now = time::OffsetDateTime::now_utc();
    let mut lines = Vec::new();
    for d in configured {
        if let Some(warning) = check_destination(d)? {
            lines.push(format!("  {warning}"));
        }
        let shown = shown_url(&d.url);
        match kept.iter().find(|k| k.name == d.name) {
            Some(k) => {
                same_destination(d, k)?;
                if let Some(secret) = &d.secret
                    && secret.expose() != k.secret.expose()
                {
                    ledger
                        .change_destination(
                            &d.name,
                            DestinationChange::RotateSecret {
                                secret: secret.clone(),
                                old_expires_at: ledger::timestamp(now + KEEP_OLD_SECRET),
                            },
                            &ledger::timestamp(now),
                        )
                        .await?;
                    lines.push(format!(
                        "  destination: {} -> {shown} (secret changed in the config file: the old one also signs for 24 h)",
                        d.name
                    ));
                }
            }
            None => {
                let (secret, generated) = match &d.secret {
                    Some(s) => (s.clone(), false),
                    None => (sign::generate_secret().map_err(CliError::Relay)?, true),
                };
                let written = ledger
                    .add_destination(NewDestination {
                        name: d.name.clone(),
                        url: d.url.clone(),
                        secret: secret.clone(),
                        provider: d.provider.clone(),
                        kind: d.kind.clone(),
                        now: ledger::timestamp(now),
                    })
                    .await?;
                if !matches!(written, DestinationWrite::Done(_)) {
                    return Err(CliError::Relay(format!(
                        "destination {} of the config file could not be added",
                        d.name
                    )));
                }
                lines.push(if generated {
                    format!(
                        "  destination: {} -> {shown} (added from the config file)   secret {} (generated now, shown only this once: give it to the receiver, or set `secret` in the file)",
                        d.name,
                        secret.expose()
                    )
                } else {
                    format!("  destination: {} -> {shown} (added from the config file)", d.name)
                });
            }
        }
    }
    Ok(lines)
}
