//! Endpoint groups, one per resource. Reach them through the client:
//! `client.products()`, `client.sales()`, ….

pub(crate) mod products;
pub(crate) mod sales;
pub(crate) mod user;

use crate::GumroadClient;

impl GumroadClient {
    /// `GET /v2/user`.
    pub fn user(&self) -> user::UserApi<'_> {
        user::UserApi { client: self }
    }

    /// `/v2/products`: list, get, create, update, delete, enable, disable.
    pub fn products(&self) -> products::ProductsApi<'_> {
        products::ProductsApi { client: self }
    }

    /// `/v2/sales`: list (streamed), get, mark as shipped, refund, resend receipt.
    pub fn sales(&self) -> sales::SalesApi<'_> {
        sales::SalesApi { client: self }
    }
}
