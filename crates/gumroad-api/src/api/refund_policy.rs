//! `/v2/refund_policy`: the account-level refund policy.

use creator_core::Result;

use crate::api::resource::{object_envelope, one};
use crate::{AccountRefundPolicy, GumroadClient, RefundPeriod};

object_envelope!(PolicyEnvelope {
    refund_policy: AccountRefundPolicy
});

/// A new account-level refund policy: the period is required, the fine
/// print optional (`""` clears it; at most 3,000 characters, HTML stripped).
///
/// ```
/// use gumroad_api::{RefundPeriod, RefundPolicyUpdate};
///
/// let policy = RefundPolicyUpdate::new(RefundPeriod::Days30)
///     .fine_print("Refund requests are reviewed within 2 business days.");
/// # let _ = policy;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundPolicyUpdate {
    refund_period: RefundPeriod,
    fine_print: Option<String>,
}

impl RefundPolicyUpdate {
    /// A policy with this refund window; the fine print is left as it is.
    pub fn new(refund_period: RefundPeriod) -> Self {
        Self {
            refund_period,
            fine_print: None,
        }
    }

    /// Sets (or, with `""`, clears) the fine print.
    pub fn fine_print(mut self, fine_print: impl Into<String>) -> Self {
        self.fine_print = Some(fine_print.into());
        self
    }
}

/// The account-level refund policy. Get it with [`GumroadClient::refund_policy`].
#[derive(Debug, Clone, Copy)]
pub struct RefundPolicyApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl RefundPolicyApi<'_> {
    /// `GET /v2/refund_policy` (any public scope).
    ///
    /// # Errors
    /// Any request error.
    pub async fn get(&self) -> Result<AccountRefundPolicy> {
        let t = self.client.transport();
        one::<PolicyEnvelope>(self.client, t.get("/v2/refund_policy")).await
    }

    /// `PUT /v2/refund_policy` (scope `edit_products`).
    ///
    /// # Errors
    /// [`creator_core::Error::Api`] (HTTP 200) when the account-level policy
    /// is not in effect for the seller (set product policies instead), for
    /// a period the server refuses (digital products cannot use
    /// [`RefundPeriod::NoRefunds`]), or for fine print that rules refunds
    /// out; or any request error.
    pub async fn update(&self, policy: &RefundPolicyUpdate) -> Result<AccountRefundPolicy> {
        let mut form = vec![("refund_period", policy.refund_period.as_str())];
        if let Some(fine_print) = &policy.fine_print {
            form.push(("fine_print", fine_print));
        }
        let t = self.client.transport();
        one::<PolicyEnvelope>(self.client, t.put("/v2/refund_policy").form(form)).await
    }
}
