//! `creator relay`: the webhook relay on the command line.

use std::net::SocketAddr;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use creator_core::{Secret, Webhooks};
use gank_api::{GankClient, HmacAlgorithm, HmacVerifier, SignatureEncoding, UrlTokenVerifier};
use gumroad_api::webhook::{GumroadWebhooks, TokenLocation};

use super::DbArgs;
use crate::CliError;
use crate::ledger::{self, Ledger};
use crate::relay::{DEFAULT_MAX_BODY_BYTES, Endpoint, Relay, RelayConfig};

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

/// Options of `creator relay`.
#[derive(Debug, Clone, Args)]
pub struct RelayArgs {
    /// Address to listen on (port 0 picks a free port; the chosen address is printed).
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    #[command(flatten)]
    db: DbArgs,
    /// Largest accepted body in bytes; larger deliveries get 413 and are quarantined.
    #[arg(long, default_value_t = DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// The secret path segment of the Gumroad endpoint
    /// (`/webhooks/gumroad/<secret>`, at least 16 URL-safe characters).
    /// Without it, one is generated on first start and kept in the ledger.
    #[arg(long, env = "CREATOR_GUMROAD_SECRET", hide_env_values = true, value_parser = secret)]
    gumroad_secret: Option<Secret>,
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
    /// Do not print a line per delivery.
    #[arg(long)]
    quiet: bool,
}

/// Secrets from the command line or environment go straight into a
/// [`Secret`], so `Debug` of the parsed arguments never shows them.
fn secret(value: &str) -> Result<Secret, String> {
    Ok(Secret::new(value))
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
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| {
            CliError::Relay(format!(
                "cannot generate a Gumroad URL secret ({e}): pass --gumroad-secret or set CREATOR_GUMROAD_SECRET"
            ))
        })?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The Gumroad URL secret: the given one, or the one kept in the ledger
/// (generated on first start). Returns it and whether it came from the ledger.
async fn gumroad_secret(
    given: Option<&Secret>,
    ledger: &dyn Ledger,
) -> Result<(String, bool), CliError> {
    if let Some(s) = given {
        check_secret("--gumroad-secret (CREATOR_GUMROAD_SECRET)", s.expose())?;
        return Ok((s.expose().to_owned(), false));
    }
    if let Some(saved) = ledger.setting(GUMROAD_SECRET_SETTING).await? {
        return Ok((saved, true));
    }
    let fresh = generate_secret()?;
    let kept = ledger
        .setting_or_insert(GUMROAD_SECRET_SETTING, &fresh)
        .await?;
    Ok((kept, true))
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
            let algorithm = match args.gank_signature_algorithm {
                GankAlgorithm::Sha256 => HmacAlgorithm::Sha256,
                GankAlgorithm::Sha512 => HmacAlgorithm::Sha512,
            };
            let encoding = match args.gank_signature_encoding {
                GankEncoding::Hex => SignatureEncoding::Hex,
                GankEncoding::Base64 => SignatureEncoding::Base64,
            };
            let verifier = HmacVerifier::builder(header)
                .key(key)
                .algorithm(algorithm)
                .encoding(encoding)
                .build()
                .map_err(|e| CliError::Usage(format!("Gank signature settings: {e}")))?;
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
    let build =
        |verifier: Box<dyn gank_api::SignatureVerifier>| -> Result<Arc<dyn Webhooks>, CliError> {
            let client = GankClient::builder()
                .webhook_verifier(verifier)
                .build()
                .map_err(|e| CliError::Usage(format!("Gank webhooks: {e}")))?;
            Ok(Arc::new(client))
        };
    Ok(match (hmac, url_secret) {
        (Some((verifier, header)), Some(secret)) => (
            Endpoint::new("gank", build(Box::new(verifier))?).url_secret(secret),
            format!(
                "/webhooks/gank/<CREATOR_GANK_SECRET> (URL secret, then {:?} HMAC in `{header}`)",
                args.gank_signature_algorithm
            ),
        ),
        (Some((verifier, header)), None) => (
            Endpoint::new("gank", build(Box::new(verifier))?),
            format!(
                "/webhooks/gank ({:?} HMAC in `{header}`)",
                args.gank_signature_algorithm
            ),
        ),
        (None, Some(secret)) => (
            Endpoint::new(
                "gank",
                build(Box::new(UrlTokenVerifier::path_segment(Secret::new(secret))))?,
            )
            .token_in_path(),
            "/webhooks/gank/<CREATOR_GANK_SECRET> (URL secret)".to_owned(),
        ),
        (None, None) => (
            Endpoint::unavailable(
                "gank",
                "the relay has no Gank verification configured (set GANK_WEBHOOK_KEY and GANK_SIGNATURE_HEADER, or CREATOR_GANK_SECRET); delivery kept in quarantine",
            ),
            "/webhooks/gank: not configured (deliveries are quarantined and answered 503 until GANK_WEBHOOK_KEY + GANK_SIGNATURE_HEADER or CREATOR_GANK_SECRET are set)".to_owned(),
        ),
    })
}

/// Runs `creator relay` until Ctrl-C or SIGTERM, then shuts down gracefully.
///
/// # Errors
/// Bad options, a ledger that cannot be opened, or an address that cannot be bound.
pub async fn run(args: RelayArgs) -> Result<(), CliError> {
    let (gank, gank_note) = gank_endpoint(&args)?;
    let ledger = ledger::open(&args.db.db).await?;
    let (secret, from_ledger) = match gumroad_secret(args.gumroad_secret.as_ref(), &*ledger).await {
        Ok(s) => s,
        Err(e) => {
            ledger.close().await;
            return Err(e);
        }
    };
    let gumroad: Arc<dyn Webhooks> = Arc::new(
        GumroadWebhooks::new()
            .url_token(Secret::new(secret.clone()))
            .token_location(TokenLocation::LastPathSegment),
    );
    let endpoints = vec![Endpoint::new("gumroad", gumroad).token_in_path(), gank];
    let config = RelayConfig {
        listen: args.listen,
        max_body_bytes: args.max_body_bytes,
        log: !args.quiet,
        ..RelayConfig::default()
    };
    let backend = ledger.backend();
    let relay = Relay::start(config, endpoints, ledger).await?;
    let base = format!("http://{}", relay.local_addr());
    eprintln!(
        "creator relay: listening on {base} (ledger: {backend} {})",
        shown_db(&args.db.db)
    );
    if from_ledger {
        eprintln!(
            "  Gumroad:  {base}/webhooks/gumroad/{secret}   (secret generated and kept in the ledger; set CREATOR_GUMROAD_SECRET to choose one)"
        );
    } else {
        eprintln!("  Gumroad:  {base}/webhooks/gumroad/<CREATOR_GUMROAD_SECRET>");
    }
    eprintln!("  Gank:     {base}{gank_note}");
    eprintln!("  health:   {base}/healthz");
    eprintln!("  Ctrl-C or SIGTERM stops the relay after in-flight requests finish.");
    shutdown_signal().await;
    eprintln!("creator relay: shutting down, finishing in-flight requests…");
    relay.shutdown().await?;
    eprintln!("creator relay: stopped");
    Ok(())
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

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
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
            "--gank-key",
            "gank-k3y-0123456789",
            "--gank-url-secret",
            "gank-url-s3cret-0123456789",
        ]);
        let shown = format!("{cli:?} {cli:#?}");
        for secret in [
            "pg-pa55word",
            "gumroad-s3cret",
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
}
