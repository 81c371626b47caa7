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
    #[error("{var} is not set: {hint}, or run `creator auth login`")]
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
    /// A destructive change was not confirmed (`--no-input`, no terminal,
    /// or the answer was no); nothing was sent.
    #[error("{0}")]
    Refused(String),
    /// `creator doctor` printed its report and some checks did not pass:
    /// the exit status is 1 for warnings, 2 for problems; nothing more is printed.
    #[error("{failed} check(s) did not pass")]
    ChecksFailed {
        /// How many checks are warnings or problems.
        failed: usize,
        /// The exit status (1 warnings, 2 problems).
        exit: u8,
    },
    /// `creator reconcile --check` found events no delivery had reported.
    #[error("{0}")]
    Missing(String),
    /// Another run holds the lease for this work (`creator reconcile`).
    #[error("{0}")]
    Busy(String),
}

impl CliError {
    /// A stable, machine-readable name for the error (`--format json`).
    pub fn code(&self) -> &'static str {
        match self {
            CliError::MissingEnv { .. } => "missing_credentials",
            CliError::Provider { source, .. } => match **source {
                creator_core::Error::Unauthorized { .. } => "unauthorized",
                creator_core::Error::Forbidden { .. } => "forbidden",
                creator_core::Error::NotFound { .. } => "not_found",
                creator_core::Error::RateLimited { .. } => "rate_limited",
                creator_core::Error::Transport { .. } => "unreachable",
                creator_core::Error::Timeout { .. } => "timeout",
                creator_core::Error::Decode { .. } => "unexpected_response",
                creator_core::Error::InvalidInput(_) => "invalid_input",
                creator_core::Error::Unsupported { .. } => "unsupported",
                _ => "platform_error",
            },
            CliError::Ledger(_) => "ledger_error",
            CliError::Usage(_) => "usage",
            CliError::NotAvailable(_) => "not_available",
            CliError::Relay(_) => "relay_error",
            CliError::Output(_) => "output_error",
            CliError::LicenseNotValid(_) => "license_not_valid",
            CliError::Refused(_) => "not_confirmed",
            CliError::ChecksFailed { .. } => "checks_failed",
            CliError::Missing(_) => "missing_events",
            CliError::Busy(_) => "busy",
        }
    }

    /// What to do about it, when something short can be said.
    pub fn hint(&self) -> Option<String> {
        match self {
            CliError::MissingEnv { hint, .. } => {
                Some(format!("{hint}, or run `creator auth login`"))
            }
            CliError::Refused(_) => {
                Some("pass --yes to go ahead, or --dry-run to see the request".into())
            }
            CliError::Provider { source, .. } => match **source {
                creator_core::Error::Unauthorized { .. } => Some(
                    "run `creator auth status`, then `creator auth login` for a new token".into(),
                ),
                creator_core::Error::Forbidden { .. } => Some(
                    "log in again with the scope this command needs (`creator auth login`)".into(),
                ),
                creator_core::Error::RateLimited { .. } => Some("wait a minute and retry".into()),
                _ => None,
            },
            _ => None,
        }
    }

    /// The error as `{"error": {"code", "message", "hint", "exit_code"}}`.
    pub fn to_json(&self) -> serde_json::Value {
        let message = if let CliError::Provider { message, .. } = self {
            message.clone()
        } else {
            one_line(self)
        };
        serde_json::json!({
            "error": {
                "code": self.code(),
                "message": crate::watch::redact(&message),
                "hint": self.hint(),
                "exit_code": self.exit_code(),
            }
        })
    }
}

impl CliError {
    /// The process exit code for this error: 2 for usage mistakes and missing
    /// configuration, 3 for credentials the platform rejected, 4 for a license
    /// that no longer grants access, 5 for events `creator reconcile --check`
    /// found missing, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_) | CliError::MissingEnv { .. } | CliError::Refused(_) => 2,
            CliError::LicenseNotValid(_) => 4,
            CliError::ChecksFailed { exit, .. } => *exit,
            CliError::Missing(_) => 5,
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
///
/// The message is built from the error's fields rather than from its
/// `Display`, which starts with the provider's name: the provider is named
/// once, in its proper spelling. A transport error shows its causes (walked
/// through `source()`: connection refused, DNS, TLS); an answer that is not
/// the platform's API (an HTTP 404 without a JSON body, a body of another
/// shape, an address that does not connect) names the `*_URL` variable that
/// points the command at another server.
pub fn provider_error(err: creator_core::Error, creds: Credentials) -> CliError {
    use creator_core::Error as E;
    let provider = err.provider().map(name).unwrap_or("the platform");
    let message = match &err {
        _ if MatonErrorKind::of(&err) == Some(MatonErrorKind::NoConnection) => format!(
            "Maton has no active Gumroad connection for MATON_API_KEY (HTTP 400): connect Gumroad at https://maton.ai (or `maton connection create gumroad`), then retry; with several connections pass --maton-connection <id> ({})",
            platform_message(&err)
        ),
        _ if MatonErrorKind::of(&err) == Some(MatonErrorKind::ServerError) => format!(
            "Maton failed (HTTP 500), most often because its Gumroad connection expired: reconnect Gumroad in Maton and retry with --maton-connection <new id> ({})",
            platform_message(&err)
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
        E::Transport { source, .. } => format!(
            "could not reach {provider}: {} (check the network{})",
            causes(source.as_ref()),
            other_server(creds, ", or ")
        ),
        E::Timeout {
            after, attempts, ..
        } => format!(
            "{provider} did not answer within {after:?} ({attempts} attempts): check the network{}",
            other_server(creds, ", or ")
        ),
        // Not the API speaking (an HTML or empty 404): its page says nothing
        // useful, unless the provider crate explained it.
        E::NotFound {
            status, message, ..
        } if !api_answered(&err) => format!(
            "{}: no API answers at this address{}",
            answered(
                provider,
                *status,
                if names(message, provider) {
                    message
                } else {
                    ""
                }
            ),
            other_server(creds, "; check ")
        ),
        E::Decode { path, message, .. } => format!(
            "{provider} answered with a body creator cannot read at `{path}`: {message}{}",
            other_server(creds, "; check ")
        ),
        E::RateLimited { retry_after, .. } => format!(
            "{provider} is limiting the rate of requests{}: wait a minute and run the command again",
            retry_after
                .map(|d| format!(" (it asks to retry after {} s)", d.as_secs()))
                .unwrap_or_default()
        ),
        E::Config(message) => format!(
            "{message} (check {} and the command's options)",
            if creds.url_var.is_empty() {
                "the environment"
            } else {
                creds.url_var
            }
        ),
        E::Api {
            status, message, ..
        }
        | E::NotFound {
            status, message, ..
        }
        | E::Unauthorized {
            status, message, ..
        }
        | E::Forbidden {
            status, message, ..
        } => answered(provider, *status, message),
        E::Unsupported { operation, .. } => format!("{provider} does not support {operation}"),
        _ => err.to_string(),
    };
    CliError::Provider {
        message: one_line(&message),
        source: Box::new(err),
    }
}

/// True when the error came with a JSON object as its body: the platform's
/// API answered (a real "not found"), as opposed to a server that has no such
/// path at all (an HTML or empty 404 from a wrong base URL).
pub fn api_answered(err: &creator_core::Error) -> bool {
    err.raw_body().is_some_and(|body| {
        serde_json::from_slice::<serde_json::Value>(body.as_bytes()).is_ok_and(|v| v.is_object())
    })
}

/// "`<provider> answered HTTP <status>: <message>`", without naming the
/// provider or the status twice when the platform's message already does.
fn answered(provider: &str, status: u16, message: &str) -> String {
    let message = message.trim();
    let names_status = message.contains(&status.to_string());
    match (message.is_empty(), names(message, provider), names_status) {
        (true, _, _) => format!("{provider} answered HTTP {status}"),
        (false, true, true) => message.to_owned(),
        (false, true, false) => format!("{message} (HTTP {status})"),
        (false, false, _) => format!("{provider} answered HTTP {status}: {message}"),
    }
}

/// True when `message` starts with the provider's name (`Gumroad answered…`).
fn names(message: &str, provider: &str) -> bool {
    message
        .get(..provider.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(provider))
}

/// The platform's own words: the message of an answer, else the `Display`.
fn platform_message(err: &creator_core::Error) -> String {
    use creator_core::Error as E;
    match err {
        E::Api { message, .. }
        | E::NotFound { message, .. }
        | E::Unauthorized { message, .. }
        | E::Forbidden { message, .. }
            if !message.is_empty() =>
        {
            message.clone()
        }
        _ => err.to_string(),
    }
}

/// "`<lead>GUMROAD_API_URL if you point the command at another server`", or
/// nothing when the call has no base-URL variable.
fn other_server(creds: Credentials, lead: &str) -> String {
    if creds.url_var.is_empty() {
        String::new()
    } else {
        format!(
            "{lead}{} if you point the command at another server",
            creds.url_var
        )
    }
}

/// An error and its causes (`source()` chain) on one line, each cause once:
/// "`error sending request: client error (Connect): tcp connect error:
/// Connection refused (os error 111)`". A cause whose text its parent
/// already shows is not repeated.
pub(crate) fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut line = err.to_string();
    let mut next = err.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !text.is_empty() && !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        next = cause.source();
    }
    line
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

    /// `error sending request` -> `tcp connect error` -> the OS's words.
    #[derive(Debug)]
    struct Layer(
        &'static str,
        Option<Box<dyn std::error::Error + Send + Sync>>,
    );

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn transport_errors_show_every_cause_once() {
        let refused = std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused (os error 111)",
        );
        let chain = Layer(
            "error sending request",
            Some(Box::new(Layer(
                "tcp connect error: Connection refused (os error 111)",
                Some(Box::new(refused)),
            ))),
        );
        let err = creator_core::Error::Transport {
            provider: Provider::Gumroad,
            source: Box::new(chain),
        };
        assert_eq!(
            provider_error(err, Credentials::GUMROAD).to_string(),
            "could not reach Gumroad: error sending request: tcp connect error: Connection refused (os error 111) (check the network, or GUMROAD_API_URL if you point the command at another server)"
        );
    }

    /// No message names the provider twice in a row (`could not reach
    /// Gumroad: gumroad transport error`), and none carries the core's prefixes (`gumroad API error`,
    /// `gumroad: not found`, `configuration error`, `transport error`).
    #[test]
    fn no_message_names_the_provider_twice() {
        use creator_core::Error as E;
        fn body(b: &str) -> RawBody {
            RawBody::new(b.to_owned())
        }
        // `creator_core::Error` is not `Clone`: one maker per error.
        let errors: [fn() -> E; 10] = [
            || E::Api {
                provider: Provider::Gumroad,
                status: 500,
                code: None,
                message: "Something went wrong.".into(),
                body: body(r#"{"success":false,"message":"Something went wrong."}"#),
            },
            || E::Api {
                provider: Provider::Gumroad,
                status: 503,
                code: Some("edge_html".into()),
                message: "Gumroad's edge proxy answered HTTP 503 with an HTML page".into(),
                body: body("<html>"),
            },
            || E::NotFound {
                provider: Provider::Gumroad,
                status: 404,
                message: "Gumroad answered with an HTML 404 page".into(),
                body: body("<html>"),
            },
            || E::NotFound {
                provider: Provider::Gumroad,
                status: 404,
                message: "Not Found".into(),
                body: body(""),
            },
            || E::NotFound {
                provider: Provider::Gumroad,
                status: 404,
                message: "The product was not found.".into(),
                body: body(r#"{"success":false,"message":"The product was not found."}"#),
            },
            || E::Unauthorized {
                provider: Provider::Gumroad,
                status: 401,
                message: String::new(),
                body: body(""),
            },
            || E::RateLimited {
                provider: Provider::Gumroad,
                retry_after: Some(std::time::Duration::from_secs(60)),
                body: body(""),
            },
            || E::Timeout {
                provider: Provider::Gumroad,
                after: std::time::Duration::from_secs(30),
                attempts: 3,
            },
            || E::decode(Provider::Gumroad, ".sales[0].id", "invalid type", "{}"),
            || E::Config("base URL `x` is not valid".into()),
        ];
        for make in errors {
            let debug = format!("{:?}", make());
            for creds in [Credentials::GUMROAD, Credentials::GUMROAD_PUBLIC] {
                let shown = provider_error(make(), creds).to_string();
                let lower = shown.to_lowercase().replace("gumroad_", "");
                let parts: Vec<&str> = lower.split(": ").collect();
                assert!(
                    parts
                        .windows(2)
                        .all(|w| !(w[0].contains("gumroad") && w[1].starts_with("gumroad"))),
                    "named twice in a row: {shown}"
                );
                for prefix in [
                    "gumroad:",
                    "api error",
                    "configuration error",
                    "transport error",
                    "error:",
                ] {
                    assert!(!lower.contains(prefix), "`{prefix}` in {shown} ({debug})");
                }
                assert!(!shown.contains('\n'), "{shown}");
            }
        }
    }

    #[test]
    fn a_404_that_is_not_the_api_names_the_url_variable() {
        let bare = creator_core::Error::NotFound {
            provider: Provider::Gank,
            status: 404,
            message: "<h1>Not Found</h1>".into(),
            body: RawBody::new("<h1>Not Found</h1>"),
        };
        assert!(!api_answered(&bare));
        assert_eq!(
            provider_error(bare, Credentials::GANK_CREATOR).to_string(),
            "Gank answered HTTP 404: no API answers at this address; check GANK_V2_URL if you point the command at another server"
        );
        let real = creator_core::Error::NotFound {
            provider: Provider::Gumroad,
            status: 404,
            message: "That license does not exist for the provided product.".into(),
            body: RawBody::new(
                r#"{"success":false,"message":"That license does not exist for the provided product."}"#,
            ),
        };
        assert!(api_answered(&real));
        assert_eq!(
            provider_error(real, Credentials::GUMROAD_PUBLIC).to_string(),
            "Gumroad answered HTTP 404: That license does not exist for the provided product."
        );
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
