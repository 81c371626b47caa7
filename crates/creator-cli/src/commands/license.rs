//! `creator license verify`: check a Gumroad license key and print the
//! purchase and what is left of it; `enable`, `disable`, `decrement`,
//! `rotate` change it. A key left out (or `-`) is read from standard input,
//! so it is not in the shell history or `ps`.

use std::io::Write as IoWrite;

use clap::{Args, Subcommand, ValueEnum};
use gumroad_api::{GumroadClient, License, LicenseHolder, VerifyLicense};
use serde::Serialize;
use time::OffsetDateTime;

use super::output_result;
use super::target::{Write, confirm, plain};
use crate::CliError;
use crate::error::{Credentials, api_answered, provider_error};

/// License subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum LicenseCommand {
    /// Verify a Gumroad license key (no access token needed). Exit code 0 when
    /// the license grants access, 4 when it exists but no longer does.
    Verify(VerifyArgs),
    /// Let a disabled license key grant access again.
    Enable(Write<KeyArgs>),
    /// Stop a license key granting access (asks first; `enable` undoes it).
    Disable(Write<KeyArgs>),
    /// Count one use less on a license key.
    Decrement(Write<KeyArgs>),
    /// Replace a license key with a new one; the old one stops working (asks first).
    Rotate(Write<KeyArgs>),
}

/// A license key of a product.
#[derive(Debug, Clone, Args)]
pub struct KeyArgs {
    /// The product id.
    #[arg(long)]
    product: String,
    /// The license key; leave it out (or `-`) to read it from standard input.
    key: Option<String>,
}

/// The license key given, or standard input for none or `-` (never typed
/// at a terminal, where it would show); remembered as a secret so `--debug`
/// and `--dry-run` never print it.
///
/// # Errors
/// [`CliError::Usage`] for an empty key, or standard input that is a
/// terminal, empty, or more than one word.
pub fn license_key(given: Option<&str>) -> Result<String, CliError> {
    let key = match given {
        Some(k) if k != "-" => k.trim().to_owned(),
        _ => super::auth::read_stdin_secret(
            "the license key",
            "pipe it in, as in `creator license rotate --product ID < key.txt`",
        )?
        .expose()
        .to_owned(),
    };
    if key.is_empty() {
        return Err(CliError::Usage("the license key is empty".into()));
    }
    crate::watch::register_secret(&key);
    Ok(key)
}

/// Output of `creator license verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum LicenseFormat {
    /// `field: value` lines for people.
    #[default]
    Table,
    /// One JSON object.
    Json,
}

/// Options of `creator license verify`.
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// The product id (shown in the product's license-key settings; not the permalink).
    #[arg(long)]
    product: String,
    /// The license key; leave it out (or `-`) to read it from standard input.
    key: Option<String>,
    /// Count this check as a use (Gumroad's default; off here, so checking is free).
    #[arg(long)]
    increment_uses: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LicenseFormat::Table)]
    format: LicenseFormat,
    /// Gumroad API base URL (`--help` does not show the variable's value: a
    /// proxy URL can carry a password).
    #[arg(
        long,
        env = "GUMROAD_API_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    gumroad_url: Option<String>,
}

/// The verdict printed by `creator license verify`.
#[derive(Debug, Clone, Serialize)]
pub struct LicenseReport {
    /// True when the license grants access now.
    pub grants_access: bool,
    /// Why it does not (empty when it does).
    pub reasons: Vec<String>,
    /// Uses counted by Gumroad.
    pub uses: Option<i64>,
    /// Whether this check counted as a use.
    pub counted_this_check: bool,
    /// The license as Gumroad returned it.
    pub license: License,
}

fn reasons(license: &License, now: OffsetDateTime) -> Vec<String> {
    let Some(p) = license.purchase() else {
        return Vec::new();
    };
    let yes = |b: Option<bool>| b == Some(true);
    let mut why = Vec::new();
    if yes(p.refunded) {
        why.push("refunded".to_owned());
    }
    if yes(p.chargebacked) {
        why.push("charged back".to_owned());
    }
    if yes(p.disputed) && !yes(p.dispute_won) {
        why.push("disputed".to_owned());
    }
    let at = |t: OffsetDateTime| crate::ledger::timestamp(t);
    if let Some(t) = p.subscription_ended_at.filter(|t| *t <= now) {
        why.push(format!("subscription ended at {}", at(t)));
    }
    if let Some(t) = p.subscription_failed_at.filter(|t| *t <= now) {
        why.push(format!("subscription payment failed at {}", at(t)));
    }
    if let Some(t) = p.subscription_cancelled_at.filter(|t| *t <= now) {
        why.push(format!("subscription cancelled, access ended at {}", at(t)));
    }
    if why.is_empty() && !p.grants_access_at(now) {
        why.push("Gumroad reports a state that no longer grants access".to_owned());
    }
    why
}

/// Verifies `key` for `product` with Gumroad (no access token) at
/// `gumroad_url`, and says whether it grants access now (`creator license
/// verify`, and the `license_verify` tool of `creator mcp`).
///
/// # Errors
/// A bad key or product (one line saying so), or a platform error.
pub async fn verify(
    gumroad_url: Option<&str>,
    product: &str,
    key: &str,
    increment_uses: bool,
) -> Result<LicenseReport, CliError> {
    let mut builder = GumroadClient::unauthenticated();
    if let Some(url) = gumroad_url {
        builder = builder.base_url(url.to_owned());
    }
    let creds = Credentials::GUMROAD_PUBLIC;
    let client = builder.build().map_err(|e| provider_error(e, creds))?;
    let request =
        VerifyLicense::new(product.to_owned(), key.to_owned()).increment_uses_count(increment_uses);
    let license = match client.licenses().verify(&request).await {
        Ok(l) => l,
        // Gumroad's own "no such license" (a JSON answer); a bare 404 means
        // GUMROAD_API_URL points at something else, which provider_error says.
        Err(e) if e.is_not_found() && api_answered(&e) => {
            let message = format!(
                "Gumroad does not know this license key for product {product} (it may be mistyped, disabled, or for another product): check the key and --product"
            );
            return Err(CliError::Provider {
                message,
                source: Box::new(e),
            });
        }
        Err(e) => {
            if let Some(id) = gumroad_api::required_product_id(&e) {
                let message = format!(
                    "Gumroad needs the product id, not the permalink: run again with --product {id}"
                );
                return Err(CliError::Provider {
                    message,
                    source: Box::new(e),
                });
            }
            return Err(provider_error(e, creds));
        }
    };
    let why = reasons(&license, OffsetDateTime::now_utc());
    Ok(LicenseReport {
        grants_access: why.is_empty(),
        reasons: why,
        uses: license.uses,
        counted_this_check: increment_uses,
        license,
    })
}

/// Runs `creator license …`.
///
/// # Errors
/// A bad key or product (one line saying so), a platform error, or
/// [`CliError::LicenseNotValid`] (exit code 4) when the license exists but
/// no longer grants access.
pub async fn run(command: LicenseCommand) -> Result<(), CliError> {
    use LicenseCommand as L;
    #[derive(Clone, Copy)]
    enum Op {
        Enable,
        Disable,
        Decrement,
        Rotate,
    }
    let (op, w) = match command {
        L::Verify(args) => return verify_command(args).await,
        L::Enable(w) => (Op::Enable, w),
        L::Disable(w) => (Op::Disable, w),
        L::Decrement(w) => (Op::Decrement, w),
        L::Rotate(w) => (Op::Rotate, w),
    };
    w.run(|c, a| {
        let key = license_key(a.key.as_deref())?;
        let p = &a.product;
        let licenses = c.licenses();
        match op {
            Op::Enable => plain("License key enabled", async move {
                licenses.enable(p, &key).await
            }),
            Op::Disable => confirm(
                format!("Disable this license key of product {p}? Its buyer loses access."),
                "License key disabled",
                async move { licenses.disable(p, &key).await },
            ),
            Op::Decrement => plain("One use less counted", async move {
                licenses.decrement_uses_count(p, &key).await
            }),
            Op::Rotate => confirm(
                format!("Rotate this license key of product {p}? The old key stops working."),
                "License key rotated",
                async move { licenses.rotate(p, &key).await },
            )
            .map(|change| {
                change.saying(|v| {
                    let new = v["purchase"]["license_key"]
                        .as_str()
                        .unwrap_or("(not returned)");
                    format!("License key rotated; the new key: {new}")
                })
            }),
        }
    })
    .await
}

async fn verify_command(args: VerifyArgs) -> Result<(), CliError> {
    let key = license_key(args.key.as_deref())?;
    let report = verify(
        args.gumroad_url.as_deref(),
        &args.product,
        &key,
        args.increment_uses,
    )
    .await?;
    let why = report.reasons.clone();
    let mut out = std::io::stdout();
    match args.format {
        LicenseFormat::Json => output_result(writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ))?,
        LicenseFormat::Table => output_result(print_table(&mut out, &report))?,
    }
    if why.is_empty() {
        Ok(())
    } else {
        Err(CliError::LicenseNotValid(why.join(", ")))
    }
}

fn print_table(out: &mut dyn IoWrite, r: &LicenseReport) -> std::io::Result<()> {
    let verdict = if r.grants_access {
        "valid: grants access".to_owned()
    } else {
        format!("NOT valid: {}", r.reasons.join(", "))
    };
    let ts = |t: Option<OffsetDateTime>| t.map(crate::ledger::timestamp).unwrap_or_default();
    let b = |v: Option<bool>| match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    let mut lines: Vec<(&str, String)> = vec![
        ("license", verdict),
        (
            "uses",
            format!(
                "{}{}",
                r.uses.map(|u| u.to_string()).unwrap_or_else(|| "?".into()),
                if r.counted_this_check {
                    " (this check counted)"
                } else {
                    " (this check not counted)"
                }
            ),
        ),
    ];
    match &r.license.holder {
        LicenseHolder::Purchase(p) => {
            let o = |v: &Option<String>| v.clone().unwrap_or_default();
            lines.extend([
                ("sale_id", o(&p.sale_id.clone().or_else(|| p.id.clone()))),
                (
                    "product",
                    format!("{} ({})", o(&p.product_name), o(&p.product_id)),
                ),
                ("email", o(&p.email)),
                ("purchased_at", ts(p.created_at.or(p.sale_timestamp))),
                (
                    "price",
                    p.price
                        .map(|c| {
                            creator_core::Money::from_minor(c, creator_core::Currency::USD)
                                .to_string()
                        })
                        .unwrap_or_default(),
                ),
                (
                    "quantity",
                    p.quantity.map(|q| q.to_string()).unwrap_or_default(),
                ),
                ("refunded", b(p.refunded).into()),
                ("chargebacked", b(p.chargebacked).into()),
                ("disputed", b(p.disputed).into()),
                ("test", b(p.test).into()),
                ("subscription_id", o(&p.subscription_id)),
                ("subscription_ended_at", ts(p.subscription_ended_at)),
                ("subscription_cancelled_at", ts(p.subscription_cancelled_at)),
                ("subscription_failed_at", ts(p.subscription_failed_at)),
            ]);
        }
        LicenseHolder::ImportedCustomer(c) => {
            lines.push(("holder", "imported customer".into()));
            lines.push(("email", c.email.clone().unwrap_or_default()));
        }
        #[allow(unreachable_patterns)]
        _ => lines.push(("holder", "unknown".into())),
    }
    for (k, v) in lines.into_iter().filter(|(_, v)| !v.is_empty()) {
        let v: String = v
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        writeln!(out, "{k:<26}{v}")?;
    }
    Ok(())
}
