//! The console's doctor page (`GET /console/doctor`): the checks of
//! [`crate::doctor`], run when the page is opened, each with its fix.
//!
//! The ledger is the console's own; the platforms are checked with the
//! clients the relay's environment has credentials for ([`DoctorSetup`]),
//! each run bounded by [`DoctorSetup::timeout`] so a slow platform cannot
//! hang the page. A platform the relay cannot check is listed as `unknown`,
//! as `creator doctor` lists it. The checks never carry a secret.

use std::sync::Arc;
use std::time::Duration;

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;

use super::Console;
use super::pages::{PageResult, render, signed_in};
use crate::doctor::{Check, Doctor, Report, Status, Wiring};
use crate::ledger::{Ledger, timestamp};

/// What the doctor page checks besides the ledger.
#[derive(Debug, Clone)]
pub struct DoctorSetup {
    /// The platform clients, what the relay is (its public URL and webhook
    /// secrets), the providers whose deliveries are expected and when
    /// silence is a warning; its ledger is ignored (the console's is used).
    pub doctor: Doctor,
    /// Checks that cannot be made (a credential or the public URL is
    /// missing), shown first.
    pub not_checked: Vec<Check>,
    /// How long the platform checks, and the ledger checks, may take.
    pub timeout: Duration,
}

impl Default for DoctorSetup {
    /// The ledger checks only, 10 seconds at most.
    fn default() -> Self {
        Self {
            doctor: Doctor::new(Wiring::default()),
            not_checked: Vec::new(),
            timeout: Duration::from_secs(10),
        }
    }
}

impl DoctorSetup {
    /// Runs the checks on `ledger` at `now`: the platforms' and the
    /// ledger's side by side, each cut off after [`Self::timeout`].
    pub async fn run(&self, ledger: Arc<dyn Ledger>, now: time::OffsetDateTime) -> Report {
        let platforms = Doctor {
            ledger: None,
            ..self.doctor.clone()
        };
        let books = Doctor {
            wiring: Wiring::default(),
            gumroad: None,
            gank: None,
            maton: None,
            ledger: Some(ledger),
            now,
            ..self.doctor.clone()
        };
        let has_platforms =
            platforms.gumroad.is_some() || platforms.gank.is_some() || platforms.maton.is_some();
        let limit = self.timeout;
        let (platform_run, ledger_run) = tokio::join!(
            tokio::time::timeout(limit, platforms.run()),
            tokio::time::timeout(limit, books.run())
        );
        let mut checks = self.not_checked.clone();
        match platform_run {
            Ok(diagnosis) => checks.extend(diagnosis.report.checks),
            Err(_) if has_platforms => checks.push(Check::unknown(
                "platforms",
                format!(
                    "the platforms did not answer within {:.1} s: not checked this time",
                    limit.as_secs_f64()
                ),
                "open the page again, or run `creator doctor` on the relay's host",
            )),
            Err(_) => {}
        }
        match ledger_run {
            Ok(diagnosis) => checks.extend(diagnosis.report.checks),
            Err(_) => checks.push(Check::problem(
                "ledger",
                format!(
                    "the ledger checks did not finish within {:.1} s",
                    limit.as_secs_f64()
                ),
                "check the ledger's disk (or its PostgreSQL server) and open the page again",
            )),
        }
        Report { checks }
    }
}

/// One row of the page.
struct Row {
    status: &'static str,
    name: String,
    detail: String,
    fix: String,
}

#[derive(Template)]
#[template(path = "console/doctor.html")]
struct DoctorPage {
    nav: &'static str,
    csrf: String,
    checked_at: String,
    overall: &'static str,
    counts: Vec<(&'static str, usize)>,
    rows: Vec<Row>,
}

pub(super) async fn doctor(State(c): State<Arc<Console>>, headers: HeaderMap) -> PageResult {
    let session = signed_in(&c, &headers)?;
    let now = c.now();
    let report = c.doctor.run(c.ledger.clone(), now).await;
    let counts = [
        Status::Problem,
        Status::Warning,
        Status::Unknown,
        Status::Ok,
    ]
    .into_iter()
    .map(|s| {
        let n = report.checks.iter().filter(|k| k.status == s).count();
        (s.as_str(), n)
    })
    .collect();
    // Worst first, in the order they ran within a status.
    let mut checks = report.checks.clone();
    checks.sort_by_key(|c| std::cmp::Reverse(c.status));
    render(&DoctorPage {
        nav: "doctor",
        csrf: session.csrf.expose().to_owned(),
        checked_at: timestamp(now),
        overall: report.overall().as_str(),
        counts,
        rows: checks
            .into_iter()
            .map(|k| Row {
                status: k.status.as_str(),
                name: k.name,
                detail: k.detail,
                fix: k.fix.unwrap_or_default(),
            })
            .collect(),
    })
}
