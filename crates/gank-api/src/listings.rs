//! Shop listings: `GET {V1}/v1/catalogs/services?userId=` (paginated).

use std::collections::BTreeMap;

use creator_core::http::Path;
use creator_core::{Error, Result};
use futures::stream::BoxStream;
use serde::{Deserialize, Serialize};

use crate::Amount;
use crate::client::{GankClient, Host};
use crate::de;
use creator_core::{NumberedPage, paginate_numbered};

/// A shop listing (service or digital good). Its `id` is the `catalog_id` of
/// a `DIGITAL_GOODS` transaction.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct Listing {
    /// The listing id (a UUID).
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// Title.
    #[serde(default)]
    pub name: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Price options (`servicePrices`; `null` reads as none).
    #[serde(
        default,
        rename = "servicePrices",
        alias = "service_prices",
        deserialize_with = "de::null_as_empty"
    )]
    pub service_prices: Vec<ServicePrice>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Listing {
    /// The first price option's `rate_usd`.
    pub fn base_price(&self) -> Option<&Amount> {
        self.service_prices.iter().find_map(|p| p.rate_usd.as_ref())
    }
}

/// One price option of a listing.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ServicePrice {
    /// The price option's id, when sent.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub id: Option<String>,
    /// The price in US dollars (a number or a string).
    #[serde(default)]
    pub rate_usd: Option<Amount>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// `{"data": [...]}` from the listings endpoint (`total` when sent).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ListingPage {
    /// The listings (`data: null` reads as none).
    #[serde(default, deserialize_with = "de::null_as_empty")]
    pub data: Vec<Listing>,
    /// The total count, when Gank sends one.
    #[serde(default, deserialize_with = "de::opt_u64")]
    pub total: Option<u64>,
}

/// Paging for [`GankClient::listings`].
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

impl GankClient {
    /// One page of a user's listings (1-based `page`).
    ///
    /// The docs' example sends no token. The login token is sent when
    /// configured (the clients that work with Gank do), otherwise none.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty user id; request and decode errors.
    pub async fn listing_page(
        &self,
        user_id: &str,
        query: &ListingQuery,
        page: u32,
    ) -> Result<ListingPage> {
        if user_id.trim().is_empty() {
            return Err(Error::InvalidInput("the Gank user id is empty".into()));
        }
        self.transport(Host::V1)
            .get(Path::fixed("/v1/catalogs/services"))
            .auth(self.optional_login())
            .query("userId", user_id)
            .query("page", page.max(1).to_string())
            .query("per_page", query.per_page.to_string())
            .query("order_by", "sort asc")
            .query("order_by", "createdAt desc")
            .json()
            .await
    }
}

pub(crate) fn listings(
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
                let p = client.listing_page(&user_id, &query, page).await?;
                Ok(NumberedPage {
                    items: p.data,
                    total: p.total,
                    per_page: Some(query.per_page),
                })
            }
        },
    )
}
