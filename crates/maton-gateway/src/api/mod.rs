//! Endpoint groups: the connections control plane and the generic app
//! proxy. Reach them through the client (`maton.connections()`,
//! `maton.app("slack")`); the client does not know these modules (its
//! accessors live here), so there is no import circle.

pub(crate) mod connections;
pub(crate) mod proxy;

use crate::MatonClient;

impl MatonClient {
    /// The connections control plane (`/connections`).
    pub fn connections(&self) -> connections::ConnectionsApi<'_> {
        connections::ConnectionsApi::new(self)
    }

    /// Requests to any app Maton supports, by its app name (`slack`,
    /// `google-mail`, `stripe`, …): `{gateway}/{app}/{native path}`.
    ///
    /// An invalid app name is reported when a request is sent.
    pub fn app(&self, app: &str) -> proxy::AppProxy {
        proxy::AppProxy::new(self.config.clone(), app)
    }
}
