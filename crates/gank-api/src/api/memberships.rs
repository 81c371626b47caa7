//! Membership settings (tiers) and their details (billing options):
//! `GET {V1}/v1/users/membership-settings-v2/{user_id}` (login token).
//!
//! The docs show only the ids and the `membershipDetails` nesting; every
//! other field is kept in `extra`. The few fields read by name (`title`,
//! `name`, `month`, `price`) are read only when present.

use creator_core::http::Path;
use creator_core::{Error, Result};
use serde::Deserialize;

use crate::MembershipSetting;
use crate::client::{GankClient, Host, TokenKind};
use crate::de;

#[derive(Deserialize)]
struct SettingsEnvelope {
    #[serde(default, deserialize_with = "de::nullable")]
    data: Vec<MembershipSetting>,
}

/// Membership settings: `client.memberships()`.
#[derive(Debug, Clone, Copy)]
pub struct MembershipsApi<'a> {
    client: &'a GankClient,
}

impl<'a> MembershipsApi<'a> {
    pub(crate) fn new(client: &'a GankClient) -> Self {
        Self { client }
    }

    /// A user's membership settings (tiers) with their details (billing
    /// options), from `GET {V1}/v1/users/membership-settings-v2/{user_id}`
    /// (login token).
    ///
    /// # Errors
    /// [`Error::Config`] without a login token, [`Error::InvalidInput`] for
    /// an empty user id; request and decode errors.
    pub async fn settings(&self, user_id: &str) -> Result<Vec<MembershipSetting>> {
        let client = self.client;
        if user_id.trim().is_empty() {
            return Err(Error::InvalidInput("the Gank user id is empty".into()));
        }
        let auth = client.bearer(
            TokenKind::Login,
            "GET /v1/users/membership-settings-v2/{user_id}",
        )?;
        let env: SettingsEnvelope = client
            .transport(Host::V1)
            .get(Path::new("/v1/users/membership-settings-v2/{}", &[user_id]))
            .auth(auth)
            .json()
            .await?;
        Ok(env.data)
    }
}
