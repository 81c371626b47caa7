//! A Maton connection (one user's OAuth link to one app) and its status.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

creator_core::string_enum! {
    /// The state of a connection.
    ///
    /// ```
    /// use maton_gateway::ConnectionStatus;
    ///
    /// assert_eq!(ConnectionStatus::from("ACTIVE"), ConnectionStatus::Active);
    /// assert_eq!(ConnectionStatus::from("REVOKED"), ConnectionStatus::Unknown("REVOKED".into()));
    /// ```
    pub enum ConnectionStatus {
        /// Connected: requests through the gateway use it.
        Active = "ACTIVE",
        /// Created, waiting for the user to finish authorization at the connection's `url`.
        Pending = "PENDING",
        /// Authorization failed.
        Failed = "FAILED",
    }
}

creator_core::string_enum! {
    /// How a connection authenticates to the app.
    pub enum AuthMethod {
        /// An API key the user enters.
        ApiKey = "API_KEY",
        /// HTTP Basic credentials.
        Basic = "BASIC",
        /// OAuth 1.
        OAuth1 = "OAUTH1",
        /// OAuth 2 (Gumroad's method).
        OAuth2 = "OAUTH2",
        /// An MCP server.
        Mcp = "MCP",
        /// A JWT (listed by the Maton CLI manual).
        Jwt = "JWT",
    }
}

/// A connection between the Maton account and one app account.
///
/// Only `connection_id` is required; every other field is optional because
/// Maton's samples differ between endpoints (`GET /connections/{id}` omits
/// `method`) and the body of `POST /connections` is not documented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Connection {
    /// The id to send in `Maton-Connection`.
    #[serde(alias = "connectionId")]
    pub connection_id: String,
    /// `ACTIVE`, `PENDING`, `FAILED`, or a newer value.
    #[serde(default)]
    pub status: Option<ConnectionStatus>,
    /// When the connection was created.
    #[serde(default, alias = "creationTime", with = "time::serde::rfc3339::option")]
    pub creation_time: Option<OffsetDateTime>,
    /// When the connection last changed.
    #[serde(
        default,
        alias = "lastUpdatedTime",
        with = "time::serde::rfc3339::option"
    )]
    pub last_updated_time: Option<OffsetDateTime>,
    /// The page (`https://connect.maton.ai/?session_token=…`) the user opens
    /// to authorize the app; status goes from `PENDING` to `ACTIVE`. It
    /// carries a session token: treat it as a credential of the user.
    #[serde(default)]
    pub url: Option<String>,
    /// The app name (`gumroad`, `slack`, …).
    #[serde(default)]
    pub app: Option<String>,
    /// How the connection authenticates.
    #[serde(default)]
    pub method: Option<AuthMethod>,
    /// App-specific details (`{}` in Maton's samples).
    #[serde(default)]
    pub metadata: Option<serde_json::Value>,
}

impl Connection {
    /// True when the status is `ACTIVE`.
    pub fn is_active(&self) -> bool {
        self.status == Some(ConnectionStatus::Active)
    }

    /// The authorization page to show the user while the connection is not
    /// active yet (`PENDING` or `FAILED`); `None` once it is active.
    pub fn authorization_url(&self) -> Option<&str> {
        if self.is_active() {
            None
        } else {
            self.url.as_deref()
        }
    }
}
