//! `/v2/products`.

use std::collections::BTreeMap;

use creator_core::futures::stream::BoxStream;
use creator_core::http::{Path, Request};
use creator_core::retry::Idempotency;
use creator_core::{Error, Result};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::api::resource;
use crate::client::{MessageEnvelope, bool_str, envelope, require};
use crate::models::FileWrite;
use crate::{
    CustomHtmlPreview, Deleted, FileEntry, GumroadClient, ListPage, NativeType, Product,
    Recurrence, RichContentPage,
};

envelope!(ProductEnvelope { product: Product });
envelope!(ProductsPage {
    products: [Product]
});

#[derive(serde::Deserialize)]
struct SavedEnvelope {
    #[serde(default)]
    success: Option<bool>,
    product: Product,
    #[serde(default)]
    warning: Option<serde_json::Value>,
    #[serde(default)]
    file_id_mappings: Option<BTreeMap<String, String>>,
    #[serde(default)]
    sanitization_report: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    previous_custom_html: Option<String>,
}

impl crate::client::Envelope for SavedEnvelope {
    fn success(&self) -> Option<bool> {
        self.success
    }
}

/// A product returned by create or update, with the warning Gumroad may add
/// (for example when a price change does not apply to tiered memberships).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SavedProduct {
    /// The product as saved.
    pub product: Product,
    /// The server's warning, when it sent one.
    pub warning: Option<String>,
    /// For new files sent with [`FileEntry::placeholder_id`]: placeholder →
    /// created file id (empty when the server sent none).
    pub file_id_mappings: BTreeMap<String, String>,
    /// What the sanitizer changed in `custom_html`, kept as sent (only when
    /// `custom_html` was sent).
    pub sanitization_report: Option<serde_json::Value>,
    /// The landing page before this update, for a one-step rollback (only
    /// when `custom_html` was sent; `None` when there was none).
    pub previous_custom_html: Option<String>,
}

/// Fields for [`ProductsApi::create`] and [`ProductsApi::update`].
///
/// Sent form-encoded (`tags[]=a&tags[]=b`, booleans as `true`/`false`), or
/// as a JSON object when `files` or `rich_content` are set (nested objects
/// cannot be form-encoded faithfully); in JSON, scalars stay strings as in
/// the form, which is how the official CLI sends them.
///
/// ```
/// use gumroad_api::{NativeType, ProductParams};
///
/// let params = ProductParams::new()
///     .name("Pencil pack")
///     .price(500)
///     .native_type(NativeType::Digital)
///     .tags(["art", "pencils"]);
/// # let _ = params;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProductParams {
    name: Option<String>,
    price: Option<u64>,
    native_type: Option<NativeType>,
    description: Option<String>,
    custom_permalink: Option<String>,
    price_currency_type: Option<String>,
    subscription_duration: Option<Recurrence>,
    customizable_price: Option<bool>,
    suggested_price_cents: Option<u64>,
    max_purchase_count: Option<u64>,
    taxonomy_id: Option<String>,
    custom_summary: Option<String>,
    tags: Option<Vec<String>>,
    category: Option<String>,
    custom_receipt: Option<String>,
    custom_html: Option<String>,
    quantity_enabled: Option<bool>,
    is_adult: Option<bool>,
    display_product_reviews: Option<bool>,
    should_show_sales_count: Option<bool>,
    has_same_rich_content_for_all_variants: Option<bool>,
    refund_period: Option<String>,
    refund_fine_print: Option<String>,
    cover_ids: Option<Vec<String>>,
    rich_content: Option<Vec<RichContentPage>>,
    files: Option<Vec<FileEntry>>,
}

/// A product write body, encoded one way or the other.
pub(crate) enum Body {
    Form(Vec<(&'static str, String)>),
    Json(Map<String, Value>),
}

impl Body {
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Body::Form(f) => f.is_empty(),
            Body::Json(m) => m.is_empty(),
        }
    }

    /// A JSON body: the form's scalars as strings (how the official CLI
    /// sends them, and what the handlers compare against), then `lists`
    /// (the nested values a form cannot carry).
    pub(crate) fn json(
        form: Vec<(&'static str, String)>,
        lists: Vec<(&'static str, Value)>,
    ) -> Self {
        let scalars = form.into_iter().map(|(k, v)| (k, Value::String(v)));
        Body::Json(
            scalars
                .chain(lists)
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    pub(crate) fn apply<'t>(self, request: Request<'t>) -> Request<'t> {
        match self {
            Body::Form(f) => request.form(f),
            Body::Json(m) => request.json_body(&m),
        }
    }
}

impl ProductParams {
    /// No fields set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Name (required to create).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Price in the product currency's smallest unit (required to create;
    /// rejected by the server for tiered memberships).
    pub fn price(mut self, minor_units: u64) -> Self {
        self.price = Some(minor_units);
        self
    }

    /// Product type (default `digital`).
    pub fn native_type(mut self, native_type: NativeType) -> Self {
        self.native_type = Some(native_type);
        self
    }

    /// HTML description.
    pub fn description(mut self, html: impl Into<String>) -> Self {
        self.description = Some(html.into());
        self
    }

    /// Custom permalink.
    pub fn custom_permalink(mut self, permalink: impl Into<String>) -> Self {
        self.custom_permalink = Some(permalink.into());
        self
    }

    /// Currency, lower-case ISO code (`usd`, `jpy`).
    pub fn currency(mut self, code: impl Into<String>) -> Self {
        self.price_currency_type = Some(code.into());
        self
    }

    /// Billing period (memberships only).
    pub fn subscription_duration(mut self, recurrence: Recurrence) -> Self {
        self.subscription_duration = Some(recurrence);
        self
    }

    /// Pay what you want.
    pub fn customizable_price(mut self, yes: bool) -> Self {
        self.customizable_price = Some(yes);
        self
    }

    /// Suggested price for pay-what-you-want products.
    pub fn suggested_price_cents(mut self, minor_units: u64) -> Self {
        self.suggested_price_cents = Some(minor_units);
        self
    }

    /// Purchase limit.
    pub fn max_purchase_count(mut self, count: u64) -> Self {
        self.max_purchase_count = Some(count);
        self
    }

    /// Category path from [`CategoriesApi::list`](crate::CategoriesApi::list),
    /// e.g. `design/ui-and-web/figma` (2026 API; not together with `taxonomy_id`).
    pub fn category(mut self, path: impl Into<String>) -> Self {
        self.category = Some(path.into());
        self
    }

    /// Custom receipt text (update only).
    pub fn custom_receipt(mut self, text: impl Into<String>) -> Self {
        self.custom_receipt = Some(text.into());
        self
    }

    /// A custom landing page replacing the product page (update only; needs
    /// the custom-pages feature on the account). The page must contain a buy
    /// element (`data-gumroad-action="buy"`), or the answer carries a
    /// warning. An empty string removes the page. Try it first with
    /// [`ProductsApi::preview_custom_html`].
    ///
    /// An update carrying it is never retried: the answer's
    /// [`SavedProduct::previous_custom_html`] is the page before *this*
    /// write, and a repeat after a lost answer would report the new page as
    /// the previous one.
    pub fn custom_html(mut self, html: impl Into<String>) -> Self {
        self.custom_html = Some(html.into());
        self
    }

    /// Let buyers choose a quantity (update only).
    pub fn quantity_enabled(mut self, yes: bool) -> Self {
        self.quantity_enabled = Some(yes);
        self
    }

    /// Adult content (update only).
    pub fn is_adult(mut self, yes: bool) -> Self {
        self.is_adult = Some(yes);
        self
    }

    /// Show reviews on the product page (update only).
    pub fn display_product_reviews(mut self, yes: bool) -> Self {
        self.display_product_reviews = Some(yes);
        self
    }

    /// Show the sales count on the product page (update only).
    pub fn should_show_sales_count(mut self, yes: bool) -> Self {
        self.should_show_sales_count = Some(yes);
        self
    }

    /// One content for all variants (`true`) or per-variant content (`false`) (update only).
    pub fn has_same_rich_content_for_all_variants(mut self, yes: bool) -> Self {
        self.has_same_rich_content_for_all_variants = Some(yes);
        self
    }

    /// Product-level refund window: `inherit` or one of the account-level
    /// periods (for example `30`); refused when the account uses one
    /// account-level policy.
    pub fn refund_period(mut self, period: impl Into<String>) -> Self {
        self.refund_period = Some(period.into());
        self
    }

    /// Product-level refund fine print.
    pub fn refund_fine_print(mut self, text: impl Into<String>) -> Self {
        self.refund_fine_print = Some(text.into());
        self
    }

    /// Reorders the covers (ids in display order; update only).
    pub fn cover_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.cover_ids = Some(ids.into_iter().map(Into::into).collect());
        self
    }

    /// Replaces all content pages (sent as JSON).
    pub fn rich_content(mut self, pages: Vec<RichContentPage>) -> Self {
        self.rich_content = Some(pages);
        self
    }

    /// Replaces all files (sent as JSON; see [`FileEntry`]: keep the files
    /// you want to stay).
    pub fn files(mut self, files: Vec<FileEntry>) -> Self {
        self.files = Some(files);
        self
    }

    /// Taxonomy (category) id.
    pub fn taxonomy_id(mut self, id: impl Into<String>) -> Self {
        self.taxonomy_id = Some(id.into());
        self
    }

    /// Custom summary.
    pub fn custom_summary(mut self, summary: impl Into<String>) -> Self {
        self.custom_summary = Some(summary.into());
        self
    }

    /// Tags; on update they replace all existing tags. Must not be empty
    /// (form encoding cannot express an empty list).
    pub fn tags<I, S>(mut self, tags: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    fn scalars(&self) -> Vec<(&'static str, String)> {
        let mut form: Vec<(&'static str, String)> = Vec::new();
        let mut put = |key: &'static str, value: Option<String>| {
            if let Some(v) = value {
                form.push((key, v));
            }
        };
        let flag = |b: Option<bool>| b.map(|b| bool_str(b).to_owned());
        put(
            "native_type",
            self.native_type.as_ref().map(|n| n.to_string()),
        );
        put("name", self.name.clone());
        put("description", self.description.clone());
        put("custom_permalink", self.custom_permalink.clone());
        put("price", self.price.map(|p| p.to_string()));
        put("price_currency_type", self.price_currency_type.clone());
        put(
            "subscription_duration",
            self.subscription_duration.as_ref().map(|r| r.to_string()),
        );
        put("customizable_price", flag(self.customizable_price));
        put(
            "suggested_price_cents",
            self.suggested_price_cents.map(|p| p.to_string()),
        );
        put(
            "max_purchase_count",
            self.max_purchase_count.map(|p| p.to_string()),
        );
        put("taxonomy_id", self.taxonomy_id.clone());
        put("category", self.category.clone());
        put("custom_summary", self.custom_summary.clone());
        put("custom_receipt", self.custom_receipt.clone());
        put("custom_html", self.custom_html.clone());
        put("quantity_enabled", flag(self.quantity_enabled));
        put("is_adult", flag(self.is_adult));
        put(
            "display_product_reviews",
            flag(self.display_product_reviews),
        );
        put(
            "should_show_sales_count",
            flag(self.should_show_sales_count),
        );
        put(
            "has_same_rich_content_for_all_variants",
            flag(self.has_same_rich_content_for_all_variants),
        );
        put("refund_period", self.refund_period.clone());
        put("refund_fine_print", self.refund_fine_print.clone());
        form
    }

    /// The request body of `write`: a form, or JSON when files or rich
    /// content are set.
    pub(crate) fn body(&self, write: FileWrite) -> Result<Body> {
        if self.category.is_some() && self.taxonomy_id.is_some() {
            return Err(Error::InvalidInput(
                "send either a category or a taxonomy_id, not both".into(),
            ));
        }
        if self.rich_content.is_some() || self.files.is_some() {
            let mut lists = Vec::new();
            if let Some(v) = &self.tags {
                lists.push(("tags", to_json(v)?));
            }
            if let Some(v) = &self.cover_ids {
                lists.push(("cover_ids", to_json(v)?));
            }
            if let Some(v) = &self.rich_content {
                lists.push(("rich_content", to_json(v)?));
            }
            if let Some(files) = &self.files {
                let entries = files
                    .iter()
                    .map(|f| f.to_wire(write))
                    .collect::<Result<Vec<_>>>()?;
                lists.push(("files", Value::Array(entries)));
            }
            return Ok(Body::json(self.scalars(), lists));
        }
        let mut form = self.scalars();
        for (key, list) in [("tags[]", &self.tags), ("cover_ids[]", &self.cover_ids)] {
            if let Some(items) = list {
                if items.is_empty() {
                    return Err(Error::InvalidInput(format!(
                        "an empty `{}` list cannot be sent form-encoded; leave it unset to keep the current one",
                        key.trim_end_matches("[]")
                    )));
                }
                form.extend(items.iter().map(|t| (key, t.clone())));
            }
        }
        Ok(Body::Form(form))
    }
}

/// A value as JSON (the list fields of a JSON body).
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::InvalidInput(format!("request body could not be serialized: {e}")))
}

/// Products. Get it with [`GumroadClient::products`].
#[derive(Debug, Clone, Copy)]
pub struct ProductsApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl ProductsApi<'_> {
    /// Every product, newest first, as a lazy stream. Follows
    /// `next_page_key` when the server paginates (10 per page since 2026)
    /// and stops after one page when it does not (the classic
    /// unpaginated response).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn run(client: gumroad_api::GumroadClient) -> creator_core::Result<()> {
    /// let products: Vec<_> = client.products().list().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> BoxStream<'static, Result<Product>> {
        self.list_with_max_pages(None)
    }

    /// As [`ProductsApi::list`], stopping after `max_pages` pages when set.
    pub fn list_with_max_pages(
        &self,
        max_pages: Option<u32>,
    ) -> BoxStream<'static, Result<Product>> {
        resource::stream::<ProductsPage>(
            self.client,
            Ok("/v2/products".into()),
            Vec::new(),
            max_pages,
        )
    }

    /// One page of `GET /v2/products` (`page_key` from the previous page's
    /// `next_page_key`, `None` for the first).
    ///
    /// # Errors
    /// Any request error.
    pub async fn page(&self, page_key: Option<&str>) -> Result<ListPage<Product>> {
        resource::page::<ProductsPage>(self.client, "/v2/products", Vec::new(), page_key).await
    }

    /// `GET /v2/products/:id`; `id` may also be the product's permalink.
    ///
    /// # Errors
    /// [`Error::NotFound`] ("The product was not found.", sent with HTTP 200), or any request error.
    pub async fn get(&self, id_or_permalink: &str) -> Result<Product> {
        require("product id", id_or_permalink)?;
        let t = self.client.transport();
        let env: ProductEnvelope = self
            .client
            .call(t.get(Path::new("/v2/products/{}", &[id_or_permalink])))
            .await?;
        Ok(env.product)
    }

    /// `POST /v2/products`: creates a **draft** product (2026 API; older
    /// servers answer with an HTML 404, reported as [`Error::NotFound`]).
    /// `name` and `price` are required. Never retried.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] without name or price, or any request error.
    pub async fn create(&self, params: &ProductParams) -> Result<SavedProduct> {
        if params.name.as_deref().is_none_or(|n| n.trim().is_empty()) || params.price.is_none() {
            return Err(Error::InvalidInput(
                "creating a product needs a name and a price".into(),
            ));
        }
        let t = self.client.transport();
        let env: SavedEnvelope = self
            .client
            .call(
                params
                    .body(FileWrite::Create)?
                    .apply(t.post("/v2/products")),
            )
            .await?;
        Ok(saved(env))
    }

    /// `PUT /v2/products/:id`: changes only the fields set (2026 API).
    /// Retried like any `PUT`, except with `custom_html` (see
    /// [`ProductParams::custom_html`]).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when nothing is set, or any request error.
    pub async fn update(&self, id: &str, params: &ProductParams) -> Result<SavedProduct> {
        require("product id", id)?;
        let body = params.body(FileWrite::Update)?;
        if body.is_empty() {
            return Err(Error::InvalidInput(
                "a product update needs at least one field".into(),
            ));
        }
        let t = self.client.transport();
        let mut request = body.apply(t.put(Path::new("/v2/products/{}", &[id])));
        if params.custom_html.is_some() {
            request = request.idempotency(Idempotency::Unsafe);
        }
        let env: SavedEnvelope = self.client.call(request).await?;
        Ok(saved(env))
    }

    /// `DELETE /v2/products/:id`. Active subscriptions of a membership
    /// product are cancelled about ten minutes later.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn delete(&self, id: &str) -> Result<Deleted> {
        require("product id", id)?;
        let t = self.client.transport();
        let env: MessageEnvelope = self
            .client
            .call(t.delete(Path::new("/v2/products/{}", &[id])))
            .await?;
        Ok(Deleted {
            message: env.message,
        })
    }

    /// `PUT /v2/products/:id/enable`: publishes the product.
    ///
    /// # Errors
    /// [`Error::Api`] when Gumroad refuses (for example an offer code would
    /// bring the price below the minimum), or any request error.
    pub async fn enable(&self, id: &str) -> Result<Product> {
        self.toggle(id, Path::new("/v2/products/{}/enable", &[id]))
            .await
    }

    /// `PUT /v2/products/:id/disable`: unpublishes the product.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn disable(&self, id: &str) -> Result<Product> {
        self.toggle(id, Path::new("/v2/products/{}/disable", &[id]))
            .await
    }

    /// `POST /v2/products/:id/preview_custom_html` (`edit_products`): what
    /// `html` becomes as the product's landing page after sanitizing,
    /// without saving anything, with the warning a publish would carry (no
    /// buy element). A dry run, so it is retried like a read, as the profile
    /// preview is. Needs the account's `custom_html_pages` feature; 60
    /// previews a minute per token. The official CLI's `gumroad products
    /// page preview`. Publish or clear the page with [`ProductsApi::update`]
    /// and [`ProductParams::custom_html`].
    ///
    /// # Errors
    /// [`Error::Api`] (HTTP 200) "You do not have access to custom HTML
    /// pages.", "custom_html is required.", or the validation message when
    /// the page would be rejected (the raw body keeps the
    /// `sanitization_report`); [`Error::NotFound`] for an unknown product;
    /// or any request error.
    pub async fn preview_custom_html(&self, id: &str, html: &str) -> Result<CustomHtmlPreview> {
        require("product id", id)?;
        crate::api::profile::preview_custom_html(
            self.client,
            Path::new("/v2/products/{}/preview_custom_html", &[id]),
            html,
        )
        .await
    }

    async fn toggle(&self, id: &str, path: Path) -> Result<Product> {
        require("product id", id)?;
        let t = self.client.transport();
        let env: ProductEnvelope = self.client.call(t.put(path)).await?;
        Ok(env.product)
    }
}

fn saved(env: SavedEnvelope) -> SavedProduct {
    let warning = match env.warning {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    };
    SavedProduct {
        product: env.product,
        warning,
        file_id_mappings: env.file_id_mappings.unwrap_or_default(),
        sanitization_report: env.sanitization_report,
        previous_custom_html: env.previous_custom_html,
    }
}
