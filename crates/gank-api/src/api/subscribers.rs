//! Subscribers of your memberships and subscription status (V2, creator token).

use creator_core::http::{Path, Request};
use creator_core::{Provider, Result};
use futures::stream::BoxStream;

use crate::client::{GankClient, Host, TokenKind};
use crate::{GankSubscriber, GankSubscriptionStatus, SubscriberPage};
use creator_core::{NumberedPage, paginate_numbered_concurrent};

/// Filters for the subscriber list and export.
///
/// Every documented query parameter has a setter; unset ones are not sent.
/// `page`, `per_page` and `max_pages` apply to [`SubscribersApi::list`] and
/// [`SubscribersApi::page`] only; [`SubscribersApi::export`] has no paging.
///
/// ```
/// use gank_api::SubscriberFilter;
///
/// let f = SubscriberFilter::new()
///     .active(true)
///     .nickname_pattern("ruff")
///     .case_sensitive(false)
///     .membership_setting_id("0d6c3f8e-4b1a-4c57-9a57-2f0b1d7e9c11")
///     .per_page(50);
/// assert_eq!(f.query_pairs().len(), 4); // paging is added per page
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SubscriberFilter {
    /// `active`: only subscribers whose subscription is (or is not) active.
    pub active: Option<bool>,
    /// `search_nickname_exact`: exact nickname.
    pub search_nickname_exact: Option<String>,
    /// `search_nickname_pattern`: nickname `LIKE '%{pattern}%'`.
    pub search_nickname_pattern: Option<String>,
    /// `search_case_sensitive`: whether nickname searches are case-sensitive.
    pub search_case_sensitive: Option<bool>,
    /// `membership_setting_id`: only subscribers of this setting (tier).
    pub membership_setting_id: Option<String>,
    /// `page`: the first page to read (1-based; default 1).
    pub page: Option<u32>,
    /// `per_page`: rows per page (Gank's default and maximum are not documented).
    pub per_page: Option<u32>,
    /// Stop the stream after this many pages.
    pub max_pages: Option<u32>,
}

impl SubscriberFilter {
    /// No filters.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `active`.
    pub fn active(mut self, active: bool) -> Self {
        self.active = Some(active);
        self
    }

    /// Sets `search_nickname_exact`.
    pub fn nickname_exact(mut self, nickname: impl Into<String>) -> Self {
        self.search_nickname_exact = Some(nickname.into());
        self
    }

    /// Sets `search_nickname_pattern` (matched as `LIKE '%{pattern}%'`).
    pub fn nickname_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.search_nickname_pattern = Some(pattern.into());
        self
    }

    /// Sets `search_case_sensitive`.
    pub fn case_sensitive(mut self, yes: bool) -> Self {
        self.search_case_sensitive = Some(yes);
        self
    }

    /// Sets `membership_setting_id`.
    pub fn membership_setting_id(mut self, id: impl Into<String>) -> Self {
        self.membership_setting_id = Some(id.into());
        self
    }

    /// Sets the first page (1-based).
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// Sets `per_page`.
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = Some(per_page);
        self
    }

    /// Stops the stream after `pages` pages.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages);
        self
    }

    /// The filter parameters as sent (without `page`/`per_page`).
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(a) = self.active {
            q.push(("active", a.to_string()));
        }
        if let Some(n) = &self.search_nickname_exact {
            q.push(("search_nickname_exact", n.clone()));
        }
        if let Some(n) = &self.search_nickname_pattern {
            q.push(("search_nickname_pattern", n.clone()));
        }
        if let Some(c) = self.search_case_sensitive {
            q.push(("search_case_sensitive", c.to_string()));
        }
        if let Some(m) = &self.membership_setting_id {
            q.push(("membership_setting_id", m.clone()));
        }
        q
    }
}

const SUBSCRIBERS: &str = "/payment/creator/subscribers";

/// Subscriber endpoints (creator token, V2 host); from [`GankClient::subscribers`].
#[derive(Debug, Clone, Copy)]
pub struct SubscribersApi<'a> {
    client: &'a GankClient,
}

impl<'a> SubscribersApi<'a> {
    pub(crate) fn new(client: &'a GankClient) -> Self {
        Self { client }
    }

    /// Every subscriber matching `filter`, fetched lazily page by page.
    ///
    /// Pages are 1-based (as in every third-party Gank client; the docs do not
    /// say). The stream stops once the distinct rows received reach the response's
    /// `total`, on an empty page, or at `filter.max_pages`. Filters are sent
    /// on every page. A row already seen on an earlier page (same supporter
    /// and setting) is skipped: offsets shift when someone subscribes while
    /// you page. After the first page, the pages its `total` announces are
    /// fetched [`page_concurrency`](crate::GankClientBuilder::page_concurrency)
    /// at a time, yielded in page order.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use gank_api::SubscriberFilter;
    /// # async fn run(client: gank_api::GankClient) -> creator_core::Result<()> {
    /// let mut rows = client.subscribers().list(SubscriberFilter::new().active(true).per_page(100));
    /// while let Some(row) = rows.try_next().await? {
    ///     println!("{:?}", row.supporter_nickname);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self, filter: SubscriberFilter) -> BoxStream<'static, Result<GankSubscriber>> {
        let client = self.client.clone();
        let start = filter.page.unwrap_or(1);
        let max_pages = filter.max_pages;
        paginate_numbered_concurrent(
            1,
            start,
            max_pages,
            self.client.page_concurrency(),
            GankSubscriber::row_key,
            move |_, page| {
                let client = client.clone();
                let filter = filter.clone();
                async move {
                    let p = client.subscribers().page_at(&filter, page).await?;
                    Ok(NumberedPage {
                        items: p.data,
                        total: p.total,
                        per_page: filter.per_page,
                    })
                }
            },
        )
    }

    /// One page: `filter.page` (default 1) with `filter.per_page`.
    ///
    /// # Errors
    /// [`creator_core::Error::Config`] without a creator token; request and decode errors.
    pub async fn page(&self, filter: &SubscriberFilter) -> Result<SubscriberPage> {
        self.page_at(filter, filter.page.unwrap_or(1)).await
    }

    async fn page_at(&self, filter: &SubscriberFilter, page: u32) -> Result<SubscriberPage> {
        let auth = self
            .client
            .bearer(TokenKind::Creator, "GET /payment/creator/subscribers")?;
        let req = self
            .client
            .transport(Host::V2)
            .get(Path::fixed(SUBSCRIBERS))
            .auth(auth);
        with_filters(req, filter)
            .query("page", page.to_string())
            .query_opt("per_page", filter.per_page.map(|p| p.to_string()))
            .json()
            .await
    }

    /// Every subscriber matching `filter` in one response, from
    /// `GET {V2}/payment/creator/subscribers/export` (Gank recommends it for
    /// large reads; `page`, `per_page` and `max_pages` are not sent).
    ///
    /// # Errors
    /// [`creator_core::Error::Config`] without a creator token; request and decode errors.
    pub async fn export(&self, filter: &SubscriberFilter) -> Result<SubscriberPage> {
        let auth = self.client.bearer(
            TokenKind::Creator,
            "GET /payment/creator/subscribers/export",
        )?;
        let req = self
            .client
            .transport(Host::V2)
            .get(Path::fixed("/payment/creator/subscribers/export"))
            .auth(auth);
        with_filters(req, filter).json().await
    }
}

fn with_filters<'t>(req: Request<'t>, filter: &SubscriberFilter) -> Request<'t> {
    req.query_pairs(filter.query_pairs())
}

/// Subscription endpoints (creator token, V2 host); from [`GankClient::subscriptions`].
#[derive(Debug, Clone, Copy)]
pub struct SubscriptionsApi<'a> {
    client: &'a GankClient,
}

impl<'a> SubscriptionsApi<'a> {
    pub(crate) fn new(client: &'a GankClient) -> Self {
        Self { client }
    }

    /// Whether the subscription paid by payment `payment_id` is active, from
    /// `GET {V2}/payment/creator/subscription/{id}/status`.
    ///
    /// # Errors
    /// [`creator_core::Error::InvalidInput`] for an empty id;
    /// [`creator_core::Error::Config`] without a creator token;
    /// [`creator_core::Error::NotFound`] for an unknown id; request and decode errors.
    pub async fn status(&self, payment_id: &str) -> Result<GankSubscriptionStatus> {
        if payment_id.trim().is_empty() {
            return Err(creator_core::Error::InvalidInput(
                "the Gank payment id is empty".into(),
            ));
        }
        let auth = self.client.bearer(
            TokenKind::Creator,
            "GET /payment/creator/subscription/{id}/status",
        )?;
        let response = self
            .client
            .transport(Host::V2)
            .get(Path::new(
                "/payment/creator/subscription/{}/status",
                &[payment_id],
            ))
            .auth(auth)
            .send()
            .await?;
        response.json(Provider::Gank)
    }
}
