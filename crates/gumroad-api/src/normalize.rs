//! The only mappings from Gumroad's models to creator-core's: the API's
//! product, sale and subscriber (used by the trait impls in `traits.rs` and
//! by [`GumroadWebhooks::confirm`](crate::webhook::GumroadWebhooks)), and a
//! delivery's [`GumroadEvent`] (used by the webhook receiver).
//!
//! A sale reads the same through every door: `client.sale(id)`,
//! `maton.gumroad().sale(id)` and `confirm` of a delivery of that sale
//! return equal values (the customer email is the purchase email, which is
//! what the Ping's `email` carries and the sales `email` filter matches; the
//! provider is the client's, so [`Provider::Maton`] through the gateway). The
//! one exception is `test`: only a delivery says whether a purchase was a
//! test, so `confirm` keeps it from the delivery.

use std::time::SystemTime;

use creator_core::{
    Customer, EventKind, ProductKind, Provider, ProviderData, Sale, Subscriber, SubscriptionStatus,
    WebhookEvent,
};
use time::OffsetDateTime;

use crate::webhook::{EndedReason, GumroadEvent, SalePing, SubscriptionPing};
use crate::{NativeType, SubscriberStatus};

/// A Gumroad product as a core [`creator_core::Product`]: memberships are
/// [`ProductKind::Membership`], products that need shipping
/// [`ProductKind::Physical`], everything else [`ProductKind::Digital`];
/// the price is in the product's own currency.
pub fn to_core_product(provider: Provider, product: crate::Product) -> creator_core::Product {
    let kind = if product.is_membership() {
        ProductKind::Membership
    } else if product.require_shipping == Some(true)
        || product.native_type == Some(NativeType::Physical)
    {
        ProductKind::Physical
    } else {
        ProductKind::Digital
    };
    let mut out = creator_core::Product::new(
        provider,
        product.id.clone(),
        product.name.clone().unwrap_or_default(),
        kind,
    );
    out.price = product.price_money();
    out.published = product.published;
    out.url = product.short_url.clone();
    out.provider_data = ProviderData::new(product);
    out
}

/// A Gumroad sale as a core [`creator_core::Sale`]: the amount is the USD
/// price Gumroad reports, the customer email is the purchase email (the one
/// the sales `email` filter matches), partial refunds count as refunded.
pub fn to_core_sale(provider: Provider, sale: crate::Sale) -> creator_core::Sale {
    let mut out = creator_core::Sale::new(provider, sale.id.clone());
    out.product_id = sale.product_id.clone();
    out.product_name = sale.product_name.clone();
    out.customer = Customer::new(
        sale.purchaser_id.clone(),
        sale.purchase_email.clone().or_else(|| sale.email.clone()),
        sale.full_name.clone(),
        None,
    );
    out.amount = sale.price_money();
    out.created_at = sale.created_at;
    out.refunded = sale.is_refunded();
    out.subscription_id = sale.subscription_id.clone();
    out.provider_data = ProviderData::new(sale);
    out
}

/// The core status for a Gumroad subscriber: from `status` when sent,
/// otherwise derived from the end/failure/cancellation times relative to `now`.
pub fn to_core_status(subscriber: &crate::Subscriber, now: OffsetDateTime) -> SubscriptionStatus {
    match &subscriber.status {
        Some(SubscriberStatus::Alive) => SubscriptionStatus::Active,
        Some(SubscriberStatus::PendingCancellation) => SubscriptionStatus::PendingCancellation,
        Some(SubscriberStatus::PendingFailure) => SubscriptionStatus::PastDue,
        Some(SubscriberStatus::FailedPayment | SubscriberStatus::FixedSubscriptionPeriodEnded) => {
            SubscriptionStatus::Ended
        }
        Some(SubscriberStatus::Cancelled) => SubscriptionStatus::Cancelled,
        Some(SubscriberStatus::Unknown(other)) => SubscriptionStatus::Unknown(other.clone()),
        None => {
            if subscriber.ended_at.is_some() || subscriber.failed_at.is_some() {
                SubscriptionStatus::Ended
            } else {
                match subscriber.cancelled_at {
                    Some(at) if at > now => SubscriptionStatus::PendingCancellation,
                    Some(_) => SubscriptionStatus::Cancelled,
                    None => SubscriptionStatus::Active,
                }
            }
        }
    }
}

/// A Gumroad subscriber as a core [`creator_core::Subscriber`].
pub fn to_core_subscriber(
    provider: Provider,
    subscriber: crate::Subscriber,
    now: OffsetDateTime,
) -> creator_core::Subscriber {
    let status = to_core_status(&subscriber, now);
    let mut out = creator_core::Subscriber::new(provider, subscriber.id.clone(), status);
    out.product_id = subscriber.product_id.clone();
    out.customer = Customer::new(
        subscriber.user_id.clone(),
        subscriber.best_email().map(str::to_owned),
        None,
        None,
    );
    out.started_at = subscriber.created_at;
    out.ends_at = subscriber
        .ended_at
        .or(subscriber.failed_at)
        .or(subscriber.cancelled_at);
    out.provider_data = ProviderData::new(subscriber);
    out
}

/// The core kind of a delivery (the settings Ping is a sale).
fn kind_of(event: &GumroadEvent) -> EventKind {
    match event {
        GumroadEvent::Ping(_) | GumroadEvent::Sale(_) => EventKind::Sale,
        GumroadEvent::Refund(_) => EventKind::Refund,
        GumroadEvent::Dispute(_) => EventKind::Dispute,
        GumroadEvent::DisputeWon(_) => EventKind::DisputeWon,
        GumroadEvent::Cancellation(_) => EventKind::SubscriptionCancelled,
        GumroadEvent::SubscriptionUpdated(_) => EventKind::SubscriptionUpdated,
        GumroadEvent::SubscriptionEnded(_) => EventKind::SubscriptionEnded,
        GumroadEvent::SubscriptionRestarted(_) => EventKind::SubscriptionRestarted,
        GumroadEvent::Unknown(u) => EventKind::Unknown(u.resource_name.clone()),
    }
}

/// A delivery as a core [`WebhookEvent`], keeping the typed event as its
/// provider data; see [`GumroadWebhooks::normalize`](crate::webhook::GumroadWebhooks::normalize).
pub(crate) fn event(event: GumroadEvent, now: SystemTime) -> WebhookEvent {
    let kind = kind_of(&event);
    let mut out = WebhookEvent::new(
        Provider::Gumroad,
        kind.clone(),
        event.resource_name(),
        event.subject_id(),
    );
    out.test = event.is_test();
    out.retry = Some(event.retry_count()).filter(|n| *n > 0);
    out.fingerprint = Some(event.fingerprint().to_owned());
    out.field_errors = event.field_errors().to_vec();
    if let Some(ping) = event.sale() {
        if matches!(event, GumroadEvent::Ping(_) | GumroadEvent::Sale(_)) {
            out.occurred_at = ping.sale_timestamp;
        }
        out.sale = Some(sale_from_ping(ping, kind == EventKind::Refund));
    }
    if let Some(ping) = event.subscription() {
        out.occurred_at = match event {
            GumroadEvent::SubscriptionUpdated(_) => ping.effective_as_of,
            GumroadEvent::SubscriptionEnded(_) => ping.ended_at,
            GumroadEvent::SubscriptionRestarted(_) => ping.restarted_at,
            _ => None,
        };
        out.subscriber = Some(subscriber_from_ping(ping, &event, now));
    }
    out.provider_data = ProviderData::new(event);
    out
}

fn sale_from_ping(ping: &SalePing, is_refund: bool) -> Sale {
    let mut sale = Sale::new(Provider::Gumroad, ping.sale_id.clone());
    sale.product_id.clone_from(&ping.product_id);
    sale.product_name.clone_from(&ping.product_name);
    sale.customer = Customer::new(
        ping.purchaser_id.clone(),
        ping.email.clone(),
        ping.full_name.clone(),
        None,
    );
    sale.amount = ping.price_money();
    sale.created_at = ping.sale_timestamp;
    sale.refunded = is_refund || ping.refunded == Some(true);
    sale.test = ping.test == Some(true);
    sale.subscription_id.clone_from(&ping.subscription_id);
    sale.provider_data = ProviderData::new(ping.clone());
    sale
}

fn subscriber_from_ping(
    ping: &SubscriptionPing,
    event: &GumroadEvent,
    now: SystemTime,
) -> Subscriber {
    let now = OffsetDateTime::from(now);
    let (status, ends_at) = match event {
        GumroadEvent::Cancellation(_) => {
            let status = if ping.cancelled_due_to_payment_failures == Some(true) {
                SubscriptionStatus::Ended
            } else {
                match ping.cancelled_at {
                    Some(at) if at > now => SubscriptionStatus::PendingCancellation,
                    _ => SubscriptionStatus::Cancelled,
                }
            };
            (status, ping.cancelled_at)
        }
        GumroadEvent::SubscriptionEnded(_) => (
            match ping.ended_reason {
                Some(EndedReason::Cancelled) => SubscriptionStatus::Cancelled,
                _ => SubscriptionStatus::Ended,
            },
            ping.ended_at,
        ),
        _ => (SubscriptionStatus::Active, None),
    };
    let mut sub = Subscriber::new(Provider::Gumroad, ping.subscription_id.clone(), status);
    sub.product_id.clone_from(&ping.product_id);
    sub.customer = Customer::new(ping.user_id.clone(), ping.user_email.clone(), None, None);
    sub.started_at = ping.created_at;
    sub.ends_at = ends_at;
    sub.provider_data = ProviderData::new(ping.clone());
    sub
}
