//! A shop report written once against the creator-core traits, run here on the
//! in-memory FakeProvider (the same function runs on Gumroad, Gank or Maton clients).
//!
//! Run: `cargo run -p creator-testkit --example shop_report`

use creator_core::futures::TryStreamExt;
use creator_core::{
    Money, ProductQuery, Products, Result, SaleQuery, Sales, SubscriberQuery, Subscribers,
};
use creator_testkit::FakeProvider;

/// Prints products, revenue per currency and active subscribers for any provider.
async fn report<P>(shop: &P) -> Result<()>
where
    P: Products + Sales + Subscribers,
{
    println!("provider: {}", Products::provider(shop));
    let products: Vec<_> = shop
        .list_products(ProductQuery::new())
        .try_collect()
        .await?;
    for p in &products {
        let price = p.price.map(|m| m.to_string()).unwrap_or_else(|| "-".into());
        println!("  product {:<16} {:<12} {price}", p.id, p.name);
    }
    let mut revenue: Vec<Money> = Vec::new();
    let mut sales = shop.list_sales(SaleQuery::new());
    let mut count = 0;
    while let Some(sale) = sales.try_next().await? {
        count += 1;
        if let Some(amount) = sale.amount {
            match revenue
                .iter_mut()
                .find(|m| m.currency() == amount.currency())
            {
                Some(total) => *total = total.checked_add(amount).unwrap_or(*total),
                None => revenue.push(amount),
            }
        }
    }
    println!(
        "  {count} sales, revenue: {}",
        revenue
            .iter()
            .map(Money::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let active = shop
        .list_subscribers(SubscriberQuery::new().active_only())
        .try_collect::<Vec<_>>()
        .await?;
    println!("  {} active subscribers", active.len());
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    report(&FakeProvider::sample()).await
}
