//! `/v2/categories` and the 2026 product sub-resources: price comparables,
//! bundle contents, SKUs and reviews.

use creator_core::futures::stream::BoxStream;
use creator_core::http::Path;
use creator_core::{Error, Result};
use serde::Serialize;

use crate::api::resource;
use crate::client::{envelope, require};
use crate::{
    Category, GumroadClient, ListPage, PriceComparables, Product, ProductReview, ProductsApi, Sku,
};

envelope!(CategoriesEnvelope {
    categories: [Category]
});
envelope!(SkusEnvelope { skus: [Sku] });
envelope!(ReviewsPage {
    product_reviews: [ProductReview]
});
envelope!(ComparablesEnvelope {
    comps: PriceComparables
});
envelope!(BundleEnvelope { product: Product });

/// The product categories. Get it with [`GumroadClient::categories`].
#[derive(Debug, Clone, Copy)]
pub struct CategoriesApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl CategoriesApi<'_> {
    /// `GET /v2/categories` (any read scope): the whole category list, flat
    /// (`parent_id` links children to parents).
    ///
    /// # Errors
    /// Any request error.
    pub async fn list(&self) -> Result<Vec<Category>> {
        self.client
            .all_pages::<CategoriesEnvelope>(Path::fixed("/v2/categories"), &[])
            .await
    }
}

/// Which products [`ProductsApi::price_comparables`] compares with; at
/// least a category or a query.
///
/// ```
/// use gumroad_api::ComparablesQuery;
///
/// let q = ComparablesQuery::category("design/ui-and-web/figma").query("icons").currency("eur");
/// # let _ = q;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ComparablesQuery {
    /// Category path, descendants included (`taxonomy`).
    pub category: Option<String>,
    /// Full-text filter over names and descriptions (`query`).
    pub query: Option<String>,
    /// Currency to compare in (`price_currency_type`, default `usd`).
    pub currency: Option<String>,
}

impl ComparablesQuery {
    /// Products in a category (path from [`CategoriesApi::list`]).
    pub fn category(path: impl Into<String>) -> Self {
        Self {
            category: Some(path.into()),
            ..Self::default()
        }
    }

    /// Products matching a text.
    pub fn text(query: impl Into<String>) -> Self {
        Self::default().query(query)
    }

    /// Adds a text filter.
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = Some(query.into());
        self
    }

    /// Compares in this currency (lower-case ISO code).
    pub fn currency(mut self, code: impl Into<String>) -> Self {
        self.currency = Some(code.into());
        self
    }

    fn pairs(&self) -> Result<Vec<(&'static str, String)>> {
        fn set(v: &Option<String>) -> Option<&str> {
            v.as_deref().map(str::trim).filter(|t| !t.is_empty())
        }
        let mut q = Vec::with_capacity(3);
        if let Some(c) = set(&self.category) {
            q.push(("taxonomy", c.to_owned()));
        }
        if let Some(t) = set(&self.query) {
            q.push(("query", t.to_owned()));
        }
        if q.is_empty() {
            return Err(Error::InvalidInput(
                "price comparables need a category or a query".into(),
            ));
        }
        if let Some(c) = set(&self.currency) {
            q.push(("price_currency_type", c.to_ascii_lowercase()));
        }
        Ok(q)
    }
}

/// One product inside a bundle (`products[]` of the bundle-contents update).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BundleItem {
    /// The included product's id.
    pub product_id: String,
    /// A specific variant of it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant_id: Option<String>,
    /// How many (at least 1; the server defaults to 1).
    pub quantity: u32,
    /// Display position.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
}

impl BundleItem {
    /// One of `product_id`.
    pub fn new(product_id: impl Into<String>) -> Self {
        Self {
            product_id: product_id.into(),
            variant_id: None,
            quantity: 1,
            position: None,
        }
    }

    /// A specific variant.
    pub fn variant(mut self, variant_id: impl Into<String>) -> Self {
        self.variant_id = Some(variant_id.into());
        self
    }

    /// How many.
    pub fn quantity(mut self, quantity: u32) -> Self {
        self.quantity = quantity;
        self
    }

    /// Display position.
    pub fn position(mut self, position: u32) -> Self {
        self.position = Some(position);
        self
    }
}

impl ProductsApi<'_> {
    /// `GET /v2/products/comps`: the price distribution of comparable public
    /// products. Not in Gumroad's routes or API docs read; used by the
    /// official CLI (`gumroad products comps`), so it may change.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] without a category or query, or any request error.
    pub async fn price_comparables(&self, query: &ComparablesQuery) -> Result<PriceComparables> {
        let pairs = query.pairs()?;
        let t = self.client.transport();
        let env: ComparablesEnvelope = self
            .client
            .call(t.get("/v2/products/comps").query_pairs(pairs))
            .await?;
        Ok(env.comps)
    }

    /// `PUT /v2/products/:id/bundle_contents` (`edit_products`): replaces the
    /// products in a bundle, sent as JSON `{"products": [...]}`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a zero quantity; [`Error::Api`] ("This
    /// product is not a bundle.", "One or more products could not be
    /// found.") or any request error.
    pub async fn set_bundle_contents(&self, id: &str, items: &[BundleItem]) -> Result<Product> {
        require("product id", id)?;
        if let Some(item) = items
            .iter()
            .find(|i| i.quantity == 0 || i.product_id.trim().is_empty())
        {
            return Err(Error::InvalidInput(format!(
                "bundle item `{}` needs a product id and a quantity of at least 1",
                item.product_id
            )));
        }
        let t = self.client.transport();
        let body = serde_json::json!({ "products": items });
        let env: BundleEnvelope = self
            .client
            .call(
                t.put(Path::new("/v2/products/{}/bundle_contents", &[id]))
                    .json_body(&body),
            )
            .await?;
        Ok(env.product)
    }

    /// `GET /v2/products/:id/skus` (any read scope): the SKUs when the
    /// product has them enabled, the variants of a physical product, else
    /// an empty list.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn skus(&self, id: &str) -> Result<Vec<Sku>> {
        require("product id", id)?;
        self.client
            .all_pages::<SkusEnvelope>(Path::new("/v2/products/{}/skus", &[id]), &[])
            .await
    }

    /// The reviews shown on a product page, newest first, as a lazy stream
    /// following `next_page_key` (100 per page). Star-only ratings without
    /// a message are not included.
    pub fn reviews(&self, id: &str) -> BoxStream<'static, Result<ProductReview>> {
        self.reviews_with_max_pages(id, None)
    }

    /// As [`ProductsApi::reviews`], stopping after `max_pages` pages when set.
    pub fn reviews_with_max_pages(
        &self,
        id: &str,
        max_pages: Option<u32>,
    ) -> BoxStream<'static, Result<ProductReview>> {
        resource::stream::<ReviewsPage>(self.client, reviews_path(id), Vec::new(), max_pages)
    }

    /// One page of `GET /v2/products/:id/reviews`.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::Api`] with HTTP 400 ("Invalid
    /// page_key."), or any request error.
    pub async fn reviews_page(
        &self,
        id: &str,
        page_key: Option<&str>,
    ) -> Result<ListPage<ProductReview>> {
        resource::page::<ReviewsPage>(self.client, reviews_path(id)?, Vec::new(), page_key).await
    }
}

/// `/v2/products/:id/reviews`, rejecting an empty id.
fn reviews_path(id: &str) -> Result<Path> {
    require("product id", id)?;
    Ok(Path::new("/v2/products/{}/reviews", &[id]))
}
