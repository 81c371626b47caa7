//! The connections control plane: `/connections`.

use creator_core::http::Path;
use creator_core::{Error, Result};
use serde::{Deserialize, Serialize};

use crate::{AuthMethod, Connection, ConnectionStatus, MatonClient};

/// Filters for [`ConnectionsApi::list`].
///
/// ```
/// use maton_gateway::{ConnectionStatus, ListConnections};
///
/// let q = ListConnections::new().app("gumroad").status(ConnectionStatus::Active);
/// # let _ = q;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListConnections {
    /// Only connections for this app.
    pub app: Option<String>,
    /// Only connections in this state.
    pub status: Option<ConnectionStatus>,
}

impl ListConnections {
    /// Every connection of the account.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only connections for `app`.
    pub fn app(mut self, app: impl Into<String>) -> Self {
        self.app = Some(app.into());
        self
    }

    /// Only connections in `status`.
    pub fn status(mut self, status: ConnectionStatus) -> Self {
        self.status = Some(status);
        self
    }
}

/// The body of [`ConnectionsApi::create`]: `{"app": …, "method": …}`.
///
/// ```
/// use maton_gateway::{AuthMethod, CreateConnection};
///
/// let new = CreateConnection::new("gumroad").method(AuthMethod::OAuth2);
/// assert_eq!(serde_json::to_string(&new).unwrap(), r#"{"app":"gumroad","method":"OAUTH2"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CreateConnection {
    /// The app name (`gumroad`).
    pub app: String,
    /// The authentication method; Maton picks the app's default when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<AuthMethod>,
}

impl CreateConnection {
    /// A connection for `app` with the app's default method.
    pub fn new(app: impl Into<String>) -> Self {
        Self {
            app: app.into(),
            method: None,
        }
    }

    /// Asks for a specific authentication method.
    pub fn method(mut self, method: AuthMethod) -> Self {
        self.method = Some(method);
        self
    }
}

#[derive(Deserialize)]
struct ListEnvelope {
    #[serde(default)]
    connections: Option<Vec<Connection>>,
}

#[derive(Deserialize)]
struct OneEnvelope {
    connection: Connection,
}

/// The connections control plane; get it with [`MatonClient::connections`].
#[derive(Debug, Clone, Copy)]
pub struct ConnectionsApi<'a> {
    client: &'a MatonClient,
}

impl<'a> ConnectionsApi<'a> {
    pub(crate) fn new(client: &'a MatonClient) -> Self {
        Self { client }
    }

    /// `GET /connections?app=…&status=…`: the account's connections.
    ///
    /// Maton does not document pagination for this endpoint; every
    /// connection in the response is returned.
    ///
    /// # Errors
    /// [`Error::Unauthorized`] for a bad key, other request errors, or
    /// [`Error::Decode`] for an unexpected body.
    ///
    /// ```no_run
    /// use maton_gateway::{ConnectionStatus, ListConnections, MatonClient};
    ///
    /// # async fn run() -> creator_core::Result<()> {
    /// let maton = MatonClient::from_env()?;
    /// for c in maton.connections().list(&ListConnections::new().app("gumroad").status(ConnectionStatus::Active)).await? {
    ///     println!("{} {:?}", c.connection_id, c.status);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(&self, query: &ListConnections) -> Result<Vec<Connection>> {
        let envelope: ListEnvelope = self
            .client
            .control_transport()
            .get(Path::fixed("/connections"))
            .query_opt("app", query.app.clone())
            .query_opt(
                "status",
                query.status.as_ref().map(|s| s.as_str().to_owned()),
            )
            .json()
            .await?;
        Ok(envelope.connections.unwrap_or_default())
    }

    /// `POST /connections`: starts a new connection. Open the returned
    /// connection's `url` (or, if Maton left it out, [`ConnectionsApi::get`]
    /// the new id) to authorize the app. Never retried: a repeat would
    /// create a second connection.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty app name; request errors; or
    /// [`Error::Decode`] when the body carries no `connection_id` (the body
    /// is not documented; `{"connection": {...}}` as for `get`, or the same
    /// fields at the top level, are accepted).
    ///
    /// ```no_run
    /// use maton_gateway::{CreateConnection, MatonClient};
    ///
    /// # async fn run() -> creator_core::Result<()> {
    /// let maton = MatonClient::from_env()?;
    /// let c = maton.connections().create(&CreateConnection::new("gumroad")).await?;
    /// println!("open {:?}, then use connection {}", c.url, c.connection_id);
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, new: &CreateConnection) -> Result<Connection> {
        require("app", &new.app)?;
        let response = self
            .client
            .control_transport()
            .post(Path::fixed("/connections"))
            .json_body(new)
            .send()
            .await?;
        // `{"connection": {...}}` like GET, or the fields at the top level.
        let wrapped = serde_json::from_slice::<serde_json::Value>(&response.body)
            .ok()
            .is_some_and(|v| v.get("connection").is_some());
        if wrapped {
            Ok(response
                .json::<OneEnvelope>(creator_core::Provider::Maton)?
                .connection)
        } else {
            response.json::<Connection>(creator_core::Provider::Maton)
        }
    }

    /// `GET /connections/{id}`: one connection, with the `url` to open while it is pending.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty id, [`Error::NotFound`] for an
    /// unknown id, or other request errors.
    pub async fn get(&self, connection_id: &str) -> Result<Connection> {
        require("connection id", connection_id)?;
        let envelope: OneEnvelope = self
            .client
            .control_transport()
            .get(Path::new("/connections/{}", &[connection_id]))
            .json()
            .await?;
        Ok(envelope.connection)
    }

    /// `DELETE /connections/{id}`. Maton does not document the response
    /// body; any 2xx counts as deleted.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty id, [`Error::NotFound`] for an
    /// unknown id, or other request errors.
    pub async fn delete(&self, connection_id: &str) -> Result<()> {
        require("connection id", connection_id)?;
        self.client
            .control_transport()
            .delete(Path::new("/connections/{}", &[connection_id]))
            .send()
            .await?;
        Ok(())
    }
}

pub(crate) fn require(what: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::InvalidInput(format!("{what} must not be empty")))
    } else {
        Ok(())
    }
}
