//! `GET /v2/user`.

use creator_core::Result;

use crate::client::envelope;
use crate::{GumroadClient, User};

envelope!(UserEnvelope { user: User });

/// The token owner's account. Get it with [`GumroadClient::user`].
#[derive(Debug, Clone, Copy)]
pub struct UserApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl UserApi<'_> {
    /// `GET /v2/user`: the account that owns the token.
    ///
    /// ```no_run
    /// # async fn run(client: gumroad_api::GumroadClient) -> creator_core::Result<()> {
    /// let me = client.user().get().await?;
    /// println!("{:?} <{:?}>", me.name, me.email);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::Unauthorized`](creator_core::Error::Unauthorized) for a bad
    /// token, or any request error.
    pub async fn get(&self) -> Result<User> {
        let t = self.client.transport();
        let env: UserEnvelope = self.client.call(t.get("/v2/user")).await?;
        Ok(env.user)
    }
}
