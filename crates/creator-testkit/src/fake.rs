//! An in-memory provider implementing all four core traits.

use std::fmt;

use async_trait::async_trait;
use creator_core::futures::stream::BoxStream;
use creator_core::time::{Duration as TimeDuration, OffsetDateTime, macros::datetime};
use creator_core::{
    Currency, Customer, Error, EventKind, Money, Page, PersonSearch, Product, ProductKind,
    ProductQuery, Products, Provider, Result, Sale, SaleQuery, Sales, Secret, Subscriber,
    SubscriberQuery, Subscribers, SubscriptionStatus, Verified, WebhookDelivery, WebhookError,
    WebhookEvent, Webhooks, paginate,
};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::PageCounter;

/// The provider tag of [`FakeProvider`].
pub const FAKE: Provider = Provider::Other("fake");

/// The header carrying the fake's webhook signature (hex HMAC-SHA256 of the body).
pub const SIGNATURE_HEADER: &str = "x-fake-signature";

/// An in-memory shop: products, sales and subscribers served in pages, and
/// webhooks signed with HMAC-SHA256. Use it to test code written against the
/// core traits without any network.
///
/// ```
/// use creator_core::{collect, Sales, SaleQuery};
/// use creator_testkit::FakeProvider;
///
/// # futures::executor::block_on(async {
/// let shop = FakeProvider::sample();
/// let sales = collect(shop.list_sales(SaleQuery::new().product("prod_membership")), None).await?;
/// assert!(sales.iter().all(|s| s.product_id.as_deref() == Some("prod_membership")));
/// # Ok::<(), creator_core::Error>(())
/// # });
/// ```
#[derive(Clone)]
pub struct FakeProvider {
    /// Products served.
    pub products: Vec<Product>,
    /// Sales served, newest first.
    pub sales: Vec<Sale>,
    /// Subscribers served.
    pub subscribers: Vec<Subscriber>,
    /// Items per page.
    pub page_size: usize,
    /// Every page the listings served (shared by clones).
    pub pages_served: PageCounter,
    /// Purchases behind [`Access`](creator_core::Access) and
    /// [`SaleActions`](creator_core::SaleActions) (shared by clones).
    pub purchases: crate::FakePurchases,
    webhook_secret: Secret,
}

impl fmt::Debug for FakeProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeProvider")
            .field("products", &self.products.len())
            .field("sales", &self.sales.len())
            .field("subscribers", &self.subscribers.len())
            .field("page_size", &self.page_size)
            .field("purchases", &self.purchases.lock().len())
            .field("webhook_secret", &self.webhook_secret)
            .finish()
    }
}

/// Sample data sizes, for assertions.
pub mod sample {
    /// Products in [`FakeProvider::sample`](super::FakeProvider::sample).
    pub const PRODUCTS: usize = 3;
    /// Sales in the sample.
    pub const SALES: usize = 25;
    /// Sales of `prod_membership` in the sample.
    pub const MEMBERSHIP_SALES: usize = 8;
    /// Sales to `buyer1@example.com` in the sample.
    pub const BUYER1_SALES: usize = 5;
    /// Subscribers in the sample.
    pub const SUBSCRIBERS: usize = 12;
    /// Subscribers with access now.
    pub const ACTIVE_SUBSCRIBERS: usize = 9;
    /// The webhook secret of the sample.
    pub const WEBHOOK_SECRET: &str = "fake_whsec_0123456789";
}

impl FakeProvider {
    /// A shop with [`sample::PRODUCTS`] products, [`sample::SALES`] sales and
    /// [`sample::SUBSCRIBERS`] subscribers, served 4 per page.
    pub fn sample() -> Self {
        let usd = |cents| Some(Money::from_minor(cents, Currency::USD));
        let mut products = Vec::new();
        for (id, name, kind, cents) in [
            ("prod_ebook", "The E-book", ProductKind::Digital, 999),
            ("prod_membership", "The Club", ProductKind::Membership, 500),
            ("prod_print", "A Print", ProductKind::Physical, 2500),
        ] {
            let mut p = Product::new(FAKE, id, name, kind);
            p.price = usd(cents);
            p.published = Some(true);
            products.push(p);
        }
        let start: OffsetDateTime = datetime!(2025-03-01 12:00:00 UTC);
        let sales = (0..sample::SALES)
            .map(|i| {
                let product = &products[[0, 1, 2][i % 3]];
                let mut s = Sale::new(FAKE, format!("sale_{i:03}"));
                s.product_id = Some(product.id.clone());
                s.product_name = Some(product.name.clone());
                s.customer = Customer::with_email(format!("buyer{}@example.com", i % 5));
                s.amount = product.price;
                s.created_at = Some(start - TimeDuration::days(i as i64));
                s
            })
            .collect();
        let statuses = [
            SubscriptionStatus::Active,
            SubscriptionStatus::Active,
            SubscriptionStatus::PendingCancellation,
            SubscriptionStatus::Cancelled,
        ];
        let subscribers = (0..sample::SUBSCRIBERS)
            .map(|i| {
                let mut s = Subscriber::new(FAKE, format!("sub_{i:03}"), statuses[i % 4].clone());
                s.product_id = Some("prod_membership".into());
                s.customer = Customer::new(
                    Some(format!("user_{i}")),
                    Some(format!("member{i}@example.com")),
                    None,
                    Some(format!("member{i}")),
                );
                s.started_at = Some(start - TimeDuration::days(30 * i as i64));
                s
            })
            .collect();
        Self {
            products,
            sales,
            subscribers,
            page_size: 4,
            pages_served: PageCounter::new(),
            purchases: crate::FakePurchases::new(crate::fake_access::sample_purchases()),
            webhook_secret: Secret::new(sample::WEBHOOK_SECRET),
        }
    }

    /// Signs a webhook body as the fake platform would (hex HMAC-SHA256 with the secret).
    pub fn sign(&self, body: &[u8]) -> String {
        // HMAC accepts keys of any length, so this never fails.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.webhook_secret.expose().as_bytes())
        else {
            return String::new();
        };
        mac.update(body);
        mac.finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// A signed delivery of `body` (JSON), as the fake platform would post it.
    pub fn delivery(&self, body: &str) -> WebhookDelivery {
        let mut d = WebhookDelivery::with_content_type("application/json", body.to_owned());
        if let Ok(v) = self.sign(body.as_bytes()).parse() {
            d.headers.insert(SIGNATURE_HEADER, v);
        }
        d
    }

    fn pages<T: Clone + Send + Sync + 'static>(
        &self,
        items: Vec<T>,
        max_pages: Option<u32>,
    ) -> BoxStream<'static, Result<T>> {
        let size = self.page_size.max(1);
        let served = self.pages_served.clone();
        paginate(max_pages, move |cursor: Option<usize>| {
            served.count();
            let from = cursor.unwrap_or(0);
            let page: Vec<T> = items.iter().skip(from).take(size).cloned().collect();
            let next = (from + size < items.len()).then_some(from + size);
            async move { Ok(Page::new(page, next)) }
        })
    }
}

fn not_found(what: &str, id: &str) -> Error {
    Error::NotFound {
        provider: FAKE,
        status: 404,
        message: format!("{what} {id} was not found"),
        body: creator_core::RawBody::default(),
    }
}

#[async_trait]
impl Products for FakeProvider {
    fn provider(&self) -> Provider {
        FAKE
    }

    fn list_products(&self, query: ProductQuery) -> BoxStream<'_, Result<Product>> {
        self.pages(self.products.clone(), query.max_pages)
    }

    async fn product(&self, id: &str) -> Result<Product> {
        self.products
            .iter()
            .find(|p| p.id == id)
            .cloned()
            .ok_or_else(|| not_found("product", id))
    }
}

#[async_trait]
impl Sales for FakeProvider {
    fn provider(&self) -> Provider {
        FAKE
    }

    fn list_sales(&self, query: SaleQuery) -> BoxStream<'_, Result<Sale>> {
        let matching = self
            .sales
            .iter()
            .filter(|s| {
                query
                    .product_id
                    .as_ref()
                    .is_none_or(|p| s.product_id.as_ref() == Some(p))
            })
            .filter(|s| {
                query
                    .email
                    .as_ref()
                    .is_none_or(|e| s.customer.email.as_ref() == Some(e))
            })
            .filter(|s| s.created_at.is_none_or(|t| query.range.contains(t.date())))
            .cloned()
            .collect();
        self.pages(matching, query.max_pages)
    }

    async fn sale(&self, id: &str) -> Result<Sale> {
        self.sales
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .ok_or_else(|| not_found("sale", id))
    }
}

#[async_trait]
impl Subscribers for FakeProvider {
    fn provider(&self) -> Provider {
        FAKE
    }

    fn list_subscribers(&self, query: SubscriberQuery) -> BoxStream<'_, Result<Subscriber>> {
        let matches_search = |s: &Subscriber| match &query.search {
            None => true,
            Some(PersonSearch::Email(e)) => s.customer.email.as_ref() == Some(e),
            Some(PersonSearch::NicknameExact(n)) => s.customer.nickname.as_ref() == Some(n),
            Some(PersonSearch::NicknameContains(n)) => s
                .customer
                .nickname
                .as_ref()
                .is_some_and(|x| x.contains(n.as_str())),
            Some(_) => false,
        };
        let matching = self
            .subscribers
            .iter()
            .filter(|s| {
                query
                    .product_id
                    .as_ref()
                    .is_none_or(|p| s.product_id.as_ref() == Some(p))
            })
            .filter(|s| !query.active_only || s.status.has_access())
            .filter(|s| matches_search(s))
            .cloned()
            .collect();
        self.pages(matching, query.max_pages)
    }

    async fn subscription_status(&self, id: &str) -> Result<SubscriptionStatus> {
        self.subscribers
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.status.clone())
            .ok_or_else(|| not_found("subscription", id))
    }
}

#[async_trait]
impl Webhooks for FakeProvider {
    fn provider(&self) -> Provider {
        FAKE
    }

    fn verify(&self, delivery: &WebhookDelivery) -> Result<Verified, WebhookError> {
        let given = delivery.headers.get(SIGNATURE_HEADER).ok_or_else(|| {
            WebhookError::MissingSignature {
                header: SIGNATURE_HEADER.into(),
            }
        })?;
        let expected = self.sign(&delivery.body);
        if Secret::new(expected).matches(given.as_bytes()) {
            Ok(Verified::Signature)
        } else {
            Err(WebhookError::InvalidSignature)
        }
    }

    fn parse(&self, delivery: &WebhookDelivery) -> Result<WebhookEvent, WebhookError> {
        let value: serde_json::Value =
            serde_json::from_slice(&delivery.body).map_err(|e| WebhookError::Malformed {
                reason: format!("not JSON: {e}"),
            })?;
        let field = |name: &str| {
            value
                .get(name)
                .and_then(|v| v.as_str())
                .ok_or_else(|| WebhookError::Malformed {
                    reason: format!("missing string field `{name}`"),
                })
        };
        let name = field("event")?;
        let id = field("id")?;
        let kind = match name {
            "sale" => EventKind::Sale,
            "refund" => EventKind::Refund,
            "cancellation" => EventKind::SubscriptionCancelled,
            other => EventKind::Unknown(other.to_owned()),
        };
        let mut event = WebhookEvent::new(FAKE, kind, name, id);
        event.test = value.get("test").and_then(|v| v.as_bool()).unwrap_or(false);
        if event.kind == EventKind::Sale || event.kind == EventKind::Refund {
            event.sale = self.sales.iter().find(|s| s.id == id).cloned();
        }
        Ok(event)
    }
}
