//! Building provider clients from the environment, as the core trait objects
//! the list and sync commands work on.

use std::sync::Arc;

use clap::{Args, ValueEnum};
use creator_core::{Access, Products, Sales, Secret, Subscribers};

use crate::error::{CliError, Credentials};

/// A platform the list and sync commands can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderName {
    /// Gumroad, directly (`GUMROAD_ACCESS_TOKEN`).
    Gumroad,
    /// Gank (`GANK_LOGIN_TOKEN`, `GANK_CREATOR_TOKEN`).
    Gank,
    /// Gumroad through the Maton API gateway (`MATON_API_KEY`).
    Maton,
}

impl ProviderName {
    /// The lower-case name (`gumroad`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderName::Gumroad => "gumroad",
            ProviderName::Gank => "gank",
            ProviderName::Maton => "maton",
        }
    }
}

/// Which provider to read, and where its API lives (overridable for tests
/// and proxies). `--help` never shows the URL variables' values: a proxy URL
/// can carry a password.
#[derive(Debug, Clone, Args)]
pub struct ProviderArgs {
    /// The platform to read.
    #[arg(long, value_enum)]
    pub provider: ProviderName,
    /// Gumroad API base URL.
    #[arg(
        long,
        env = "GUMROAD_API_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub gumroad_url: Option<String>,
    /// Gank V1 API base URL.
    #[arg(long, env = "GANK_V1_URL", value_name = "URL", hide_env_values = true)]
    pub gank_v1_url: Option<String>,
    /// Gank V2 (Creator API) base URL.
    #[arg(long, env = "GANK_V2_URL", value_name = "URL", hide_env_values = true)]
    pub gank_v2_url: Option<String>,
    /// Maton API base URL.
    #[arg(
        long,
        env = "MATON_API_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub maton_url: Option<String>,
    /// The Maton connection id to use (`Maton-Connection`), when you have several.
    #[arg(long, env = "MATON_CONNECTION", value_name = "ID")]
    pub maton_connection: Option<String>,
}

impl ProviderArgs {
    /// The options of `provider` as the environment sets them (for a
    /// command that reads a platform without `--provider`, such as the
    /// relay's `--reconcile-every`).
    pub fn from_env(provider: ProviderName) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Self {
            provider,
            gumroad_url: var("GUMROAD_API_URL"),
            gank_v1_url: var("GANK_V1_URL"),
            gank_v2_url: var("GANK_V2_URL"),
            maton_url: var("MATON_API_URL"),
            maton_connection: var("MATON_CONNECTION"),
        }
    }
}

/// Reads a credential from the environment; missing or blank is an error
/// naming the variable and where its value comes from.
///
/// # Errors
/// [`CliError::MissingEnv`].
pub fn env_secret(var: &'static str, hint: &'static str) -> Result<Secret, CliError> {
    optional_env_secret(var)?.ok_or(CliError::MissingEnv { var, hint })
}

/// The variable's value, else what `creator auth login` stored for it.
fn optional_env_secret(var: &str) -> Result<Option<Secret>, CliError> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => {
            crate::watch::register_secret(v.trim());
            Ok(Some(Secret::new(v.trim())))
        }
        _ => crate::auth::stored_for_variable(var),
    }
}

const GUMROAD_HINT: &str = "create an access token in Gumroad (Settings > Advanced > Applications > Generate access token) and export GUMROAD_ACCESS_TOKEN=…";
const GANK_LOGIN_HINT: &str =
    "export GANK_LOGIN_TOKEN=… (the Authorization bearer token of a logged-in ganknow.com session)";
const GANK_CREATOR_HINT: &str = "export GANK_CREATOR_TOKEN=… (generate it in the Gank dashboard under Widgets > Payment Widget)";
const MATON_HINT: &str =
    "export MATON_API_KEY=… (from https://maton.ai/settings), with Gumroad connected in Maton";

/// The resource a command reads, which decides the credentials it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// Products, listings, tiers.
    Products,
    /// Sales and transactions.
    Sales,
    /// Subscribers and members.
    Subscribers,
}

/// A provider's clients as core trait objects, with the credentials they use.
pub struct Shop {
    /// The provider.
    pub name: ProviderName,
    /// Products, when built for them.
    pub products: Option<Arc<dyn Products>>,
    /// Sales, when built for them.
    pub sales: Option<Arc<dyn Sales>>,
    /// Subscribers, when built for them.
    pub subscribers: Option<Arc<dyn Subscribers>>,
    /// Live entitlement checks (`creator access check --live`).
    pub access: Option<Arc<dyn Access>>,
    /// Credentials, for error messages.
    pub credentials: Credentials,
}

impl std::fmt::Debug for Shop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shop")
            .field("name", &self.name)
            .field("products", &self.products.is_some())
            .field("sales", &self.sales.is_some())
            .field("subscribers", &self.subscribers.is_some())
            .finish()
    }
}

/// Builds the clients for `resources` from the environment.
///
/// # Errors
/// [`CliError::MissingEnv`] for a missing credential, [`CliError::Provider`]
/// for a client that cannot be built (bad base URL), or
/// [`CliError::NotAvailable`] when the provider's crate does not offer it yet.
pub fn shop(args: &ProviderArgs, resources: &[Resource]) -> Result<Shop, CliError> {
    match args.provider {
        ProviderName::Gumroad => gumroad(args, resources),
        ProviderName::Gank => gank(args, resources),
        ProviderName::Maton => maton(args, resources),
    }
}

/// The Gumroad client of `--provider gumroad` (`GUMROAD_ACCESS_TOKEN`) or,
/// for `--provider maton`, the one routed through the Maton gateway.
///
/// # Errors
/// As [`shop`]; [`CliError::Usage`] for `--provider gank`.
pub fn gumroad_client(
    args: &ProviderArgs,
) -> Result<(gumroad_api::GumroadClient, Credentials), CliError> {
    match args.provider {
        ProviderName::Gumroad => {
            let token = env_secret("GUMROAD_ACCESS_TOKEN", GUMROAD_HINT)?;
            Ok((gumroad_with_token(args, token)?, Credentials::GUMROAD))
        }
        ProviderName::Maton => Ok((maton_client(args)?.gumroad(), Credentials::MATON)),
        ProviderName::Gank => Err(CliError::Usage(
            "this is a Gumroad command: use --provider gumroad, or maton for Gumroad through the Maton gateway".into(),
        )),
    }
}

/// A Gumroad client with `token` at `--gumroad-url` (`GUMROAD_API_URL`).
///
/// # Errors
/// [`CliError::Provider`] for a client that cannot be built.
pub fn gumroad_with_token(
    args: &ProviderArgs,
    token: Secret,
) -> Result<gumroad_api::GumroadClient, CliError> {
    let mut builder = gumroad_api::GumroadClient::builder(token);
    if let Some(url) = &args.gumroad_url {
        builder = builder.base_url(url.clone());
    }
    builder
        .build()
        .map_err(|e| crate::error::provider_error(e, Credentials::GUMROAD))
}

fn gumroad(args: &ProviderArgs, _resources: &[Resource]) -> Result<Shop, CliError> {
    let (client, creds) = gumroad_client(args)?;
    let client = Arc::new(client);
    Ok(Shop {
        name: ProviderName::Gumroad,
        products: Some(client.clone()),
        sales: Some(client.clone()),
        subscribers: Some(client.clone()),
        access: Some(client),
        credentials: creds,
    })
}

fn gank(args: &ProviderArgs, resources: &[Resource]) -> Result<Shop, CliError> {
    let needs_login = resources
        .iter()
        .any(|r| matches!(r, Resource::Products | Resource::Sales));
    let needs_creator = resources.contains(&Resource::Subscribers);
    let (client, creds) = gank_client(args, needs_login, needs_creator)?;
    let client = Arc::new(client);
    Ok(Shop {
        name: ProviderName::Gank,
        products: Some(client.clone()),
        sales: Some(client.clone()),
        subscribers: Some(client.clone()),
        access: Some(client),
        credentials: creds,
    })
}

/// The Gank client, with the login token and the creator token (each
/// required when asked for, else used when available).
///
/// # Errors
/// As [`shop`].
pub fn gank_client(
    args: &ProviderArgs,
    needs_login: bool,
    needs_creator: bool,
) -> Result<(gank_api::GankClient, Credentials), CliError> {
    let login = if needs_login {
        Some(env_secret("GANK_LOGIN_TOKEN", GANK_LOGIN_HINT)?)
    } else {
        optional_env_secret("GANK_LOGIN_TOKEN")?
    };
    let creator = if needs_creator {
        Some(env_secret("GANK_CREATOR_TOKEN", GANK_CREATOR_HINT)?)
    } else {
        optional_env_secret("GANK_CREATOR_TOKEN")?
    };
    let creds = match (needs_login, needs_creator) {
        (true, true) => Credentials::GANK_BOTH,
        (false, true) => Credentials::GANK_CREATOR,
        _ => Credentials::GANK_LOGIN,
    };
    Ok((gank_with_tokens(args, login, creator, creds)?, creds))
}

/// A Gank client with the given tokens at `--gank-v1-url` / `--gank-v2-url`.
///
/// # Errors
/// [`CliError::Provider`] for a client that cannot be built.
pub fn gank_with_tokens(
    args: &ProviderArgs,
    login: Option<Secret>,
    creator: Option<Secret>,
    creds: Credentials,
) -> Result<gank_api::GankClient, CliError> {
    let mut builder = gank_api::GankClient::builder();
    if let Some(t) = login {
        builder = builder.login_token(t);
    }
    if let Some(t) = creator {
        builder = builder.creator_token(t);
    }
    if let Some(url) = &args.gank_v1_url {
        builder = builder.v1_base_url(url.clone());
    }
    if let Some(url) = &args.gank_v2_url {
        builder = builder.v2_base_url(url.clone());
    }
    builder
        .build()
        .map_err(|e| crate::error::provider_error(e, creds))
}

/// The Maton client (`MATON_API_KEY`), with `--maton-connection` or the
/// default connection `creator auth login --provider maton` stored.
///
/// # Errors
/// As [`shop`].
pub fn maton_client(args: &ProviderArgs) -> Result<maton_gateway::MatonClient, CliError> {
    let key = env_secret("MATON_API_KEY", MATON_HINT)?;
    let connection = args
        .maton_connection
        .clone()
        .filter(|c| !c.trim().is_empty())
        .or_else(crate::auth::stored_maton_connection);
    maton_with_key(args, key, connection.as_deref())
}

/// A Maton client with `key` at `--maton-url`, routed to `connection`.
///
/// # Errors
/// [`CliError::Provider`] for a client that cannot be built.
pub fn maton_with_key(
    args: &ProviderArgs,
    key: Secret,
    connection: Option<&str>,
) -> Result<maton_gateway::MatonClient, CliError> {
    let mut builder = maton_gateway::MatonClient::builder().api_key(key);
    if let Some(url) = &args.maton_url {
        builder = builder.base_url(url.clone());
    }
    if let Some(id) = connection.filter(|c| !c.trim().is_empty()) {
        builder = builder.connection(id.trim());
    }
    builder
        .build()
        .map_err(|e| crate::error::provider_error(e, Credentials::MATON))
}

fn maton(args: &ProviderArgs, _resources: &[Resource]) -> Result<Shop, CliError> {
    let creds = Credentials::MATON;
    // The full Gumroad client, routed through the gateway.
    let client = Arc::new(maton_client(args)?.gumroad());
    Ok(Shop {
        name: ProviderName::Maton,
        products: Some(client.clone()),
        sales: Some(client.clone()),
        subscribers: Some(client.clone()),
        access: Some(client),
        credentials: creds,
    })
}
