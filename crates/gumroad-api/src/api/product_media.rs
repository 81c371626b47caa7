//! `/v2/products/:id/covers` and `/v2/products/:id/thumbnail`.

use creator_core::http::Path;
use creator_core::{Error, Result};

use crate::api::resource::{Flat, one};
use crate::client::{MessageEnvelope, require};
use crate::{Covers, GumroadClient, ImageSource, ProductParams, SavedProduct, Thumbnail};

crate::client::envelope!(ThumbnailEnvelope {
    thumbnail: Option<Thumbnail>
});

/// The covers of one product. Get it with [`GumroadClient::covers`].
#[derive(Debug, Clone, Copy)]
pub struct CoversApi<'a> {
    pub(crate) client: &'a GumroadClient,
    pub(crate) product_id: &'a str,
}

impl CoversApi<'_> {
    /// `POST /v2/products/:id/covers` (`edit_products`): adds an image or
    /// video cover from a URL or a direct-upload blob; answers every cover.
    /// Never retried (a repeat would add the cover twice).
    ///
    /// # Errors
    /// [`Error::Api`] ("The signed_blob_id is invalid or expired.", "Could
    /// not process your cover, please try again."), or any request error.
    pub async fn add(&self, source: &ImageSource) -> Result<Covers> {
        require("product id", self.product_id)?;
        let pair = source.pair()?;
        let t = self.client.transport();
        let request = t
            .post(Path::new("/v2/products/{}/covers", &[self.product_id]))
            .form([pair]);
        one::<Flat<Covers>>(self.client, request).await
    }

    /// `DELETE /v2/products/:id/covers/:cover_id`; answers the remaining covers.
    ///
    /// # Errors
    /// [`Error::NotFound`] ("The cover was not found."), or any request error.
    pub async fn remove(&self, cover_id: &str) -> Result<Covers> {
        require("product id", self.product_id)?;
        require("cover id", cover_id)?;
        let t = self.client.transport();
        let request = t.delete(Path::new(
            "/v2/products/{}/covers/{}",
            &[self.product_id, cover_id],
        ));
        one::<Flat<Covers>>(self.client, request).await
    }

    /// Puts the covers in this order: `PUT /v2/products/:id` with
    /// `cover_ids[]` (how the official CLI reorders them).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty list, or as [`ProductsApi::update`](crate::ProductsApi::update).
    pub async fn reorder<S: AsRef<str>>(&self, cover_ids: &[S]) -> Result<SavedProduct> {
        if cover_ids.is_empty() {
            return Err(Error::InvalidInput(
                "reordering covers needs at least one cover id".into(),
            ));
        }
        let params =
            ProductParams::new().cover_ids(cover_ids.iter().map(|c| c.as_ref().to_owned()));
        self.client
            .products()
            .update(self.product_id, &params)
            .await
    }
}

/// The thumbnail of one product. Get it with [`GumroadClient::thumbnail`].
#[derive(Debug, Clone, Copy)]
pub struct ThumbnailApi<'a> {
    pub(crate) client: &'a GumroadClient,
    pub(crate) product_id: &'a str,
}

impl ThumbnailApi<'_> {
    /// `POST /v2/products/:id/thumbnail` (`edit_products`): sets (or
    /// replaces) the thumbnail from a public image URL or a direct-upload
    /// blob. Replacing is idempotent, but the upload is not, so it is not
    /// retried.
    ///
    /// # Errors
    /// [`Error::Api`] with HTTP 400 ("Please provide a valid public image
    /// URL."), or HTTP 200 `success: false` (too large, invalid blob), or
    /// any request error.
    pub async fn set(&self, source: &ImageSource) -> Result<Option<Thumbnail>> {
        require("product id", self.product_id)?;
        let pair = source.pair()?;
        let t = self.client.transport();
        let env: ThumbnailEnvelope = self
            .client
            .call(
                t.post(Path::new("/v2/products/{}/thumbnail", &[self.product_id]))
                    .form([pair]),
            )
            .await?;
        Ok(env.thumbnail)
    }

    /// `DELETE /v2/products/:id/thumbnail`.
    ///
    /// # Errors
    /// [`Error::NotFound`] ("The thumbnail was not found."), or any request error.
    pub async fn remove(&self) -> Result<()> {
        require("product id", self.product_id)?;
        let t = self.client.transport();
        let _: MessageEnvelope = self
            .client
            .call(t.delete(Path::new("/v2/products/{}/thumbnail", &[self.product_id])))
            .await?;
        Ok(())
    }
}
