//! Credentials: which token a command uses, and where it comes from.
//!
//! The environment always wins (`GUMROAD_ACCESS_TOKEN`, `GANK_LOGIN_TOKEN`,
//! `GANK_CREATOR_TOKEN`, `MATON_API_KEY`: CI sets them); otherwise the
//! credentials `creator auth login` stored for the active profile
//! (`--profile NAME`, `CREATOR_PROFILE`, else `default`) are used, from the
//! OS keyring or the 0600 file ([`store`]).

pub mod store;

use std::sync::RwLock;

use creator_core::Secret;

use crate::CliError;
use store::{Backend, Vault};

static PROFILE: RwLock<Option<String>> = RwLock::new(None);

/// The profile used when none is named.
pub const DEFAULT_PROFILE: &str = "default";

/// Sets the active profile for this process.
///
/// # Errors
/// [`CliError::Usage`] for a name that is empty or not made of letters,
/// digits, `-`, `_` and `.`.
pub fn set_profile(name: Option<&str>) -> Result<(), CliError> {
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = name
        && !n
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(CliError::Usage(format!(
            "--profile `{n}`: use letters, digits, `-`, `_` and `.` only"
        )));
    }
    if let Ok(mut p) = PROFILE.write() {
        *p = name.map(str::to_owned);
    }
    Ok(())
}

/// The active profile.
pub fn profile() -> String {
    PROFILE
        .read()
        .ok()
        .and_then(|p| p.clone())
        .unwrap_or_else(|| DEFAULT_PROFILE.to_owned())
}

/// The environment variable of each stored secret: (variable, provider, name).
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("GUMROAD_ACCESS_TOKEN", "gumroad", "access_token"),
    ("GANK_LOGIN_TOKEN", "gank", "login_token"),
    ("GANK_CREATOR_TOKEN", "gank", "creator_token"),
    ("MATON_API_KEY", "maton", "api_key"),
];

/// Where a credential came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An environment variable.
    Env(&'static str),
    /// What `creator auth login` stored.
    Stored(Backend),
}

impl Source {
    /// `environment (GUMROAD_ACCESS_TOKEN)`, `keyring`, `file`.
    pub fn describe(&self) -> String {
        match self {
            Source::Env(var) => format!("environment ({var})"),
            Source::Stored(b) => b.as_str().to_owned(),
        }
    }
}

/// The credential of `provider` named `name` (`access_token`, …): its
/// environment variable when set, else the stored one of the active profile.
///
/// # Errors
/// A keyring or file that holds it but cannot be read.
pub fn credential(provider: &str, name: &str) -> Result<Option<(Secret, Source)>, CliError> {
    let var = VARIABLES
        .iter()
        .find(|(_, p, n)| *p == provider && *n == name)
        .map(|(v, _, _)| *v);
    if let Some(var) = var
        && let Ok(value) = std::env::var(var)
        && !value.trim().is_empty()
    {
        crate::watch::register_secret(value.trim());
        return Ok(Some((Secret::new(value.trim()), Source::Env(var))));
    }
    stored(provider, name)
}

/// The stored credential of `provider` named `name` in the active profile.
///
/// # Errors
/// As [`credential`].
pub fn stored(provider: &str, name: &str) -> Result<Option<(Secret, Source)>, CliError> {
    let vault = Vault::open()?;
    let profile = profile();
    let Some(login) = vault.login(&profile, provider)? else {
        return Ok(None);
    };
    let secret = vault.secret(&profile, provider, name)?;
    Ok(secret.map(|s| {
        crate::watch::register_secret(s.expose());
        (s, Source::Stored(login.stored_in.unwrap_or(Backend::File)))
    }))
}

/// The stored secret behind environment variable `var`, for commands that
/// read `var` (`None` when nothing is stored or `var` names no credential).
///
/// # Errors
/// As [`credential`].
pub fn stored_for_variable(var: &str) -> Result<Option<Secret>, CliError> {
    match VARIABLES.iter().find(|(v, _, _)| *v == var) {
        Some((_, provider, name)) => Ok(stored(provider, name)?.map(|(s, _)| s)),
        None => Ok(None),
    }
}

/// The default Maton connection stored by `creator auth login --provider maton`.
pub fn stored_maton_connection() -> Option<String> {
    let vault = Vault::open().ok()?;
    vault.login(&profile(), "maton").ok()??.connection
}
