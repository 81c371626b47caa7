//! `creator mcp`: the Model Context Protocol over stdio (the official SDK,
//! `rmcp`), so an agent can read and, carefully, change a shop.
//!
//! - Read tools: products, sales, one sale, subscribers on every
//!   provider (through the creator-core traits), Gumroad license checks and
//!   payouts, and the relay ledger's events (`--db`).
//! - Write tools: refund (full or partial), resend a receipt,
//!   revoke and restore access, mark shipped, and enable, disable, rotate or
//!   decrement a license. Each is a dry run unless called with
//!   `confirm: true`, and each takes an `idempotency_key` that is kept
//!   durably ([`keys`]) so a retried call never acts twice.
//!
//! Credentials are found as for every other command (the environment, else
//! what `creator auth login` stored for `--profile`). Nothing but protocol
//! messages goes to stdout; logs go to stderr. Errors are tool errors
//! (`isError: true`) with one line that says what to do.

pub mod keys;
pub mod params;
mod reads;
mod tools;
mod writes;

use std::sync::Arc;

use clap::Args;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ErrorData, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler, ServiceExt};
use serde_json::Value;

use crate::CliError;
use crate::commands::DbArgs;
use crate::providers::ProviderArgs;

/// Options of `creator mcp`.
#[derive(Debug, Clone, Args)]
#[command(mut_arg("provider", |a| a
    .required(false)
    .default_value("gumroad")
    .help("The provider of tool calls that name none")))]
pub struct McpArgs {
    #[command(flatten)]
    provider: ProviderArgs,
    #[command(flatten)]
    db: DbArgs,
}

/// What every tool call shares.
#[derive(Debug)]
pub struct State {
    provider: ProviderArgs,
    db: String,
    keys: keys::Keys,
    tools: Vec<Tool>,
}

impl State {
    /// The provider options of a call: the server's, with the call's provider.
    fn provider_args(&self, provider: Option<params::Provider>) -> ProviderArgs {
        let mut args = self.provider.clone();
        if let Some(p) = provider {
            args.provider = p.into();
        }
        args
    }
}

/// The MCP server.
#[derive(Debug, Clone)]
pub struct Server(Arc<State>);

impl Server {
    /// A server for `args`, keeping idempotency keys in the config directory.
    ///
    /// # Errors
    /// [`CliError::Usage`] when no config directory is known.
    pub fn new(args: McpArgs) -> Result<Self, CliError> {
        let dir = crate::auth::store::config_dir()?;
        Ok(Self(Arc::new(State {
            provider: args.provider,
            db: args.db.db,
            keys: keys::Keys::in_dir(dir),
            tools: tools::catalog(),
        })))
    }

    /// Runs one tool call to its result; failures are tool errors.
    pub async fn call(
        &self,
        name: &str,
        args: Option<rmcp::model::JsonObject>,
    ) -> Option<CallToolResult> {
        let args = Value::Object(args.unwrap_or_default());
        let outcome = tools::call(&self.0, name, args).await?;
        Some(match outcome {
            Ok(value) => CallToolResult::structured(value),
            Err(e) => error_result(&e),
        })
    }
}

/// A tool error: the one-line message as text, and `{"error": {code,
/// message, hint, exit_code}}` as for `--format json`; secrets redacted.
fn error_result(error: &CliError) -> CallToolResult {
    let mut result = CallToolResult::structured_error(error.to_json());
    result.content = vec![rmcp::model::ContentBlock::text(crate::watch::redact(
        &error.to_string(),
    ))];
    result
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("creator", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Read and change a creator's Gumroad, Gank or Maton shop. Write tools are dry runs unless called with confirm: true; \
                 show the returned request to the user before confirming. Give every write a fresh idempotency_key (a UUID) and reuse it only to retry the same call.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.0.tools.clone()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.0.tools.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        match self.call(&request.name, request.arguments).await {
            Some(result) => Ok(result.into()),
            None => Err(ErrorData::invalid_params(
                format!(
                    "no tool named `{}`: list the tools for their names",
                    request.name
                ),
                None,
            )),
        }
    }
}

/// Runs `creator mcp` until the client closes standard input.
///
/// # Errors
/// No config directory, or a transport that fails to start.
pub async fn run(args: McpArgs) -> Result<(), CliError> {
    let server = Server::new(args)?;
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| CliError::Usage(format!("the MCP session did not start: {e}")))?;
    running
        .waiting()
        .await
        .map_err(|e| CliError::Usage(format!("the MCP server stopped: {e}")))?;
    Ok(())
}
