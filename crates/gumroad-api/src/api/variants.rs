//! `/v2/products/:product_id/variant_categories[/:id[/variants[/:id]]]`.

use creator_core::http::Path;
use creator_core::{Error, Result};

use crate::api::products::{Body, to_json};
use crate::client::{MessageEnvelope, envelope, require};
use crate::{Deleted, GumroadClient, RichContentPage, Variant, VariantCategory};

envelope!(CategoryEnvelope {
    variant_category: VariantCategory
});
envelope!(CategoriesEnvelope {
    variant_categories: [VariantCategory]
});
envelope!(VariantEnvelope { variant: Variant });
envelope!(VariantsEnvelope {
    variants: [Variant]
});

/// The variant categories of one product. Get it with
/// [`GumroadClient::variant_categories`].
#[derive(Debug, Clone, Copy)]
pub struct VariantCategoriesApi<'a> {
    pub(crate) client: &'a GumroadClient,
    pub(crate) product_id: &'a str,
}

impl VariantCategoriesApi<'_> {
    /// `GET …/variant_categories`: the live categories.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown product, or any request error.
    pub async fn list(&self) -> Result<Vec<VariantCategory>> {
        require("product id", self.product_id)?;
        self.client
            .all_pages::<CategoriesEnvelope>(
                Path::new("/v2/products/{}/variant_categories", &[self.product_id]),
                &[],
            )
            .await
    }

    /// `GET …/variant_categories/:id`.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn get(&self, category_id: &str) -> Result<VariantCategory> {
        self.ids(category_id)?;
        let t = self.client.transport();
        let env: CategoryEnvelope = self.client.call(t.get(self.path(category_id))).await?;
        Ok(env.variant_category)
    }

    /// `POST …/variant_categories` with a `title`. Never retried.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty title, or any request error.
    pub async fn create(&self, title: &str) -> Result<VariantCategory> {
        require("product id", self.product_id)?;
        require("variant category title", title)?;
        let t = self.client.transport();
        let env: CategoryEnvelope = self
            .client
            .call(
                t.post(Path::new(
                    "/v2/products/{}/variant_categories",
                    &[self.product_id],
                ))
                .form([("title", title)]),
            )
            .await?;
        Ok(env.variant_category)
    }

    /// `PUT …/variant_categories/:id` with a new `title`.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn update(&self, category_id: &str, title: &str) -> Result<VariantCategory> {
        self.ids(category_id)?;
        require("variant category title", title)?;
        let t = self.client.transport();
        let env: CategoryEnvelope = self
            .client
            .call(t.put(self.path(category_id)).form([("title", title)]))
            .await?;
        Ok(env.variant_category)
    }

    /// `DELETE …/variant_categories/:id`.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn delete(&self, category_id: &str) -> Result<Deleted> {
        self.ids(category_id)?;
        let t = self.client.transport();
        let env: MessageEnvelope = self.client.call(t.delete(self.path(category_id))).await?;
        Ok(Deleted {
            message: env.message,
        })
    }

    fn ids(&self, category_id: &str) -> Result<()> {
        require("product id", self.product_id)?;
        require("variant category id", category_id)
    }

    fn path(&self, category_id: &str) -> Path {
        Path::new(
            "/v2/products/{}/variant_categories/{}",
            &[self.product_id, category_id],
        )
    }
}

/// Fields for creating or updating a variant, sent form-encoded.
///
/// ```
/// use gumroad_api::VariantParams;
///
/// let large = VariantParams::new().name("Large").price_difference_cents(200);
/// # let _ = large;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct VariantParams {
    name: Option<String>,
    price_difference_cents: Option<i64>,
    description: Option<String>,
    max_purchase_count: Option<u64>,
    rich_content: Option<Vec<RichContentPage>>,
}

impl VariantParams {
    /// No fields set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Name (required to create).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Price added to the product price, product currency minor units.
    pub fn price_difference_cents(mut self, minor_units: i64) -> Self {
        self.price_difference_cents = Some(minor_units);
        self
    }

    /// Description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// Purchase limit for this option.
    pub fn max_purchase_count(mut self, count: u64) -> Self {
        self.max_purchase_count = Some(count);
        self
    }

    /// Replaces the variant's own content pages (update only; the product
    /// must use per-variant content). Sends the update as JSON.
    pub fn rich_content(mut self, pages: Vec<RichContentPage>) -> Self {
        self.rich_content = Some(pages);
        self
    }

    fn body(&self) -> Result<Body> {
        let form = self.form();
        let Some(pages) = &self.rich_content else {
            return Ok(Body::Form(form));
        };
        Ok(Body::json(form, vec![("rich_content", to_json(pages)?)]))
    }

    fn form(&self) -> Vec<(&'static str, String)> {
        let mut form = Vec::new();
        if let Some(v) = &self.name {
            form.push(("name", v.clone()));
        }
        if let Some(v) = self.price_difference_cents {
            form.push(("price_difference_cents", v.to_string()));
        }
        if let Some(v) = &self.description {
            form.push(("description", v.clone()));
        }
        if let Some(v) = self.max_purchase_count {
            form.push(("max_purchase_count", v.to_string()));
        }
        form
    }
}

/// The variants (options) of one variant category. Get it with
/// [`GumroadClient::variants`].
#[derive(Debug, Clone, Copy)]
pub struct VariantsApi<'a> {
    pub(crate) client: &'a GumroadClient,
    pub(crate) product_id: &'a str,
    pub(crate) category_id: &'a str,
}

impl VariantsApi<'_> {
    /// `GET …/variants`: the live variants.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn list(&self) -> Result<Vec<Variant>> {
        self.ids()?;
        self.client
            .all_pages::<VariantsEnvelope>(self.base(), &[])
            .await
    }

    /// `GET …/variants/:id`.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn get(&self, variant_id: &str) -> Result<Variant> {
        self.ids()?;
        require("variant id", variant_id)?;
        let t = self.client.transport();
        let env: VariantEnvelope = self.client.call(t.get(self.path(variant_id))).await?;
        Ok(env.variant)
    }

    /// `POST …/variants`. Never retried.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] without a name, or any request error.
    pub async fn create(&self, params: &VariantParams) -> Result<Variant> {
        self.ids()?;
        if params.name.as_deref().is_none_or(|n| n.trim().is_empty()) {
            return Err(Error::InvalidInput("a variant needs a name".into()));
        }
        let t = self.client.transport();
        let env: VariantEnvelope = self
            .client
            .call(t.post(self.base()).form(params.form()))
            .await?;
        Ok(env.variant)
    }

    /// `PUT …/variants/:id` with the fields set.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when nothing is set, or any request error.
    pub async fn update(&self, variant_id: &str, params: &VariantParams) -> Result<Variant> {
        self.ids()?;
        require("variant id", variant_id)?;
        let body = params.body()?;
        if body.is_empty() {
            return Err(Error::InvalidInput(
                "a variant update needs at least one field".into(),
            ));
        }
        let t = self.client.transport();
        let env: VariantEnvelope = self
            .client
            .call(body.apply(t.put(self.path(variant_id))))
            .await?;
        Ok(env.variant)
    }

    /// `DELETE …/variants/:id`.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn delete(&self, variant_id: &str) -> Result<Deleted> {
        self.ids()?;
        require("variant id", variant_id)?;
        let t = self.client.transport();
        let env: MessageEnvelope = self.client.call(t.delete(self.path(variant_id))).await?;
        Ok(Deleted {
            message: env.message,
        })
    }

    fn ids(&self) -> Result<()> {
        require("product id", self.product_id)?;
        require("variant category id", self.category_id)
    }

    fn base(&self) -> Path {
        Path::new(
            "/v2/products/{}/variant_categories/{}/variants",
            &[self.product_id, self.category_id],
        )
    }

    fn path(&self, variant_id: &str) -> Path {
        Path::new(
            "/v2/products/{}/variant_categories/{}/variants/{}",
            &[self.product_id, self.category_id, variant_id],
        )
    }
}
