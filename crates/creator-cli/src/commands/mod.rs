//! The subcommands of `creator`, one module each, plus shared helpers.

pub mod access;
pub mod accounts;
pub mod auth;
pub mod deliveries;
pub mod destinations;
pub mod docs;
pub mod doctor;
pub mod events;
pub mod follow;
pub mod forwarding;
pub mod license;
pub mod list;
pub mod money;
pub mod products;
pub mod quarantine;
pub mod reconcile;
pub mod relay;
pub mod relay_config;
pub mod sales;
pub mod shop;
pub mod simulate;
pub mod sync;
pub mod target;
pub mod upload;
pub mod windows;

use std::io;

use clap::Args;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime};

use crate::CliError;

/// Where the ledger is.
#[derive(Clone, Args)]
pub struct DbArgs {
    /// The ledger: an SQLite file (created on first use), or a
    /// `postgres://user@host/db` URL (builds with the `postgres` feature).
    #[arg(
        long,
        env = "CREATOR_DB",
        default_value = "creator.db",
        hide_env_values = true
    )]
    pub db: String,
}

impl std::fmt::Debug for DbArgs {
    // A PostgreSQL URL may carry a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbArgs")
            .field("db", &relay::shown_db(&self.db))
            .finish()
    }
}

/// A command that lists without a subcommand (`creator sales --provider
/// gank`) and acts with one (`creator sales refund ID`).
///
/// Written by hand because clap's derive cannot tell whether an
/// `Option<Args>` holding flattened groups was given: the subcommand's
/// presence decides instead.
#[derive(Debug, Clone)]
pub enum ListOr<L, C> {
    /// No subcommand: the list, with its options.
    List(L),
    /// A subcommand.
    Command(C),
}

impl<L: clap::FromArgMatches, C: clap::Subcommand> clap::FromArgMatches for ListOr<L, C> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        if matches.subcommand_name().is_some() {
            C::from_arg_matches(matches).map(Self::Command)
        } else {
            L::from_arg_matches(matches).map(Self::List)
        }
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl<L: Args, C: clap::Subcommand> Args for ListOr<L, C> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        C::augment_subcommands(L::augment_args(cmd))
            .args_conflicts_with_subcommands(true)
            .subcommand_negates_reqs(true)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// All of standard input, as text (an email body, content pages).
///
/// # Errors
/// [`CliError::Usage`] when it cannot be read as text.
pub(crate) fn read_stdin() -> Result<String, CliError> {
    let mut text = String::new();
    io::Read::read_to_string(&mut io::stdin(), &mut text)
        .map_err(|e| CliError::Usage(format!("could not read standard input: {e}")))?;
    Ok(text)
}

/// Maps an output error: a closed pipe (`creator events | head`) ends the
/// command quietly; anything else is an error.
pub(crate) fn output_result<T>(r: io::Result<T>) -> Result<(), CliError> {
    match r {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Output(e)),
    }
}

/// Parses `--since`: an RFC 3339 time (`2025-03-14T10:00:00Z`), a day
/// (`2025-03-14`, midnight UTC), or an age (`30m`, `24h`, `7d`, `2w`) before `now`.
///
/// # Errors
/// [`CliError::Usage`] for anything else.
pub fn parse_since(value: &str, now: OffsetDateTime) -> Result<OffsetDateTime, CliError> {
    let v = value.trim();
    if let Ok(t) = OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339) {
        return Ok(t);
    }
    if let Ok(d) = Date::parse(v, format_description!("[year]-[month]-[day]")) {
        return Ok(PrimitiveDateTime::new(d, time::Time::MIDNIGHT).assume_utc());
    }
    let unit = v.chars().last().unwrap_or(' ');
    let number = v[..v.len().saturating_sub(unit.len_utf8())].trim();
    if let Ok(n) = number.parse::<i64>()
        && n >= 0
    {
        let age = match unit {
            's' => Some(Duration::seconds(n)),
            'm' => Some(Duration::minutes(n)),
            'h' => Some(Duration::hours(n)),
            'd' => Some(Duration::days(n)),
            'w' => Some(Duration::weeks(n)),
            _ => None,
        };
        if let Some(age) = age
            && let Some(t) = now.checked_sub(age)
        {
            return Ok(t);
        }
    }
    Err(CliError::Usage(format!(
        "--since `{value}` is not a time: use 2025-03-14, 2025-03-14T10:00:00Z, or an age like 30m, 24h, 7d"
    )))
}

/// Parses a `YYYY-MM-DD` day option.
///
/// # Errors
/// [`CliError::Usage`] naming the option.
pub fn parse_day(option: &str, value: &str) -> Result<Date, CliError> {
    Date::parse(value.trim(), format_description!("[year]-[month]-[day]")).map_err(|_| {
        CliError::Usage(format!(
            "{option} `{value}` is not a day: use the form 2025-03-14"
        ))
    })
}

/// Formats a day as `YYYY-MM-DD`.
pub fn day_string(d: Date) -> String {
    d.format(format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn since_accepts_times_days_and_ages() {
        let now = datetime!(2025-03-14 12:00:00 UTC);
        assert_eq!(
            parse_since("2025-03-01", now).unwrap(),
            datetime!(2025-03-01 00:00:00 UTC)
        );
        assert_eq!(
            parse_since("2025-03-01T10:00:00+02:00", now).unwrap(),
            datetime!(2025-03-01 08:00:00 UTC)
        );
        assert_eq!(
            parse_since("24h", now).unwrap(),
            datetime!(2025-03-13 12:00:00 UTC)
        );
        assert_eq!(
            parse_since("2w", now).unwrap(),
            datetime!(2025-02-28 12:00:00 UTC)
        );
        for bad in ["yesterday", "", "-3d", "5x", "d", "é"] {
            assert!(parse_since(bad, now).is_err(), "{bad}");
        }
    }
}
