//! `/v2/products/:product_id/offer_codes`.

use creator_core::http::Path;
use creator_core::{Error, Result};

use crate::client::{MessageEnvelope, bool_str, envelope, require};
use crate::{Deleted, GumroadClient, OfferCode};

envelope!(OfferCodeEnvelope {
    offer_code: OfferCode
});
envelope!(OfferCodesEnvelope {
    offer_codes: [OfferCode]
});

/// A new offer code: a fixed amount (`offer_type=cents`) or a percentage
/// (`offer_type=percent`) off.
///
/// ```
/// use gumroad_api::NewOfferCode;
///
/// let summer = NewOfferCode::percent("SUMMER20", 20).max_purchase_count(100).universal(true);
/// let five_off = NewOfferCode::cents("FIVE", 500);
/// # let _ = (summer, five_off);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewOfferCode {
    name: String,
    amount_off: u64,
    percent: bool,
    universal: Option<bool>,
    /// The usage limit and minimum amount, sent as an update sends them.
    limits: OfferCodeChanges,
}

impl NewOfferCode {
    /// `amount_cents` off, in the product currency's minor units.
    pub fn cents(code: impl Into<String>, amount_cents: u64) -> Self {
        Self {
            name: code.into(),
            amount_off: amount_cents,
            percent: false,
            universal: None,
            limits: OfferCodeChanges::new(),
        }
    }

    /// `percent` % off (1–100).
    pub fn percent(code: impl Into<String>, percent: u8) -> Self {
        Self {
            percent: true,
            ..Self::cents(code, u64::from(percent))
        }
    }

    /// Usage limit.
    pub fn max_purchase_count(mut self, count: u64) -> Self {
        self.limits = self.limits.max_purchase_count(count);
        self
    }

    /// Only valid for carts of at least this amount, product currency minor
    /// units (`minimum_amount_cents`, 2026 API).
    pub fn minimum_amount_cents(mut self, minor_units: u64) -> Self {
        self.limits = self.limits.minimum_amount_cents(minor_units);
        self
    }

    /// Applies to all of the seller's products (sent as `"true"`/`"false"`).
    pub fn universal(mut self, universal: bool) -> Self {
        self.universal = Some(universal);
        self
    }

    fn form(&self) -> Result<Vec<(&'static str, String)>> {
        if self.name.trim().is_empty() {
            return Err(Error::InvalidInput(
                "an offer code needs a code (name)".into(),
            ));
        }
        if self.amount_off == 0 || (self.percent && self.amount_off > 100) {
            return Err(Error::InvalidInput(format!(
                "offer code amount {} is out of range",
                self.amount_off
            )));
        }
        let mut form = vec![
            ("name", self.name.clone()),
            ("amount_off", self.amount_off.to_string()),
            (
                "offer_type",
                if self.percent { "percent" } else { "cents" }.to_owned(),
            ),
        ];
        form.extend(self.limits.form());
        if let Some(u) = self.universal {
            form.push(("universal", bool_str(u).to_owned()));
        }
        Ok(form)
    }
}

/// The fields [`OfferCodesApi::update_with`] may change.
///
/// ```
/// use gumroad_api::OfferCodeChanges;
///
/// let changes = OfferCodeChanges::new().max_purchase_count(50).minimum_amount_cents(2000);
/// # let _ = changes;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OfferCodeChanges {
    /// New usage limit.
    pub max_purchase_count: Option<u64>,
    /// New minimum amount, product currency minor units.
    pub minimum_amount_cents: Option<u64>,
}

impl OfferCodeChanges {
    /// Nothing changed.
    pub fn new() -> Self {
        Self::default()
    }

    /// New usage limit.
    pub fn max_purchase_count(mut self, count: u64) -> Self {
        self.max_purchase_count = Some(count);
        self
    }

    /// New minimum amount.
    pub fn minimum_amount_cents(mut self, minor_units: u64) -> Self {
        self.minimum_amount_cents = Some(minor_units);
        self
    }

    /// The fields that are set, as both create and update send them.
    fn form(&self) -> Vec<(&'static str, String)> {
        let mut form = Vec::with_capacity(2);
        if let Some(n) = self.max_purchase_count {
            form.push(("max_purchase_count", n.to_string()));
        }
        if let Some(m) = self.minimum_amount_cents {
            form.push(("minimum_amount_cents", m.to_string()));
        }
        form
    }
}

/// The offer codes of one product. Get it with [`GumroadClient::offer_codes`].
#[derive(Debug, Clone, Copy)]
pub struct OfferCodesApi<'a> {
    pub(crate) client: &'a GumroadClient,
    pub(crate) product_id: &'a str,
}

impl OfferCodesApi<'_> {
    /// `GET …/offer_codes`: the product's codes **plus** the seller's universal codes.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn list(&self) -> Result<Vec<OfferCode>> {
        require("product id", self.product_id)?;
        self.client
            .all_pages::<OfferCodesEnvelope>(self.base(), &[])
            .await
    }

    /// `GET …/offer_codes/:id`.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn get(&self, offer_code_id: &str) -> Result<OfferCode> {
        self.ids(offer_code_id)?;
        let t = self.client.transport();
        let env: OfferCodeEnvelope = self.client.call(t.get(self.path(offer_code_id))).await?;
        Ok(env.offer_code)
    }

    /// `POST …/offer_codes`. Never retried.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty code or an amount out of range, or any request error.
    pub async fn create(&self, code: &NewOfferCode) -> Result<OfferCode> {
        require("product id", self.product_id)?;
        let form = code.form()?;
        let t = self.client.transport();
        let env: OfferCodeEnvelope = self.client.call(t.post(self.base()).form(form)).await?;
        Ok(env.offer_code)
    }

    /// `PUT …/offer_codes/:id`: only `max_purchase_count` can change.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn update(&self, offer_code_id: &str, max_purchase_count: u64) -> Result<OfferCode> {
        let changes = OfferCodeChanges::new().max_purchase_count(max_purchase_count);
        self.update_with(offer_code_id, &changes).await
    }

    /// `PUT …/offer_codes/:id` with every field of `changes` that is set:
    /// the usage limit and (2026 API) the minimum amount.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when nothing is set, [`Error::NotFound`], or any request error.
    pub async fn update_with(
        &self,
        offer_code_id: &str,
        changes: &OfferCodeChanges,
    ) -> Result<OfferCode> {
        self.ids(offer_code_id)?;
        let form = changes.form();
        if form.is_empty() {
            return Err(Error::InvalidInput(
                "an offer code update needs at least one field".into(),
            ));
        }
        let t = self.client.transport();
        let env: OfferCodeEnvelope = self
            .client
            .call(t.put(self.path(offer_code_id)).form(form))
            .await?;
        Ok(env.offer_code)
    }

    /// `DELETE …/offer_codes/:id`.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn delete(&self, offer_code_id: &str) -> Result<Deleted> {
        self.ids(offer_code_id)?;
        let t = self.client.transport();
        let env: MessageEnvelope = self.client.call(t.delete(self.path(offer_code_id))).await?;
        Ok(Deleted {
            message: env.message,
        })
    }

    fn ids(&self, offer_code_id: &str) -> Result<()> {
        require("product id", self.product_id)?;
        require("offer code id", offer_code_id)
    }

    fn base(&self) -> Path {
        Path::new("/v2/products/{}/offer_codes", &[self.product_id])
    }

    fn path(&self, offer_code_id: &str) -> Path {
        Path::new(
            "/v2/products/{}/offer_codes/{}",
            &[self.product_id, offer_code_id],
        )
    }
}
