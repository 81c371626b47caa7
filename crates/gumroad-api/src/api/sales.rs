//! `/v2/sales`.

use creator_core::futures::stream::BoxStream;
use creator_core::http::Path;
use creator_core::retry::Idempotency;
use creator_core::{Error, Result};
use time::Date;

use crate::api::resource::{self, Flat, one};
use crate::client::{MessageEnvelope, day_pairs, envelope, require};
use crate::{GumroadClient, ListPage, Sale, SalesExportStatus, SalesSummary, SummaryGroup};

envelope!(SaleEnvelope { sale: Sale });
envelope!(SalesPage { sales: [Sale] });
envelope!(MaybeSaleEnvelope {
    sale: Option<Sale>
});

/// The period and grouping of [`SalesApi::summary`].
///
/// ```
/// use gumroad_api::{SalesSummaryQuery, SummaryGroup};
/// use time::macros::date;
///
/// let q = SalesSummaryQuery::new()
///     .from(date!(2026-01-01))
///     .to(date!(2026-03-31))
///     .group_by(SummaryGroup::Month);
/// # let _ = q;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SalesSummaryQuery {
    /// First day, inclusive, in the seller's time zone (server default: `to` − 29 days).
    pub from: Option<Date>,
    /// Last day, inclusive (server default: today in the seller's time zone).
    pub to: Option<Date>,
    /// Adds a `breakdown` by product, day, week, month (or hour, for ranges the server allows).
    pub group_by: Option<SummaryGroup>,
}

impl SalesSummaryQuery {
    /// The last 30 days, no breakdown.
    pub fn new() -> Self {
        Self::default()
    }

    /// First day (inclusive).
    pub fn from(mut self, day: Date) -> Self {
        self.from = Some(day);
        self
    }

    /// Last day (inclusive).
    pub fn to(mut self, day: Date) -> Self {
        self.to = Some(day);
        self
    }

    /// Breakdown grouping.
    pub fn group_by(mut self, group: SummaryGroup) -> Self {
        self.group_by = Some(group);
        self
    }

    fn pairs(&self) -> Result<Vec<(&'static str, String)>> {
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            return Err(Error::InvalidInput(
                "the summary's `from` must be on or before `to`".into(),
            ));
        }
        let mut q = day_pairs([("from", self.from), ("to", self.to)]);
        if let Some(g) = &self.group_by {
            q.push(("group_by", g.as_str().to_owned()));
        }
        Ok(q)
    }
}

/// What [`SalesApi::export`] should export; the CSV is emailed to the seller.
///
/// ```
/// use gumroad_api::SalesExport;
/// use time::macros::date;
///
/// let export = SalesExport::new().from(date!(2026-01-01)).product_id("A-m3CDDC5dlrSdKZp0RFhA==");
/// # let _ = export;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SalesExport {
    /// First day (`from`).
    pub from: Option<Date>,
    /// Last day (`to`).
    pub to: Option<Date>,
    /// Only one product (external id; the server checks the seller owns it).
    pub product_id: Option<String>,
}

impl SalesExport {
    /// Every sale.
    pub fn new() -> Self {
        Self::default()
    }

    /// First day.
    pub fn from(mut self, day: Date) -> Self {
        self.from = Some(day);
        self
    }

    /// Last day.
    pub fn to(mut self, day: Date) -> Self {
        self.to = Some(day);
        self
    }

    /// One product.
    pub fn product_id(mut self, id: impl Into<String>) -> Self {
        self.product_id = Some(id.into());
        self
    }

    fn form(&self) -> Vec<(&'static str, String)> {
        let mut form = day_pairs([("from", self.from), ("to", self.to)]);
        if let Some(p) = &self.product_id {
            form.push(("product_id", p.clone()));
        }
        form
    }
}

/// Filters for [`SalesApi::list`]; all of them are sent on every page.
///
/// ```
/// use gumroad_api::SalesQuery;
/// use time::macros::date;
///
/// let q = SalesQuery::new()
///     .after(date!(2025-01-01))
///     .before(date!(2025-02-01))
///     .product_id("A-m3CDDC5dlrSdKZp0RFhA==");
/// # let _ = q;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SalesQuery {
    /// Only sales on or after this day (UTC, inclusive).
    pub after: Option<Date>,
    /// Only sales before this day (UTC, **exclusive**).
    pub before: Option<Date>,
    /// Only sales of this product (external id).
    pub product_id: Option<String>,
    /// Only sales to this exact purchase email.
    pub email: Option<String>,
    /// Only the sale with this numeric order id.
    pub order_id: Option<u64>,
    /// Only sales whose buyer's full name contains this text (2026 API).
    pub name: Option<String>,
    /// Only the sale with this license key (2026 API; case-insensitive).
    pub license_key: Option<String>,
    /// Stop after this many pages (10 sales each), when set.
    pub max_pages: Option<u32>,
}

impl SalesQuery {
    /// All sales.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only sales on or after `day` (inclusive).
    pub fn after(mut self, day: Date) -> Self {
        self.after = Some(day);
        self
    }

    /// Only sales before `day` (exclusive).
    pub fn before(mut self, day: Date) -> Self {
        self.before = Some(day);
        self
    }

    /// Only sales of one product.
    pub fn product_id(mut self, id: impl Into<String>) -> Self {
        self.product_id = Some(id.into());
        self
    }

    /// Only sales to one email.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Only one order.
    pub fn order_id(mut self, order_id: u64) -> Self {
        self.order_id = Some(order_id);
        self
    }

    /// Only sales whose buyer's full name contains `name` (a substring match on the server).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Only the sale that issued `license_key`.
    pub fn license_key(mut self, license_key: impl Into<String>) -> Self {
        self.license_key = Some(license_key.into());
        self
    }

    /// Stops after `pages` pages.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages);
        self
    }

    pub(crate) fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = day_pairs([("after", self.after), ("before", self.before)]);
        if let Some(p) = &self.product_id {
            q.push(("product_id", p.clone()));
        }
        if let Some(e) = &self.email {
            q.push(("email", e.trim().to_owned()));
        }
        if let Some(o) = self.order_id {
            q.push(("order_id", o.to_string()));
        }
        if let Some(n) = &self.name {
            q.push(("name", n.trim().to_owned()));
        }
        if let Some(k) = &self.license_key {
            q.push(("license_key", k.trim().to_owned()));
        }
        q
    }
}

/// How much to refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refund {
    /// The whole remaining amount.
    Full,
    /// Part of it, in the **sale currency's** smallest unit (cents; whole yen for JPY).
    Partial {
        /// The amount (`amount_cents`).
        amount_cents: u64,
    },
}

/// Sales. Get it with [`GumroadClient::sales`].
#[derive(Debug, Clone, Copy)]
pub struct SalesApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl SalesApi<'_> {
    /// Every sale matching `query`, newest first, as a lazy stream that
    /// holds one page (10 sales) at a time and follows `next_page_key`,
    /// sending the filters again on every page.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use gumroad_api::SalesQuery;
    /// # async fn run(client: gumroad_api::GumroadClient) -> creator_core::Result<()> {
    /// let mut sales = client.sales().list(&SalesQuery::new().email("buyer@example.com"));
    /// while let Some(sale) = sales.try_next().await? {
    ///     println!("{} {:?}", sale.id, sale.price_money());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self, query: &SalesQuery) -> BoxStream<'static, Result<Sale>> {
        resource::stream::<SalesPage>(
            self.client,
            Ok("/v2/sales".into()),
            query.pairs(),
            query.max_pages,
        )
    }

    /// One page of `GET /v2/sales`.
    ///
    /// # Errors
    /// [`Error::Api`] with HTTP 400 for a bad filter (`"Invalid product ID."`),
    /// or any request error.
    pub async fn page(&self, query: &SalesQuery, page_key: Option<&str>) -> Result<ListPage<Sale>> {
        resource::page::<SalesPage>(self.client, "/v2/sales", query.pairs(), page_key).await
    }

    /// `GET /v2/sales/:id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] ("The sale was not found.", HTTP 200), or any request error.
    pub async fn get(&self, id: &str) -> Result<Sale> {
        require("sale id", id)?;
        let t = self.client.transport();
        let env: SaleEnvelope = self
            .client
            .call(t.get(Path::new("/v2/sales/{}", &[id])))
            .await?;
        Ok(env.sale)
    }

    /// `PUT /v2/sales/:id/mark_as_shipped`, with an optional tracking URL.
    ///
    /// # Errors
    /// Any request error.
    pub async fn mark_as_shipped(&self, id: &str, tracking_url: Option<&str>) -> Result<Sale> {
        require("sale id", id)?;
        let t = self.client.transport();
        let mut form: Vec<(&str, &str)> = Vec::new();
        if let Some(url) = tracking_url {
            form.push(("tracking_url", url));
        }
        let env: SaleEnvelope = self
            .client
            .call(
                t.put(Path::new("/v2/sales/{}/mark_as_shipped", &[id]))
                    .form(form),
            )
            .await?;
        Ok(env.sale)
    }

    /// `PUT /v2/sales/:id/refund`, fully or partly. Never retried
    /// automatically (a repeated partial refund would refund twice).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a zero partial amount, [`Error::Api`]
    /// ("Purchase is already refunded."), or any request error.
    pub async fn refund(&self, id: &str, refund: Refund) -> Result<Sale> {
        require("sale id", id)?;
        let mut form: Vec<(&str, String)> = Vec::new();
        if let Refund::Partial { amount_cents } = refund {
            if amount_cents == 0 {
                return Err(Error::InvalidInput(
                    "a partial refund needs an amount above zero".into(),
                ));
            }
            form.push(("amount_cents", amount_cents.to_string()));
        }
        let t = self.client.transport();
        let env: SaleEnvelope = self
            .client
            .call(
                t.put(Path::new("/v2/sales/{}/refund", &[id]))
                    .form(form)
                    .idempotency(Idempotency::Unsafe),
            )
            .await?;
        Ok(env.sale)
    }

    /// `POST /v2/sales/:id/resend_receipt`: emails the receipt again.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn resend_receipt(&self, id: &str) -> Result<()> {
        require("sale id", id)?;
        let t = self.client.transport();
        let _: MessageEnvelope = self
            .client
            .call(t.post(Path::new("/v2/sales/{}/resend_receipt", &[id])))
            .await?;
        Ok(())
    }

    /// `GET /v2/sales/summary` (`view_sales`): gross and net USD cents,
    /// units and refunds over a period, with an optional breakdown.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `from` is after `to` (checked locally);
    /// [`Error::Api`] with HTTP 400 for a bad date, group or range
    /// (`"Invalid group_by. Valid values are: …"`), or any request error.
    pub async fn summary(&self, query: &SalesSummaryQuery) -> Result<SalesSummary> {
        let pairs = query.pairs()?;
        let t = self.client.transport();
        let request = t.get("/v2/sales/summary").query_pairs(pairs);
        one::<Flat<SalesSummary>>(self.client, request).await
    }

    /// `POST /v2/sales/exports` (`view_sales`): queues a CSV export that is
    /// emailed to the seller. Never retried (a repeat would queue a second
    /// export and email).
    ///
    /// # Errors
    /// [`Error::Api`] with HTTP 400 for a bad date or an unknown product
    /// (`"Invalid product ID."`), or any request error.
    pub async fn export(&self, export: &SalesExport) -> Result<SalesExportStatus> {
        let t = self.client.transport();
        let request = t
            .post("/v2/sales/exports")
            .form(export.form())
            .idempotency(Idempotency::Unsafe);
        one::<Flat<SalesExportStatus>>(self.client, request).await
    }

    /// `PUT /v2/sales/:id/revoke_access` (`edit_sales`): the buyer loses
    /// access to the content without a refund.
    ///
    /// **The route is unverified.** It is in no v2 route table or v2 sales
    /// controller we could read; Gumroad's store-agent endpoint catalog and
    /// third-party clients list it, and the issue asks for it. The only
    /// implementation found is the mobile API's
    /// (`Api::Mobile::SalesController#revoke_access`): it answers
    /// `{"success": true}` and, when its policy refuses (access already
    /// revoked; a refunded, physical or subscription sale), HTTP 401
    /// `{"success": false, "message": "Not authorized"}`. The method takes
    /// either answer, with or without a `sale`.
    ///
    /// A refusal is checked against the sale (one `GET /v2/sales/:id`): if
    /// its `access_revoked` already says `true`, the revoke has happened —
    /// most likely this very call, whose answer was lost and whose retry
    /// (a `PUT` is retried after a timeout) was refused — and the sale is
    /// returned instead of the refusal. Otherwise the refusal is the error.
    ///
    /// # Errors
    /// [`Error::Api`] with the server's message when refused for the
    /// sale's state (HTTP 401 with code `refused`, or a 200 `success:
    /// false`);
    /// [`Error::NotFound`] ("The sale was not found."); [`Error::Forbidden`]
    /// (empty 403) without `edit_sales`; [`Error::Unauthorized`] (empty 401)
    /// for a bad token; or any request error.
    pub async fn revoke_access(&self, id: &str) -> Result<Option<Sale>> {
        self.access(id, true, Idempotency::ByMethod).await
    }

    /// `PUT /v2/sales/:id/undo_revoke_access` (`edit_sales`): restores a
    /// revoked buyer's access. **The route is unverified**, with the same
    /// caveats as [`SalesApi::revoke_access`]; the mobile API refuses it
    /// (HTTP 401 "Not authorized") unless access is revoked, so a refusal
    /// for a sale whose `access_revoked` reads `false` returns the sale.
    ///
    /// # Errors
    /// As [`SalesApi::revoke_access`].
    pub async fn undo_revoke_access(&self, id: &str) -> Result<Option<Sale>> {
        self.access(id, false, Idempotency::ByMethod).await
    }

    /// Sets `access_revoked` to `revoked`; a refusal for a sale already in
    /// that state is a success (see [`SalesApi::revoke_access`]).
    /// `idempotency` decides whether the `PUT` may be retried (the shared
    /// write trait sends it once: [`Idempotency::Unsafe`]).
    pub(crate) async fn access(
        &self,
        id: &str,
        revoked: bool,
        idempotency: Idempotency,
    ) -> Result<Option<Sale>> {
        require("sale id", id)?;
        let template = if revoked {
            "/v2/sales/{}/revoke_access"
        } else {
            "/v2/sales/{}/undo_revoke_access"
        };
        let t = self.client.transport();
        match self
            .client
            .call::<MaybeSaleEnvelope>(t.put(Path::new(template, &[id])).idempotency(idempotency))
            .await
        {
            Ok(env) => Ok(env.sale),
            Err(refusal) if is_refusal(&refusal) => match self.get(id).await {
                Ok(sale) if sale.access_revoked == Some(revoked) => Ok(Some(sale)),
                _ => Err(refusal),
            },
            Err(other) => Err(other),
        }
    }
}

/// A refusal of the action (not of the token, not a missing sale): the 401
/// envelope, or the usual HTTP 200 `success: false`.
fn is_refusal(error: &Error) -> bool {
    match error {
        Error::Api {
            status: 401, code, ..
        } => code.as_deref() == Some(crate::classify::REFUSED),
        Error::Api { status: 200, .. } => true,
        _ => false,
    }
}
