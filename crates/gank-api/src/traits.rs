//! The creator-core traits for [`GankClient`], mapping with the functions of
//! `normalize.rs` (each value keeps its Gank model in `provider_data`).

use std::sync::Arc;

use creator_core::futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use creator_core::{
    Error, PersonSearch, Product, ProductQuery, Products, Provider, Result, Sale, SaleQuery, Sales,
    Subscriber, SubscriberQuery, Subscribers, SubscriptionStatus, async_trait,
};

use crate::client::GankClient;
use crate::{ListingQuery, MembershipSetting, SubscriberFilter, TransactionFilter};
use creator_core::{NumberedPage, paginate_numbered_concurrent};

const GANK: Provider = Provider::Gank;

// ---------------------------------------------------------------- products

/// Products are your shop listings (V1 catalog, public; the login token is
/// sent when configured) followed by your membership settings (login token).
/// The user id comes from the builder's `user_id` or `GET /v1/users/me`.
#[async_trait]
impl Products for GankClient {
    fn provider(&self) -> Provider {
        GANK
    }

    fn list_products(&self, query: ProductQuery) -> BoxStream<'_, Result<Product>> {
        let client = self.clone();
        let mut listing_query = ListingQuery::new();
        listing_query.max_pages = query.max_pages;
        stream::once(async move { client.user_id().await.map(|id| (client, id)) })
            .map_ok(move |(client, user_id)| {
                let listings = client
                    .listings()
                    .list_with(&user_id, listing_query.clone())
                    .map_ok(|l| l.to_product());
                let tiers = stream::once(async move {
                    client
                        .memberships()
                        .settings(&user_id)
                        .await
                        .map(|settings| {
                            stream::iter(settings.into_iter().map(|s| Ok(s.to_product())))
                        })
                })
                .try_flatten();
                listings.chain(tiers)
            })
            .try_flatten()
            .boxed()
    }

    async fn product(&self, id: &str) -> Result<Product> {
        if id.trim().is_empty() {
            return Err(Error::InvalidInput("the Gank product id is empty".into()));
        }
        let user_id = self.user_id().await?;
        let mut listings = self.listings().list(&user_id);
        while let Some(listing) = listings.try_next().await? {
            if listing.id == id {
                return Ok(listing.to_product());
            }
        }
        let settings = self.memberships().settings(&user_id).await?;
        settings
            .iter()
            .find(|s| s.id == id)
            .map(MembershipSetting::to_product)
            .ok_or_else(|| not_found(format!("no Gank listing or membership setting `{id}`")))
    }
}

fn not_found(message: String) -> Error {
    Error::NotFound {
        provider: GANK,
        status: 404,
        message,
        body: creator_core::RawBody::default(),
    }
}

// ---------------------------------------------------------------- subscribers

/// Subscribers come from `GET /payment/creator/subscribers` (creator token):
/// first with `active=true` (status [`SubscriptionStatus::Active`]), then,
/// unless `active_only`, with `active=false` ([`SubscriptionStatus::Inactive`]),
/// skipping anyone already listed. Gank cannot search by email.
#[async_trait]
impl Subscribers for GankClient {
    fn provider(&self) -> Provider {
        GANK
    }

    fn list_subscribers(&self, query: SubscriberQuery) -> BoxStream<'_, Result<Subscriber>> {
        let mut filter = SubscriberFilter::new();
        filter.membership_setting_id = query.product_id.clone();
        match &query.search {
            None => {}
            Some(PersonSearch::NicknameExact(n)) => filter.search_nickname_exact = Some(n.clone()),
            Some(PersonSearch::NicknameContains(n)) => {
                filter.search_nickname_pattern = Some(n.clone())
            }
            Some(_) => {
                return stream::once(async {
                    Err(Error::Unsupported {
                        provider: GANK,
                        operation: "subscribers: search by email (Gank searches by nickname only)",
                    })
                })
                .boxed();
            }
        }
        let phases: Arc<[bool]> = if query.active_only {
            Arc::new([true])
        } else {
            Arc::new([true, false])
        };
        let client = self.clone();
        paginate_numbered_concurrent(
            phases.len(),
            1,
            query.max_pages,
            self.page_concurrency(),
            |s: &Subscriber| Some(s.id.clone()),
            move |phase, page| {
                let client = client.clone();
                let active = phases.get(phase).copied().unwrap_or(true);
                let filter = filter.clone().active(active).page(page);
                async move {
                    let p = client.subscribers().page(&filter).await?;
                    let status = if active {
                        SubscriptionStatus::Active
                    } else {
                        SubscriptionStatus::Inactive
                    };
                    let items = p
                        .data
                        .iter()
                        .map(|row| row.to_subscriber(status.clone()))
                        .collect::<Result<Vec<_>>>()?;
                    Ok(NumberedPage {
                        items,
                        total: p.total,
                        per_page: None,
                    })
                }
            },
        )
    }

    /// `id` is either a payment id (asked with
    /// `GET /payment/creator/subscription/{id}/status`) or a subscriber id
    /// from [`Subscribers::list_subscribers`] (`user:setting`, looked up through
    /// the export endpoint with `active=true`, then `active=false`).
    async fn subscription_status(&self, id: &str) -> Result<SubscriptionStatus> {
        let Some((user, setting)) = id.split_once(':') else {
            let status = self.subscriptions().status(id).await?;
            return Ok(if status.active {
                SubscriptionStatus::Active
            } else {
                SubscriptionStatus::Inactive
            });
        };
        if user.is_empty() {
            return Err(Error::InvalidInput(format!(
                "`{id}` is not a Gank subscriber id (user:setting) or payment id"
            )));
        }
        for active in [true, false] {
            let mut filter = SubscriberFilter::new().active(active);
            if !setting.is_empty() {
                filter = filter.membership_setting_id(setting);
            }
            let rows = self.subscribers().export(&filter).await?;
            let found = rows.data.iter().any(|r| {
                r.supporter_user_id.as_deref() == Some(user)
                    && (setting.is_empty() || r.membership_setting_id.as_deref() == Some(setting))
            });
            if found {
                return Ok(if active {
                    SubscriptionStatus::Active
                } else {
                    SubscriptionStatus::Inactive
                });
            }
        }
        Err(not_found(format!("no Gank subscriber `{id}`")))
    }
}

// ---------------------------------------------------------------- sales

/// Sales are transactions. One sale is
/// `GET /v1/payment/transaction/{id}` (documented, login token). The list
/// uses the V2 wallet endpoint the Ganknow site uses (undocumented, login
/// token, see [`TransactionsApi::list`](crate::TransactionsApi::list)); the
/// query's product, email and date filters are applied to each row here,
/// since the endpoint takes none of them (a date filter needs `created_at`
/// on every row, otherwise the row is reported as an error).
#[async_trait]
impl Sales for GankClient {
    fn provider(&self) -> Provider {
        GANK
    }

    fn list_sales(&self, query: SaleQuery) -> BoxStream<'_, Result<Sale>> {
        let mut filter = TransactionFilter::new();
        filter.max_pages = query.max_pages;
        let dated = query.range.after.is_some() || query.range.before.is_some();
        self.transactions()
            .list(filter)
            .and_then(|t| async move { t.to_sale() })
            .try_filter_map(move |sale| {
                let query = query.clone();
                async move {
                    if let Some(p) = &query.product_id
                        && sale.product_id.as_deref() != Some(p.as_str())
                    {
                        return Ok(None);
                    }
                    if let Some(e) = &query.email {
                        let matches = sale
                            .customer
                            .email
                            .as_deref()
                            .is_some_and(|have| have.eq_ignore_ascii_case(e));
                        if !matches {
                            return Ok(None);
                        }
                    }
                    if dated {
                        let day = sale.created_at.map(|t| t.date()).ok_or_else(|| {
                            Error::decode(
                                GANK,
                                ".data[].created_at",
                                format!(
                                    "transaction `{}` has no readable created_at to filter by date",
                                    sale.id
                                ),
                                Vec::new(),
                            )
                        })?;
                        if !query.range.contains(day) {
                            return Ok(None);
                        }
                    }
                    Ok(Some(sale))
                }
            })
            .boxed()
    }

    async fn sale(&self, id: &str) -> Result<Sale> {
        self.transactions().get(id).await?.to_sale()
    }
}
