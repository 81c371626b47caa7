//! Transactions: `GET {V1}/v1/payment/transaction/{id}` (documented) and the
//! V2 wallet list `GET {V2}/payment/transactions` (seen in third-party code only).

use creator_core::http::{Path, Response};
use creator_core::{Error, Provider, RawBody, Result};
use futures::stream::BoxStream;
use serde_json::Value;

use crate::client::{GankClient, Host, TokenKind};
use crate::{Transaction, TransactionPage};
use creator_core::{NumberedPage, paginate_numbered};

/// Paging and filters for the V2 wallet list (see [`TransactionsApi::list`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransactionFilter {
    /// Rows per page (default 100; GankHelper uses 500, the maximum is unknown).
    pub per_page: u32,
    /// `usecases_client` (default `WALLET_GANK_EARNING_TX`, the creator's earnings);
    /// `None` sends none.
    pub usecases_client: Option<String>,
    /// Stop after this many pages.
    pub max_pages: Option<u32>,
}

impl Default for TransactionFilter {
    fn default() -> Self {
        Self {
            per_page: 100,
            usecases_client: Some(Self::EARNINGS.to_owned()),
            max_pages: None,
        }
    }
}

impl TransactionFilter {
    /// The `usecases_client` value for a creator's earnings.
    pub const EARNINGS: &'static str = "WALLET_GANK_EARNING_TX";

    /// Defaults: earnings, 100 per page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the page size (at least 1).
    pub fn per_page(mut self, per_page: u32) -> Self {
        self.per_page = per_page.max(1);
        self
    }

    /// Sets `usecases_client` (`None` sends none).
    pub fn usecases_client(mut self, value: Option<String>) -> Self {
        self.usecases_client = value;
        self
    }

    /// Stops after `pages` pages.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages);
        self
    }
}

/// Transaction endpoints (login token); from [`GankClient::transactions`].
#[derive(Debug, Clone, Copy)]
pub struct TransactionsApi<'a> {
    client: &'a GankClient,
}

impl<'a> TransactionsApi<'a> {
    pub(crate) fn new(client: &'a GankClient) -> Self {
        Self { client }
    }

    /// One transaction, from `GET {V1}/v1/payment/transaction/{id}`.
    ///
    /// The docs call `{id}` "the payment ID"; whether a `human_id` is accepted
    /// too is not documented. The documented response is the bare object; a
    /// `{"data": {...}}` envelope (as other V1 endpoints use) is unwrapped, and
    /// `data: null` is [`Error::NotFound`].
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty id; [`Error::Config`] without a
    /// login token; request and decode errors.
    pub async fn get(&self, id: &str) -> Result<Transaction> {
        if id.trim().is_empty() {
            return Err(Error::InvalidInput("the Gank payment id is empty".into()));
        }
        let auth = self
            .client
            .bearer(TokenKind::Login, "GET /v1/payment/transaction/{id}")?;
        let response = self
            .client
            .transport(Host::V1)
            .get(Path::new("/v1/payment/transaction/{}", &[id]))
            .auth(auth)
            .send()
            .await?;
        decode_transaction(&response)
    }

    /// One page (1-based) of the V2 wallet list
    /// `GET {V2}/payment/transactions?page=&per_page=&usecases_client=`.
    ///
    /// This endpoint is **not in Gank's docs**; it is what the Ganknow site
    /// and GankHelper use (login token), and may change without notice.
    ///
    /// # Errors
    /// [`Error::Config`] without a login token; request and decode errors.
    pub async fn page(&self, filter: &TransactionFilter, page: u32) -> Result<TransactionPage> {
        let auth = self
            .client
            .bearer(TokenKind::Login, "GET /payment/transactions")?;
        self.client
            .transport(Host::V2)
            .get(Path::fixed("/payment/transactions"))
            .auth(auth)
            .query("page", page.max(1).to_string())
            .query("per_page", filter.per_page.to_string())
            .query_opt("usecases_client", filter.usecases_client.clone())
            .json()
            .await
    }

    /// Every transaction of the V2 wallet list (see [`TransactionsApi::page`]),
    /// lazily. Pages are 1-based; the stream stops on an empty or short page
    /// (or at `total` when sent), and rows already seen (same `human_id`) are
    /// skipped, since new sales shift the pages while you read.
    pub fn list(&self, filter: TransactionFilter) -> BoxStream<'static, Result<Transaction>> {
        let client = self.client.clone();
        let max_pages = filter.max_pages;
        paginate_numbered(
            1,
            1,
            max_pages,
            |t: &Transaction| t.key().map(str::to_owned),
            move |_, page| {
                let client = client.clone();
                let filter = filter.clone();
                async move {
                    let p = client.transactions().page(&filter, page).await?;
                    Ok(NumberedPage {
                        items: p.data,
                        total: p.total,
                        per_page: Some(filter.per_page),
                    })
                }
            },
        )
    }
}

/// Decodes a transaction detail, bare or inside `{"data": ...}`.
fn decode_transaction(response: &Response) -> Result<Transaction> {
    let value: Value = response.json(Provider::Gank)?;
    let enveloped = value.as_object().is_some_and(|o| {
        o.contains_key("data") && !o.contains_key("human_id") && !o.contains_key("usecase_data")
    });
    let (value, prefix) = if enveloped {
        match value.get("data") {
            Some(Value::Null) | None => {
                return Err(Error::NotFound {
                    provider: Provider::Gank,
                    status: response.status,
                    message: "Gank answered `data: null` for the transaction".into(),
                    body: RawBody::new(response.body.clone()),
                });
            }
            Some(inner) => (inner.clone(), "data."),
        }
    } else {
        (value, "")
    };
    serde_path_to_error::deserialize::<_, Transaction>(&value).map_err(|e| {
        let path = e.path().to_string();
        Error::decode(
            Provider::Gank,
            format!("{prefix}{path}"),
            e.into_inner(),
            response.body.clone(),
        )
    })
}
