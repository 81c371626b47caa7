//! `GET /v2/earnings`: a tax year's earnings (the tax center).

use creator_core::Result;

use crate::api::resource::{Flat, one};
use crate::{Earnings, GumroadClient};

/// Earnings by tax year. Get it with [`GumroadClient::earnings`].
///
/// Needs the `view_tax_data` scope and an account with the tax center
/// (US sellers); otherwise Gumroad answers HTTP 403 "Tax center is not
/// enabled for this account.", reported as [`creator_core::Error::Forbidden`]
/// with that message.
#[derive(Debug, Clone, Copy)]
pub struct EarningsApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl EarningsApi<'_> {
    /// `GET /v2/earnings?year=…`: gross, fees, taxes, affiliate credits and
    /// net for `year`, in USD cents.
    ///
    /// ```no_run
    /// # async fn run(client: gumroad_api::GumroadClient) -> creator_core::Result<()> {
    /// let e = client.earnings().get(2025).await?;
    /// println!("net {:?}", e.money(e.net_cents));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`creator_core::Error::NotFound`] (HTTP 404) for a year outside the
    /// account's range (its creation year through last year);
    /// [`creator_core::Error::Forbidden`] without the tax center; or any
    /// request error.
    pub async fn get(&self, year: i32) -> Result<Earnings> {
        let t = self.client.transport();
        let request = t.get("/v2/earnings").query("year", year.to_string());
        one::<Flat<Earnings>>(self.client, request).await
    }
}
