//! Every counted conformance check fails on a provider that breaks its rule:
//! each fake below is the sample shop with one misbehaviour.

use creator_core::futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use creator_core::{
    Product, ProductQuery, Products, Provider, Result, Sale, SaleQuery, Sales, Subscriber,
    SubscriberQuery, Subscribers, SubscriptionStatus, async_trait, collect,
};
use creator_testkit::conformance::{self, ProductsCase, SalesCase, SubscribersCase};
use creator_testkit::{FAKE, FakeProvider, fake_sample as sample};

/// Runs a check that must panic, and returns its message.
async fn broken_rule(check: impl std::future::Future<Output = ()> + Send + 'static) -> String {
    let err = tokio::spawn(check)
        .await
        .expect_err("the check must fail on this provider");
    let panic = err.into_panic();
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_default()
}

fn products_case(fake: &FakeProvider) -> ProductsCase {
    ProductsCase {
        total: sample::PRODUCTS,
        known_id: "prod_ebook".into(),
        unknown_id: "nope".into(),
        pages: fake.pages_served.clone(),
    }
}

fn sales_case(fake: &FakeProvider) -> SalesCase {
    SalesCase {
        total: Some(sample::SALES),
        known_id: Some("sale_007".into()),
        unknown_id: "sale_999".into(),
        pages: fake.pages_served.clone(),
        ..SalesCase::default()
    }
}

/// Lists products without honouring `max_pages`.
struct IgnoresMaxPages(FakeProvider);

#[async_trait]
impl Products for IgnoresMaxPages {
    fn provider(&self) -> Provider {
        FAKE
    }
    fn list_products(&self, mut query: ProductQuery) -> BoxStream<'_, Result<Product>> {
        query.max_pages = None;
        self.0.list_products(query)
    }
    async fn product(&self, id: &str) -> Result<Product> {
        self.0.product(id).await
    }
}

#[tokio::test]
async fn the_max_pages_check_fails_on_a_provider_that_ignores_it() {
    let mut fake = FakeProvider::sample();
    fake.page_size = 1; // three products, three pages
    let case = products_case(&fake);
    let message = broken_rule(async move {
        conformance::products(&IgnoresMaxPages(fake), &case).await;
    })
    .await;
    assert!(
        message.contains("max_pages(1) fetches exactly one page"),
        "{message}"
    );
}

/// Fetches every page of sales before yielding the first one.
struct EagerSales(FakeProvider);

#[async_trait]
impl Sales for EagerSales {
    fn provider(&self) -> Provider {
        FAKE
    }
    fn list_sales(&self, query: SaleQuery) -> BoxStream<'_, Result<Sale>> {
        stream::once(collect(self.0.list_sales(query), None))
            .map_ok(|sales| stream::iter(sales.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }
    async fn sale(&self, id: &str) -> Result<Sale> {
        self.0.sale(id).await
    }
}

#[tokio::test]
async fn the_collect_limit_check_fails_on_a_provider_that_reads_everything_first() {
    let fake = FakeProvider::sample();
    let case = sales_case(&fake);
    let message = broken_rule(async move {
        conformance::sales(&EagerSales(fake), &case).await;
    })
    .await;
    assert!(
        message.contains("collect with a limit of 3 stops after the 1 page(s)"),
        "{message}"
    );
}

/// Reports every subscriber as active, whatever their subscription says.
struct EveryoneActive(FakeProvider);

#[async_trait]
impl Subscribers for EveryoneActive {
    fn provider(&self) -> Provider {
        FAKE
    }
    fn list_subscribers(&self, query: SubscriberQuery) -> BoxStream<'_, Result<Subscriber>> {
        self.0
            .list_subscribers(query)
            .map_ok(|mut s| {
                s.status = SubscriptionStatus::Active;
                s
            })
            .boxed()
    }
    async fn subscription_status(&self, id: &str) -> Result<SubscriptionStatus> {
        self.0.subscription_status(id).await
    }
}

#[tokio::test]
async fn the_status_check_fails_on_a_provider_that_reports_a_cancelled_subscriber_as_active() {
    let fake = FakeProvider::sample();
    let case = SubscribersCase {
        total: sample::SUBSCRIBERS,
        active: sample::ACTIVE_SUBSCRIBERS,
        unknown_id: "sub_999".into(),
        listed_statuses: vec![("sub_003".into(), SubscriptionStatus::Cancelled)],
        ..SubscribersCase::default()
    };
    let message = broken_rule(async move {
        conformance::subscribers(&EveryoneActive(fake), &case).await;
    })
    .await;
    assert!(message.contains("status of sub_003 as listed"), "{message}");
}

#[tokio::test]
async fn the_same_checks_pass_on_the_well_behaved_sample() {
    let fake = FakeProvider::sample();
    conformance::products(&fake, &products_case(&fake)).await;
    conformance::sales(&fake, &sales_case(&fake)).await;
}

/// Grants everyone: every denial case must catch it.
struct GrantsEveryone(FakeProvider);

#[async_trait]
impl creator_core::Access for GrantsEveryone {
    fn provider(&self) -> Provider {
        FAKE
    }
    async fn check(&self, query: creator_core::AccessQuery) -> Result<creator_core::AccessVerdict> {
        let mut v = self.0.check(query).await?;
        v.granted = true;
        Ok(v)
    }
}

#[tokio::test]
async fn the_access_check_fails_on_a_provider_that_grants_every_denial() {
    let case = conformance::AccessCase {
        verdicts: creator_testkit::sample_access_cases(),
        unsupported: vec![],
    };
    let msg = broken_rule(async move {
        conformance::access(&GrantsEveryone(FakeProvider::sample()), &case).await;
    })
    .await;
    assert!(msg.contains("granted follows the reason"), "{msg}");
}

#[tokio::test]
async fn the_reason_coverage_check_fails_when_a_reason_has_no_case() {
    let mut cases = creator_testkit::sample_access_cases();
    cases.retain(|(_, r)| *r != creator_core::AccessReason::UsesExceeded);
    let case = conformance::AccessCase {
        verdicts: cases,
        unsupported: vec![],
    };
    let msg = broken_rule(async move { conformance::assert_covers_every_reason(&case) }).await;
    assert!(msg.contains("uses_exceeded"), "{msg}");
}
