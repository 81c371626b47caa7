//! The CLI's error type: every failure is one line that says what to do.

use std::fmt;

use creator_core::Provider;
use maton_gateway::MatonErrorKind;

use crate::ledger::LedgerError;

/// Everything the `creator` command can fail with.
///
/// `Display` is a single line meant for a person: what went wrong and what to
/// do about it. It never contains a token, key or webhook secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// A credential the command needs is not set in the environment.
    #[error("{var} is not set: {hint}")]
    MissingEnv {
        /// The environment variable to set.
        var: &'static str,
        /// Where the value comes from.
        hint: &'static str,
    },
    /// A platform call failed; `advice` says what to do about it.
    #[error("{message}")]
    Provider {
        /// The one-line explanation with advice.
        message: String,
        /// The underlying error (keeps the raw response body).
        #[source]
        source: Box<creator_core::Error>,
    },
    /// The ledger (SQLite file or PostgreSQL) failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// An argument or option is not usable.
    #[error("{0}")]
    Usage(String),
    /// A feature that is not available in this build or not wired yet.
    #[error("{0}")]
    NotAvailable(String),
    /// The relay could not start or stopped with an error.
    #[error("relay: {0}")]
    Relay(String),
    /// Writing the output failed.
    #[error("could not write the output: {0}")]
    Output(#[source] std::io::Error),
    /// The license exists but no longer grants access (the reasons).
    #[error("the license no longer grants access: {0}")]
    LicenseNotValid(String),
}

impl CliError {
    /// The process exit code for this error: 2 for usage mistakes and missing
    /// configuration, 3 for credentials the platform rejected, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::MissingEnv { .. } => 2,
            CliError::LicenseNotValid(_) => 4,
            CliError::Provider { source, .. } => match **source {
                creator_core::Error::Unauthorized { .. }
                | creator_core::Error::Forbidden { .. } => 3,
                _ => 1,
            },
            _ => 1,
        }
    }
}

/// Which credential variables a call used, so an error can name them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Credentials {
    /// The variable(s) holding the token the call sent.
    pub vars: &'static str,
    /// Where a new token comes from.
    pub where_to_get: &'static str,
    /// The environment variable that overrides the base URL.
    pub url_var: &'static str,
}

impl Credentials {
    /// Gumroad's access token.
    pub const GUMROAD: Credentials = Credentials {
        vars: "GUMROAD_ACCESS_TOKEN",
        where_to_get: "generate one in Gumroad under Settings > Advanced > Applications",
        url_var: "GUMROAD_API_URL",
    };
    /// Gumroad without a token (license verification).
    pub const GUMROAD_PUBLIC: Credentials = Credentials {
        vars: "",
        where_to_get: "",
        url_var: "GUMROAD_API_URL",
    };
    /// Gank's creator token.
    pub const GANK_CREATOR: Credentials = Credentials {
        vars: "GANK_CREATOR_TOKEN",
        where_to_get: "generate a creator token in the Gank dashboard under Widgets > Payment Widget",
        url_var: "GANK_V2_URL",
    };
    /// Gank's login token.
    pub const GANK_LOGIN: Credentials = Credentials {
        vars: "GANK_LOGIN_TOKEN",
        where_to_get: "copy the Authorization header of a logged-in ganknow.com request (browser devtools)",
        url_var: "GANK_V1_URL / GANK_V2_URL",
    };
    /// Gank with both tokens (sync).
    pub const GANK_BOTH: Credentials = Credentials {
        vars: "GANK_LOGIN_TOKEN or GANK_CREATOR_TOKEN",
        where_to_get: "see `creator sales --help` for where each Gank token comes from",
        url_var: "GANK_V1_URL / GANK_V2_URL",
    };
    /// Maton's API key.
    pub const MATON: Credentials = Credentials {
        vars: "MATON_API_KEY",
        where_to_get: "create or copy a key at https://maton.ai/settings",
        url_var: "MATON_API_URL",
    };
}

/// Turns a platform error into a one-line [`CliError`] naming what to do.
pub fn provider_error(err: creator_core::Error, creds: Credentials) -> CliError {
    use creator_core::Error as E;
    let provider = err.provider().map(name).unwrap_or("the platform");
    let message = match &err {
        _ if MatonErrorKind::of(&err) == Some(MatonErrorKind::NoConnection) => format!(
            "Maton has no active Gumroad connection for MATON_API_KEY (HTTP 400): connect Gumroad at https://maton.ai (or `maton connection create gumroad`), then retry; with several connections pass --maton-connection <id> ({})",
            one_line(&err)
        ),
        _ if MatonErrorKind::of(&err) == Some(MatonErrorKind::ServerError) => format!(
            "Maton failed (HTTP 500), most often because its Gumroad connection expired: reconnect Gumroad in Maton and retry with --maton-connection <new id> ({})",
            one_line(&err)
        ),
        E::Unauthorized {
            provider: Provider::Gumroad,
            status,
            ..
        } if creds.vars == "MATON_API_KEY" => format!(
            "Gumroad rejected the token Maton holds for your connection (HTTP {status}): reconnect Gumroad in Maton (https://maton.ai), then retry"
        ),
        E::Unauthorized { status, .. } if !creds.vars.is_empty() => format!(
            "{provider} rejected the token in {} (HTTP {status}): it is wrong, expired or revoked; {}",
            creds.vars, creds.where_to_get
        ),
        E::Forbidden { status, .. } if !creds.vars.is_empty() => format!(
            "{provider} refused the request (HTTP {status}): the token in {} lacks a permission or scope this command needs; {}",
            creds.vars, creds.where_to_get
        ),
        E::Transport { .. } | E::Timeout { .. } => format!(
            "could not reach {provider}: {} (check the network, or {} if you point the command at another server)",
            one_line(&err),
            creds.url_var
        ),
        E::RateLimited { .. } => format!(
            "{}: wait a minute and run the command again",
            one_line(&err)
        ),
        E::Config(_) => format!(
            "{} (check the options and environment variables)",
            one_line(&err)
        ),
        _ => one_line(&err),
    };
    CliError::Provider {
        message,
        source: Box::new(err),
    }
}

fn name(p: Provider) -> &'static str {
    match p {
        Provider::Gumroad => "Gumroad",
        Provider::Gank => "Gank",
        Provider::Maton => "Maton",
        other => other.as_str(),
    }
}

/// Display of an error on one line (newlines in platform messages folded).
pub(crate) fn one_line(err: &dyn fmt::Display) -> String {
    err.to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use creator_core::RawBody;

    #[test]
    fn unauthorized_names_the_variable_and_where_to_get_a_new_token() {
        let err = creator_core::Error::Unauthorized {
            provider: Provider::Gumroad,
            status: 401,
            message: String::new(),
            body: RawBody::default(),
        };
        let cli = provider_error(err, Credentials::GUMROAD);
        let shown = cli.to_string();
        assert!(shown.contains("GUMROAD_ACCESS_TOKEN"), "{shown}");
        assert!(shown.contains("Settings > Advanced"), "{shown}");
        assert!(!shown.contains('\n'));
        assert_eq!(cli.exit_code(), 3);
    }

    #[test]
    fn maton_400_says_there_is_no_connection() {
        let err = creator_core::Error::Api {
            provider: Provider::Maton,
            status: 400,
            code: Some(maton_gateway::CODE_NO_CONNECTION.into()),
            message: "No connection found\nfor app gumroad".into(),
            body: RawBody::new("{}"),
        };
        let shown = provider_error(err, Credentials::MATON).to_string();
        assert!(shown.contains("no active Gumroad connection"), "{shown}");
        assert!(!shown.contains('\n'), "{shown}");
    }
}
