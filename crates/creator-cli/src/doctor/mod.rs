//! `creator doctor`: is the wiring right, now.
//!
//! Every check returns a [`Check`] (a name, a [`Status`], what was seen, and
//! the fix in one line), gathered in a serialisable [`Report`], so the
//! command line and the web console show the same checks. The command
//! (`commands::doctor`) is a thin layer: it builds a [`Doctor`] from its
//! options, prints the report and turns its worst status into the exit
//! status (0 all ok, 1 warnings, 2 problems).
//!
//! | module | checks |
//! |---|---|
//! | [`gumroad`] | the token, the `view_sales` scope, each of the eight resource subscriptions, the Ping URL (unknowable) |
//! | [`gank`] | the registered callback URL and events, the HMAC key |
//! | [`signature`] | which candidate HMAC scheme signs Gank's stored deliveries (`--gank-signature`) |
//! | [`maton`] | the API key, the connection's status |
//! | [`ledger`] | writable, schema, disk, last delivery per provider, quarantine, forwarding |
//!
//! ```no_run
//! use creator_cli::doctor::{Doctor, Wiring};
//!
//! # async fn run() -> Result<(), creator_cli::CliError> {
//! let ledger = creator_cli::ledger::open("creator.db").await?;
//! let doctor = Doctor::new(Wiring::at("https://hooks.example.com")?).ledger(ledger);
//! let diagnosis = doctor.run().await;
//! print!("{}", diagnosis.report.to_text());
//! std::process::exit(i32::from(diagnosis.report.exit_code()));
//! # }
//! ```

pub mod gank;
pub mod gumroad;
pub mod ledger;
pub mod maton;
pub mod signature;

use std::fmt;
use std::sync::Arc;

use creator_core::Secret;
use serde::Serialize;
use time::OffsetDateTime;

use crate::CliError;
use crate::ledger::Ledger;

/// How a check came out, from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// As it should be.
    Ok,
    /// The platform's API cannot answer it: named, never guessed (does not
    /// change the exit status).
    Unknown,
    /// Works now, but something is off (exit status 1).
    Warning,
    /// Deliveries are or will be lost or refused (exit status 2).
    Problem,
}

impl Status {
    /// `ok`, `unknown`, `warning`, `problem`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Unknown => "unknown",
            Status::Warning => "warning",
            Status::Problem => "problem",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// A stable dotted name (`gumroad.subscription.sale`, `ledger.writable`).
    pub name: String,
    /// How it came out.
    pub status: Status,
    /// What was seen, in one line (never a secret).
    pub detail: String,
    /// What to do about it, in one line (`None` when nothing is to be done).
    pub fix: Option<String>,
}

impl Check {
    /// A check that passed.
    pub fn ok(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(name, Status::Ok, detail, None::<String>)
    }

    /// A check with any status and a fix.
    pub fn new(
        name: impl Into<String>,
        status: Status,
        detail: impl Into<String>,
        fix: Option<impl Into<String>>,
    ) -> Self {
        Self {
            name: name.into(),
            status,
            detail: detail.into(),
            fix: fix.map(Into::into),
        }
    }

    /// A warning with its fix.
    pub fn warning(
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::new(name, Status::Warning, detail, Some(fix))
    }

    /// A problem with its fix.
    pub fn problem(
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::new(name, Status::Problem, detail, Some(fix))
    }

    /// A question the platform cannot answer, and how to answer it by hand.
    pub fn unknown(
        name: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::new(name, Status::Unknown, detail, Some(fix))
    }
}

/// Every check of one run, in the order they ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The checks.
    pub checks: Vec<Check>,
}

impl Report {
    /// The worst status among the checks (`Ok` for none).
    pub fn worst(&self) -> Status {
        self.checks
            .iter()
            .map(|c| c.status)
            .max()
            .unwrap_or(Status::Ok)
    }

    /// The run's status for a monitor: the worst, where an unknowable
    /// answer counts as ok.
    pub fn overall(&self) -> Status {
        match self.worst() {
            Status::Unknown => Status::Ok,
            worst => worst,
        }
    }

    /// 0 when every check is ok (or unknowable), 1 with warnings, 2 with problems.
    pub fn exit_code(&self) -> u8 {
        match self.overall() {
            Status::Ok | Status::Unknown => 0,
            Status::Warning => 1,
            Status::Problem => 2,
        }
    }

    /// One line per check (`ok       name: detail`), its fix on the next
    /// line after `  fix: `, and a last line counting them.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        for c in &self.checks {
            let _ = writeln!(out, "{:<8} {}: {}", c.status.as_str(), c.name, c.detail);
            if let Some(fix) = &c.fix {
                let _ = writeln!(out, "         fix: {fix}");
            }
        }
        let count = |s: Status| self.checks.iter().filter(|c| c.status == s).count();
        let _ = writeln!(
            out,
            "{} ok, {} warning(s), {} problem(s), {} unknown",
            count(Status::Ok),
            count(Status::Warning),
            count(Status::Problem),
            count(Status::Unknown)
        );
        out
    }
}

/// What this relay is: where the platforms must send, and the secrets it
/// checks deliveries with.
#[derive(Clone, Default)]
pub struct Wiring {
    /// The relay's public base URL (`https://hooks.example.com`), as the
    /// platforms reach it (through the TLS proxy).
    pub url: Option<url::Url>,
    /// The Gumroad URL secret (`/webhooks/gumroad/<secret>`).
    pub gumroad_secret: Option<Secret>,
    /// The Gank URL secret (`/webhooks/gank/<secret>`), when one is used.
    pub gank_url_secret: Option<Secret>,
    /// The Gank registration key the relay verifies with (`GANK_WEBHOOK_KEY`).
    pub gank_key: Option<Secret>,
}

impl fmt::Debug for Wiring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |s: &Option<Secret>| s.as_ref().map(|_| "<redacted>");
        f.debug_struct("Wiring")
            .field("url", &self.url.as_ref().map(url::Url::as_str))
            .field("gumroad_secret", &set(&self.gumroad_secret))
            .field("gank_url_secret", &set(&self.gank_url_secret))
            .field("gank_key", &set(&self.gank_key))
            .finish()
    }
}

impl Wiring {
    /// The wiring of a relay reached at `url` (no secrets yet).
    ///
    /// # Errors
    /// [`CliError::Usage`] when `url` is not an absolute http(s) URL.
    pub fn at(url: &str) -> Result<Self, CliError> {
        Ok(Self {
            url: Some(parse_public_url(url)?),
            ..Self::default()
        })
    }

    /// The URL a provider's endpoint must be registered with (`None`
    /// without `--url`), from the relay's own routing
    /// ([`crate::relay::webhook_path`]).
    pub fn endpoint_url(&self, endpoint: &str, secret: Option<&Secret>) -> Option<String> {
        let base = self.url.as_ref()?;
        let path = crate::relay::webhook_path(endpoint, secret.map(Secret::expose));
        Some(format!("{}{path}", base.as_str().trim_end_matches('/')))
    }
}

/// Parses `--url`: an absolute http(s) URL without a query.
///
/// # Errors
/// [`CliError::Usage`] for anything else.
pub fn parse_public_url(value: &str) -> Result<url::Url, CliError> {
    let bad = |why: &str| {
        CliError::Usage(format!(
            "--url `{value}` {why}: give the relay's public base URL, such as https://hooks.example.com"
        ))
    };
    let url = url::Url::parse(value.trim()).map_err(|_| bad("is not a URL"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad("is not an http(s) URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query or fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not carry credentials"));
    }
    Ok(url)
}

/// A URL as shown in a report: credentials and the given secrets replaced
/// by `<…>`.
pub fn shown_url(url: &str, secrets: &[Option<&Secret>]) -> String {
    let mut shown = match url::Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("user");
            let _ = u.set_password(Some("password"));
            u.to_string()
                .replacen("user:password@", "<user>:<password>@", 1)
        }
        _ => url.to_owned(),
    };
    for secret in secrets.iter().flatten() {
        if !secret.expose().is_empty() {
            shown = shown.replace(secret.expose(), "<secret>");
        }
    }
    shown
}

/// The platform clients and ledger a run checks (each optional: a missing
/// one is not checked) and what the relay is.
#[derive(Debug, Clone)]
pub struct Doctor {
    /// What this relay is.
    pub wiring: Wiring,
    /// Gumroad directly.
    pub gumroad: Option<gumroad_api::GumroadClient>,
    /// Gank with the login token.
    pub gank: Option<gank_api::GankClient>,
    /// The Maton gateway, with the connection id to check if one is set.
    pub maton: Option<maton_gateway::MatonClient>,
    /// The ledger.
    pub ledger: Option<Arc<dyn Ledger>>,
    /// The providers whose deliveries the ledger should show.
    pub expected_providers: Vec<String>,
    /// A provider with no delivery for this long is a warning.
    pub quiet_after: time::Duration,
    /// The time the checks are made at.
    pub now: OffsetDateTime,
}

impl Doctor {
    /// A doctor for `wiring`, checking nothing until clients or a ledger are added.
    pub fn new(wiring: Wiring) -> Self {
        Self {
            wiring,
            gumroad: None,
            gank: None,
            maton: None,
            ledger: None,
            expected_providers: Vec::new(),
            quiet_after: time::Duration::days(7),
            now: OffsetDateTime::now_utc(),
        }
    }

    /// Checks this ledger.
    pub fn ledger(mut self, ledger: Arc<dyn Ledger>) -> Self {
        self.ledger = Some(ledger);
        self
    }

    /// Runs every check whose client or ledger is set, and plans the
    /// Gumroad subscription changes `--fix` would make.
    pub async fn run(&self) -> Diagnosis {
        let mut report = Report::default();
        let mut plan = gumroad::Plan::default();
        if let Some(client) = &self.gumroad {
            let (checks, p) = gumroad::check(client, &self.wiring).await;
            report.checks.extend(checks);
            plan = p;
        }
        if let Some(client) = &self.gank {
            report
                .checks
                .extend(gank::check(client, &self.wiring).await);
        }
        if let Some(client) = &self.maton {
            report.checks.extend(maton::check(client).await);
        }
        if let Some(ledger) = &self.ledger {
            report.checks.extend(
                ledger::check(
                    &**ledger,
                    &self.expected_providers,
                    self.quiet_after,
                    self.now,
                )
                .await,
            );
        }
        Diagnosis { report, plan }
    }
}

/// A run's report, and what `--fix` would change.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Diagnosis {
    /// The checks.
    pub report: Report,
    /// The Gumroad subscriptions `--fix` would add and remove.
    pub plan: gumroad::Plan,
}

/// One line for a platform error, naming what it means for the check.
pub(crate) fn said(e: &creator_core::Error) -> String {
    crate::watch::redact(&e.to_string())
}
