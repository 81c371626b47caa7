//! The payloads, key for key as the platforms build them.
//!
//! Gumroad: `Purchase#payload_for_ping_notification` and
//! `Subscription#payload_for_ping_notification` (antiwork/gumroad
//! `app/modules/purchase/ping_notification.rb`,
//! `app/modules/subscription/ping_notification.rb`; reference notes §6), the
//! same builder `fixtures/gumroad/webhooks/generate.py` follows. Gank: the
//! two samples of its payment-webhooks page (`fixtures/gank/webhook_*.json`).

use super::tree::{Fields, Value};
use super::values::{Values, iso8601};
use time::Duration;

/// A Gumroad sale-shaped payload (`sale`, `refund`, `dispute`, `dispute_won`).
pub(crate) fn gumroad_sale(v: &Values, resource_name: &str) -> Fields {
    let card = Fields::new()
        .with("visual", "**** **** **** 4242")
        .with("type", "visa")
        .with("bin", Value::Nil)
        .with("expiry_month", Value::Nil)
        .with("expiry_year", Value::Nil);
    let mut p = Fields::new()
        .with("seller_id", v.seller_id.as_str())
        .with("product_id", v.product_id.as_str())
        .with("product_name", "Pencil Pro: the course")
        .with("permalink", "pencil")
        .with("product_permalink", "https://sahil.gumroad.com/l/pencil")
        .with("short_product_id", "XCBbJ")
        .with("email", "buyer+gumroad@example.com")
        .with("price", 1249)
        .with("gumroad_fee", 187)
        .with("currency", "eur")
        .with("quantity", 1)
        .with("discover_fee_charged", false)
        .with("can_contact", true)
        .with("referrer", "https://twitter.com/sahil/status/1")
        .with("card", card)
        .with("order_number", v.order_number)
        .with("sale_id", v.sale_id.as_str())
        .with("sale_timestamp", iso8601(v.sale_at))
        .with("full_name", "Ada Lovelace")
        .with("purchaser_id", v.purchaser_id.as_str())
        .with(
            "url_params",
            Fields::new()
                .with("source_url", "https://example.com/blog?ref=post")
                .with("utm_source", "newsletter"),
        )
        .with(
            "variants",
            Fields::new()
                .with("Size", "Large")
                .with("Color", "Blue & Green"),
        )
        .with("offer_code", "SPRING25")
        // Each custom field answer is repeated as a top-level key.
        .with("Company", "Analytical Engines Ltd")
        .with("Newsletter", true)
        .with(
            "custom_fields",
            Fields::new()
                .with("Company", "Analytical Engines Ltd")
                .with("Newsletter", true),
        )
        .with("license_key", v.sale_license_key.as_str())
        .with("ip_country", "United Kingdom")
        .with("is_gift_receiver_purchase", false)
        .with("refunded", resource_name == "refund")
        .with("resource_name", resource_name);
    let disputed = matches!(resource_name, "dispute" | "dispute_won");
    p.set("disputed", disputed);
    p.set("dispute_won", resource_name == "dispute_won");
    p
}

/// A Gumroad subscription payload (`cancellation`, `subscription_updated`,
/// `subscription_ended`, `subscription_restarted`).
pub(crate) fn gumroad_subscription(v: &Values, resource_name: &str) -> Fields {
    let mut p = Fields::new()
        .with("subscription_id", v.subscription_id.as_str())
        .with("product_id", v.product_id.as_str())
        .with("product_name", "Pencil Club")
        .with("user_id", Value::Nil)
        .with("user_email", "member@example.com")
        .with(
            "purchase_ids",
            Value::List(v.purchase_ids.iter().map(|s| s.as_str().into()).collect()),
        )
        .with("created_at", iso8601(v.subscribed_at))
        .with("charge_occurrence_count", Value::Nil)
        .with("recurrence", "monthly")
        .with("free_trial_ends_at", Value::Nil)
        .with(
            "custom_fields",
            Fields::new().with("Discord handle", "ada#1815"),
        )
        .with("license_key", v.subscription_license_key.as_str())
        .with("resource_name", resource_name);
    let at = iso8601(v.changed_at);
    match resource_name {
        "cancellation" => {
            p.set("cancelled", true)
                .set("cancelled_at", at)
                .set("cancelled_by_buyer", true);
        }
        "subscription_updated" => {
            let plan = |tier: &str, name: &str, recurrence: &str, cents: i64| {
                Fields::new()
                    .with("tier", Fields::new().with("id", tier).with("name", name))
                    .with("recurrence", recurrence)
                    .with("price_cents", cents)
                    .with("quantity", 1)
            };
            p.set("type", "upgrade")
                .set(
                    "effective_as_of",
                    iso8601(v.changed_at - Duration::days(13) + Duration::hours(4)),
                )
                .set("old_plan", plan(&v.tier_ids[0], "Basic", "monthly", 500))
                .set("new_plan", plan(&v.tier_ids[1], "Pro", "yearly", 5000));
        }
        "subscription_ended" => {
            p.set("ended_at", iso8601(v.changed_at + Duration::days(30)))
                .set("ended_reason", "failed_payment");
        }
        _ => {
            p.set(
                "restarted_at",
                iso8601(v.changed_at + Duration::days(38) + Duration::minutes(90)),
            );
        }
    }
    p
}

/// Gank's `USER_MEMBERSHIP.TX_SUCCEED` delivery.
pub(crate) fn gank_membership(v: &Values) -> Fields {
    let data = Fields::new()
        .with("billing_period", 1)
        .with("is_fee_covered", true)
        .with("price_event_id", v.gank_ids[2].as_str())
        .with("creator_user_id", v.gank_ids[0].as_str())
        .with("membership_title", "Test Membership! <>&...")
        .with("subscriber_user_id", v.gank_ids[1].as_str())
        .with("custom_reference_id", Value::Nil)
        .with("creator_user_nickname", "notruff4")
        .with("subscriber_user_email", "notruffx9@example.com")
        .with("is_fee_covered_forever", true)
        .with("subscriber_user_nickname", "notruffX9VpAK6");
    Fields::new()
        .with(
            "data",
            Fields::new()
                .with("human_id", v.gank_human_ids[0].as_str())
                .with(
                    "usecase_data",
                    Fields::new()
                        .with("data", data)
                        .with("usecase", "USER_MEMBERSHIP_RECURRING"),
                )
                .with("payment_status", "SUCCEED"),
        )
        .with("event", "USER_MEMBERSHIP.TX_SUCCEED")
}

/// Gank's `DIGITAL_GOODS.TX_SUCCEED` delivery.
pub(crate) fn gank_digital_goods(v: &Values) -> Fields {
    let data = Fields::new()
        .with("catalog_id", v.gank_ids[3].as_str())
        .with("buyer_user_id", v.gank_ids[4].as_str())
        .with("catalog_title", "Test Listing 26/02/27T10:14!")
        .with("discount_code", Value::Nil)
        .with("is_fee_covered", true)
        .with("creator_user_id", v.gank_ids[0].as_str())
        .with("buyer_user_email", "buyer.dg@example.com")
        .with("catalog_price_id", v.gank_ids[5].as_str())
        .with("buyer_user_nickname", "211376afbuyer")
        .with("creator_user_nickname", "notruff4");
    Fields::new()
        .with("event", "DIGITAL_GOODS.TX_SUCCEED")
        .with(
            "data",
            Fields::new()
                .with("human_id", v.gank_human_ids[1].as_str())
                .with(
                    "usecase_data",
                    Fields::new()
                        .with("data", data)
                        .with("usecase", "DIGITAL_GOODS"),
                )
                .with("payment_status", "SUCCEED"),
        )
}
