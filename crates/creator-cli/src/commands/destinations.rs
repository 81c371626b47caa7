//! `creator destinations list|add|remove|rotate-secret|enable|disable`:
//! where the relay forwards events (see [`crate::relay::forward`]).

use clap::{Args, Subcommand};
use creator_core::Secret;

use super::events::EventProvider;
use super::{DbArgs, output_result};
use crate::CliError;
use crate::ledger::{
    self, Destination, DestinationChange, DestinationWrite, Ledger, NewDestination, timestamp,
};
use crate::output::{Format, Record, RecordWriter};
use crate::relay::forward::sign;

/// `creator destinations`.
#[derive(Debug, Args)]
pub struct DestinationsArgs {
    /// What to do (default: list).
    #[command(subcommand)]
    command: Option<DestinationsCommand>,
    #[command(flatten)]
    list: ListArgs,
}

/// The `creator destinations` subcommands.
#[derive(Debug, Subcommand)]
pub enum DestinationsCommand {
    /// List the destinations (never their secrets).
    List(ListArgs),
    /// Add a destination: every event stored from now on is POSTed to it,
    /// signed per Standard Webhooks. The secret is generated and shown once
    /// unless given.
    Add(AddArgs),
    /// Remove a destination; its undelivered messages become dead letters
    /// (kept; `creator events replay --destination` sends them elsewhere).
    Remove(NameArgs),
    /// Give a destination a new secret; the old one keeps signing (a second
    /// signature in the header) until `--keep-old` runs out.
    RotateSecret(RotateArgs),
    /// Enable a destination again (after a `410 Gone`, or `disable`).
    Enable(NameArgs),
    /// Stop sending to a destination; its queued messages wait, and events
    /// stored meanwhile are not queued for it.
    Disable(DisableArgs),
}

/// Options of `creator destinations list`.
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
}

/// Options of `creator destinations add`.
#[derive(Debug, Args)]
pub struct AddArgs {
    #[command(flatten)]
    db: DbArgs,
    /// A name for it (letters, digits, `-`, `_`, `.`).
    name: String,
    /// The URL events are POSTed to (`https://…`; `http://` only for loopback or a private network).
    url: String,
    /// The signing secret (`whsec_` + base64 of 24 to 64 random bytes);
    /// generated and shown once when left out.
    #[arg(long, env = "CREATOR_DESTINATION_SECRET", hide_env_values = true, value_parser = secret)]
    secret: Option<Secret>,
    /// Only events of this provider.
    #[arg(long, value_enum)]
    provider: Option<EventProvider>,
    /// Only this kind (`sale`, `refund`, …) or platform event name.
    #[arg(long)]
    kind: Option<String>,
}

/// A destination's name.
#[derive(Debug, Args)]
pub struct NameArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The destination.
    name: String,
}

/// Options of `creator destinations disable`.
#[derive(Debug, Args)]
pub struct DisableArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The destination.
    name: String,
    /// Why (shown by `creator destinations list`).
    #[arg(long, default_value = "disabled by hand")]
    reason: String,
}

/// Options of `creator destinations rotate-secret`.
#[derive(Debug, Args)]
pub struct RotateArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The destination.
    name: String,
    /// The new secret (generated and shown once when left out).
    #[arg(long, env = "CREATOR_DESTINATION_SECRET", hide_env_values = true, value_parser = secret)]
    secret: Option<Secret>,
    /// How long the old secret keeps signing beside the new one (`24h`, `7d`, `0s`).
    #[arg(long, default_value = "24h")]
    keep_old: String,
}

fn secret(value: &str) -> Result<Secret, String> {
    Ok(Secret::new(value))
}

/// Runs `creator destinations`.
///
/// # Errors
/// Bad options, an unknown destination, or a ledger that cannot be opened.
pub async fn run(args: DestinationsArgs) -> Result<(), CliError> {
    match args.command {
        None => list(args.list).await,
        Some(DestinationsCommand::List(a)) => list(a).await,
        Some(DestinationsCommand::Add(a)) => add(a).await,
        Some(DestinationsCommand::Remove(a)) => {
            change(&a.db, &a.name, DestinationChange::Remove).await
        }
        Some(DestinationsCommand::Enable(a)) => {
            change(&a.db, &a.name, DestinationChange::Enable).await
        }
        Some(DestinationsCommand::Disable(a)) => {
            change(
                &a.db,
                &a.name,
                DestinationChange::Disable { reason: a.reason },
            )
            .await
        }
        Some(DestinationsCommand::RotateSecret(a)) => rotate(a).await,
    }
}

/// Checks a destination name.
pub(crate) fn check_name(name: &str) -> Result<(), CliError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "destination name {name:?} is not usable: use 1 to 64 letters, digits, `-`, `_` or `.`"
        )))
    }
}

/// Checks a destination URL: `http` or `https` with a host. Returns a
/// warning for plain HTTP beyond loopback.
pub(crate) fn check_url(url: &str) -> Result<Option<String>, CliError> {
    let parsed = reqwest::Url::parse(url).map_err(|e| {
        CliError::Usage(format!(
            "`{}` is not a URL ({e}): use https://your-app.example/webhooks",
            shown_url(url)
        ))
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(CliError::Usage(format!(
            "`{}` is not an http:// or https:// URL with a host",
            shown_url(url)
        )));
    }
    let host = parsed.host_str().unwrap_or("");
    let loopback = host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    Ok((parsed.scheme() == "http" && !loopback).then(|| {
        format!(
            "warning: {} is plain HTTP: the events (buyers' emails, amounts) travel unencrypted; use https:// unless it is on a private network",
            shown_url(url)
        )
    }))
}

/// A URL as shown: any password in it replaced by `…`.
pub(crate) fn shown_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("…"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

fn now() -> String {
    timestamp(time::OffsetDateTime::now_utc())
}

/// The given secret (checked), or a new one; `true` when generated.
pub(crate) fn secret_or_new(given: Option<Secret>) -> Result<(Secret, bool), CliError> {
    match given {
        Some(s) => {
            sign::check_secret(s.expose()).map_err(CliError::Usage)?;
            Ok((s, false))
        }
        None => Ok((sign::generate_secret().map_err(CliError::Relay)?, true)),
    }
}

fn say(line: impl std::fmt::Display) -> Result<(), CliError> {
    use std::io::Write as _;
    output_result(writeln!(std::io::stdout(), "{line}"))
}

fn warn(line: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{line}");
}

async fn open(db: &DbArgs) -> Result<std::sync::Arc<dyn Ledger>, CliError> {
    super::events::existing(&db.db)?;
    Ok(ledger::open(&db.db).await?)
}

async fn list(args: ListArgs) -> Result<(), CliError> {
    let ledger = super::events::open_existing(&args.db.db).await?;
    let result = ledger.destinations().await;
    ledger.close().await;
    let mut out = RecordWriter::new::<Destination>(std::io::stdout(), args.format);
    for d in result? {
        if let Err(e) = out.write(&d) {
            return output_result::<()>(Err(e));
        }
    }
    output_result(out.finish())
}

async fn add(args: AddArgs) -> Result<(), CliError> {
    check_name(&args.name)?;
    if let Some(warning) = check_url(&args.url)? {
        warn(&warning);
    }
    let (secret, generated) = secret_or_new(args.secret)?;
    let ledger = ledger::open(&args.db.db).await?;
    let written = ledger
        .add_destination(NewDestination {
            name: args.name.clone(),
            url: args.url.clone(),
            secret: secret.clone(),
            provider: args
                .provider
                .and_then(|p| clap::ValueEnum::to_possible_value(&p))
                .map(|v| v.get_name().to_owned()),
            kind: args.kind.clone(),
            now: now(),
        })
        .await;
    ledger.close().await;
    match written? {
        DestinationWrite::Done(_) => {
            say(format_args!(
                "added destination {}: {}",
                args.name,
                shown_url(&args.url)
            ))?;
            if generated {
                say(format_args!(
                    "  secret: {}   (shown only this once: give it to the receiver; `creator destinations rotate-secret {}` makes a new one)",
                    secret.expose(),
                    args.name
                ))?;
            }
            Ok(())
        }
        DestinationWrite::NameTaken => Err(CliError::Usage(format!(
            "there is a destination named {} already: choose another name, or `creator destinations remove {}` first",
            args.name, args.name
        ))),
        DestinationWrite::NotFound => Err(CliError::Usage(format!(
            "destination {} could not be added",
            args.name
        ))),
    }
}

async fn change(db: &DbArgs, name: &str, change: DestinationChange) -> Result<(), CliError> {
    let what = match &change {
        DestinationChange::Enable => "enabled",
        DestinationChange::Disable { .. } => "disabled",
        DestinationChange::Remove => "removed",
        DestinationChange::RotateSecret { .. } => "re-keyed",
    };
    let ledger = open(db).await?;
    let written = ledger.change_destination(name, change, &now()).await;
    ledger.close().await;
    match written? {
        DestinationWrite::Done(_) => say(format_args!("{what} destination {name}")),
        _ => Err(not_found(name)),
    }
}

pub(crate) fn not_found(name: &str) -> CliError {
    CliError::Usage(format!(
        "no destination named {name:?}: see `creator destinations list`"
    ))
}

async fn rotate(args: RotateArgs) -> Result<(), CliError> {
    let now_t = time::OffsetDateTime::now_utc();
    let keep = parse_duration("--keep-old", &args.keep_old)?;
    let keep = time::Duration::try_from(keep).unwrap_or(time::Duration::WEEK);
    let (secret, generated) = secret_or_new(args.secret)?;
    let expires = timestamp(now_t + keep);
    let ledger = open(&args.db).await?;
    let written = ledger
        .change_destination(
            &args.name,
            DestinationChange::RotateSecret {
                secret: secret.clone(),
                old_expires_at: expires.clone(),
            },
            &timestamp(now_t),
        )
        .await;
    ledger.close().await;
    match written? {
        DestinationWrite::Done(_) => {
            say(format_args!(
                "new secret for destination {}; the old one keeps signing until {expires}",
                args.name
            ))?;
            if generated {
                say(format_args!(
                    "  secret: {}   (shown only this once)",
                    secret.expose()
                ))?;
            }
            Ok(())
        }
        _ => Err(not_found(&args.name)),
    }
}

/// The destination for `creator relay --forward URL`: the one with that
/// URL, or a new one named after its host (its generated secret returned,
/// to be shown once).
///
/// # Errors
/// A bad URL, or a ledger that fails.
pub(crate) async fn ensure_forward(
    ledger: &dyn Ledger,
    url: &str,
) -> Result<(Destination, Option<Secret>), CliError> {
    if let Some(warning) = check_url(url)? {
        warn(&format!("  {warning}"));
    }
    let existing = ledger.destinations().await?;
    if let Some(d) = existing.iter().find(|d| d.url == url) {
        return Ok((d.clone(), None));
    }
    let base: String = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| {
                format!(
                    "{h}{}",
                    u.port().map(|p| format!("-{p}")).unwrap_or_default()
                )
            })
        })
        .unwrap_or_else(|| "forward".into())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .take(56)
        .collect();
    let (secret, _) = secret_or_new(None)?;
    for n in 1..100 {
        let name = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let written = ledger
            .add_destination(NewDestination {
                name,
                url: url.to_owned(),
                secret: secret.clone(),
                provider: None,
                kind: None,
                now: now(),
            })
            .await?;
        match written {
            DestinationWrite::Done(Some(d)) => return Ok((*d, Some(secret))),
            DestinationWrite::NameTaken => continue,
            _ => break,
        }
    }
    Err(CliError::Relay(format!(
        "could not add a destination for {}: name it with `creator destinations add NAME URL`",
        shown_url(url)
    )))
}

impl Record for Destination {
    const COLUMNS: &'static [(&'static str, usize)] = &[
        ("name", 16),
        ("url", 40),
        ("enabled", 7),
        ("provider", 8),
        ("kind", 10),
        ("secrets", 7),
        ("disabled_reason", 30),
        ("created_at", 20),
    ];

    fn cells(&self) -> Vec<String> {
        let now = now();
        vec![
            self.name.clone(),
            shown_url(&self.url),
            if self.enabled {
                "yes".into()
            } else {
                "no".into()
            },
            self.provider.clone().unwrap_or_default(),
            self.kind.clone().unwrap_or_default(),
            self.signing_secrets(&now).len().to_string(),
            self.disabled_reason.clone().unwrap_or_default(),
            short_time(&self.created_at),
        ]
    }

    fn json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.insert("url".into(), shown_url(&self.url).into());
            o.insert(
                "signing_secrets".into(),
                self.signing_secrets(&now()).len().into(),
            );
        }
        v
    }
}

/// Parses a duration such as `500ms`, `10s`, `5m`, `24h`, `7d`, `0s`.
///
/// # Errors
/// A usage error naming `option`.
pub(crate) fn parse_duration(option: &str, value: &str) -> Result<std::time::Duration, CliError> {
    let v = value.trim();
    let at = v.find(|c: char| !c.is_ascii_digit()).unwrap_or(v.len());
    let (number, unit) = v.split_at(at);
    let n: u64 = number.parse().map_err(|_| bad_duration(option, value))?;
    let seconds = |k: u64| n.checked_mul(k).map(std::time::Duration::from_secs);
    match unit {
        "ms" => Some(std::time::Duration::from_millis(n)),
        "s" => seconds(1),
        "m" => seconds(60),
        "h" => seconds(3600),
        "d" => seconds(86_400),
        "w" => seconds(604_800),
        _ => None,
    }
    .ok_or_else(|| bad_duration(option, value))
}

fn bad_duration(option: &str, value: &str) -> CliError {
    CliError::Usage(format!(
        "{option} `{value}` is not a duration: use a number and a unit, such as 500ms, 10s, 5m, 24h or 7d"
    ))
}

/// A ledger timestamp to the second, for tables.
pub(crate) fn short_time(t: &str) -> String {
    match t.split_once('.') {
        Some((head, _)) => format!("{head}Z"),
        None => t.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_urls_are_checked_and_passwords_never_shown() {
        assert!(check_name("my-app_1.prod").is_ok());
        for bad in ["", "has space", "slash/", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert_eq!(check_url("https://app.example/hooks").unwrap(), None);
        assert_eq!(check_url("http://127.0.0.1:9000/h").unwrap(), None);
        assert!(
            check_url("http://app.example/h")
                .unwrap()
                .unwrap()
                .contains("plain HTTP")
        );
        for bad in [
            "app.example/hooks",
            "ftp://app.example/",
            "https://",
            "nonsense",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        let shown = shown_url("https://user:hunter2-secret@app.example/h");
        assert!(!shown.contains("hunter2"), "{shown}");
        let e = check_url("ftp://user:hunter2-secret@app.example/").unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn durations_parse_and_bad_ones_are_named() {
        use std::time::Duration;
        assert_eq!(
            parse_duration("--x", "24h").unwrap(),
            Duration::from_secs(86_400)
        );
        assert_eq!(
            parse_duration("--x", "500ms").unwrap(),
            Duration::from_millis(500)
        );
        assert_eq!(parse_duration("--x", "0s").unwrap(), Duration::ZERO);
        for bad in ["", "24", "h", "1y", "-1s", "1.5h"] {
            let e = parse_duration("--x", bad).unwrap_err().to_string();
            assert!(e.starts_with("--x"), "{e}");
        }
    }

    #[test]
    fn debug_of_the_parsed_commands_shows_no_secret() {
        use clap::Parser;
        let cli = crate::Cli::parse_from([
            "creator",
            "destinations",
            "add",
            "app",
            "https://app.example/h",
            "--secret",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ]);
        let shown = format!("{cli:?}");
        assert!(!shown.contains("MfKQ9r8GKY"), "{shown}");
    }
}
