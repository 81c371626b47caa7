//! The creator-core traits for [`GankClient`], and the normalization of Gank
//! models into core types (each keeps its Gank model in `provider_data`).

use std::sync::Arc;

use creator_core::futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use creator_core::{
    Customer, Error, EventKind, PersonSearch, Product, ProductKind, ProductQuery, Products,
    Provider, ProviderData, Result, Sale, SaleQuery, Sales, Subscriber, SubscriberQuery,
    Subscribers, SubscriptionStatus, Verified, WebhookDelivery, WebhookError, WebhookEvent,
    Webhooks, async_trait,
};

use crate::client::GankClient;
use crate::webhook::GankWebhook;
use crate::{
    GankSubscriber, Listing, ListingQuery, MembershipSetting, MembershipTxData, PaymentStatus,
    SubscriberFilter, Transaction, TransactionFilter, UsecaseData, UsecasePayload,
};
use creator_core::{NumberedPage, paginate_numbered};

const GANK: Provider = Provider::Gank;

// ---------------------------------------------------------------- products

impl Listing {
    /// This listing as a core [`Product`] (kind [`ProductKind::Service`], the
    /// first price option as price); the listing is kept in `provider_data`.
    pub fn to_product(&self) -> Product {
        let mut p = Product::new(
            GANK,
            self.id.clone(),
            self.name.clone().unwrap_or_default(),
            ProductKind::Service,
        );
        p.price = self.base_price().map(|a| a.money());
        p.provider_data = ProviderData::new(self.clone());
        p
    }
}

impl MembershipSetting {
    /// This setting as a core [`Product`] (kind [`ProductKind::Membership`],
    /// the shortest billing option's price); the setting is kept in `provider_data`.
    pub fn to_product(&self) -> Product {
        let mut p = Product::new(
            GANK,
            self.id.clone(),
            self.display_name().unwrap_or_default(),
            ProductKind::Membership,
        );
        p.price = self.base_price().map(|a| a.money());
        p.provider_data = ProviderData::new(self.clone());
        p
    }
}

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

impl GankSubscriber {
    /// This row as a core [`Subscriber`] with the given status.
    ///
    /// The id is `"{supporter_user_id}:{membership_setting_id}"` (Gank lists
    /// expose no subscription id); [`Subscribers::subscription_status`] on the
    /// client accepts it back.
    ///
    /// # Errors
    /// [`Error::Decode`] when the row has no `supporter_user_id`.
    pub fn to_subscriber(&self, status: SubscriptionStatus) -> Result<Subscriber> {
        let user = self.supporter_user_id.clone().ok_or_else(|| {
            Error::decode(
                GANK,
                ".data[].supporter_user_id",
                "a subscriber row has no supporter_user_id",
                serde_json::to_vec(self).unwrap_or_default(),
            )
        })?;
        let id = format!(
            "{user}:{}",
            self.membership_setting_id.as_deref().unwrap_or("")
        );
        let mut s = Subscriber::new(GANK, id, status);
        s.product_id = self.membership_setting_id.clone();
        s.customer = Customer::new(Some(user), None, None, self.supporter_nickname.clone());
        s.started_at = self.started_at();
        s.ends_at = self.ends_at();
        s.provider_data = ProviderData::new(self.clone());
        Ok(s)
    }
}

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
        paginate_numbered(
            phases.len(),
            1,
            query.max_pages,
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

impl Transaction {
    /// This transaction as a core [`Sale`]: id `human_id` (else `id`),
    /// product the listing (`catalog_id`) or membership setting (when the
    /// payload names one), customer the buyer or subscriber, amount `price`
    /// when sent. The transaction is kept in `provider_data`.
    ///
    /// # Errors
    /// [`Error::Decode`] when the transaction has neither `human_id` nor `id`.
    pub fn to_sale(&self) -> Result<Sale> {
        let id = self.key().ok_or_else(|| {
            Error::decode(
                GANK,
                ".human_id",
                "the transaction has neither human_id nor id",
                serde_json::to_vec(self).unwrap_or_default(),
            )
        })?;
        let mut sale = Sale::new(GANK, id);
        match self.usecase_data.as_ref().map(|u| &u.data) {
            Some(UsecasePayload::Membership(m)) => {
                sale.product_id = m.membership_setting_id();
                sale.product_name = m.membership_title.clone();
                sale.customer = Customer::new(
                    m.subscriber_user_id.clone(),
                    m.subscriber_user_email.clone(),
                    None,
                    m.subscriber_user_nickname.clone(),
                );
                if let (Some(user), Some(setting)) = (&m.subscriber_user_id, &sale.product_id) {
                    sale.subscription_id = Some(format!("{user}:{setting}"));
                }
            }
            Some(UsecasePayload::DigitalGoods(d)) => {
                sale.product_id = d.catalog_id.clone();
                sale.product_name = d.catalog_title.clone();
                sale.customer = Customer::new(
                    d.buyer_user_id.clone(),
                    d.buyer_user_email.clone(),
                    None,
                    d.buyer_user_nickname(),
                );
            }
            Some(UsecasePayload::Other(_)) | None => {}
        }
        sale.amount = self.price.as_ref().map(|p| p.money());
        sale.created_at = self.created_at();
        sale.provider_data = ProviderData::new(self.clone());
        Ok(sale)
    }
}

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

// ---------------------------------------------------------------- webhooks

impl GankWebhook {
    /// This delivery as a core [`WebhookEvent`]: subject `human_id` (for an
    /// unknown event without one, `sha256:` and the hash of the raw JSON, which
    /// is the same on a redelivery), a [`Sale`] for the two known events and a
    /// [`Subscriber`] for membership payments, and the fields that could not
    /// be read in `field_errors`. The parsed delivery is kept in `provider_data`.
    pub fn to_event(&self) -> WebhookEvent {
        let name = self.event().as_str().to_owned();
        let subject = match self.human_id() {
            Some(h) => h.to_owned(),
            None => format!("sha256:{}", hash_hex(&self.raw().to_string())),
        };
        let kind = match self {
            GankWebhook::MembershipPayment(_) => EventKind::MembershipPayment,
            GankWebhook::DigitalGoodsPurchase(_) => EventKind::Sale,
            GankWebhook::Unknown { event, .. } => EventKind::Unknown(event.as_str().to_owned()),
        };
        let mut event = WebhookEvent::new(GANK, kind, name, subject.clone());
        event.field_errors = self.field_errors().to_vec();
        match self {
            GankWebhook::MembershipPayment(e) => {
                let m = &e.data;
                let mut sale = Sale::new(GANK, subject.clone());
                sale.product_name = m.membership_title.clone();
                sale.customer = Customer::new(
                    m.subscriber_user_id.clone(),
                    m.subscriber_user_email.clone(),
                    None,
                    m.subscriber_user_nickname.clone(),
                );
                sale.product_id = m.membership_setting_id();
                event.subscriber =
                    membership_subscriber(m, &sale.customer, ProviderData::new(self.clone()));
                sale.subscription_id = event.subscriber.as_ref().map(|sub| sub.id.clone());
                sale.provider_data = ProviderData::new(self.clone());
                event.sale = Some(sale);
            }
            GankWebhook::DigitalGoodsPurchase(e) => {
                let d = &e.data;
                let mut sale = Sale::new(GANK, subject.clone());
                sale.product_id = d.catalog_id.clone();
                sale.product_name = d.catalog_title.clone();
                sale.customer = Customer::new(
                    d.buyer_user_id.clone(),
                    d.buyer_user_email.clone(),
                    None,
                    d.buyer_user_nickname(),
                );
                sale.provider_data = ProviderData::new(self.clone());
                event.sale = Some(sale);
            }
            GankWebhook::Unknown { .. } => {}
        }
        event.provider_data = ProviderData::new(self.clone());
        event
    }
}

fn hash_hex(text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Webhooks: verified by the builder's
/// [`webhook_verifier`](crate::GankClientBuilder::webhook_verifier) (Gank's
/// signature scheme is not documented, see [`crate::verify`]), parsed with
/// [`GankWebhook::parse_with_limits`] (the builder's
/// [`webhook_limits`](crate::GankClientBuilder::webhook_limits)), and
/// confirmed by re-reading the transaction.
#[async_trait]
impl Webhooks for GankClient {
    fn provider(&self) -> Provider {
        GANK
    }

    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        match &self.inner.verifier {
            Some(v) => v.verify(delivery),
            None => Err(WebhookError::NotConfigured(
                "no Gank webhook verifier is configured: pass one to \
                 GankClient::builder().webhook_verifier(..) (an HmacVerifier keyed by the \
                 registration `key`, a UrlTokenVerifier, or AcceptUnsigned together with confirm())"
                    .into(),
            )),
        }
    }

    fn parse(&self, delivery: &WebhookDelivery) -> Result<WebhookEvent> {
        Ok(GankWebhook::parse_with_limits(&delivery.body, &self.inner.webhook_limits)?.to_event())
    }

    /// Re-reads the payment with `GET /v1/payment/transaction/{human_id}`
    /// (login token) and checks it agrees with what the event claims: the
    /// same `human_id`; for a `<USECASE>.TX_<STATUS>` event, that payment
    /// status and (when the API says) a usecase of that kind; and, when the
    /// API names the payment's creator (`creator_user_id`), that it is this
    /// client's user (the builder's `user_id`, else `GET /v1/users/me`).
    ///
    /// Returns the event rebuilt from the transaction alone: its sale (and,
    /// for a membership naming its setting, its subscriber) carries only what
    /// the API says, never a product, tier or amount from the unverified
    /// delivery; `provider_data` holds the [`Transaction`].
    ///
    /// # Errors
    /// [`Error::Webhook`] ([`WebhookError::Unconfirmed`]) when the API
    /// disagrees with the event; [`Error::Unsupported`] for an event without a
    /// `human_id`; request errors (a made-up `human_id` is [`Error::NotFound`]).
    async fn confirm(&self, event: &WebhookEvent) -> Result<WebhookEvent> {
        if event.subject_id.starts_with("sha256:") || event.subject_id.is_empty() {
            return Err(Error::Unsupported {
                provider: GANK,
                operation: "webhooks: confirm an event that carries no human_id",
            });
        }
        let tx = self.transactions().get(&event.subject_id).await?;
        claim_agrees(event, &tx)?;
        if let Some(creator) = tx_creator(&tx) {
            let me = self.user_id().await?;
            if creator != me {
                return Err(unconfirmed(format!(
                    "payment `{}` belongs to creator `{creator}`, not to this client's user `{me}`",
                    event.subject_id
                )));
            }
        }
        let mut fresh = event.clone();
        let sale = tx.to_sale()?;
        fresh.subscriber = match tx.usecase_data.as_ref().and_then(UsecaseData::membership) {
            Some(m) => membership_subscriber(m, &sale.customer, ProviderData::new(tx.clone())),
            None => None,
        };
        fresh.sale = Some(sale);
        fresh.provider_data = ProviderData::new(tx);
        Ok(fresh)
    }
}

fn unconfirmed(reason: String) -> Error {
    WebhookError::Unconfirmed { reason }.into()
}

/// The transaction's `human_id`, status and usecase against the event's
/// subject and name (`USER_MEMBERSHIP.TX_SUCCEED`: a `USER_MEMBERSHIP…`
/// usecase, `SUCCEED`).
fn claim_agrees(event: &WebhookEvent, tx: &Transaction) -> Result<()> {
    if let Some(h) = &tx.human_id
        && h != &event.subject_id
    {
        return Err(unconfirmed(format!(
            "the API returned transaction `{h}` for event subject `{}`",
            event.subject_id
        )));
    }
    let Some((usecase, status)) = event.name.split_once(".TX_") else {
        return Ok(());
    };
    let actual = tx.payment_status.as_ref().map(PaymentStatus::as_str);
    if actual != Some(status) {
        return Err(unconfirmed(format!(
            "event `{}` claims {status} but the API reports payment `{}` as {}",
            event.name,
            event.subject_id,
            actual.unwrap_or("(no payment_status)")
        )));
    }
    if let Some(actual) = tx.usecase()
        && !actual.as_str().starts_with(usecase)
    {
        return Err(unconfirmed(format!(
            "event `{}` claims a {usecase} payment but the API reports payment `{}` as {}",
            event.name,
            event.subject_id,
            actual.as_str()
        )));
    }
    Ok(())
}

/// `creator_user_id` of the transaction's payload, when it names one.
fn tx_creator(tx: &Transaction) -> Option<&str> {
    match tx.usecase_data.as_ref().map(|u| &u.data) {
        Some(UsecasePayload::Membership(m)) => m.creator_user_id.as_deref(),
        Some(UsecasePayload::DigitalGoods(d)) => d.creator_user_id.as_deref(),
        _ => None,
    }
}

/// The subscriber a membership payment is about, when it names both the
/// subscriber and the membership setting (a subscriber id needs both, and
/// the documented payloads carry no setting: none is made up).
fn membership_subscriber(
    m: &MembershipTxData,
    customer: &Customer,
    provider_data: ProviderData,
) -> Option<Subscriber> {
    let (user, setting) = (m.subscriber_user_id.as_ref()?, m.membership_setting_id()?);
    let mut sub = Subscriber::new(
        GANK,
        format!("{user}:{setting}"),
        SubscriptionStatus::Active,
    );
    sub.product_id = Some(setting);
    sub.customer = customer.clone();
    sub.provider_data = provider_data;
    Some(sub)
}
