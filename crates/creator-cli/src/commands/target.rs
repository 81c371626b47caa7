//! What every platform command (a read or a write of one shop) shares:
//! which way to reach the platform ([`Target`]), the options around a
//! command's own arguments ([`Read`], [`Write`]), and the one runner each
//! goes through. A command is one line that names its call: the runner
//! builds the client, asks, dry-runs, sends and prints.

use clap::Args;
use futures::future::LocalBoxFuture;
use serde::Serialize;
use serde_json::Value;

use crate::CliError;
use crate::emit::{self, Columns, OutputArgs};
use crate::error::{Credentials, provider_error};
use crate::providers::{self, ProviderArgs};
use crate::write::{self, Care, WriteArgs};

/// A way to reach one platform.
pub trait Target: Args + Clone + std::fmt::Debug {
    /// The platform client.
    type Client;
    /// The client, and the credentials its errors name.
    ///
    /// # Errors
    /// Missing credentials, the wrong `--provider`, or a bad base URL.
    fn client(&self) -> Result<(Self::Client, Credentials), CliError>;
}

/// How to reach Gumroad: directly (`GUMROAD_ACCESS_TOKEN` or `creator auth
/// login`), or `--provider maton` through the Maton gateway.
#[derive(Debug, Clone, Args)]
#[command(
    mut_arg("provider", |a| a
        .required(false)
        .default_value("gumroad")
        .help("gumroad, or maton for Gumroad through the Maton gateway")),
    mut_arg("gank_v1_url", |a| a.hide(true)),
    mut_arg("gank_v2_url", |a| a.hide(true)),
)]
pub struct GumroadTarget {
    #[command(flatten)]
    provider: ProviderArgs,
}

impl Target for GumroadTarget {
    type Client = gumroad_api::GumroadClient;
    fn client(&self) -> Result<(Self::Client, Credentials), CliError> {
        providers::gumroad_client(&self.provider)
    }
}

/// How to reach Gank with the login token (`GANK_LOGIN_TOKEN` or `creator
/// auth login --provider gank`).
#[derive(Debug, Clone, Args)]
#[command(
    mut_arg("provider", |a| a.required(false).default_value("gank").hide(true)),
    mut_arg("gumroad_url", |a| a.hide(true)),
    mut_arg("gank_v1_url", |a| a.hide(true)),
    mut_arg("maton_url", |a| a.hide(true)),
    mut_arg("maton_connection", |a| a.hide(true)),
)]
pub struct GankTarget {
    #[command(flatten)]
    provider: ProviderArgs,
}

impl Target for GankTarget {
    type Client = gank_api::GankClient;
    fn client(&self) -> Result<(Self::Client, Credentials), CliError> {
        providers::gank_client(&self.provider, true, false)
    }
}

/// How to reach the Maton API (`MATON_API_KEY` or `creator auth login
/// --provider maton`).
#[derive(Debug, Clone, Args)]
#[command(
    mut_arg("provider", |a| a.required(false).default_value("maton").hide(true)),
    mut_arg("gumroad_url", |a| a.hide(true)),
    mut_arg("gank_v1_url", |a| a.hide(true)),
    mut_arg("gank_v2_url", |a| a.hide(true)),
)]
pub struct MatonTarget {
    #[command(flatten)]
    provider: ProviderArgs,
}

impl Target for MatonTarget {
    type Client = maton_gateway::MatonClient;
    fn client(&self) -> Result<(Self::Client, Credentials), CliError> {
        Ok((providers::maton_client(&self.provider)?, Credentials::MATON))
    }
}

/// JSON of a model (`null` if it cannot be serialized, which a model never fails).
pub fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// A platform call's answer, as JSON.
pub type Call<'a> = LocalBoxFuture<'a, creator_core::Result<Value>>;

/// Boxes a platform call, its answer turned into JSON.
pub fn call<'a, T: Serialize>(
    request: impl std::future::Future<Output = creator_core::Result<T>> + 'a,
) -> Call<'a> {
    Box::pin(async move { request.await.map(|v| json(&v)) })
}

/// What a read prints: one object, or a list as a table.
pub enum Shown<'a> {
    /// One object (`field: value` lines for people).
    Object(Call<'a>),
    /// A list: a table with these columns for people.
    List(Columns, Call<'a>),
}

impl std::fmt::Debug for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Shown::Object(_) => "Shown::Object",
            Shown::List(..) => "Shown::List",
        })
    }
}

/// A read of one object.
///
/// # Errors
/// Never: it returns `Ok` so that a command's closure can end with it.
pub fn object<'a, T: Serialize>(
    request: impl std::future::Future<Output = creator_core::Result<T>> + 'a,
) -> Result<Shown<'a>, CliError> {
    Ok(Shown::Object(call(request)))
}

/// A read of a list.
///
/// # Errors
/// Never: it returns `Ok` so that a command's closure can end with it.
pub fn list<'a, T: Serialize>(
    columns: Columns,
    request: impl std::future::Future<Output = creator_core::Result<Vec<T>>> + 'a,
) -> Result<Shown<'a>, CliError> {
    Ok(Shown::List(columns, call(request)))
}

/// One write: how careful to be, what it sends, and the line people read
/// when it is done.
pub struct Change<'a> {
    care: Care,
    send: Call<'a>,
    done: Box<dyn FnOnce(&Value) -> String + 'a>,
}

impl<'a> Change<'a> {
    /// Says `f` of the answer when done, instead of the fixed line.
    #[must_use]
    pub fn saying(mut self, f: impl FnOnce(&Value) -> String + 'a) -> Self {
        self.done = Box::new(f);
        self
    }
}

impl std::fmt::Debug for Change<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Change")
            .field("care", &self.care)
            .finish_non_exhaustive()
    }
}

fn said<'a>(line: String) -> Box<dyn FnOnce(&Value) -> String + 'a> {
    Box::new(move |_| line)
}

/// A write that is easily undone or harmless to repeat: sent without asking.
///
/// # Errors
/// Never: it returns `Ok` so that a command's closure can end with it.
pub fn plain<'a, T: Serialize>(
    done: impl Into<String>,
    request: impl std::future::Future<Output = creator_core::Result<T>> + 'a,
) -> Result<Change<'a>, CliError> {
    Ok(Change {
        care: Care::Plain,
        send: call(request),
        done: said(done.into()),
    })
}

/// A destructive write: asks `question` unless `--yes`.
///
/// # Errors
/// Never: it returns `Ok` so that a command's closure can end with it.
pub fn confirm<'a, T: Serialize>(
    question: impl Into<String>,
    done: impl Into<String>,
    request: impl std::future::Future<Output = creator_core::Result<T>> + 'a,
) -> Result<Change<'a>, CliError> {
    Ok(Change {
        care: Care::Confirm(question.into()),
        send: call(request),
        done: said(done.into()),
    })
}

/// A read command: its own arguments `A`, where to reach the platform, and
/// how to print.
#[derive(Debug, Clone, Args)]
pub struct Read<A: Args, T: Target = GumroadTarget> {
    #[command(flatten)]
    args: A,
    #[command(flatten)]
    target: T,
    #[command(flatten)]
    output: OutputArgs,
}

impl<A: Args, T: Target> Read<A, T> {
    /// Runs the read `f` names and prints what it returns.
    ///
    /// # Errors
    /// Bad input, missing credentials, or the platform's error as one line.
    pub async fn run<F>(&self, f: F) -> Result<(), CliError>
    where
        F: for<'a> FnOnce(&'a T::Client, &'a A) -> Result<Shown<'a>, CliError>,
    {
        let (client, creds) = self.target.client()?;
        let fail = |e| provider_error(e, creds);
        match f(&client, &self.args)? {
            Shown::Object(read) => emit::object(&read.await.map_err(fail)?, &self.output),
            Shown::List(columns, read) => {
                let value = read.await.map_err(fail)?;
                let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
                emit::list(items, columns, &self.output)
            }
        }
    }
}

/// A write command: its own arguments `A`, where to reach the platform,
/// `--dry-run` / `--yes` / `--no-input`, and how to print.
#[derive(Debug, Clone, Args)]
pub struct Write<A: Args, T: Target = GumroadTarget> {
    /// The command's own arguments.
    #[command(flatten)]
    pub args: A,
    /// Where to reach the platform.
    #[command(flatten)]
    pub target: T,
    /// `--dry-run`, `--yes`, `--no-input`.
    #[command(flatten)]
    pub write: WriteArgs,
    /// How to print.
    #[command(flatten)]
    pub output: OutputArgs,
}

impl<A: Args, T: Target> Write<A, T> {
    /// Runs the write `f` names through [`write::run`].
    ///
    /// # Errors
    /// Bad input, missing credentials, a refused confirmation, or the
    /// platform's error as one line.
    pub async fn run<F>(&self, f: F) -> Result<(), CliError>
    where
        F: for<'a> FnOnce(&'a T::Client, &'a A) -> Result<Change<'a>, CliError>,
    {
        let (client, creds) = self.target.client()?;
        let Change { care, send, done } = f(&client, &self.args)?;
        write::run(&self.write, &self.output, care, creds, send, done).await
    }
}
