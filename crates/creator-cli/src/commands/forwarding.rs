//! The forwarding options of `creator relay`: `--forward URL`, the
//! delivery timeout, retry schedule and concurrency, and the read token of
//! `GET /v1/events`.

use clap::Args;
use creator_core::Secret;

use super::destinations::{ensure_forward, parse_duration, shown_url};
use crate::CliError;
use crate::ledger::Ledger;
use crate::relay::forward::{ForwardConfig, Schedule};

/// Shortest read token accepted.
const MIN_TOKEN_LEN: usize = 16;

/// Forwarding options of `creator relay`.
#[derive(Debug, Clone, Args)]
pub struct ForwardArgs {
    /// Forward every event stored from now on to this URL, signed per
    /// Standard Webhooks (repeatable; also `CREATOR_FORWARD`,
    /// comma-separated): a shortcut for `creator destinations add`, kept in
    /// the ledger and reused on later starts. The relay always delivers to
    /// every destination in the ledger.
    #[arg(
        long = "forward",
        env = "CREATOR_FORWARD",
        value_delimiter = ',',
        hide_env_values = true,
        value_name = "URL"
    )]
    forward: Vec<String>,
    /// Store and queue, but deliver nothing (another relay on the same
    /// PostgreSQL ledger delivers).
    #[arg(long, conflicts_with = "forward")]
    no_delivery: bool,
    /// How long a destination has to answer 2xx.
    #[arg(long, default_value = "10s", value_name = "DURATION")]
    forward_timeout: String,
    /// The delays between attempts (after the last one a message is dead).
    #[arg(long, default_value_t = Schedule::default().to_string(), value_name = "DELAYS")]
    forward_retry_schedule: String,
    /// Most requests in flight per destination.
    #[arg(long, default_value_t = ForwardConfig::default().max_in_flight)]
    forward_concurrency: usize,
    /// The token the read API (`GET /v1/events`, `GET /v1/access`) asks
    /// for (`Authorization: Bearer …`, at least 16 characters, none of the
    /// webhook secrets); both endpoints are off without it.
    #[arg(long, env = "CREATOR_READ_TOKEN", hide_env_values = true, value_parser = secret)]
    read_token: Option<Secret>,
}

fn secret(value: &str) -> Result<Secret, String> {
    Ok(Secret::new(value))
}

/// What the relay gets from these options.
#[derive(Debug)]
pub(crate) struct Forwarding {
    /// The worker's settings (`None`: `--no-delivery`).
    pub config: Option<ForwardConfig>,
    /// The read API's token (`/v1/events` and `/v1/access`).
    pub read_token: Option<Secret>,
    /// Lines for the banner (a generated secret is shown here, once).
    pub banner: Vec<String>,
}

impl ForwardArgs {
    /// Checks the options that need no ledger.
    ///
    /// # Errors
    /// A usage error naming the option.
    pub(crate) fn check(&self, webhook_secrets: &[&str]) -> Result<(), CliError> {
        self.worker_config()?;
        if let Some(token) = &self.read_token {
            let t = token.expose();
            if t.len() < MIN_TOKEN_LEN || t.chars().any(char::is_whitespace) {
                return Err(CliError::Usage(format!(
                    "--read-token (CREATOR_READ_TOKEN) needs at least {MIN_TOKEN_LEN} characters and no spaces"
                )));
            }
            if webhook_secrets.iter().any(|s| !s.is_empty() && *s == t) {
                return Err(CliError::Usage(
                    "--read-token (CREATOR_READ_TOKEN) must not be one of the webhook secrets: whoever reads events could then post them".into(),
                ));
            }
        }
        Ok(())
    }

    /// The `--forward` URLs.
    pub(crate) fn urls(&self) -> impl Iterator<Item = &str> {
        self.forward
            .iter()
            .map(|u| u.trim())
            .filter(|u| !u.is_empty())
    }

    /// Whether the read token is `secret` (a webhook secret known only later).
    pub(crate) fn read_token_is(&self, secret: &str) -> bool {
        self.read_token
            .as_ref()
            .is_some_and(|t| t.expose() == secret)
    }

    fn worker_config(&self) -> Result<Option<ForwardConfig>, CliError> {
        if self.no_delivery {
            return Ok(None);
        }
        let timeout = parse_duration("--forward-timeout", &self.forward_timeout)?;
        if timeout.is_zero() {
            return Err(CliError::Usage("--forward-timeout must be above 0".into()));
        }
        let schedule = Schedule::parse(&self.forward_retry_schedule).map_err(CliError::Usage)?;
        if self.forward_concurrency == 0 {
            return Err(CliError::Usage(
                "--forward-concurrency must be above 0".into(),
            ));
        }
        Ok(Some(ForwardConfig {
            timeout,
            schedule,
            max_in_flight: self.forward_concurrency,
            ..ForwardConfig::default()
        }))
    }

    /// Adds the `--forward` destinations (reusing those with the same URL)
    /// and describes forwarding for the banner.
    ///
    /// # Errors
    /// A bad option or URL, or a ledger that fails.
    pub(crate) async fn prepare(
        &self,
        ledger: &dyn Ledger,
        base: &str,
    ) -> Result<Forwarding, CliError> {
        let config = self.worker_config()?;
        let mut banner = Vec::new();
        for url in self
            .forward
            .iter()
            .map(|u| u.trim())
            .filter(|u| !u.is_empty())
        {
            let (d, generated) = ensure_forward(ledger, url).await?;
            let state = if d.enabled {
                String::new()
            } else {
                format!(
                    " (disabled: {}; `creator destinations enable {}`)",
                    d.disabled_reason.as_deref().unwrap_or("by hand"),
                    d.name
                )
            };
            banner.push(match generated {
                Some(secret) => format!(
                    "  forward:  {} -> {}{state}   secret {} (generated now, shown only this once: give it to the receiver)",
                    d.name,
                    shown_url(&d.url),
                    secret.expose()
                ),
                None => format!("  forward:  {} -> {}{state}", d.name, shown_url(&d.url)),
            });
        }
        let all = ledger.destinations().await?;
        let enabled = all.iter().filter(|d| d.enabled).count();
        banner.push(match &config {
            None => format!(
                "  forwarding: off in this relay (--no-delivery); {} destination(s) queued for",
                all.len()
            ),
            Some(c) => format!(
                "  forwarding: {enabled} of {} destination(s) enabled (`creator destinations`), {} attempts over {}, timeout {:?}",
                all.len(),
                c.schedule.attempts(),
                humane(c.schedule.span()),
                c.timeout
            ),
        });
        if self.read_token.is_some() {
            banner.push(format!(
                "  events:   {base}/v1/events?after=0 (Authorization: Bearer <CREATOR_READ_TOKEN>)"
            ));
        }
        Ok(Forwarding {
            config,
            read_token: self.read_token.clone(),
            banner,
        })
    }
}

fn humane(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{:.1} h", s as f64 / 3600.0)
    } else if s >= 60 {
        format!("{} min", s / 60)
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}
