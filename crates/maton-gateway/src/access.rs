//! [`Access`] and [`SaleActions`] on [`MatonClient`]: Gumroad's, through the
//! gateway, with the verdicts and outcomes tagged [`Provider::Maton`].
//!
//! The gateway adds nothing to the decision; every rule (license 404 texts,
//! refunds, subscriptions) is `gumroad_api::access`'s, and the calls are sent
//! once like Gumroad's own. Maton takes no idempotency key for the app it
//! proxies, so keys are honoured exactly as on Gumroad (by state, or not for
//! partial refunds).

use creator_core::{
    Access, AccessQuery, AccessVerdict, ActionOutcome, IdempotencyKey, Provider, RefundAmount,
    Result, SaleActions, async_trait,
};

use crate::MatonClient;

/// Entitlement checks against the Gumroad account behind the gateway.
#[async_trait]
impl Access for MatonClient {
    fn provider(&self) -> Provider {
        Provider::Maton
    }

    async fn check(&self, query: AccessQuery) -> Result<AccessVerdict> {
        Access::check(self.gumroad_ref(), query)
            .await
            .map(|v| v.answered_by(Provider::Maton))
    }
}

fn tagged(mut outcome: ActionOutcome) -> ActionOutcome {
    outcome.provider = Provider::Maton;
    outcome
}

/// Refunds and access changes on the Gumroad account behind the gateway.
#[async_trait]
impl SaleActions for MatonClient {
    fn provider(&self) -> Provider {
        Provider::Maton
    }

    async fn refund(
        &self,
        sale_id: &str,
        amount: RefundAmount,
        key: &IdempotencyKey,
    ) -> Result<ActionOutcome> {
        SaleActions::refund(self.gumroad_ref(), sale_id, amount, key)
            .await
            .map(tagged)
    }

    async fn revoke_access(&self, sale_id: &str, key: &IdempotencyKey) -> Result<ActionOutcome> {
        SaleActions::revoke_access(self.gumroad_ref(), sale_id, key)
            .await
            .map(tagged)
    }

    async fn restore_access(&self, sale_id: &str, key: &IdempotencyKey) -> Result<ActionOutcome> {
        SaleActions::restore_access(self.gumroad_ref(), sale_id, key)
            .await
            .map(tagged)
    }
}
