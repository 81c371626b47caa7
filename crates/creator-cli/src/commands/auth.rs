//! `creator auth login|status|logout|token`: log in once per shop and
//! provider, instead of exporting tokens in every shell.
//!
//! Gumroad: the OAuth device flow by default (a code to enter at a URL, then
//! polling), `--web` for the authorization-code flow with PKCE and a
//! loopback redirect, `--with-token` for a token read from standard input.
//! Both OAuth flows need the client id of a Gumroad OAuth application
//! (Settings > Advanced > Applications; enable device authorization for the
//! device flow): `--client-id` or `CREATOR_GUMROAD_CLIENT_ID`, remembered
//! per profile. Gank: the login token from standard input, and the creator
//! token (read too, or minted with the login token). Maton: the API key
//! from standard input and a default connection.

use std::io::{IsTerminal, Read, Write};
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use creator_core::Secret;
use gumroad_api::login::PublicClient;
use gumroad_api::oauth::Scope;
use serde_json::{Value, json};

use crate::CliError;
use crate::auth::store::{Backend, Login, Vault};
use crate::auth::{Source, credential, profile};
use crate::emit::{self, OutputArgs};
use crate::error::{Credentials, provider_error};
use crate::providers::{self, ProviderArgs, ProviderName};
use crate::write::{self, Care, WriteArgs};

/// `creator auth` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum AuthCommand {
    /// Log in and store the credentials (OS keyring, else a 0600 file).
    Login(LoginArgs),
    /// Who is logged in, with which scopes, from where; checks each token.
    Status(StatusArgs),
    /// Remove stored credentials.
    Logout(LogoutArgs),
    /// Print the token a command would use (for scripts).
    Token(TokenArgs),
}

/// Which Gank token standard input holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GankToken {
    /// The login token (products, sales, webhook registration, minting).
    Login,
    /// The creator token (subscribers).
    Creator,
}

/// Options of `creator auth login`.
#[derive(Debug, Clone, Args)]
#[command(mut_arg("provider", |a| a.required(false).default_value("gumroad")))]
pub struct LoginArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    /// Gumroad: log in in a browser (PKCE, redirect to 127.0.0.1) instead
    /// of the device flow.
    #[arg(long, conflicts_with = "with_token")]
    web: bool,
    /// Read the token (Gank: login token; Maton: API key) from standard input.
    #[arg(long)]
    with_token: bool,
    /// Gank: which token standard input holds.
    #[arg(long, value_enum, default_value_t = GankToken::Login, requires = "with_token")]
    token_kind: GankToken,
    /// Gank: mint a creator token with the login token and store it too
    /// (this revokes the creator token made before).
    #[arg(long)]
    mint_creator_token: bool,
    /// Gumroad: the OAuth application's client id (remembered per profile).
    #[arg(long, env = "CREATOR_GUMROAD_CLIENT_ID", value_name = "ID")]
    client_id: Option<String>,
    /// Gumroad: the scopes to ask for (space- or comma-separated).
    #[arg(long, default_value = "account edit_profile view_profile")]
    scopes: String,
    /// Gumroad: where `/oauth/*` is served.
    #[arg(
        long,
        env = "GUMROAD_OAUTH_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    oauth_url: Option<String>,
    /// Gumroad `--web`: do not try to open a browser, only print the URL.
    #[arg(long)]
    no_browser: bool,
    /// How long to wait for the browser redirect (seconds).
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// Where to keep the secrets (default: the keyring when one answers,
    /// else the file).
    #[arg(long, value_enum)]
    store: Option<Backend>,
    #[command(flatten)]
    write: WriteArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// Options of `creator auth status`.
#[derive(Debug, Clone, Args)]
pub struct StatusArgs {
    /// Only this provider.
    #[arg(long = "for", value_enum, value_name = "PROVIDER")]
    only: Option<ProviderName>,
    /// Do not ask the platforms whether the tokens still work.
    #[arg(long)]
    offline: bool,
    #[command(flatten)]
    provider: StatusUrls,
    #[command(flatten)]
    output: OutputArgs,
}

/// The base URLs `status` checks tokens against (for proxies and tests).
#[derive(Debug, Clone, Args)]
#[command(mut_arg("provider", |a| a.required(false).default_value("gumroad").hide(true)))]
pub struct StatusUrls {
    #[command(flatten)]
    urls: ProviderArgs,
}

/// Options of `creator auth logout`.
#[derive(Debug, Clone, Args)]
pub struct LogoutArgs {
    /// Only this provider (default: every provider of the profile).
    #[arg(long = "for", value_enum, value_name = "PROVIDER")]
    only: Option<ProviderName>,
    #[command(flatten)]
    write: WriteArgs,
    #[command(flatten)]
    output: OutputArgs,
}

/// Options of `creator auth token`.
#[derive(Debug, Clone, Args)]
pub struct TokenArgs {
    /// Whose token.
    #[arg(
        long = "for",
        value_enum,
        value_name = "PROVIDER",
        default_value = "gumroad"
    )]
    provider: ProviderName,
    /// Gank: which token.
    #[arg(long, value_enum, default_value_t = GankToken::Login)]
    kind: GankToken,
}

/// Runs `creator auth …`.
///
/// # Errors
/// Bad input, a failed login, a platform error, or a store that cannot be written.
pub async fn run(command: AuthCommand) -> Result<(), CliError> {
    match command {
        AuthCommand::Login(args) => login(args).await,
        AuthCommand::Status(args) => status(args).await,
        AuthCommand::Logout(args) => logout(args),
        AuthCommand::Token(args) => token(&args),
    }
}

/// Reads one token from standard input (never from a terminal: a token
/// typed there would echo; a pipe keeps it out of shell history and `ps`).
///
/// # Errors
/// [`CliError::Usage`] for a terminal, an empty input, or several words.
pub fn read_stdin_secret(what: &str, example: &str) -> Result<Secret, CliError> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(CliError::Usage(format!(
            "{what} is read from standard input, not typed: {example}"
        )));
    }
    let mut text = String::new();
    stdin
        .lock()
        .take(64 * 1024)
        .read_to_string(&mut text)
        .map_err(|e| CliError::Usage(format!("could not read {what} from standard input: {e}")))?;
    let value = text.trim();
    if value.is_empty() {
        return Err(CliError::Usage(format!(
            "standard input is empty: {example}"
        )));
    }
    if value.split_whitespace().count() > 1 {
        return Err(CliError::Usage(format!(
            "standard input holds more than one word: give {what} alone"
        )));
    }
    crate::watch::register_secret(value);
    Ok(Secret::new(value))
}

fn now() -> String {
    crate::ledger::timestamp(time::OffsetDateTime::now_utc())
}

fn where_stored(vault: &Vault, login: &Login) -> String {
    match login.stored_in {
        Some(Backend::Keyring) => "the OS keyring".into(),
        _ => {
            let mut s = format!("{} (mode 0600)", vault.secrets_path().display());
            if let Some(why) = &login.keyring_unavailable {
                s.push_str(&format!("; the OS keyring is not available: {why}"));
            }
            s
        }
    }
}

fn saved_json(provider: &str, vault: &Vault, login: &Login) -> Value {
    json!({
        "provider": provider,
        "profile": profile(),
        "user": login.user,
        "scopes": login.scopes,
        "method": login.method,
        "stored_in": login.stored_in.map(Backend::as_str),
        "path": (login.stored_in != Some(Backend::Keyring)).then(|| vault.secrets_path().display().to_string()),
        "keyring_unavailable": login.keyring_unavailable,
        "connection": login.connection,
    })
}

async fn login(args: LoginArgs) -> Result<(), CliError> {
    if args.write.dry_run
        && !(args.provider.provider == ProviderName::Gank && args.mint_creator_token)
    {
        return emit::done(
            "dry run: would log in and store the credentials; nothing was sent",
            &json!({"dry_run": true, "action": "log in and store the credentials"}),
            &args.output,
        );
    }
    let vault = Vault::open()?;
    let (name, login) = match args.provider.provider {
        ProviderName::Gumroad => ("gumroad", login_gumroad(&args, &vault).await?),
        ProviderName::Gank => match login_gank(&args, &vault).await? {
            Some(login) => ("gank", login),
            None => return Ok(()),
        },
        ProviderName::Maton => ("maton", login_maton(&args, &vault).await?),
    };
    let who = login
        .user
        .as_deref()
        .map(|u| format!(" as {u}"))
        .unwrap_or_default();
    let message = format!(
        "Logged in to {name}{who} (profile `{}`); credentials stored in {}",
        profile(),
        where_stored(&vault, &login)
    );
    if login.keyring_unavailable.is_some() && !args.output.quiet && !args.output.is_structured() {
        let _ = writeln!(
            std::io::stderr(),
            "warning: the OS keyring is not available, so the credentials are in a file only you can read"
        );
    }
    emit::done(&message, &saved_json(name, &vault, &login), &args.output)
}

fn scopes(text: &str) -> Vec<Scope> {
    text.split([' ', ','])
        .filter(|s| !s.is_empty())
        .map(Scope::parse)
        .collect()
}

async fn login_gumroad(args: &LoginArgs, vault: &Vault) -> Result<Login, CliError> {
    let stored = vault.login(&profile(), "gumroad")?;
    let (token, refresh, granted, method, client_id) = if args.with_token {
        let token = read_stdin_secret(
            "the Gumroad access token",
            "creator auth login --with-token < token.txt",
        )?;
        (token, None, None, "token", None)
    } else {
        let client_id = args
            .client_id
            .clone()
            .filter(|c| !c.trim().is_empty())
            .or_else(|| stored.as_ref().and_then(|l| l.client_id.clone()))
            .ok_or_else(|| {
                CliError::Usage(
                    "Gumroad's OAuth login needs the client id of your OAuth application: create one in Gumroad (Settings > Advanced > Applications; enable device authorization for the device flow) and pass --client-id ID or set CREATOR_GUMROAD_CLIENT_ID; or log in with a token: creator auth login --with-token < token.txt".into(),
                )
            })?;
        let mut builder = PublicClient::builder(client_id.trim());
        if let Some(url) = &args.oauth_url {
            builder = builder.oauth_base_url(url.clone());
        }
        if let Some(url) = &args.provider.gumroad_url {
            builder = builder.api_base_url(url.clone());
        }
        let app = builder
            .build()
            .map_err(|e| provider_error(e, Credentials::GUMROAD_PUBLIC))?;
        let wanted = scopes(&args.scopes);
        let quiet = args.output.quiet;
        let token = if args.web {
            let open = !args.no_browser;
            app.loopback_login(&wanted, Duration::from_secs(args.timeout), |url| {
                say(
                    quiet,
                    &format!("Open this page to log in to Gumroad (waiting for the redirect to 127.0.0.1):\n  {url}"),
                );
                if open {
                    open_browser(url.as_str());
                }
            })
            .await
        } else {
            app.device_login(&wanted, |device| {
                let url = device.verification_url().unwrap_or("https://app.gumroad.com/oauth/device");
                let code = device.user_code.as_deref().unwrap_or("(none)");
                say(
                    quiet,
                    &format!("To log in, open {url} and enter the code {code}\nWaiting for approval…"),
                );
            })
            .await
        }
        .map_err(login_error)?;
        let method = if args.web { "web" } else { "device" };
        (
            token.access_token.clone(),
            token.refresh_token.clone(),
            Some(token.scopes.to_string()),
            method,
            Some(client_id),
        )
    };
    crate::watch::register_secret(token.expose());
    let client = providers::gumroad_with_token(&args.provider, token.clone())?;
    let me = client
        .user()
        .get()
        .await
        .map_err(|e| token_rejected(e, "Gumroad", "the token"))?;
    let user = match (me.name.as_deref(), me.email.as_deref()) {
        (Some(n), Some(e)) => Some(format!("{n} <{e}>")),
        (n, e) => n.or(e).map(str::to_owned),
    };
    let login = Login {
        user,
        scopes: granted.filter(|s| !s.is_empty()),
        method: Some(method.into()),
        client_id,
        saved_at: Some(now()),
        ..Login::default()
    };
    let mut secrets: Vec<(&str, &Secret)> = vec![("access_token", &token)];
    if let Some(r) = &refresh {
        secrets.push(("refresh_token", r));
    }
    vault.save(&profile(), "gumroad", &secrets, login, args.store)
}

/// The device flow's answers, as one line each.
fn login_error(e: creator_core::Error) -> CliError {
    let code = match &e {
        creator_core::Error::Api { code: Some(c), .. } => c.clone(),
        _ => String::new(),
    };
    let message = match code.as_str() {
        "expired_token" => "the login code expired before it was approved: run `creator auth login` again".to_owned(),
        "access_denied" => "the login was declined in the browser: nothing was stored".to_owned(),
        "unauthorized_client" => "this OAuth application does not allow the device flow: enable device authorization for it in Gumroad, or use `creator auth login --web`".to_owned(),
        "invalid_scope" => "Gumroad does not grant the scopes asked for: check --scopes".to_owned(),
        _ => return provider_error(e, Credentials::GUMROAD_PUBLIC),
    };
    CliError::Provider {
        message,
        source: Box::new(e),
    }
}

fn token_rejected(e: creator_core::Error, platform: &str, what: &str) -> CliError {
    if matches!(
        e,
        creator_core::Error::Unauthorized { .. } | creator_core::Error::Forbidden { .. }
    ) {
        let message =
            format!("{platform} rejected {what}: nothing was stored; check it and log in again");
        return CliError::Provider {
            message,
            source: Box::new(e),
        };
    }
    provider_error(e, Credentials::GUMROAD_PUBLIC)
}

/// A line on stderr for the person logging in.
fn say(quiet: bool, text: &str) {
    if !quiet {
        let _ = writeln!(std::io::stderr(), "{text}");
    }
}

/// Best effort: asks the desktop to open `url`; the URL is printed anyway.
fn open_browser(url: &str) {
    let (program, args): (&str, Vec<&str>) = if cfg!(target_os = "macos") {
        ("open", vec![url])
    } else if cfg!(windows) {
        ("cmd", vec!["/C", "start", "", url])
    } else {
        ("xdg-open", vec![url])
    };
    let _ = std::process::Command::new(program)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

async fn login_gank(args: &LoginArgs, vault: &Vault) -> Result<Option<Login>, CliError> {
    if !args.with_token && !args.mint_creator_token {
        return Err(CliError::Usage(
            "Gank has no OAuth login for other apps: pipe the login token (the Authorization bearer of a logged-in ganknow.com session): creator auth login --provider gank --with-token < token.txt".into(),
        ));
    }
    let (mut login_token, mut creator_token) = (None, None);
    if args.with_token {
        let what = match args.token_kind {
            GankToken::Login => "the Gank login token",
            GankToken::Creator => "the Gank creator token",
        };
        let token = read_stdin_secret(
            what,
            "creator auth login --provider gank --with-token < token.txt",
        )?;
        match args.token_kind {
            GankToken::Login => login_token = Some(token),
            GankToken::Creator => creator_token = Some(token),
        }
    }
    // Keep what is stored and not replaced.
    if login_token.is_none() {
        login_token = credential("gank", "login_token")?.map(|(s, _)| s);
    }
    if creator_token.is_none() && !args.mint_creator_token {
        creator_token = credential("gank", "creator_token")?.map(|(s, _)| s);
    }
    let mut user = None;
    if let Some(token) = &login_token {
        let client = providers::gank_with_tokens(
            &args.provider,
            Some(token.clone()),
            None,
            Credentials::GANK_LOGIN,
        )?;
        if args.mint_creator_token {
            let question =
                "Mint a new Gank creator token? The one made before stops working.".to_owned();
            let minted = write::perform(&args.write, Care::Confirm(question), async {
                client
                    .creator_tokens()
                    .mint()
                    .await
                    .map_err(|e| provider_error(e, Credentials::GANK_LOGIN))
            })
            .await?;
            match minted {
                write::Outcome::DryRun(held) => {
                    write::print_dry_run(&held, &args.output)?;
                    return Ok(None);
                }
                write::Outcome::Done(minted) => {
                    crate::watch::register_secret(minted.token.expose());
                    creator_token = Some(minted.token);
                }
            }
        }
        if args.token_kind == GankToken::Login || args.mint_creator_token {
            let me = client
                .users()
                .me()
                .await
                .map_err(|e| token_rejected(e, "Gank", "the login token"))?;
            user = Some(me.nickname.unwrap_or(me.id));
        }
    } else if args.mint_creator_token {
        return Err(CliError::Usage(
            "minting a creator token needs the login token: creator auth login --provider gank --with-token --mint-creator-token < login-token.txt".into(),
        ));
    }
    let mut secrets: Vec<(&str, &Secret)> = Vec::new();
    if let Some(t) = &login_token {
        secrets.push(("login_token", t));
    }
    if let Some(t) = &creator_token {
        secrets.push(("creator_token", t));
    }
    let method = if args.mint_creator_token {
        "token, minted"
    } else {
        "token"
    };
    let login = Login {
        user,
        method: Some(method.into()),
        saved_at: Some(now()),
        ..Login::default()
    };
    vault
        .save(&profile(), "gank", &secrets, login, args.store)
        .map(Some)
}

async fn login_maton(args: &LoginArgs, vault: &Vault) -> Result<Login, CliError> {
    if !args.with_token {
        return Err(CliError::Usage(
            "pipe the Maton API key (from https://maton.ai/settings): creator auth login --provider maton --with-token < key.txt".into(),
        ));
    }
    let key = read_stdin_secret(
        "the Maton API key",
        "creator auth login --provider maton --with-token < key.txt",
    )?;
    let client = providers::maton_with_key(&args.provider, key.clone(), None)?;
    let query = maton_gateway::ListConnections::new().app("gumroad");
    let connections = client
        .connections()
        .list(&query)
        .await
        .map_err(|e| token_rejected(e, "Maton", "the API key"))?;
    let active: Vec<_> = connections.iter().filter(|c| c.is_active()).collect();
    let connection = match args.provider.maton_connection.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => {
            if !connections.iter().any(|c| c.connection_id == id) {
                return Err(CliError::Usage(format!(
                    "Maton has no Gumroad connection `{id}` for this key: `creator maton connections list` shows them"
                )));
            }
            Some(id.to_owned())
        }
        _ if active.len() == 1 => Some(active[0].connection_id.clone()),
        _ => None,
    };
    if connection.is_none() && active.len() > 1 {
        say(
            args.output.quiet,
            &format!(
                "note: {} active Gumroad connections; pick the default with --maton-connection ID",
                active.len()
            ),
        );
    }
    let login = Login {
        connection,
        method: Some("token".into()),
        saved_at: Some(now()),
        ..Login::default()
    };
    vault.save(&profile(), "maton", &[("api_key", &key)], login, args.store)
}

/// The main secret of each provider: (provider, secret name).
const MAIN: &[(ProviderName, &str, &str)] = &[
    (ProviderName::Gumroad, "gumroad", "access_token"),
    (ProviderName::Gank, "gank", "login_token"),
    (ProviderName::Maton, "maton", "api_key"),
];

const STATUS_COLUMNS: emit::Columns = &[
    ("provider", 8),
    ("profile", 10),
    ("logged_in", 9),
    ("user", 28),
    ("source", 22),
    ("check", 12),
    ("scopes", 30),
    ("connection", 36),
];

async fn status(args: StatusArgs) -> Result<(), CliError> {
    let vault = Vault::open()?;
    let mut rows = Vec::new();
    for (kind, name, secret) in MAIN {
        if args.only.is_some_and(|o| o != *kind) {
            continue;
        }
        let stored = vault.login(&profile(), name)?;
        let mut found = credential(name, secret)?;
        if found.is_none() && *kind == ProviderName::Gank {
            found = credential(name, "creator_token")?;
        }
        let source = found.as_ref().map(|(_, s)| s.clone());
        let check = match (&found, args.offline) {
            (None, _) => "-".to_owned(),
            (Some(_), true) => "not checked".to_owned(),
            (Some((token, _)), false) => check(*kind, token, &args.provider.urls).await,
        };
        let from_env = matches!(source, Some(Source::Env(_)));
        let login = stored.clone().unwrap_or_default();
        rows.push(json!({
            "provider": name,
            "profile": profile(),
            "logged_in": found.is_some(),
            "user": if from_env { None } else { login.user.clone() },
            "source": source.as_ref().map(Source::describe),
            "check": check,
            "scopes": if from_env { None } else { login.scopes.clone() },
            "connection": login.connection.clone(),
            "path": (!from_env && login.stored_in == Some(Backend::File)).then(|| vault.secrets_path().display().to_string()),
            "keyring_unavailable": login.keyring_unavailable,
        }));
    }
    emit::list(&rows, STATUS_COLUMNS, &args.output)
}

/// Asks the platform whether `token` still works: `ok`, `rejected`, or why not known.
async fn check(kind: ProviderName, token: &Secret, urls: &ProviderArgs) -> String {
    let result = match kind {
        ProviderName::Gumroad => match providers::gumroad_with_token(urls, token.clone()) {
            Ok(c) => c.user().get().await.map(|_| ()),
            Err(e) => return e.to_string(),
        },
        ProviderName::Gank => {
            match providers::gank_with_tokens(
                urls,
                Some(token.clone()),
                None,
                Credentials::GANK_LOGIN,
            ) {
                Ok(c) => c.users().me().await.map(|_| ()),
                Err(e) => return e.to_string(),
            }
        }
        ProviderName::Maton => match providers::maton_with_key(urls, token.clone(), None) {
            Ok(c) => c
                .connections()
                .list(&maton_gateway::ListConnections::new())
                .await
                .map(|_| ()),
            Err(e) => return e.to_string(),
        },
    };
    match result {
        Ok(()) => "ok".into(),
        Err(creator_core::Error::Unauthorized { .. }) => "rejected".into(),
        Err(creator_core::Error::Forbidden { .. }) => "forbidden".into(),
        Err(e) if e.is_retryable() => "unreachable".into(),
        Err(_) => "error".into(),
    }
}

fn logout(args: LogoutArgs) -> Result<(), CliError> {
    let vault = Vault::open()?;
    let config = vault.config()?;
    let profile = profile();
    let stored: Vec<String> = config
        .profiles
        .get(&profile)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let targets: Vec<String> = stored
        .into_iter()
        .filter(|p| args.only.is_none_or(|o| o.as_str() == p))
        .collect();
    if targets.is_empty() {
        return emit::done(
            &format!("nothing is stored for profile `{profile}`"),
            &json!({"profile": profile, "removed": []}),
            &args.output,
        );
    }
    let list = targets.join(", ");
    if args.write.dry_run {
        return emit::done(
            &format!("dry run: would remove the stored {list} credentials of profile `{profile}`"),
            &json!({"dry_run": true, "profile": profile, "would_remove": targets}),
            &args.output,
        );
    }
    write::confirm(
        &args.write,
        &format!("Remove the stored {list} credentials of profile `{profile}`?"),
    )?;
    for p in &targets {
        vault.forget(&profile, p)?;
    }
    let still: Vec<&str> = crate::auth::VARIABLES
        .iter()
        .filter(|(var, p, _)| {
            targets.iter().any(|t| t == p) && std::env::var(var).is_ok_and(|v| !v.trim().is_empty())
        })
        .map(|(var, _, _)| *var)
        .collect();
    let mut message = format!("Removed the stored {list} credentials of profile `{profile}`");
    if !still.is_empty() {
        message.push_str(&format!(
            "; {} is still set in this shell and still used",
            still.join(", ")
        ));
    }
    emit::done(
        &message,
        &json!({"profile": profile, "removed": targets, "still_in_environment": still}),
        &args.output,
    )
}

fn token(args: &TokenArgs) -> Result<(), CliError> {
    let (provider, name) = match (args.provider, args.kind) {
        (ProviderName::Gumroad, _) => ("gumroad", "access_token"),
        (ProviderName::Gank, GankToken::Login) => ("gank", "login_token"),
        (ProviderName::Gank, GankToken::Creator) => ("gank", "creator_token"),
        (ProviderName::Maton, _) => ("maton", "api_key"),
    };
    let Some((secret, _)) = credential(provider, name)? else {
        return Err(CliError::Usage(format!(
            "no {provider} credentials for profile `{}`: run `creator auth login --provider {provider}`",
            profile()
        )));
    };
    crate::commands::output_result(writeln!(std::io::stdout(), "{}", secret.expose()))
}
