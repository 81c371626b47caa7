//! `creator relay`: the webhook relay on the command line.

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use creator_core::verify::{AllOf, Hmac, HmacAlgorithm, SignatureEncoding, UrlToken};
use creator_core::{Secret, Webhooks};
use gank_api::GankWebhooks;
use gumroad_api::webhook::{GumroadWebhooks, ParseLimits};

use super::DbArgs;
use super::relay_config::ConfiguredDestination;
use crate::CliError;
use crate::ledger::{self, Ledger, OpenOptions, QuarantineBudget};
use crate::relay::{ConnectionLimits, DEFAULT_MAX_BODY_BYTES, Endpoint, Relay, RelayConfig};

/// The ledger setting holding the generated Gumroad URL secret.
pub const GUMROAD_SECRET_SETTING: &str = "relay.gumroad_url_secret";
/// Shortest URL secret accepted (Gumroad deliveries are only as safe as it).
pub const MIN_SECRET_LEN: usize = 16;

/// HMAC hash for Gank signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GankAlgorithm {
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA512.
    Sha512,
}

/// Encoding of the Gank signature header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GankEncoding {
    /// Hexadecimal.
    Hex,
    /// Base64.
    Base64,
}

/// How Gumroad deliveries authenticate (Gumroad signs nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum GumroadAuth {
    /// A secret last path segment: `/webhooks/gumroad/<secret>`.
    #[default]
    UrlSecret,
    /// HTTP Basic credentials (register `https://user:password@host/webhooks/gumroad`).
    Basic,
    /// Both the URL secret and HTTP Basic.
    Both,
}

/// Options of `creator relay`.
#[derive(Debug, Clone, Args)]
pub struct RelayArgs {
    /// Address to listen on: `127.0.0.1:8787`, `localhost:8787`, `0.0.0.0:8787`
    /// (port 0 picks a free port; the chosen address is printed). Anything
    /// but loopback should sit behind a TLS-terminating proxy.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: String,
    #[command(flatten)]
    db: DbArgs,
    /// Largest accepted body in bytes; larger deliveries get 413.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// How Gumroad deliveries prove they come from Gumroad.
    #[arg(long, value_enum, default_value_t = GumroadAuth::UrlSecret)]
    gumroad_auth: GumroadAuth,
    /// The secret path segment of the Gumroad endpoint
    /// (`/webhooks/gumroad/<secret>`, at least 16 URL-safe characters).
    /// Without it, one is generated on first start, kept in the ledger and
    /// shown once.
    #[arg(long, env = "CREATOR_GUMROAD_SECRET", hide_env_values = true, value_parser = secret)]
    gumroad_secret: Option<Secret>,
    /// Print the Gumroad URL with its secret (it is shown only when generated otherwise).
    #[arg(long)]
    show_secret: bool,
    /// The HTTP Basic user Gumroad sends (`--gumroad-auth basic|both`).
    #[arg(long, env = "CREATOR_GUMROAD_BASIC_USER", hide_env_values = true, value_parser = secret)]
    gumroad_basic_user: Option<Secret>,
    /// The HTTP Basic password Gumroad sends (`--gumroad-auth basic|both`).
    #[arg(long, env = "CREATOR_GUMROAD_BASIC_PASSWORD", hide_env_values = true, value_parser = secret)]
    gumroad_basic_password: Option<Secret>,
    /// The `key` Gank returned when the webhook was registered (HMAC key).
    #[arg(long, env = "GANK_WEBHOOK_KEY", hide_env_values = true, value_parser = secret)]
    gank_key: Option<Secret>,
    /// The header carrying Gank's signature (Gank does not document it: take
    /// it from a captured delivery).
    #[arg(long, env = "GANK_SIGNATURE_HEADER")]
    gank_signature_header: Option<String>,
    /// HMAC hash of Gank's signature.
    #[arg(long, value_enum, default_value_t = GankAlgorithm::Sha256)]
    gank_signature_algorithm: GankAlgorithm,
    /// Encoding of Gank's signature.
    #[arg(long, value_enum, default_value_t = GankEncoding::Hex)]
    gank_signature_encoding: GankEncoding,
    /// A secret path segment for the Gank endpoint (`/webhooks/gank/<secret>`),
    /// alone or on top of the signature check.
    #[arg(long, env = "CREATOR_GANK_SECRET", hide_env_values = true, value_parser = secret)]
    gank_url_secret: Option<Secret>,
    /// Most open connections.
    #[arg(long, default_value_t = ConnectionLimits::default().max_connections)]
    max_connections: usize,
    /// Most open connections from one address.
    #[arg(long, default_value_t = ConnectionLimits::default().max_per_peer)]
    max_connections_per_peer: usize,
    /// Most unauthenticated deliveries kept in the quarantine (oldest pruned first).
    #[arg(long, default_value_t = QuarantineBudget::default().max_rows)]
    quarantine_max_rows: u64,
    /// Most bytes unauthenticated deliveries take in the quarantine.
    #[arg(long, default_value_t = QuarantineBudget::default().max_bytes)]
    quarantine_max_bytes: u64,
    /// A proxy in front of the relay (TLS termination) whose
    /// `X-Forwarded-For` / `Forwarded` headers name the real sender, for the
    /// per-sender limits and the logs (repeatable; also
    /// `CREATOR_TRUSTED_PROXIES`, comma-separated). Others' such headers are ignored.
    #[arg(
        long = "trusted-proxy",
        env = "CREATOR_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Seconds between the log lines that count what the relay turned away
    /// without a line each (refused connections, shed requests); 0: never.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    summary_interval: u64,
    /// Do not log a line per delivery (rejections and errors are still logged).
    #[arg(long)]
    quiet: bool,
    #[command(flatten)]
    forwarding: super::forwarding::ForwardArgs,
    /// Read every option and destination from this TOML file (keys are the
    /// flags' names; secrets as `{ env = "NAME" }` or `{ file = "PATH" }`);
    /// flags and their environment variables override it. See docs/deploying.md.
    #[arg(long, value_name = "FILE", env = "CREATOR_RELAY_CONFIG")]
    config: Option<std::path::PathBuf>,
    /// Check the options, the config file, the secrets, the addresses, the
    /// ledger and the destinations, print what was found, and exit (0: all
    /// good) without starting.
    #[arg(long)]
    check_config: bool,
    /// The `[[destination]]` tables of `--config`.
    #[arg(skip)]
    configured: Vec<ConfiguredDestination>,
    /// Serve the web console at `/console` (off by default), behind its own
    /// admin token: `CREATOR_CONSOLE_TOKEN`, or one generated and shown once.
    #[arg(long)]
    console: bool,
    /// The console's admin token (at least 16 characters; with `--console`).
    #[arg(long, env = "CREATOR_CONSOLE_TOKEN", hide_env_values = true, value_parser = secret, requires = "console")]
    console_token: Option<Secret>,
    /// The relay's public base URL as the platforms reach it
    /// (`https://hooks.example.com`; with `--console`): the console's doctor
    /// page compares the platforms' registered URLs with it.
    #[arg(
        long,
        env = "CREATOR_PUBLIC_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    public_url: Option<String>,
    #[command(flatten)]
    reconcile: super::reconcile::RelayReconcileArgs,
}

impl RelayArgs {
    /// Whether `--quiet` was given (the log filter is set before the command runs).
    pub fn quiet(&self) -> bool {
        self.quiet
    }

    /// The webhook secrets given (the read token must be none of them).
    fn webhook_secrets(&self) -> Vec<&str> {
        [
            &self.gumroad_secret,
            &self.gank_url_secret,
            &self.gank_key,
            &self.gumroad_basic_password,
        ]
        .into_iter()
        .flatten()
        .map(Secret::expose)
        .collect()
    }

    /// Takes the destinations of the config file (see [`super::relay_config::apply`]).
    pub fn set_configured(&mut self, destinations: Vec<ConfiguredDestination>) {
        self.configured = destinations;
    }
}

/// Secrets from the command line or environment go straight into a
/// [`Secret`], so `Debug` of the parsed arguments never shows them.
pub(crate) fn secret(value: &str) -> Result<Secret, String> {
    Ok(Secret::new(value))
}

/// Writes a line on stderr, ignoring a closed stderr (a dead log reader
/// must never stop the relay).
fn say(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn check_secret(option: &str, secret: &str) -> Result<(), CliError> {
    if secret.len() < MIN_SECRET_LEN {
        return Err(CliError::Usage(format!(
            "{option} is too short: use at least {MIN_SECRET_LEN} random characters"
        )));
    }
    if !secret
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~'))
    {
        return Err(CliError::Usage(format!(
            "{option} may only use letters, digits and - _ . ~ (it goes into a URL path)"
        )));
    }
    Ok(())
}

/// A random URL-safe secret (32 hex characters from the OS's random source).
fn generate_secret() -> Result<String, CliError> {
    crate::random::hex(16).map_err(|e| {
        CliError::Relay(format!(
            "cannot generate a Gumroad URL secret ({e}): pass --gumroad-secret or set CREATOR_GUMROAD_SECRET"
        ))
    })
}

/// Where the Gumroad URL secret came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretSource {
    /// `--gumroad-secret` / `CREATOR_GUMROAD_SECRET`.
    Given,
    /// Generated on an earlier start and kept in the ledger.
    Kept,
    /// Generated now.
    Generated,
}

/// The Gumroad URL secret: the given one, or the one kept in the ledger
/// (generated on first start).
async fn gumroad_secret(
    given: Option<&Secret>,
    ledger: &dyn Ledger,
) -> Result<(String, SecretSource), CliError> {
    if let Some(s) = given {
        check_secret("--gumroad-secret (CREATOR_GUMROAD_SECRET)", s.expose())?;
        return Ok((s.expose().to_owned(), SecretSource::Given));
    }
    if let Some(saved) = ledger.setting(GUMROAD_SECRET_SETTING).await? {
        return Ok((saved, SecretSource::Kept));
    }
    let fresh = generate_secret()?;
    let kept = ledger
        .setting_or_insert(GUMROAD_SECRET_SETTING, &fresh)
        .await?;
    // Another relay on the same ledger may have generated it first.
    let source = if kept == fresh {
        SecretSource::Generated
    } else {
        SecretSource::Kept
    };
    Ok((kept, source))
}

/// The Gumroad verifier for the chosen authentication (the URL secret
/// itself is checked by the relay, before the body is read).
fn gumroad_webhooks(args: &RelayArgs) -> Result<Arc<dyn Webhooks>, CliError> {
    let hooks = match args.gumroad_auth {
        GumroadAuth::UrlSecret => GumroadWebhooks::builder().accept_unverified().build(),
        GumroadAuth::Basic | GumroadAuth::Both => {
            let (Some(user), Some(password)) =
                (&args.gumroad_basic_user, &args.gumroad_basic_password)
            else {
                return Err(CliError::Usage(
                    "--gumroad-auth basic needs CREATOR_GUMROAD_BASIC_USER and CREATOR_GUMROAD_BASIC_PASSWORD (or --gumroad-basic-user / --gumroad-basic-password)".into(),
                ));
            };
            if user.expose().is_empty() || password.expose().len() < MIN_SECRET_LEN {
                return Err(CliError::Usage(format!(
                    "the Gumroad HTTP Basic user must not be empty and the password needs at least {MIN_SECRET_LEN} characters"
                )));
            }
            GumroadWebhooks::builder()
                .basic_auth(user.expose(), password.expose())
                .build()
        }
    };
    let hooks = hooks.map_err(|e| config_error("Gumroad webhooks", e))?;
    Ok(Arc::new(hooks))
}

/// Gank's HMAC as configured: the relay verifies with it, `creator
/// simulate` signs with it.
///
/// # Errors
/// [`CliError::Usage`] for a header name or key the verifier refuses.
pub(crate) fn gank_hmac(
    key: &str,
    header: &str,
    algorithm: GankAlgorithm,
    encoding: GankEncoding,
) -> Result<Hmac, CliError> {
    let algorithm = match algorithm {
        GankAlgorithm::Sha256 => HmacAlgorithm::Sha256,
        GankAlgorithm::Sha512 => HmacAlgorithm::Sha512,
    };
    let encoding = match encoding {
        GankEncoding::Hex => SignatureEncoding::Hex,
        GankEncoding::Base64 => SignatureEncoding::Base64,
    };
    Hmac::builder(header)
        .key(key)
        .algorithm(algorithm)
        .encoding(encoding)
        .build()
        .map_err(|e| config_error("Gank signature settings", e))
}

fn gank_endpoint(args: &RelayArgs) -> Result<(Endpoint, String), CliError> {
    let key = args
        .gank_key
        .as_ref()
        .map(Secret::expose)
        .filter(|k| !k.trim().is_empty());
    let header = args
        .gank_signature_header
        .as_deref()
        .filter(|h| !h.trim().is_empty());
    let url_secret = args.gank_url_secret.as_ref().map(Secret::expose);
    if let Some(s) = url_secret {
        check_secret("--gank-url-secret (CREATOR_GANK_SECRET)", s)?;
    }
    let hmac = match (key, header) {
        (Some(key), Some(header)) => {
            let verifier = gank_hmac(
                key,
                header,
                args.gank_signature_algorithm,
                args.gank_signature_encoding,
            )?;
            Some((verifier, header.to_owned()))
        }
        (Some(_), None) => {
            return Err(CliError::Usage(
                "GANK_WEBHOOK_KEY is set but GANK_SIGNATURE_HEADER is not: Gank does not document the signature header, so name it (--gank-signature-header) from a captured delivery".into(),
            ));
        }
        (None, Some(_)) => {
            return Err(CliError::Usage(
                "GANK_SIGNATURE_HEADER is set but GANK_WEBHOOK_KEY is not: set the `key` Gank returned when you registered the webhook".into(),
            ));
        }
        (None, None) => None,
    };
    // Every check configured must pass: the URL secret (which the relay also
    // checks before reading the body), then the signature.
    let mut checks = AllOf::new();
    let mut described = Vec::new();
    if let Some(secret) = url_secret {
        let token = UrlToken::last_path_segment(secret)
            .map_err(|e| config_error("--gank-url-secret (CREATOR_GANK_SECRET)", e))?;
        checks = checks.with(token);
        described.push("URL secret".to_owned());
    }
    if let Some((verifier, header)) = hmac {
        checks = checks.with(verifier);
        let algorithm = format!("{:?}", args.gank_signature_algorithm);
        described.push(format!("{algorithm} HMAC in `{header}`"));
    }
    if checks.is_empty() {
        return Ok((
            Endpoint::unavailable(
                "gank",
                "the relay has no Gank verification configured (set GANK_WEBHOOK_KEY and GANK_SIGNATURE_HEADER, or CREATOR_GANK_SECRET); delivery kept in quarantine",
            ),
            "/webhooks/gank: not configured (deliveries are quarantined and answered 503 until GANK_WEBHOOK_KEY + GANK_SIGNATURE_HEADER or CREATOR_GANK_SECRET are set)".to_owned(),
        ));
    }
    let hooks = GankWebhooks::builder()
        .verifier(checks)
        .build()
        .map_err(|e| config_error("Gank webhooks", e))?;
    let endpoint = Endpoint::new("gank", Arc::new(hooks));
    let (endpoint, path) = match url_secret {
        Some(secret) => (
            endpoint.url_secret(secret)?,
            "/webhooks/gank/<CREATOR_GANK_SECRET>",
        ),
        None => (endpoint, "/webhooks/gank"),
    };
    Ok((endpoint, format!("{path} ({})", described.join(", then "))))
}

/// A usage error for a library configuration error, without its doubled
/// "configuration error:" prefix.
fn config_error(what: &str, e: creator_core::Error) -> CliError {
    match e {
        creator_core::Error::Config(message) => CliError::Usage(format!("{what}: {message}")),
        other => CliError::Usage(format!("{what}: {other}")),
    }
}

/// Resolves `--listen` (a name such as `localhost` works), preferring IPv4.
async fn listen_address(listen: &str) -> Result<SocketAddr, CliError> {
    let bad = |why: String| {
        CliError::Usage(format!(
            "--listen `{listen}` is not an address to listen on ({why}): use HOST:PORT such as 127.0.0.1:8787 or localhost:8787"
        ))
    };
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host(listen)
        .await
        .map_err(|e| bad(e.to_string()))?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| bad("it resolves to no address".into()))
}

/// Checks the options that can be checked before anything starts.
fn check_limits(args: &RelayArgs) -> Result<(), CliError> {
    let parser = ParseLimits::default().max_body_bytes_value();
    if args.max_body_bytes > parser {
        return Err(CliError::Usage(format!(
            "--max-body-bytes {} is above what the webhook parsers accept ({parser} bytes): a larger body would only be refused later",
            args.max_body_bytes
        )));
    }
    if args.max_body_bytes == 0 || args.max_connections == 0 || args.max_connections_per_peer == 0 {
        return Err(CliError::Usage(
            "--max-body-bytes, --max-connections and --max-connections-per-peer must be above 0"
                .into(),
        ));
    }
    Ok(())
}

/// Runs `creator relay` until Ctrl-C or SIGTERM, then shuts down gracefully.
///
/// # Errors
/// Bad options, a ledger that cannot be opened or written, or an address that
/// cannot be bound.
pub async fn run(args: RelayArgs) -> Result<(), CliError> {
    if args.check_config {
        return check::run(&args).await;
    }
    check_limits(&args)?;
    let (gank, gank_note) = gank_endpoint(&args)?;
    let gumroad = gumroad_webhooks(&args)?;
    let listen = listen_address(&args.listen).await?;
    args.forwarding.check(&args.webhook_secrets())?;
    let reconcile = args.reconcile.schedule()?;
    let options = OpenOptions {
        quarantine_budget: QuarantineBudget {
            max_rows: args.quarantine_max_rows,
            max_bytes: args.quarantine_max_bytes,
        },
        ..OpenOptions::default()
    };
    let ledger = ledger::open_with(&args.db.db, options).await?;
    let secret = if args.gumroad_auth == GumroadAuth::Basic {
        None
    } else {
        match gumroad_secret(args.gumroad_secret.as_ref(), &*ledger).await {
            Ok(s) => Some(s),
            Err(e) => {
                ledger.close().await;
                return Err(e);
            }
        }
    };
    // Gumroad signs nothing: its checks read the URL and headers only, so
    // they run before the body is read.
    let gumroad = Endpoint::new("gumroad", gumroad).verifies_headers_only();
    let gumroad = match &secret {
        Some((s, _)) => match gumroad.url_secret(s.as_str()) {
            Ok(endpoint) => endpoint,
            Err(e) => {
                ledger.close().await;
                return Err(e);
            }
        },
        None => gumroad,
    };
    let config = RelayConfig {
        listen,
        max_body_bytes: args.max_body_bytes,
        connections: ConnectionLimits {
            max_connections: args.max_connections,
            max_per_peer: args.max_connections_per_peer,
            ..ConnectionLimits::default()
        },
        trusted_proxies: args.trusted_proxies.clone(),
        summary_every: std::time::Duration::from_secs(args.summary_interval),
        ..RelayConfig::default()
    };
    if let Some((s, _)) = &secret
        && args.forwarding.read_token_is(s)
    {
        ledger.close().await;
        return Err(CliError::Usage(
            "--read-token (CREATOR_READ_TOKEN) must not be the Gumroad URL secret".into(),
        ));
    }
    let configured = match check::sync_destinations(&*ledger, &args.configured).await {
        Ok(lines) => lines,
        Err(e) => {
            ledger.close().await;
            return Err(e);
        }
    };
    let base_guess = format!("http://{listen}");
    let forwarding = match args.forwarding.prepare(&*ledger, &base_guess).await {
        Ok(f) => f,
        Err(e) => {
            ledger.close().await;
            return Err(e);
        }
    };
    let console = match console_config(&args, &args.webhook_secrets(), secret.as_ref()) {
        Ok(c) => c,
        Err(e) => {
            ledger.close().await;
            return Err(e);
        }
    };
    let config = RelayConfig {
        forward: forwarding.config.clone(),
        read_token: forwarding.read_token.clone(),
        console: console.as_ref().map(|(c, _)| c.clone()),
        ..config
    };
    let backend = ledger.backend();
    // Listen for Ctrl-C and SIGTERM before anything is printed: a supervisor
    // that stops the relay right after its banner must get a clean shutdown.
    let stop = shutdown_signal();
    let reconcile_ledger = ledger.clone();
    let relay = Relay::start(config, vec![gumroad, gank], ledger).await?;
    let reconciling = reconcile.map(|r| (r.every(), tokio::spawn(r.run(reconcile_ledger))));
    let bound = relay.local_addr();
    let base = format!("http://{bound}");
    say(format!(
        "creator relay: listening on {base} (ledger: {backend} {})",
        shown_db(&args.db.db)
    ));
    if !bound.ip().is_loopback() {
        say(
            "  warning: listening beyond this machine over plain HTTP: put a TLS-terminating proxy in front before giving the URL to a platform (Gumroad's secret travels in the URL)",
        );
    }
    let basic = match args.gumroad_auth {
        GumroadAuth::UrlSecret => "",
        _ => " + HTTP Basic (register https://<user>:<password>@<your host>/…)",
    };
    match &secret {
        Some((s, SecretSource::Generated)) => say(format!(
            "  Gumroad:  {base}/webhooks/gumroad/{s}{basic}   (secret generated now and kept in the ledger; shown only this once: `--show-secret` shows it again)"
        )),
        Some((s, _)) if args.show_secret => {
            say(format!("  Gumroad:  {base}/webhooks/gumroad/{s}{basic}"))
        }
        Some((_, SecretSource::Kept)) => say(format!(
            "  Gumroad:  {base}/webhooks/gumroad/<secret kept in the ledger>{basic}   (`--show-secret` shows it)"
        )),
        Some((_, _)) => say(format!(
            "  Gumroad:  {base}/webhooks/gumroad/<CREATOR_GUMROAD_SECRET>{basic}"
        )),
        None => say(format!("  Gumroad:  {base}/webhooks/gumroad{basic}")),
    }
    say(format!("  Gank:     {base}{gank_note}"));
    for line in configured.iter().chain(&forwarding.banner) {
        say(line.replace(&base_guess, &base));
    }
    if let Some((every, _)) = &reconciling {
        say(format!(
            "  reconcile: every {}s (one relay at a time per ledger)",
            every.as_secs()
        ));
    }
    say(format!("  health:   {base}/healthz"));
    if let Some((c, generated)) = &console {
        if *generated {
            say(format!(
                "  console:  {base}/console   (token, generated now and shown only this once: {}; set CREATOR_CONSOLE_TOKEN to choose one)",
                c.token.expose()
            ));
        } else {
            say(format!(
                "  console:  {base}/console   (token: CREATOR_CONSOLE_TOKEN)"
            ));
        }
        if let Some(warning) =
            crate::relay::console::exposure_warning(bound, !args.trusted_proxies.is_empty())
        {
            say(format!("  {warning}"));
        }
    }
    say("  Ctrl-C or SIGTERM stops the relay after requests in progress finish.");
    stop.await;
    if let Some((_, task)) = reconciling {
        // A run stopped here leaves its cursor; its lease expires.
        task.abort();
    }
    say("creator relay: shutting down, finishing requests in progress…");
    relay.shutdown().await?;
    say("creator relay: stopped");
    Ok(())
}

mod check;
/// `--public-url`, checked (`None` when not given).
fn public_url(args: &RelayArgs) -> Result<Option<url::Url>, CliError> {
    args.public_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
        .map(crate::doctor::parse_public_url)
        .transpose()
}

/// The console's settings for `--console`, and whether its token was generated now.
fn console_config(
    args: &RelayArgs,
    webhook_secrets: &[&str],
    gumroad_secret: Option<&(String, SecretSource)>,
) -> Result<Option<(crate::relay::console::ConsoleConfig, bool)>, CliError> {
    if !args.console {
        return Ok(None);
    }
    let wiring = crate::doctor::Wiring {
        url: public_url(args)?,
        gumroad_secret: gumroad_secret.map(|(s, _)| Secret::new(s.clone())),
        gank_url_secret: args.gank_url_secret.clone(),
        gank_key: args.gank_key.clone().filter(|k| !k.is_empty()),
    };
    let (token, generated) = match &args.console_token {
        Some(t) if t.expose().len() < MIN_SECRET_LEN => {
            return Err(CliError::Usage(format!(
                "CREATOR_CONSOLE_TOKEN is too short: use at least {MIN_SECRET_LEN} random characters"
            )));
        }
        Some(t) => (t.clone(), false),
        None => (crate::relay::console::generate_token()?, true),
    };
    if webhook_secrets.contains(&token.expose()) || args.forwarding.read_token_is(token.expose()) {
        return Err(CliError::Usage(
            "the console token must not be a webhook secret or the read token".into(),
        ));
    }
    Ok(Some((
        crate::relay::console::ConsoleConfig {
            token,
            doctor: super::doctor::console_doctor(wiring),
        },
        generated,
    )))
}

/// The `--db` value without a password.
pub(crate) fn shown_db(db: &str) -> String {
    if ledger::is_postgres_url(db)
        && let Some((scheme, rest)) = db.split_once("://")
        && let Some((_, host)) = rest.rsplit_once('@')
    {
        return format!("{scheme}://…@{host}");
    }
    db.to_owned()
}

/// Resolves on Ctrl-C or SIGTERM; the handlers are installed when this is
/// called, not when it is first awaited.
#[cfg(unix)]
pub(crate) fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    async move {
        let wait = |s: std::io::Result<tokio::signal::unix::Signal>| async move {
            match s {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = wait(term) => {},
            () = wait(int) => {},
        }
    }
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
pub(crate) fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_must_be_long_and_url_safe() {
        assert!(check_secret("x", "short").is_err());
        assert!(check_secret("x", "has/a/slash-and-is-long").is_err());
        assert!(check_secret("x", "0123456789abcdef").is_ok());
        let g = generate_secret().unwrap();
        assert_eq!(g.len(), 32);
        assert!(check_secret("x", &g).is_ok());
    }

    #[test]
    fn debug_of_the_parsed_command_line_shows_no_secret() {
        use clap::Parser;
        let cli = crate::Cli::parse_from([
            "creator",
            "relay",
            "--db",
            "postgres://u:pg-pa55word@db/creator",
            "--gumroad-secret",
            "gumroad-s3cret-0123456789",
            "--gumroad-basic-user",
            "basic-us3r",
            "--gumroad-basic-password",
            "basic-pa55word-0123456789",
            "--gank-key",
            "gank-k3y-0123456789",
            "--gank-url-secret",
            "gank-url-s3cret-0123456789",
        ]);
        let shown = format!("{cli:?} {cli:#?}");
        for secret in [
            "pg-pa55word",
            "gumroad-s3cret",
            "basic-us3r",
            "basic-pa55word",
            "gank-k3y",
            "gank-url-s3cret",
        ] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }

    #[test]
    fn postgres_passwords_are_not_shown() {
        assert_eq!(
            shown_db("postgres://u:pw@db.local:5432/creator"),
            "postgres://…@db.local:5432/creator"
        );
        assert_eq!(shown_db("creator.db"), "creator.db");
    }

    #[tokio::test]
    async fn listen_takes_names_and_refuses_nonsense() {
        let a = listen_address("localhost:0").await.unwrap();
        assert!(a.ip().is_loopback());
        assert!(listen_address("127.0.0.1:8787").await.is_ok());
        assert!(listen_address("no port").await.is_err());
    }
}
