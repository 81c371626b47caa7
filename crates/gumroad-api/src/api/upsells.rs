//! `/v2/upsells`: upsells and cross-sells.

use creator_core::{Error, Result};
use serde::Serialize;

use crate::api::resource::{Collection, object_envelope, one};
use crate::client::envelope;
use crate::{Deleted, Discount, GumroadClient, Upsell};

object_envelope!(UpsellEnvelope { upsell: Upsell });
envelope!(UpsellsEnvelope { upsells: [Upsell] });

/// The discount an upsell gives on the offered product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum UpsellOffer {
    /// A fixed amount off, in the offered product's currency minor units.
    AmountCents(u64),
    /// A percentage off (1–100).
    AmountPercentage(u8),
}

/// A version upgrade: buyers of `selected_variant_id` are offered `offered_variant_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct VariantUpgrade {
    /// The version in the cart.
    pub selected_variant_id: String,
    /// The version offered instead.
    pub offered_variant_id: String,
}

/// An upsell or cross-sell as sent to [`UpsellsApi::create`] and
/// [`UpsellsApi::update`], as a JSON body.
///
/// An update **replaces** the whole upsell: what is not set here is
/// removed (the discount, the offered variant, the version upgrades).
/// To change one field, start from the current upsell with
/// [`UpsellParams::from`], as the official CLI does.
///
/// ```
/// use gumroad_api::{UpsellOffer, UpsellParams};
///
/// let upgrade = UpsellParams::upsell("Go Pro", "prod-1==").offer_variant("basic==", "pro==");
/// let audiobook = UpsellParams::cross_sell("Add the audiobook", "audio==")
///     .selected_products(["ebook=="])
///     .offer(UpsellOffer::AmountPercentage(50));
/// # let _ = (upgrade, audiobook);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UpsellParams {
    name: String,
    product_id: String,
    cross_sell: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    variant_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    universal: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replace_selected_products: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paused: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    offer_code: Option<UpsellOffer>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    product_ids: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    upsell_variants: Vec<VariantUpgrade>,
}

impl UpsellParams {
    fn new(name: String, product_id: String, cross_sell: bool) -> Self {
        Self {
            name,
            product_id,
            cross_sell,
            text: None,
            description: None,
            variant_id: None,
            universal: None,
            replace_selected_products: None,
            paused: None,
            offer_code: None,
            product_ids: Vec::new(),
            upsell_variants: Vec::new(),
        }
    }

    /// A version upsell on `product_id`: add the upgrades with
    /// [`UpsellParams::offer_variant`].
    pub fn upsell(name: impl Into<String>, product_id: impl Into<String>) -> Self {
        Self::new(name.into(), product_id.into(), false)
    }

    /// A cross-sell offering `offered_product_id`: choose the audience with
    /// [`UpsellParams::selected_products`] or [`UpsellParams::universal`].
    pub fn cross_sell(name: impl Into<String>, offered_product_id: impl Into<String>) -> Self {
        Self::new(name.into(), offered_product_id.into(), true)
    }

    /// Headline shown to the buyer.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Description shown to the buyer.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Creates (or keeps) it paused.
    pub fn paused(mut self, paused: bool) -> Self {
        self.paused = Some(paused);
        self
    }

    /// A discount on the offered product.
    pub fn offer(mut self, offer: UpsellOffer) -> Self {
        self.offer_code = Some(offer);
        self
    }

    /// Upsells: offer `offered_variant_id` to buyers of `selected_variant_id`
    /// (repeatable, one upgrade per selected version).
    pub fn offer_variant(
        mut self,
        selected_variant_id: impl Into<String>,
        offered_variant_id: impl Into<String>,
    ) -> Self {
        self.upsell_variants.push(VariantUpgrade {
            selected_variant_id: selected_variant_id.into(),
            offered_variant_id: offered_variant_id.into(),
        });
        self
    }

    /// Cross-sells: offer it to buyers of these products.
    pub fn selected_products<I, S>(mut self, product_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.product_ids = product_ids.into_iter().map(Into::into).collect();
        self
    }

    /// Cross-sells: offer it to buyers of every product.
    pub fn universal(mut self, universal: bool) -> Self {
        self.universal = Some(universal);
        self
    }

    /// Cross-sells: the offered version of the offered product.
    pub fn variant(mut self, variant_id: impl Into<String>) -> Self {
        self.variant_id = Some(variant_id.into());
        self
    }

    /// Cross-sells: the offered product replaces the selected ones in the cart.
    pub fn replace_selected_products(mut self, replace: bool) -> Self {
        self.replace_selected_products = Some(replace);
        self
    }

    fn validate(&self) -> Result<()> {
        let invalid = |why: &str| Err(Error::InvalidInput(format!("upsell: {why}")));
        if self.name.trim().is_empty() || self.product_id.trim().is_empty() {
            return invalid("a name and the offered product id are required");
        }
        match self.offer_code {
            Some(UpsellOffer::AmountCents(0)) | Some(UpsellOffer::AmountPercentage(0)) => {
                return invalid("a discount must be above zero");
            }
            Some(UpsellOffer::AmountPercentage(p)) if p > 100 => {
                return invalid("a percentage discount is at most 100");
            }
            _ => {}
        }
        let universal = self.universal == Some(true);
        if self.cross_sell {
            if !self.upsell_variants.is_empty() {
                return invalid("version upgrades belong to upsells, not cross-sells");
            }
            if universal && !self.product_ids.is_empty() {
                return invalid("a universal cross-sell has no selected products");
            }
            if !universal && self.product_ids.is_empty() {
                return invalid("a cross-sell needs selected products or universal(true)");
            }
        } else if universal
            || !self.product_ids.is_empty()
            || self.variant_id.is_some()
            || self.replace_selected_products == Some(true)
        {
            return invalid(
                "selected products, universal, variant and replace belong to cross-sells",
            );
        }
        Ok(())
    }
}

impl From<&Upsell> for UpsellParams {
    /// The upsell as it is, ready to change one field and send to
    /// [`UpsellsApi::update`].
    fn from(upsell: &Upsell) -> Self {
        let product = upsell.product.as_ref();
        let mut params = Self::new(
            upsell.name.clone().unwrap_or_default(),
            product.map(|p| p.id.clone()).unwrap_or_default(),
            upsell.cross_sell == Some(true),
        );
        params.text = upsell.text.clone();
        params.description = upsell.description.clone();
        params.paused = upsell.paused;
        params.offer_code = upsell
            .discount
            .as_ref()
            .and_then(|d| d.discount())
            .map(|d| match d {
                Discount::Cents(c) => UpsellOffer::AmountCents(u64::try_from(c).unwrap_or(0)),
                Discount::Percent(p) => UpsellOffer::AmountPercentage(u8::try_from(p).unwrap_or(0)),
            });
        if params.cross_sell {
            params.universal = upsell.universal;
            params.replace_selected_products = upsell.replace_selected_products;
            params.variant_id = product
                .and_then(|p| p.variant.as_ref())
                .map(|v| v.id.clone());
            params.product_ids = upsell
                .selected_products
                .iter()
                .map(|p| p.id.clone())
                .collect();
        } else {
            params.upsell_variants = upsell
                .upsell_variants
                .iter()
                .map(|v| VariantUpgrade {
                    selected_variant_id: v.selected_variant.id.clone(),
                    offered_variant_id: v.offered_variant.id.clone(),
                })
                .collect();
        }
        params
    }
}

/// Upsells and cross-sells. Get it with [`GumroadClient::upsells`].
///
/// Not in the API reference; the official CLI uses all five endpoints
/// (`gumroad upsells …`).
#[derive(Debug, Clone, Copy)]
pub struct UpsellsApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl UpsellsApi<'_> {
    fn collection(&self) -> Collection<'_> {
        Collection::new(self.client, "/v2/upsells", "/v2/upsells/{}", "upsell id")
    }

    /// `GET /v2/upsells` (any read scope): every live upsell (not paginated).
    ///
    /// # Errors
    /// Any request error.
    pub async fn list(&self) -> Result<Vec<Upsell>> {
        self.collection().list::<UpsellsEnvelope>().await
    }

    /// `GET /v2/upsells/:id` (any read scope).
    ///
    /// # Errors
    /// [`Error::NotFound`] ("The upsell was not found.", HTTP 200), or any request error.
    pub async fn get(&self, id: &str) -> Result<Upsell> {
        self.collection().get::<UpsellEnvelope>(id).await
    }

    /// `POST /v2/upsells` (scope `edit_products`). Never retried.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an inconsistent upsell (see
    /// [`UpsellParams`]); [`Error::Api`] (HTTP 200) when Gumroad refuses it
    /// ("You can only create one upsell per product.", an id it cannot
    /// find); or any request error.
    pub async fn create(&self, upsell: &UpsellParams) -> Result<Upsell> {
        upsell.validate()?;
        let t = self.client.transport();
        one::<UpsellEnvelope>(self.client, t.post("/v2/upsells").json_body(upsell)).await
    }

    /// `PUT /v2/upsells/:id` (scope `edit_products`): replaces the upsell
    /// with `upsell` (see [`UpsellParams`]). A whole replacement, so safe to
    /// repeat.
    ///
    /// # Errors
    /// As [`UpsellsApi::create`], plus [`Error::NotFound`].
    pub async fn update(&self, id: &str, upsell: &UpsellParams) -> Result<Upsell> {
        let path = self.collection().path(id)?;
        upsell.validate()?;
        let t = self.client.transport();
        one::<UpsellEnvelope>(self.client, t.put(path).json_body(upsell)).await
    }

    /// `DELETE /v2/upsells/:id` (scope `edit_products`); its discount goes too.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn delete(&self, id: &str) -> Result<Deleted> {
        self.collection().delete(id).await
    }
}
