//! The read tools: lists through the creator-core traits, a sale, a
//! license check, Gumroad payouts and the relay ledger's events.

use creator_core::futures::stream::BoxStream;
use creator_core::{PersonSearch, ProductQuery, SaleQuery, SubscriberQuery};
use futures::TryStreamExt;
use serde::Serialize;
use serde_json::{Value, json};

use super::State;
use super::params::{
    EventsParams, PayoutsParams, ProductsParams, SaleParams, SalesParams, SubscribersParams,
    VerifyParams,
};
use crate::CliError;
use crate::commands::parse_day;
use crate::error::{Credentials, provider_error};
use crate::providers::{ProviderName, Resource, gumroad_client, shop};

/// Items a list returns unless asked for fewer.
pub const DEFAULT_LIMIT: u32 = 50;
/// The most items one call returns.
pub const MAX_LIMIT: u32 = 500;

fn limit(asked: Option<u32>) -> usize {
    asked.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize
}

fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Takes up to `limit` items, and says whether more were there:
/// `{"provider", "count", "truncated", "items"}`.
async fn collect<T: Serialize>(
    provider: &str,
    mut items: BoxStream<'_, creator_core::Result<T>>,
    limit: usize,
    creds: Credentials,
) -> Result<Value, CliError> {
    let mut out = Vec::new();
    let mut truncated = false;
    while let Some(item) = items
        .try_next()
        .await
        .map_err(|e| provider_error(e, creds))?
    {
        if out.len() == limit {
            truncated = true;
            break;
        }
        out.push(to_json(&item));
    }
    Ok(json!({
        "provider": provider,
        "count": out.len(),
        "truncated": truncated,
        "items": out,
    }))
}

fn unsupported(provider: ProviderName, what: &str) -> CliError {
    CliError::NotAvailable(format!("{} offers no {what}", provider.as_str()))
}

/// `products_list`.
pub async fn products(state: &State, p: ProductsParams) -> Result<Value, CliError> {
    let args = state.provider_args(p.provider);
    let shop = shop(&args, &[Resource::Products])?;
    let products = shop
        .products
        .ok_or_else(|| unsupported(shop.name, "product list"))?;
    let items = products.list_products(ProductQuery::new());
    collect(shop.name.as_str(), items, limit(p.limit), shop.credentials).await
}

/// `sales_list`.
pub async fn sales(state: &State, p: SalesParams) -> Result<Value, CliError> {
    let mut query = SaleQuery::new();
    if let Some(v) = p.product {
        query = query.product(v);
    }
    if let Some(v) = p.email {
        query = query.email(v);
    }
    if let Some(d) = &p.after {
        query = query.after(parse_day("after", d)?);
    }
    if let Some(d) = &p.before {
        query = query.before(parse_day("before", d)?);
    }
    let args = state.provider_args(p.provider);
    let shop = shop(&args, &[Resource::Sales])?;
    let sales = shop
        .sales
        .ok_or_else(|| unsupported(shop.name, "sales list"))?;
    let items = sales.list_sales(query);
    collect(shop.name.as_str(), items, limit(p.limit), shop.credentials).await
}

/// `sale_get`.
pub async fn sale(state: &State, p: SaleParams) -> Result<Value, CliError> {
    let args = state.provider_args(p.provider);
    let shop = shop(&args, &[Resource::Sales])?;
    let sales = shop.sales.ok_or_else(|| unsupported(shop.name, "sales"))?;
    let sale = sales
        .sale(p.sale_id.trim())
        .await
        .map_err(|e| provider_error(e, shop.credentials))?;
    Ok(to_json(&sale))
}

/// `subscribers_list`.
pub async fn subscribers(state: &State, p: SubscribersParams) -> Result<Value, CliError> {
    let mut query = SubscriberQuery::new();
    if let Some(v) = p.product {
        query = query.product(v);
    }
    if p.active {
        query = query.active_only();
    }
    if let Some(v) = p.email {
        query = query.search(PersonSearch::Email(v));
    }
    let args = state.provider_args(p.provider);
    let shop = shop(&args, &[Resource::Subscribers])?;
    let subscribers = shop
        .subscribers
        .ok_or_else(|| unsupported(shop.name, "subscriber list"))?;
    let items = subscribers.list_subscribers(query);
    collect(shop.name.as_str(), items, limit(p.limit), shop.credentials).await
}

/// `license_verify`: Gumroad's public check (no token).
pub async fn license(state: &State, p: VerifyParams) -> Result<Value, CliError> {
    let report = crate::commands::license::verify(
        state.provider.gumroad_url.as_deref(),
        p.product_id.trim(),
        p.license_key.trim(),
        p.increment_uses,
    )
    .await?;
    Ok(to_json(&report))
}

/// `payouts_list` (Gumroad, directly or through Maton).
pub async fn payouts(state: &State, p: PayoutsParams) -> Result<Value, CliError> {
    let args = state.provider_args(p.provider);
    if args.provider == ProviderName::Gank {
        return Err(unsupported(ProviderName::Gank, "payouts API"));
    }
    let (client, creds) = gumroad_client(&args)?;
    let mut query = gumroad_api::PayoutsQuery::new();
    if let Some(upcoming) = p.include_upcoming {
        query = query.include_upcoming(upcoming);
    }
    let items = client.payouts().list(&query);
    collect(args.provider.as_str(), items, limit(p.limit), creds).await
}

/// `ledger_events`: what the relay stored, read-only.
pub async fn events(state: &State, p: EventsParams) -> Result<Value, CliError> {
    let since = p
        .since
        .as_deref()
        .map(|v| {
            crate::commands::parse_since(v, time::OffsetDateTime::now_utc())
                .map(crate::ledger::timestamp)
        })
        .transpose()?;
    let limit = limit(p.limit);
    let filter = crate::ledger::EventFilter {
        provider: match p.provider {
            Some(super::params::Provider::Maton) => Some("gumroad".to_owned()),
            Some(other) => Some(ProviderName::from(other).as_str().to_owned()),
            None => None,
        },
        kind: p.kind,
        since,
        limit: Some(limit as u64 + 1),
    };
    let ledger = crate::commands::events::open_existing(&state.db).await?;
    let rows: Result<Vec<_>, _> = ledger.events(filter).try_collect().await;
    ledger.close().await;
    let rows = rows?;
    let truncated = rows.len() > limit;
    let items: Vec<Value> = rows
        .iter()
        .take(limit)
        .map(|event| {
            let (raw_body, raw_body_base64) = if p.with_body {
                crate::output::body_forms(&event.raw_body)
            } else {
                (None, None)
            };
            to_json(&crate::output::EventWithBody {
                event,
                raw_body,
                raw_body_base64,
            })
        })
        .collect();
    Ok(json!({
        "count": items.len(),
        "truncated": truncated,
        "items": items,
    }))
}
