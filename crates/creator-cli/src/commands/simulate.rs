//! `creator simulate`: post a delivery shaped exactly as Gumroad or Gank
//! sends it (see [`crate::simulate`]), to test a relay or an application end to end.

use std::io::Write as _;
use std::time::Duration;

use clap::Args;
use creator_core::Secret;

use super::destinations::shown_url;
use super::output_result;
use super::relay::{GankAlgorithm, GankEncoding, gank_hmac};
use crate::CliError;
use crate::simulate::{Event, Provider, SimulatedDelivery, Simulation, Values};

/// Gumroad's delivery timeout (its worker's open and read timeout).
const TIMEOUT: Duration = Duration::from_secs(5);

/// Options of `creator simulate`.
#[derive(Debug, Clone, Args)]
pub struct SimulateArgs {
    /// The platform whose delivery to send.
    #[arg(long, value_enum)]
    provider: Provider,
    /// The event (Gumroad: sale, refund, dispute, dispute_won,
    /// cancellation, subscription_updated, subscription_ended,
    /// subscription_restarted; Gank: membership, digital_goods).
    #[arg(long, value_enum)]
    event: Event,
    /// Where to POST it: the URL registered with the platform
    /// (`http://127.0.0.1:8787/webhooks/gumroad/<secret>`; `https://user:password@…`
    /// sends HTTP Basic as Gumroad does).
    #[arg(long, value_name = "URL", required_unless_present = "print")]
    to: Option<String>,
    /// Print the delivery (headers and body) instead of posting it.
    #[arg(long)]
    print: bool,
    /// Gank: the registration `key` to sign with (HMAC); unsigned without it
    /// (ignored for Gumroad, which signs nothing).
    #[arg(long, env = "GANK_WEBHOOK_KEY", hide_env_values = true, value_parser = secret)]
    key: Option<Secret>,
    /// Gank: the header carrying the signature (as given to `creator relay`).
    #[arg(long, env = "GANK_SIGNATURE_HEADER")]
    signature_header: Option<String>,
    /// Gank: the signature's HMAC hash.
    #[arg(long, value_enum, default_value_t = GankAlgorithm::Sha256)]
    signature_algorithm: GankAlgorithm,
    /// Gank: the signature's encoding.
    #[arg(long, value_enum, default_value_t = GankEncoding::Hex)]
    signature_encoding: GankEncoding,
    /// Gumroad: send it as the Nth retry (`retry_count=N`, 1 to 3 from Gumroad).
    #[arg(long, value_name = "N")]
    retry_count: Option<u32>,
    /// Gumroad: mark it as a test (`test=true`, as "Send test ping" does).
    #[arg(long)]
    test: bool,
    /// Send the identical delivery N more times (at-least-once delivery:
    /// the relay must store it once).
    #[arg(long, value_name = "N", default_value_t = 0)]
    duplicate: u32,
    /// Draw ids, keys and times from this seed (the same seed, the same
    /// delivery); a random one is drawn and printed otherwise.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Set a field: `price=999`, `card[type]=amex`, `custom_fields[Company]=Acme`,
    /// `data[usecase_data][data][billing_period]=3` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE", value_parser = key_value)]
    sets: Vec<(String, String)>,
}

fn secret(value: &str) -> Result<Secret, String> {
    Ok(Secret::new(value))
}

fn key_value(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!(
            "`{s}` is not KEY=VALUE (`price=999`, `card[type]=amex`)"
        )),
    }
}

impl SimulateArgs {
    /// The simulation these options describe, and the seed it uses.
    ///
    /// # Errors
    /// [`CliError::Usage`] for an event the provider does not send, an
    /// option that does not apply to it, or a bad `--set`.
    pub fn simulation(&self) -> Result<(Simulation, u64), CliError> {
        let seed = match self.seed {
            Some(s) => s,
            None => crate::random::u64()
                .map_err(|e| CliError::Usage(format!("no random seed ({e}): pass --seed N")))?,
        };
        // A given seed repeats everything, times too; a drawn one is about now.
        let until = if self.seed.is_some() {
            time::macros::datetime!(2026-01-01 00:00:00 UTC)
        } else {
            time::OffsetDateTime::now_utc()
        };
        let mut sim =
            Simulation::new(self.provider, self.event)?.values(Values::from_seed(seed, until));
        if let Some(n) = self.retry_count {
            sim = sim.retry_count(n)?;
        }
        sim = sim.test(self.test)?;
        for (k, v) in &self.sets {
            sim = sim.set(k, v)?;
        }
        let key = self
            .key
            .as_ref()
            .map(Secret::expose)
            .filter(|k| !k.is_empty());
        let header = self
            .signature_header
            .as_deref()
            .filter(|h| !h.trim().is_empty());
        match (self.provider, key, header) {
            (Provider::Gank, Some(key), Some(header)) => {
                sim = sim.sign_with(gank_hmac(
                    key,
                    header,
                    self.signature_algorithm,
                    self.signature_encoding,
                )?);
            }
            (Provider::Gank, Some(_), None) => {
                return Err(CliError::Usage(
                    "--key (GANK_WEBHOOK_KEY) needs --signature-header (GANK_SIGNATURE_HEADER): the header the relay reads the signature from".into(),
                ));
            }
            (Provider::Gank, None, Some(_)) => {
                return Err(CliError::Usage(
                    "--signature-header needs --key (GANK_WEBHOOK_KEY) to sign with".into(),
                ));
            }
            _ => {}
        }
        Ok((sim, seed))
    }
}

/// Runs `creator simulate`.
///
/// # Errors
/// Bad options, a receiver that cannot be reached, or one that answers
/// anything but 2xx (every copy is still sent).
pub async fn run(args: SimulateArgs) -> Result<(), CliError> {
    let (sim, seed) = args.simulation()?;
    let delivery = sim.delivery()?;
    let out = std::io::stdout();
    if args.print {
        return output_result(print(&mut out.lock(), &delivery));
    }
    let Some(to) = args.to.as_deref() else {
        return Err(CliError::Usage("--to URL is needed (or --print)".into()));
    };
    let url = reqwest::Url::parse(to)
        .map_err(|e| CliError::Usage(format!("--to `{}` is not a URL ({e})", shown_url(to))))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(CliError::Usage(format!(
            "--to `{}` is not an http:// or https:// URL",
            shown_url(to)
        )));
    }
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| CliError::Relay(format!("cannot start an HTTP client: {e}")))?;
    let shown = shown_url(to);
    let mut failed = Vec::new();
    for copy in 0..=args.duplicate {
        let mut request = client
            .post(url.clone())
            .header(http::header::CONTENT_TYPE, delivery.content_type)
            .body(delivery.body.clone());
        for (name, value) in &delivery.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        let label = if copy == 0 {
            String::new()
        } else {
            format!(" (copy {copy})")
        };
        match request.send().await {
            Ok(response) => {
                let status = response.status();
                output_result(writeln!(
                    out.lock(),
                    "{} {}{label} -> {shown}: {status}",
                    args.provider.name(),
                    args.event.name()
                ))?;
                if !status.is_success() {
                    failed.push(status.as_u16().to_string());
                }
            }
            Err(e) => {
                let why = if e.is_timeout() {
                    format!("no answer within {}s", TIMEOUT.as_secs())
                } else if e.is_connect() {
                    "could not connect".to_owned()
                } else {
                    "the request failed".to_owned()
                };
                output_result(writeln!(
                    out.lock(),
                    "{} {}{label} -> {shown}: {why}",
                    args.provider.name(),
                    args.event.name()
                ))?;
                failed.push(why);
            }
        }
    }
    if args.seed.is_none() {
        output_result(writeln!(
            out.lock(),
            "seed {seed} (--seed {seed} sends this delivery again)"
        ))?;
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(CliError::Relay(format!(
            "{} of {} deliveries to {shown} were not accepted ({})",
            failed.len(),
            args.duplicate + 1,
            failed.join(", "),
        )))
    }
}

fn print(out: &mut impl std::io::Write, d: &SimulatedDelivery) -> std::io::Result<()> {
    writeln!(out, "Content-Type: {}", d.content_type)?;
    for (name, value) in &d.headers {
        writeln!(out, "{name}: {value}")?;
    }
    writeln!(out)?;
    out.write_all(&d.body)?;
    writeln!(out)
}
