//! `/v2/licenses/*`.

use creator_core::http::Request;
use creator_core::retry::Idempotency;
use creator_core::{Error, Result};

use crate::client::{bool_str, require};
use crate::models::LicenseEnvelope;
use crate::{GumroadClient, License, LicenseHolder};

/// A license verification request.
///
/// `increment_uses_count` defaults to `true`, like the server. Gumroad only
/// skips the increment for the **exact** string `false`; this type sends
/// exactly `true` or `false`.
///
/// ```
/// use gumroad_api::VerifyLicense;
///
/// let check = VerifyLicense::new("A-m3CDDC5dlrSdKZp0RFhA==", "85DB562A-C11D4B06-A2335A6B-8C079166")
///     .increment_uses_count(false);
/// # let _ = check;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct VerifyLicense {
    product_id: String,
    license_key: String,
    increment_uses_count: bool,
}

impl VerifyLicense {
    /// Verify `license_key` for `product_id` (the product id, required for
    /// products created since 2023-01-09; not the permalink).
    pub fn new(product_id: impl Into<String>, license_key: impl Into<String>) -> Self {
        Self {
            product_id: product_id.into(),
            license_key: license_key.into(),
            increment_uses_count: true,
        }
    }

    /// Whether this check counts as a use (default `true`).
    pub fn increment_uses_count(mut self, increment: bool) -> Self {
        self.increment_uses_count = increment;
        self
    }
}

/// The product id Gumroad asks for in its HTTP 500 "The 'product_id'
/// parameter is required … set 'product_id' to '…'" answer, if `error` is that.
///
/// ```
/// # use creator_core::{Error, Provider, RawBody};
/// let err = Error::Api {
///     provider: Provider::Gumroad,
///     status: 500,
///     code: Some("product_id_required".into()),
///     message: "The 'product_id' parameter is required to verify the license for this product. Please set 'product_id' to 'xYz==' in the request.".into(),
///     body: RawBody::default(),
/// };
/// assert_eq!(gumroad_api::required_product_id(&err).as_deref(), Some("xYz=="));
/// ```
pub fn required_product_id(error: &Error) -> Option<String> {
    let Error::Api { message, .. } = error else {
        return None;
    };
    let (_, rest) = message.split_once("set 'product_id' to '")?;
    let (id, _) = rest.split_once('\'')?;
    (!id.is_empty()).then(|| id.to_owned())
}

/// License keys. Get it with [`GumroadClient::licenses`].
#[derive(Debug, Clone, Copy)]
pub struct LicensesApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl LicensesApi<'_> {
    /// `POST /v2/licenses/verify`. Needs no access token (works with
    /// [`GumroadClient::unauthenticated`]). Only a verify that does not
    /// increment the use count is retried (on 429, 502, 503, 504 and
    /// timeouts, as every safe request is); one that counts a use never is.
    ///
    /// # Errors
    /// [`Error::NotFound`] with Gumroad's message for an unknown, disabled
    /// or revoked license (HTTP 404); [`Error::Api`] with code
    /// `product_id_required` when the product needs `product_id` (HTTP 500,
    /// see [`required_product_id`]); or any request error.
    pub async fn verify(&self, request: &VerifyLicense) -> Result<License> {
        require("product id", &request.product_id)?;
        require("license key", &request.license_key)?;
        let t = self.client.transport();
        let idempotency = if request.increment_uses_count {
            Idempotency::Unsafe
        } else {
            Idempotency::Safe
        };
        let req = t
            .post("/v2/licenses/verify")
            .form([
                ("product_id", request.product_id.as_str()),
                ("license_key", request.license_key.as_str()),
                (
                    "increment_uses_count",
                    bool_str(request.increment_uses_count),
                ),
            ])
            .idempotency(idempotency);
        finish(self.client, req).await
    }

    /// `PUT /v2/licenses/enable`.
    ///
    /// # Errors
    /// [`Error::NotFound`] (`{"error": "Not found"}`, HTTP 404) when the token
    /// owner does not own the product, or any request error.
    pub async fn enable(&self, product_id: &str, license_key: &str) -> Result<License> {
        self.put(
            "/v2/licenses/enable",
            product_id,
            license_key,
            Idempotency::ByMethod,
        )
        .await
    }

    /// `PUT /v2/licenses/disable`.
    ///
    /// # Errors
    /// As [`LicensesApi::enable`].
    pub async fn disable(&self, product_id: &str, license_key: &str) -> Result<License> {
        self.put(
            "/v2/licenses/disable",
            product_id,
            license_key,
            Idempotency::ByMethod,
        )
        .await
    }

    /// `PUT /v2/licenses/decrement_uses_count`. Never retried (a repeat
    /// would decrement twice).
    ///
    /// # Errors
    /// As [`LicensesApi::enable`].
    pub async fn decrement_uses_count(
        &self,
        product_id: &str,
        license_key: &str,
    ) -> Result<License> {
        self.put(
            "/v2/licenses/decrement_uses_count",
            product_id,
            license_key,
            Idempotency::Unsafe,
        )
        .await
    }

    /// `PUT /v2/licenses/rotate` (2026 API): issues a new key; the old one
    /// stops validating. The new key is in `purchase.license_key`. Never retried.
    ///
    /// # Errors
    /// As [`LicensesApi::enable`].
    pub async fn rotate(&self, product_id: &str, license_key: &str) -> Result<License> {
        self.put(
            "/v2/licenses/rotate",
            product_id,
            license_key,
            Idempotency::Unsafe,
        )
        .await
    }

    async fn put(
        &self,
        path: &'static str,
        product_id: &str,
        license_key: &str,
        idempotency: Idempotency,
    ) -> Result<License> {
        require("product id", product_id)?;
        require("license key", license_key)?;
        let t = self.client.transport();
        let req = t
            .put(path)
            .form([("product_id", product_id), ("license_key", license_key)])
            .idempotency(idempotency);
        finish(self.client, req).await
    }
}

async fn finish(client: &GumroadClient, request: Request<'_>) -> Result<License> {
    let response = request.send().await?;
    let env: LicenseEnvelope = client.decode(&response)?;
    let holder = match (env.purchase, env.imported_customer) {
        (Some(p), _) => LicenseHolder::Purchase(p),
        (None, Some(c)) => LicenseHolder::ImportedCustomer(c),
        (None, None) => {
            return Err(Error::decode(
                client.provider(),
                "purchase",
                "the license response has neither `purchase` nor `imported_customer`",
                response.body.clone(),
            ));
        }
    };
    Ok(License {
        uses: env.uses,
        holder,
    })
}
