//! `creator doctor`: the checks of [`crate::doctor`] on the command line.
//!
//! Each platform is checked when its credential is set (`GUMROAD_ACCESS_TOKEN`,
//! `GANK_LOGIN_TOKEN`, `MATON_API_KEY`, or what `creator auth login` stored),
//! the ledger when `--db` names one; what is not checked is listed as such.

use std::io::Write as _;

use clap::{Args, ValueEnum};
use creator_core::Secret;
use serde_json::json;

use super::DbArgs;
use super::relay::{GUMROAD_SECRET_SETTING, secret};
use crate::doctor::{self, Check, Doctor, Report, Wiring};
use crate::error::Credentials;
use crate::providers::{self, ProviderArgs};
use crate::{CliError, ledger};

/// How the report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum DoctorFormat {
    /// One line per check, its fix under it.
    #[default]
    Text,
    /// One JSON object: `{"status", "exit_code", "checks": [{name, status, detail, fix}], "fix_plan"}`.
    Json,
}

/// Options of `creator doctor`.
#[derive(Debug, Clone, Args)]
#[command(
    mut_arg("provider", |a| a.required(false).default_value("gumroad").hide(true)),
)]
pub struct DoctorArgs {
    /// The relay's public base URL as the platforms reach it
    /// (`https://hooks.example.com`): subscriptions and the Gank
    /// registration are compared with its `/webhooks/…` URLs.
    #[arg(
        long,
        env = "CREATOR_PUBLIC_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    url: Option<String>,
    #[command(flatten)]
    db: DbArgs,
    /// The Gumroad URL secret (else the one the relay keeps in the ledger).
    #[arg(long, env = "CREATOR_GUMROAD_SECRET", hide_env_values = true, value_parser = secret)]
    gumroad_secret: Option<Secret>,
    /// The Gank URL secret, when the relay uses one.
    #[arg(long, env = "CREATOR_GANK_SECRET", hide_env_values = true, value_parser = secret)]
    gank_url_secret: Option<Secret>,
    /// The Gank key the relay verifies with.
    #[arg(long, env = "GANK_WEBHOOK_KEY", hide_env_values = true, value_parser = secret)]
    gank_key: Option<Secret>,
    #[command(flatten)]
    provider: ProviderArgs,
    /// Find Gank's signature scheme: try the candidate schemes over the Gank
    /// deliveries stored in the ledger with the registration's key (only this check runs).
    #[arg(long)]
    gank_signature: bool,
    /// Subscribe the missing Gumroad resources and remove duplicate and
    /// old-URL subscriptions, after saying what will change and asking.
    #[arg(long)]
    fix: bool,
    /// With `--fix`: do not ask.
    #[arg(long, short = 'y')]
    yes: bool,
    /// With `--fix`: never ask (fail where a question would be asked).
    #[arg(long)]
    no_input: bool,
    /// Warn when a provider's last delivery is older than this many days.
    #[arg(long, default_value_t = 7, value_name = "DAYS")]
    quiet_days: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DoctorFormat::Text)]
    format: DoctorFormat,
}

/// A credential, or `None` when it is not set (any other error is one).
fn credential(var: &'static str) -> Result<Option<Secret>, CliError> {
    match providers::env_secret(var, "") {
        Ok(s) => Ok(Some(s)),
        Err(CliError::MissingEnv { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

fn not_checked(name: &str, var: &str) -> Check {
    Check::unknown(
        name,
        format!("not checked: {var} is not set"),
        format!("set {var} (or `creator auth login`) to check it"),
    )
}

/// The Gank client `GANK_LOGIN_TOKEN` allows (`None` when it is not set).
fn gank_client(provider: &ProviderArgs) -> Result<Option<gank_api::GankClient>, CliError> {
    credential("GANK_LOGIN_TOKEN")?
        .map(|t| providers::gank_with_tokens(provider, Some(t), None, Credentials::GANK_LOGIN))
        .transpose()
}

/// A doctor for `wiring` with every platform client the environment has a
/// credential for (`gank` already built, or `None`), expecting the
/// deliveries of the providers it reaches; and an `unknown` check naming
/// each platform it cannot check. The command and the relay's console
/// share it.
///
/// # Errors
/// A credential that is set but unusable.
pub(crate) fn platform_doctor(
    wiring: Wiring,
    provider: &ProviderArgs,
    gank: Option<gank_api::GankClient>,
) -> Result<(Doctor, Vec<Check>), CliError> {
    let mut skipped = Vec::new();
    let gumroad = match credential("GUMROAD_ACCESS_TOKEN")? {
        Some(t) => Some(providers::gumroad_with_token(provider, t)?),
        None => {
            skipped.push(not_checked("gumroad", "GUMROAD_ACCESS_TOKEN"));
            None
        }
    };
    if gank.is_none() {
        skipped.push(not_checked("gank", "GANK_LOGIN_TOKEN"));
    }
    let maton = match credential("MATON_API_KEY")? {
        Some(key) => {
            let connection = provider
                .maton_connection
                .clone()
                .filter(|c| !c.trim().is_empty())
                .or_else(crate::auth::stored_maton_connection);
            Some(providers::maton_with_key(
                provider,
                key,
                connection.as_deref(),
            )?)
        }
        None => {
            skipped.push(not_checked("maton", "MATON_API_KEY"));
            None
        }
    };
    let mut expected = Vec::new();
    if gumroad.is_some() || maton.is_some() {
        expected.push("gumroad".to_owned());
    }
    if gank.is_some() || wiring.gank_key.is_some() {
        expected.push("gank".to_owned());
    }
    let mut doctor = Doctor::new(wiring);
    doctor.gumroad = gumroad;
    doctor.gank = gank;
    doctor.maton = maton;
    doctor.expected_providers = expected;
    Ok((doctor, skipped))
}

/// The relay's console's doctor: [`platform_doctor`] with the platforms'
/// options from the environment, an unusable credential turned into a
/// problem on the page (the relay still starts), and the missing public
/// URL named.
pub(crate) fn console_doctor(wiring: Wiring) -> crate::relay::console::checkup::DoctorSetup {
    let provider = ProviderArgs::from_env(providers::ProviderName::Gumroad);
    let no_url = wiring.url.is_none();
    let fallback = wiring.clone();
    let (doctor, mut not_checked) =
        match gank_client(&provider).and_then(|gank| platform_doctor(wiring, &provider, gank)) {
            Ok(found) => found,
            Err(e) => (
                Doctor::new(fallback),
                vec![Check::problem(
                    "platforms",
                    format!(
                        "the platforms' credentials are not usable: {}",
                        crate::error::one_line(&e)
                    ),
                    "fix the credential named, then restart the relay",
                )],
            ),
        };
    if no_url {
        not_checked.insert(
            0,
            Check::unknown(
                "relay.public_url",
                "the relay was started without --public-url: the URLs the platforms deliver to cannot be compared with this relay's",
                "start the relay with --public-url https://<its public host> (or CREATOR_PUBLIC_URL)",
            ),
        );
    }
    crate::relay::console::checkup::DoctorSetup {
        doctor,
        not_checked,
        ..Default::default()
    }
}

/// Runs `creator doctor`.
///
/// # Errors
/// Bad options, a refused `--fix`, or [`CliError::ChecksFailed`] (exit 1
/// or 2) when a check did not pass.
pub async fn run(args: DoctorArgs) -> Result<(), CliError> {
    let mut wiring = Wiring {
        url: args
            .url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .map(doctor::parse_public_url)
            .transpose()?,
        gumroad_secret: args.gumroad_secret.clone(),
        gank_url_secret: args.gank_url_secret.clone(),
        gank_key: args.gank_key.clone().filter(|k| !k.is_empty()),
    };
    let mut pre = Vec::new();
    let is_pg = ledger::is_postgres_url(&args.db.db);
    let ledger = if is_pg || std::path::Path::new(&args.db.db).exists() {
        match ledger::open(&args.db.db).await {
            Ok(l) => Some(l),
            Err(e) => {
                pre.push(Check::problem(
                    "ledger.open",
                    format!("cannot open the ledger: {e}"),
                    "check --db (CREATOR_DB) and the file's permissions",
                ));
                None
            }
        }
    } else {
        pre.push(Check::warning(
            "ledger.open",
            format!(
                "no ledger at {} (the relay creates it on first start)",
                args.db.db
            ),
            "pass --db (or CREATOR_DB) the relay uses",
        ));
        None
    };
    if wiring.gumroad_secret.is_none()
        && let Some(l) = &ledger
    {
        wiring.gumroad_secret = l.setting(GUMROAD_SECRET_SETTING).await?.map(Secret::new);
    }
    let gank = gank_client(&args.provider)?;
    let outcome = if args.gank_signature {
        signature_only(&wiring, gank.as_ref(), ledger.as_deref(), pre).await
    } else {
        everything(&args, wiring, gank, ledger.clone(), pre).await
    };
    if let Some(l) = ledger {
        l.close().await;
    }
    let (report, plan_lines) = outcome?;
    print(&report, &plan_lines, args.format)?;
    match report.exit_code() {
        0 => Ok(()),
        exit => Err(CliError::ChecksFailed {
            failed: report
                .checks
                .iter()
                .filter(|c| c.status > doctor::Status::Unknown)
                .count(),
            exit,
        }),
    }
}

async fn signature_only(
    wiring: &Wiring,
    gank: Option<&gank_api::GankClient>,
    ledger: Option<&dyn ledger::Ledger>,
    mut checks: Vec<Check>,
) -> Result<(Report, Vec<String>), CliError> {
    let mut registration_key = None;
    if let Some(client) = gank {
        match client.webhook_registration().get().await {
            Ok(r) => registration_key = r.key,
            Err(e) => checks.push(Check::warning(
                "gank.registration",
                format!(
                    "could not read the registration's key: {}",
                    doctor::said(&e)
                ),
                "check GANK_LOGIN_TOKEN; GANK_WEBHOOK_KEY is used meanwhile",
            )),
        }
    }
    let key = match (&registration_key, &wiring.gank_key) {
        (Some(k), _) => Some((k, "the registration's key")),
        (None, Some(k)) => Some((k, "GANK_WEBHOOK_KEY")),
        (None, None) => None,
    };
    if let Some(l) = ledger {
        checks.push(doctor::signature::check(l, key).await);
    }
    Ok((Report { checks }, Vec::new()))
}

async fn everything(
    args: &DoctorArgs,
    wiring: Wiring,
    gank: Option<gank_api::GankClient>,
    ledger: Option<std::sync::Arc<dyn ledger::Ledger>>,
    pre: Vec<Check>,
) -> Result<(Report, Vec<String>), CliError> {
    let (mut doctor, skipped) = platform_doctor(wiring, &args.provider, gank)?;
    doctor.ledger = ledger;
    doctor.quiet_after = time::Duration::days(i64::from(args.quiet_days));
    let diagnosis = doctor.run().await;
    let mut checks = pre;
    checks.extend(skipped);
    let mut report = diagnosis.report;
    let plan = diagnosis.plan;
    let lines = plan.lines();
    if !args.fix || plan.is_empty() {
        checks.append(&mut report.checks);
        return Ok((Report { checks }, if args.fix { Vec::new() } else { lines }));
    }
    let Some(client) = &doctor.gumroad else {
        checks.append(&mut report.checks);
        return Ok((Report { checks }, lines));
    };
    say("creator doctor --fix will change these Gumroad subscriptions:");
    for line in &lines {
        say(format!("  {line}"));
    }
    let write = crate::write::WriteArgs {
        dry_run: false,
        yes: args.yes,
        no_input: args.no_input,
    };
    crate::write::confirm(&write, &format!("Make these {} change(s)?", lines.len()))?;
    let applied = doctor::gumroad::apply(client, &plan, |line| say(format!("now: {line}"))).await;
    // The subscriptions as they are after the changes.
    let (after, _) = doctor::gumroad::check(client, &doctor.wiring).await;
    let mut done = false;
    for c in report.checks {
        if c.name.starts_with("gumroad.") {
            if !done {
                checks.extend(applied.iter().cloned());
                checks.extend(after.iter().cloned());
                done = true;
            }
        } else {
            checks.push(c);
        }
    }
    Ok((Report { checks }, Vec::new()))
}

/// A line on stderr (what `--fix` is about to do), ignoring a closed stderr.
fn say(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn print(report: &Report, plan: &[String], format: DoctorFormat) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    let written = match format {
        DoctorFormat::Text => {
            let mut text = report.to_text();
            if !plan.is_empty() {
                text.push_str("`creator doctor --fix` would:\n");
                for line in plan {
                    text.push_str(&format!("  {line}\n"));
                }
            }
            out.write_all(text.as_bytes())
        }
        DoctorFormat::Json => {
            let value = json!({
                "status": report.overall(),
                "exit_code": report.exit_code(),
                "checks": report.checks,
                "fix_plan": plan,
            });
            writeln!(out, "{value}")
        }
    };
    super::output_result(written.and_then(|()| out.flush()))
}
