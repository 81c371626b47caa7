//! Shop listings: `GET {V1}/v1/catalogs/services?userId=` (paginated).

use creator_core::http::Path;
use creator_core::{Error, Result};
use futures::stream::BoxStream;

use crate::client::{GankClient, Host};
use crate::{Listing, ListingPage};
use creator_core::{NumberedPage, paginate_numbered};

/// Paging for [`ListingsApi::list_with`].
///
/// Sends `userId` (camelCase, as the clients that work with Gank do; the docs
/// write `userID`), `page` (1-based), `per_page` (default 50, the maximum a
/// third-party client reports) and GankHelper's stable ordering
/// `order_by=sort asc&order_by=createdAt desc`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListingQuery {
    /// Rows per page.
    pub per_page: u32,
    /// Stop after this many pages.
    pub max_pages: Option<u32>,
}

impl Default for ListingQuery {
    fn default() -> Self {
        Self {
            per_page: Self::DEFAULT_PER_PAGE,
            max_pages: None,
        }
    }
}

impl ListingQuery {
    /// The default page size.
    pub const DEFAULT_PER_PAGE: u32 = 50;

    /// Defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the page size (at least 1).
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = per_page.max(1);
        self
    }

    /// Stops after `pages` pages.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages);
        self
    }
}

/// Shop listings: `client.listings()`.
#[derive(Debug, Clone, Copy)]
pub struct ListingsApi<'a> {
    client: &'a GankClient,
}

impl<'a> ListingsApi<'a> {
    pub(crate) fn new(client: &'a GankClient) -> Self {
        Self { client }
    }

    /// A user's listings, lazily page by page, with the default
    /// [`ListingQuery`] (50 per page). The login token is sent when configured.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn run(client: gank_api::GankClient) -> creator_core::Result<()> {
    /// let me = client.users().me().await?;
    /// let listings: Vec<_> = client.listings().list(&me.id).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self, user_id: &str) -> BoxStream<'static, Result<Listing>> {
        self.list_with(user_id, ListingQuery::new())
    }

    /// [`ListingsApi::list`] with another page size or a page cap.
    pub fn list_with(
        &self,
        user_id: &str,
        query: ListingQuery,
    ) -> BoxStream<'static, Result<Listing>> {
        listings(self.client.clone(), user_id.to_owned(), query)
    }

    /// One page of a user's listings (1-based `page`).
    ///
    /// The docs' example sends no token. The login token is sent when
    /// configured (the clients that work with Gank do), otherwise none.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty user id; request and decode errors.
    pub async fn page(
        &self,
        user_id: &str,
        query: &ListingQuery,
        page: u32,
    ) -> Result<ListingPage> {
        listing_page(self.client, user_id, query, page).await
    }
}

async fn listing_page(
    client: &GankClient,
    user_id: &str,
    query: &ListingQuery,
    page: u32,
) -> Result<ListingPage> {
    if user_id.trim().is_empty() {
        return Err(Error::InvalidInput("the Gank user id is empty".into()));
    }
    client
        .transport(Host::V1)
        .get(Path::fixed("/v1/catalogs/services"))
        .auth(client.optional_login())
        .query("userId", user_id)
        .query("page", page.max(1).to_string())
        .query("per_page", query.per_page.to_string())
        .query("order_by", "sort asc")
        .query("order_by", "createdAt desc")
        .json()
        .await
}

fn listings(
    client: GankClient,
    user_id: String,
    query: ListingQuery,
) -> BoxStream<'static, Result<Listing>> {
    let max_pages = query.max_pages;
    paginate_numbered(
        1,
        1,
        max_pages,
        |l: &Listing| Some(l.id.clone()),
        move |_, page| {
            let client = client.clone();
            let user_id = user_id.clone();
            let query = query.clone();
            async move {
                let p = listing_page(&client, &user_id, &query, page).await?;
                Ok(NumberedPage {
                    items: p.data,
                    total: p.total,
                    per_page: Some(query.per_page),
                })
            }
        },
    )
}
