//! Token introspection (`GET /v2/meta`).

use serde::{Deserialize, Serialize};

use crate::de::{nullable, opt_string};
use crate::oauth::{Scope, Scopes};

/// What `GET /v2/meta` says about the token in use: whose it is, its
/// scopes and the application it was issued to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TokenInfo {
    /// The token's owner.
    #[serde(default)]
    pub user: Option<MetaUser>,
    /// The token itself.
    #[serde(default)]
    pub token: Option<MetaToken>,
    /// The API version and documentation.
    #[serde(default)]
    pub api: Option<ApiInfo>,
}

impl TokenInfo {
    /// The granted scopes (empty when the server sent none).
    pub fn scopes(&self) -> Scopes {
        Scopes(
            self.token
                .as_ref()
                .map(|t| t.scopes.clone())
                .unwrap_or_default(),
        )
    }

    /// True when the token carries `scope`.
    pub fn has_scope(&self, scope: &Scope) -> bool {
        self.token
            .as_ref()
            .is_some_and(|t| t.scopes.contains(scope))
    }
}

/// The owner of a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MetaUser {
    /// The user's external id.
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
}

/// A token's scopes and application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MetaToken {
    /// Granted scopes; unknown ones are kept as [`Scope::Unknown`].
    #[serde(default, deserialize_with = "nullable")]
    pub scopes: Vec<Scope>,
    /// The OAuth application's name (`null` for tokens without one).
    #[serde(default, deserialize_with = "opt_string")]
    pub application_name: Option<String>,
}

/// The API the token talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiInfo {
    /// `"v2"`.
    #[serde(default, deserialize_with = "opt_string")]
    pub version: Option<String>,
    /// Where the API is documented.
    #[serde(default, deserialize_with = "opt_string")]
    pub documentation_url: Option<String>,
}
