use std::sync::Arc;

use creator_core::{Products, SaleQuery, Sales, SubscriberQuery, Subscribers, Webhooks, collect};
use creator_testkit::FakeProvider;

#[tokio::test]
async fn traits_are_object_safe_and_hold_across_providers() {
    let shops: Vec<Box<dyn Subscribers>> = vec![
        Box::new(FakeProvider::sample()),
        Box::new(FakeProvider::sample()),
    ];
    let mut total = 0;
    for shop in &shops {
        total += collect(
            shop.list_subscribers(SubscriberQuery::new().active_only()),
            None,
        )
        .await
        .unwrap()
        .len();
    }
    assert_eq!(total, 2 * creator_testkit::fake_sample::ACTIVE_SUBSCRIBERS);

    let sales: Arc<dyn Sales> = Arc::new(FakeProvider::sample());
    assert_eq!(
        collect(sales.list_sales(SaleQuery::new()), Some(2))
            .await
            .unwrap()
            .len(),
        2
    );
    let _products: Arc<dyn Products> = Arc::new(FakeProvider::sample());
    let _hooks: Box<dyn Webhooks> = Box::new(FakeProvider::sample());
}

#[test]
fn fake_debug_does_not_print_the_webhook_secret() {
    let shown = format!("{:?}", FakeProvider::sample());
    assert!(
        !shown.contains(creator_testkit::fake_sample::WEBHOOK_SECRET),
        "{shown}"
    );
}
