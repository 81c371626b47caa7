//! `/v2/payouts` (2026 API, `view_payouts` scope).

use creator_core::Result;
use creator_core::futures::stream::BoxStream;
use creator_core::http::Path;
use time::Date;

use crate::api::resource;
use crate::client::{bool_str, day_pairs, envelope, require};
use crate::{GumroadClient, ListPage, Payout};

envelope!(PayoutEnvelope { payout: Payout });
envelope!(PayoutsEnvelope { payouts: [Payout] });

/// The upcoming-payouts answer: a `payouts` list (or, tolerated, one `payout`).
#[derive(serde::Deserialize)]
struct UpcomingEnvelope {
    #[serde(default)]
    success: Option<bool>,
    #[serde(default, deserialize_with = "crate::de::nullable")]
    payouts: Option<Vec<Payout>>,
    #[serde(default)]
    payout: Option<Payout>,
}

impl crate::client::Envelope for UpcomingEnvelope {
    fn success(&self) -> Option<bool> {
        self.success
    }
}

/// Filters for [`PayoutsApi::list`]; sent on every page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PayoutsQuery {
    /// Only payouts on or after this day.
    pub after: Option<Date>,
    /// Only payouts before this day.
    pub before: Option<Date>,
    /// Include the upcoming payout (`id: null`) first on the first page
    /// (server default `true`).
    pub include_upcoming: Option<bool>,
    /// Stop after this many pages (10 payouts each), when set.
    pub max_pages: Option<u32>,
}

impl PayoutsQuery {
    /// All payouts.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only payouts on or after `day`.
    pub fn after(mut self, day: Date) -> Self {
        self.after = Some(day);
        self
    }

    /// Only payouts before `day`.
    pub fn before(mut self, day: Date) -> Self {
        self.before = Some(day);
        self
    }

    /// Whether to include the upcoming payout (sent as `"true"`/`"false"`).
    pub fn include_upcoming(mut self, include: bool) -> Self {
        self.include_upcoming = Some(include);
        self
    }

    /// Stops after `pages` pages.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages);
        self
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = day_pairs([("after", self.after), ("before", self.before)]);
        if let Some(b) = self.include_upcoming {
            q.push(("include_upcoming", bool_str(b).to_owned()));
        }
        q
    }
}

/// What a payout detail includes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PayoutDetail {
    /// Include the sale id arrays (server default `true`; needs `view_sales` too).
    pub include_sales: Option<bool>,
    /// Include ledger rows (server default `false`).
    pub include_transactions: Option<bool>,
}

impl PayoutDetail {
    /// Server defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Include (or leave out) the sale id arrays.
    pub fn include_sales(mut self, include: bool) -> Self {
        self.include_sales = Some(include);
        self
    }

    /// Include (or leave out) the ledger rows.
    pub fn include_transactions(mut self, include: bool) -> Self {
        self.include_transactions = Some(include);
        self
    }

    fn pairs(&self) -> Vec<(&'static str, &'static str)> {
        let mut q = Vec::new();
        if let Some(b) = self.include_sales {
            q.push(("include_sales", bool_str(b)));
        }
        if let Some(b) = self.include_transactions {
            q.push(("include_transactions", bool_str(b)));
        }
        q
    }
}

/// Payouts. Get it with [`GumroadClient::payouts`].
#[derive(Debug, Clone, Copy)]
pub struct PayoutsApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl PayoutsApi<'_> {
    /// Every payout matching `query`, newest first, as a lazy stream. The
    /// first item may be the upcoming payout, whose `id` is `None`.
    pub fn list(&self, query: &PayoutsQuery) -> BoxStream<'static, Result<Payout>> {
        resource::stream::<PayoutsEnvelope>(
            self.client,
            Ok("/v2/payouts".into()),
            query.pairs(),
            query.max_pages,
        )
    }

    /// One page of `GET /v2/payouts`.
    ///
    /// # Errors
    /// [`Error::Forbidden`](creator_core::Error::Forbidden) without the
    /// `view_payouts` scope, or any request error.
    pub async fn page(
        &self,
        query: &PayoutsQuery,
        page_key: Option<&str>,
    ) -> Result<ListPage<Payout>> {
        resource::page::<PayoutsEnvelope>(self.client, "/v2/payouts", query.pairs(), page_key).await
    }

    /// `GET /v2/payouts/:id`.
    ///
    /// # Errors
    /// [`Error::NotFound`](creator_core::Error::NotFound), or any request error.
    pub async fn get(&self, id: &str, detail: PayoutDetail) -> Result<Payout> {
        require("payout id", id)?;
        let t = self.client.transport();
        let env: PayoutEnvelope = self
            .client
            .call(
                t.get(Path::new("/v2/payouts/{}", &[id]))
                    .query_pairs(detail.pairs()),
            )
            .await?;
        Ok(env.payout)
    }

    /// `GET /v2/payouts/upcoming`: up to two upcoming payouts (ids `None`).
    ///
    /// # Errors
    /// Any request error.
    pub async fn upcoming(&self, detail: PayoutDetail) -> Result<Vec<Payout>> {
        let t = self.client.transport();
        let response = t
            .get("/v2/payouts/upcoming")
            .query_pairs(detail.pairs())
            .send()
            .await?;
        let env: UpcomingEnvelope = self.client.decode(&response)?;
        match (env.payouts, env.payout) {
            (Some(list), _) => Ok(list),
            (None, Some(one)) => Ok(vec![one]),
            (None, None) => Err(creator_core::Error::decode(
                self.client.provider(),
                "payouts",
                "the upcoming-payouts response has neither `payouts` nor `payout`",
                response.body.clone(),
            )),
        }
    }
}
