//! The one way every command that changes something on a platform runs:
//! `--dry-run` prints the exact requests and sends none of them, a
//! destructive change asks first unless `--yes`, and `--no-input` (or a
//! standard input that is not a terminal) fails instead of asking.
//!
//! A dry run still sends the reads a write is built from (the sale whose
//! currency scales a partial refund, the subscriptions `subscribe-all`
//! compares against): reads change nothing, and without them the printed
//! request would not be the one a real run sends.

use std::future::Future;
use std::io::{BufRead, IsTerminal, Write};

use clap::Args;
use serde_json::{Value, json};

use crate::CliError;
use crate::emit::OutputArgs;
use crate::watch::{HeldRequest, Watch};

/// The options every write takes.
#[derive(Debug, Clone, Default, Args)]
pub struct WriteArgs {
    /// Print the exact request(s) this would send, secrets redacted, and
    /// send nothing (reads it needs are still made).
    #[arg(long)]
    pub dry_run: bool,
    /// Do not ask before a destructive change.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Never ask: fail where a question would be asked (for scripts and agents).
    #[arg(long)]
    pub no_input: bool,
}

/// How careful to be with a write.
#[derive(Debug, Clone)]
pub enum Care {
    /// Easily undone or harmless to repeat: no question.
    Plain,
    /// Destructive (a refund, a deletion, a revoked key): asks this
    /// question unless `--yes`.
    Confirm(String),
}

/// What a write came to.
#[derive(Debug)]
pub enum Outcome<T> {
    /// It was sent and answered.
    Done(T),
    /// `--dry-run`: these requests were printed and not sent.
    DryRun(Vec<HeldRequest>),
}

/// Asks `question` on the terminal unless `--yes`.
///
/// # Errors
/// [`CliError::Refused`] under `--no-input`, when standard input is not a
/// terminal, or when the answer is not yes.
pub fn confirm(args: &WriteArgs, question: &str) -> Result<(), CliError> {
    if args.yes {
        return Ok(());
    }
    if args.no_input || !std::io::stdin().is_terminal() {
        let why = if args.no_input {
            "--no-input"
        } else {
            "standard input is not a terminal"
        };
        return Err(CliError::Refused(format!(
            "{question} Not asked ({why}): pass --yes to go ahead, or --dry-run to see the request"
        )));
    }
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{question} [y/N] ");
    let _ = err.flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(CliError::Output)?;
    if matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes") {
        Ok(())
    } else {
        Err(CliError::Refused("cancelled: nothing was sent".into()))
    }
}

/// Runs one write: under `--dry-run` with every non-read request held
/// back and returned; otherwise after [`confirm`] for [`Care::Confirm`].
///
/// The future must send through the platform clients (whose requests the
/// dry run holds back); it typically fails with `NotSent` at its first
/// write, which is what a dry run expects.
///
/// # Errors
/// A refused confirmation, the write's own error, or in a dry run any
/// error of the reads before the first write.
pub async fn perform<T, F>(args: &WriteArgs, care: Care, write: F) -> Result<Outcome<T>, CliError>
where
    F: Future<Output = Result<T, CliError>>,
{
    if args.dry_run {
        let watch = Watch::dry_run();
        let result = creator_core::http::observe(watch.clone(), write).await;
        let held = watch.held();
        return match result {
            Ok(_) => Ok(Outcome::DryRun(held)),
            Err(e) if is_not_sent(&e) => Ok(Outcome::DryRun(held)),
            Err(e) => Err(e),
        };
    }
    if let Care::Confirm(question) = &care {
        confirm(args, question)?;
    }
    write.await.map(Outcome::Done)
}

/// True for the error of a request a dry run held back.
pub fn is_not_sent(error: &CliError) -> bool {
    match error {
        CliError::Provider { source, .. } => {
            matches!(**source, creator_core::Error::NotSent { .. })
        }
        _ => false,
    }
}

/// The held requests as JSON for programs (`--format json`, `creator mcp`):
/// each request with its headers, a JSON body parsed as `body` and a form
/// body as `form` (`[[name, value], …]`), secrets redacted.
pub fn dry_run_requests(held: &[HeldRequest]) -> Vec<Value> {
    held.iter()
        .map(|r| {
            let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
            if let (Some(body), Some(ct)) = (&r.body, &r.content_type) {
                if ct.starts_with("application/json") {
                    if let Ok(parsed) = serde_json::from_str::<Value>(body) {
                        v["body"] = parsed;
                    }
                } else if ct.starts_with("application/x-www-form-urlencoded") {
                    let pairs: Vec<Value> = url::form_urlencoded::parse(body.as_bytes())
                        .map(|(k, v)| json!([k, v]))
                        .collect();
                    v["form"] = Value::Array(pairs);
                }
            }
            v
        })
        .collect()
}

/// Prints what a dry run would have sent: each request, its headers and
/// body for people; `{"dry_run": true, "requests": […]}` for programs.
///
/// # Errors
/// A failed write or a bad `--jq` program.
pub fn print_dry_run(held: &[HeldRequest], out: &OutputArgs) -> Result<(), CliError> {
    if out.is_structured() {
        let requests = dry_run_requests(held);
        let mut out = out.clone();
        out.quiet = false;
        return crate::emit::object(&json!({"dry_run": true, "requests": requests}), &out);
    }
    let mut text = String::new();
    if held.is_empty() {
        text.push_str("dry run: nothing would be sent\n");
    }
    for (i, r) in held.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str("dry run: would send (not sent)\n");
        for line in r.lines() {
            text.push_str("  ");
            text.push_str(&line);
            text.push('\n');
        }
    }
    crate::commands::output_result(std::io::stdout().write_all(text.as_bytes()))
}

/// Prints a write's outcome: the dry run, or `message` / the JSON `value`.
///
/// # Errors
/// A failed write or a bad `--jq` program.
pub fn report<T>(
    outcome: Outcome<T>,
    out: &OutputArgs,
    show: impl FnOnce(T) -> (String, Value),
) -> Result<(), CliError> {
    match outcome {
        Outcome::DryRun(held) => print_dry_run(&held, out),
        Outcome::Done(value) => {
            let (message, value) = show(value);
            crate::emit::done(&message, &value, out)
        }
    }
}

/// Runs one platform write through [`perform`] and prints it: the dry run,
/// or `show`'s line for people and the answer as JSON for programs. The one
/// path every write command takes.
///
/// # Errors
/// As [`perform`]; platform errors become one line naming `creds`.
pub async fn run<T, F>(
    args: &WriteArgs,
    out: &OutputArgs,
    care: Care,
    creds: crate::Credentials,
    write: F,
    show: impl FnOnce(&T) -> String,
) -> Result<(), CliError>
where
    T: serde::Serialize,
    F: Future<Output = creator_core::Result<T>>,
{
    let outcome = perform(args, care, async {
        write.await.map_err(|e| crate::provider_error(e, creds))
    })
    .await?;
    report(outcome, out, |value| {
        (
            show(&value),
            serde_json::to_value(&value).unwrap_or(Value::Null),
        )
    })
}
