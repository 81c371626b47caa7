//! Endpoint groups, one per resource. Reach them through the client:
//! `client.subscribers()`, `client.transactions()`, …. The endpoint modules
//! use the client; the client does not know them (its accessors live here).

pub(crate) mod listings;
pub(crate) mod memberships;
pub(crate) mod registration;
pub(crate) mod subscribers;
pub(crate) mod tokens;
pub(crate) mod transactions;
pub(crate) mod users;

use crate::GankClient;

impl GankClient {
    /// Minting creator tokens (`POST {V2}/auth/creators`).
    pub fn creator_tokens(&self) -> tokens::CreatorTokensApi<'_> {
        tokens::CreatorTokensApi::new(self)
    }

    /// Webhook registration (`{V2}/auth/external-callback/register`).
    pub fn webhook_registration(&self) -> registration::WebhookRegistrationApi<'_> {
        registration::WebhookRegistrationApi::new(self)
    }

    /// Subscribers of your memberships (`{V2}/payment/creator/subscribers`).
    pub fn subscribers(&self) -> subscribers::SubscribersApi<'_> {
        subscribers::SubscribersApi::new(self)
    }

    /// Subscription status (`{V2}/payment/creator/subscription/{id}/status`).
    pub fn subscriptions(&self) -> subscribers::SubscriptionsApi<'_> {
        subscribers::SubscriptionsApi::new(self)
    }

    /// Transactions (`{V1}/v1/payment/transaction/{id}`, and the V2 list).
    pub fn transactions(&self) -> transactions::TransactionsApi<'_> {
        transactions::TransactionsApi::new(self)
    }

    /// Your account (`{V1}/v1/users/me`).
    pub fn users(&self) -> users::UsersApi<'_> {
        users::UsersApi::new(self)
    }

    /// Membership settings (tiers) with their details
    /// (`{V1}/v1/users/membership-settings-v2/{user_id}`).
    pub fn memberships(&self) -> memberships::MembershipsApi<'_> {
        memberships::MembershipsApi::new(self)
    }

    /// Shop listings of a user (`{V1}/v1/catalogs/services?userId=`).
    pub fn listings(&self) -> listings::ListingsApi<'_> {
        listings::ListingsApi::new(self)
    }
}
