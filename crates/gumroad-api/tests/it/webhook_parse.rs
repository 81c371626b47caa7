//! Parsing real-shaped delivery bodies (fixtures/gumroad/webhooks, built the
//! way Gumroad builds them; see generate.py there) into typed events.

use std::sync::Arc;

use creator_core::{EventKind, SubscriptionStatus, WebhookDelivery, WebhookError, Webhooks};
use gumroad_api::webhook::{
    CancelledBy, EndedReason, GumroadEvent, GumroadWebhooks, ParseLimits, PlanChange,
};
use gumroad_api::{CustomFieldValues, FieldValue, GumroadEventName, Recurrence, Variants};
use serde_json::json;

use super::{FORM, JSON, body, clock, content_type_of};

fn parse(name: &str) -> GumroadEvent {
    GumroadEvent::parse(Some(content_type_of(name)), &body(name))
        .unwrap_or_else(|e| panic!("{name} must parse: {e}"))
}

fn parse_err(name: &str) -> WebhookError {
    match GumroadEvent::parse(Some(content_type_of(name)), &body(name)) {
        Ok(ev) => panic!("{name} must not parse, got {ev:?}"),
        Err(e) => e,
    }
}

fn receiver() -> GumroadWebhooks {
    GumroadWebhooks::builder()
        .accept_unverified()
        .clock(Arc::new(clock()))
        .build()
        .unwrap()
}

const SALE_ID: &str = "FO8TXN-dvxYabdavG97Y-Q==";
const SUB_ID: &str = "aVdlcGq1rXlPGyE4tGpu_g==";

/// (fixture base name, variant name, event kind, subject id)
const RESOURCES: &[(&str, &str, &str, &str)] = &[
    ("ping", "ping", "sale", SALE_ID),
    ("sale", "sale", "sale", SALE_ID),
    ("refund", "refund", "refund", SALE_ID),
    ("dispute", "dispute", "dispute", SALE_ID),
    ("dispute_won", "dispute_won", "dispute_won", SALE_ID),
    ("cancellation", "cancellation", "cancellation", SUB_ID),
    (
        "subscription_updated",
        "subscription_updated",
        "subscription_updated",
        SUB_ID,
    ),
    (
        "subscription_ended",
        "subscription_ended",
        "subscription_ended",
        SUB_ID,
    ),
    (
        "subscription_restarted",
        "subscription_restarted",
        "subscription_restarted",
        SUB_ID,
    ),
    ("sale_membership", "sale", "sale", SALE_ID),
    ("sale_physical_gift", "sale", "sale", SALE_ID),
];

#[test]
fn every_resource_parses_the_same_in_form_and_json_encoding() {
    for (base, variant, resource, subject) in RESOURCES {
        let form = parse(&format!("{base}.form"));
        let json = parse(&format!("{base}.json"));
        assert_eq!(
            form, json,
            "{base}: form and JSON encodings give the same event"
        );
        let tagged = serde_json::to_value(&form).unwrap();
        assert_eq!(tagged["event"], *variant, "{base}: variant");
        assert_eq!(form.resource_name(), *resource, "{base}: resource name");
        assert_eq!(form.subject_id(), *subject, "{base}: subject");
        assert_eq!(form.retry_count(), 0, "{base}: first delivery");
        let extra = match (form.sale(), form.subscription()) {
            (Some(s), None) => &s.extra,
            (None, Some(s)) => &s.extra,
            _ => panic!("{base}: sale or subscription payload"),
        };
        assert!(
            extra.is_empty(),
            "{base}: every field is modelled, left over: {extra:?}"
        );
        insta::assert_json_snapshot!(format!("typed_{base}"), form);
    }
}

#[test]
fn every_resource_normalizes_with_an_identity_of_resource_subject_and_fingerprint() {
    let hooks = receiver();
    for (base, _, resource, subject) in RESOURCES {
        for ext in ["form", "json"] {
            let name = format!("{base}.{ext}");
            let d = WebhookDelivery::with_content_type(content_type_of(&name), body(&name));
            let event = hooks.receive(&d).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(event.name, *resource, "{name}");
            assert_eq!(event.subject_id, *subject, "{name}");
            // Resource, subject, then the content fingerprint (without retry fields).
            let fingerprint = event
                .fingerprint
                .clone()
                .expect("gumroad events carry a fingerprint");
            assert_eq!(fingerprint.len(), 32, "{name}");
            let test = if event.test { ":test" } else { "" };
            assert_eq!(
                event.identity(),
                format!("gumroad:{resource}:{subject}{test}:{fingerprint}"),
                "{name}"
            );
            let typed = event
                .provider_data()
                .downcast_ref::<GumroadEvent>()
                .expect("the typed event is kept as provider data");
            assert_eq!(typed.subject_id(), *subject);
            // The normalized sale or subscriber keeps its own typed payload too.
            if let Some(sale) = &event.sale {
                let ping = sale
                    .provider_data()
                    .downcast_ref::<gumroad_api::webhook::SalePing>();
                assert_eq!(
                    ping.map(|p| p.sale_id.as_str()),
                    Some(sale.id.as_str()),
                    "{name}"
                );
            }
            if let Some(sub) = &event.subscriber {
                let ping = sub
                    .provider_data()
                    .downcast_ref::<gumroad_api::webhook::SubscriptionPing>();
                assert_eq!(
                    ping.map(|p| p.subscription_id.as_str()),
                    Some(sub.id.as_str()),
                    "{name}"
                );
            }
            if ext == "form" {
                insta::assert_json_snapshot!(format!("normalized_{base}"), event);
            }
        }
    }
}

#[test]
fn kinds_map_one_to_one() {
    let hooks = receiver();
    let expected = [
        ("ping.form", EventKind::Sale),
        ("sale.form", EventKind::Sale),
        ("refund.form", EventKind::Refund),
        ("dispute.form", EventKind::Dispute),
        ("dispute_won.form", EventKind::DisputeWon),
        ("cancellation.form", EventKind::SubscriptionCancelled),
        ("subscription_updated.form", EventKind::SubscriptionUpdated),
        ("subscription_ended.form", EventKind::SubscriptionEnded),
        (
            "subscription_restarted.form",
            EventKind::SubscriptionRestarted,
        ),
        (
            "unknown_resource.form",
            EventKind::Unknown("payout_sent".into()),
        ),
    ];
    for (name, kind) in expected {
        let d = WebhookDelivery::with_content_type(FORM, body(name));
        assert_eq!(hooks.parse(&d).unwrap().kind, kind, "{name}");
    }
}

#[test]
fn quirk_settings_ping_is_a_sale_without_resource_name() {
    let event = parse("ping.form");
    assert!(event.is_settings_ping());
    let sale = event.sale().unwrap();
    assert_eq!(sale.resource_name, None);
    assert_eq!(event.resource_name(), "sale");
    let normalized = receiver().normalize(event);
    assert_eq!(normalized.kind, EventKind::Sale);
    // The fixture is a "send test ping" (test=true): it can never collide with the live sale.
    assert!(normalized.test);
    assert!(
        normalized
            .identity()
            .starts_with(&format!("gumroad:sale:{SALE_ID}:test:")),
        "{}",
        normalized.identity()
    );
    let with_name = parse("sale.form");
    assert_eq!(
        with_name.sale().unwrap().resource_name,
        Some(GumroadEventName::Sale)
    );
    assert!(!with_name.is_settings_ping());
}

#[test]
fn quirk_nested_bracket_keys_card_variants_custom_fields_url_params() {
    let raw = String::from_utf8(body("sale.form")).unwrap();
    assert!(raw.contains("card%5Bvisual%5D=") && raw.contains("variants%5BSize%5D=Large"));
    let event = parse("sale.form");
    let sale = event.sale().unwrap();
    let card = sale.card.as_ref().unwrap();
    assert_eq!(card.visual.as_deref(), Some("**** **** **** 4242"));
    assert_eq!(card.kind.as_deref(), Some("visa"));
    assert_eq!(card.bin, None, "card[bin]= is nil");
    assert_eq!(
        sale.variants.as_ref().and_then(|v| v.get("Size")),
        Some("Large")
    );
    assert_eq!(
        sale.variants.as_ref().and_then(|v| v.get("Color")),
        Some("Blue & Green")
    );
    assert_eq!(
        sale.custom_field("Company").as_deref(),
        Some("Analytical Engines Ltd")
    );
    assert_eq!(
        sale.url_param("source_url"),
        Some("https://example.com/blog?ref=post")
    );
    assert_eq!(sale.url_param("utm_source"), Some("newsletter"));
}

#[test]
fn quirk_nested_shipping_information_and_top_level_copies_with_empty_parts() {
    let event = parse("sale_physical_gift.form");
    let sale = event.sale().unwrap();
    let ship = sale.shipping_information.as_ref().unwrap();
    assert_eq!(ship.city.as_deref(), Some("London"));
    assert_eq!(ship.street_address.as_deref(), Some("12 St James's Square"));
    assert_eq!(ship.state, None, "shipping_information[state]= is missing");
    assert_eq!(sale.city.as_deref(), Some("London"));
    assert_eq!(sale.state, None);
    assert_eq!(sale.zip_code.as_deref(), Some("SW1Y 4JH"));
    assert_eq!(sale.shipping_rate_money().unwrap().minor_units(), 800);
    assert_eq!(sale.is_gift_receiver_purchase, Some(true));
    assert_eq!(sale.gift_price_money().unwrap().minor_units(), 3500);
    assert_eq!(sale.gifter_email.as_deref(), Some("charles@example.com"));
    assert_eq!(sale.sku_id.as_deref(), Some("pid_cTEcz7KUB8TiOvJdSTmHQg=="));
}

#[test]
fn quirk_nested_old_plan_tier_id_and_integers_from_strings() {
    let raw = String::from_utf8(body("subscription_updated.form")).unwrap();
    assert!(raw.contains("old_plan%5Btier%5D%5Bid%5D="));
    let event = parse("subscription_updated.form");
    let sub = event.subscription().unwrap();
    assert_eq!(sub.change_type, Some(PlanChange::Upgrade));
    let old = sub.old_plan.as_ref().unwrap();
    let new = sub.new_plan.as_ref().unwrap();
    assert_eq!(
        old.tier.as_ref().unwrap().id.as_deref(),
        Some("TJ9iS0b6EK5SbAMzZq3Yqw==")
    );
    assert_eq!(old.tier.as_ref().unwrap().name.as_deref(), Some("Basic"));
    assert_eq!(old.price_cents, Some(500));
    assert_eq!(new.price_cents, Some(5000));
    assert_eq!(new.recurrence, Some(Recurrence::Yearly));
    assert_eq!(new.quantity, Some(1));
    assert_eq!(
        sub.effective_as_of.map(|t| t.unix_timestamp()),
        Some(1_742_472_000)
    );
}

#[test]
fn quirk_purchase_ids_array_and_naive_converter_object() {
    let event = parse("cancellation.form");
    let ids = &event.subscription().unwrap().purchase_ids;
    assert_eq!(
        ids.as_slice(),
        ["Wm2nHxq-3bD5YkGqV0v5lA==", "p2GZ8sVNXfY4aUVFnXoGQQ=="]
    );
    let naive = parse("quirk_purchase_ids_object.json");
    assert_eq!(
        naive.subscription().unwrap().purchase_ids.as_slice(),
        ["Wm2nHxq-3bD5YkGqV0v5lA=="]
    );
    let empty = GumroadEvent::from_form(
        b"subscription_id=s%3D%3D&resource_name=subscription_restarted&purchase_ids%5B%5D=",
    )
    .unwrap();
    assert!(
        empty
            .subscription()
            .unwrap()
            .purchase_ids
            .as_slice()
            .is_empty(),
        "purchase_ids[]= is an empty list"
    );
}

#[test]
fn quirk_double_encoded_keys_of_custom_fields_with_brackets() {
    let raw = String::from_utf8(body("quirk_double_encoded_keys.form")).unwrap();
    assert!(
        raw.contains("custom_fields%5BSize%20%255BEU%255D%5D=42"),
        "{raw}"
    );
    let event = parse("quirk_double_encoded_keys.form");
    let sale = event.sale().unwrap();
    assert_eq!(sale.custom_field("Size [EU]").as_deref(), Some("42"));
    assert_eq!(
        sale.custom_field("Notes").as_deref(),
        Some("ship [fragile]")
    );
    assert!(
        sale.extra.is_empty(),
        "the top-level copies are folded in: {:?}",
        sale.extra
    );
}

#[test]
fn quirk_empty_strings_stand_for_null_including_integers() {
    for name in ["quirk_empty_strings.form", "quirk_empty_strings.json"] {
        let raw = String::from_utf8(body(name)).unwrap();
        assert!(raw.contains("charge_occurrence_count") && raw.contains("user_id"));
        let event = parse(name);
        let sub = event.subscription().unwrap();
        assert_eq!(sub.user_id, None, "{name}: user_id= is nil");
        assert_eq!(
            sub.charge_occurrence_count, None,
            "{name}: an empty integer is nil"
        );
        assert_eq!(
            sub.free_trial_ends_at, None,
            "{name}: an empty timestamp is nil"
        );
        assert_eq!(
            sub.cancelled_by(),
            Some(CancelledBy::PaymentFailures),
            "{name}"
        );
    }
    let form = parse("quirk_empty_strings.form");
    let json = parse("quirk_empty_strings.json");
    assert_eq!(form, json);
}

#[test]
fn quirk_scalars_as_strings_true_and_1249() {
    let raw = String::from_utf8(body("quirk_scalars_as_strings.json")).unwrap();
    assert!(raw.contains(r#""price":"1249""#) && raw.contains(r#""can_contact":"true""#));
    let strings = parse("quirk_scalars_as_strings.json");
    let native = parse("sale.json");
    let s = strings.sale().unwrap();
    assert_eq!(s.price, Some(1249));
    assert_eq!(s.order_number, Some(524_459_935));
    assert_eq!(s.can_contact, Some(true));
    assert_eq!(s.discover_fee_charged, Some(false));
    // Every typed field matches the native JSON; only the custom field answer
    // keeps its string (a JSON "true" is text, not a checkbox).
    let mut s = s.clone();
    let mut n = native.sale().unwrap().clone();
    s.custom_fields = None;
    n.custom_fields = None;
    assert_eq!(s, n);
    let sub = parse("quirk_scalars_as_strings_subscription.json");
    let sub = sub.subscription().unwrap();
    assert_eq!(sub.charge_occurrence_count, Some(12));
    assert_eq!(sub.old_plan.as_ref().unwrap().quantity, Some(2));
    assert_eq!(sub.change_type, Some(PlanChange::Downgrade));
}

#[test]
fn quirk_values_still_percent_encoded_inside_json() {
    let raw = String::from_utf8(body("quirk_percent_encoded_json.json")).unwrap();
    assert!(
        raw.contains(r#""sale_id":"FO8TXN-dvxYabdavG97Y-Q%3D%3D""#),
        "{raw}"
    );
    assert!(raw.contains("Pencil%20Pro"));
    let encoded = parse("quirk_percent_encoded_json.json");
    let sale = encoded.sale().unwrap();
    assert_eq!(sale.sale_id, SALE_ID);
    assert_eq!(sale.email.as_deref(), Some("buyer+gumroad@example.com"));
    assert_eq!(sale.product_name.as_deref(), Some("Pencil Pro: the course"));
    assert_eq!(
        sale.product_permalink.as_deref(),
        Some("https://sahil.gumroad.com/l/pencil")
    );
    assert_eq!(
        sale.sale_timestamp.map(|t| t.unix_timestamp()),
        Some(1_741_947_667)
    );
    assert_eq!(
        sale.variants.as_ref().and_then(|v| v.get("Color")),
        Some("Blue & Green")
    );
    assert_eq!(
        encoded,
        parse("sale.form"),
        "decodes to exactly what the form delivery gives"
    );
    // A single identifier left encoded is fixed without touching free text.
    let one = GumroadEvent::from_json(
        br#"{"sale_id":"abc%3D%3D","resource_name":"sale","product_name":"50%25 off? no: 100% real"}"#,
    )
    .unwrap();
    let one = one.sale().unwrap();
    assert_eq!(one.sale_id, "abc==");
    assert_eq!(
        one.product_name.as_deref(),
        Some("50%25 off? no: 100% real")
    );
}

#[test]
fn quirk_custom_fields_repeated_as_top_level_keys_are_folded_in() {
    let raw = String::from_utf8(body("sale.form")).unwrap();
    assert!(
        raw.contains("&Company=Analytical%20Engines%20Ltd&")
            && raw.contains("custom_fields%5BCompany%5D=")
    );
    let event = parse("sale.form");
    let sale = event.sale().unwrap();
    assert!(sale.extra.is_empty(), "{:?}", sale.extra);
    assert!(sale.shadowed_by_custom_fields.is_empty());
    let CustomFieldValues::Map(answers) = sale.custom_fields.as_ref().unwrap() else {
        panic!("a map of answers")
    };
    assert_eq!(
        answers.get("Company"),
        Some(&FieldValue::Text("Analytical Engines Ltd".into()))
    );
    assert_eq!(
        answers.get("Newsletter"),
        Some(&FieldValue::Bool(true)),
        "a checkbox, in both encodings"
    );
}

#[test]
fn quirk_custom_field_named_like_a_standard_key() {
    for name in [
        "quirk_custom_field_collision.form",
        "quirk_custom_field_collision.json",
    ] {
        let event = parse(name);
        let sale = event.sale().unwrap();
        // `full_name` is set before the custom fields are merged: the answer replaced it.
        assert_eq!(sale.full_name, None, "{name}");
        assert_eq!(sale.shadowed_by_custom_fields, ["full_name"], "{name}");
        assert_eq!(
            sale.custom_field("full_name").as_deref(),
            Some("Countess of Lovelace")
        );
        // `refunded` is set after the merge: the standard value won, and is kept.
        assert_eq!(sale.refunded, Some(false), "{name}");
        assert_eq!(sale.custom_field("refunded").as_deref(), Some("not yet"));
        assert!(sale.extra.is_empty(), "{name}: {:?}", sale.extra);
    }
}

#[test]
fn quirk_retry_count_on_retried_deliveries_keeps_the_identity() {
    let hooks = receiver();
    for ext in ["form", "json"] {
        let ct = content_type_of(&format!("x.{ext}"));
        let first = WebhookDelivery::with_content_type(ct, body(&format!("sale.{ext}")));
        let retry =
            WebhookDelivery::with_content_type(ct, body(&format!("quirk_retry_count.{ext}")));
        let retried = hooks.parse_event(&retry).unwrap();
        assert_eq!(retried.retry_count(), 2, "{ext}");
        assert_eq!(retried.sale().unwrap().retry_count, Some(2));
        assert!(retried.sale().unwrap().extra.is_empty());
        assert_eq!(
            hooks.parse(&first).unwrap().identity(),
            hooks.parse(&retry).unwrap().identity(),
            "{ext}: a retry is the same event"
        );
    }
}

#[test]
fn quirk_refund_reuses_the_sale_id_but_is_a_different_event() {
    let hooks = receiver();
    let sale = hooks
        .parse(&WebhookDelivery::with_content_type(FORM, body("sale.form")))
        .unwrap();
    let refund = hooks
        .parse(&WebhookDelivery::with_content_type(
            FORM,
            body("refund.form"),
        ))
        .unwrap();
    assert_eq!(sale.subject_id, refund.subject_id);
    assert_ne!(sale.identity(), refund.identity());
    assert!(refund.sale.as_ref().unwrap().refunded);
    assert!(!sale.sale.as_ref().unwrap().refunded);
}

#[test]
fn quirk_test_true_sales_are_flagged() {
    let hooks = receiver();
    for name in [
        "quirk_test_sale.form",
        "quirk_test_sale.json",
        "ping.form",
        "ping.json",
    ] {
        let event = hooks
            .parse(&WebhookDelivery::with_content_type(
                content_type_of(name),
                body(name),
            ))
            .unwrap();
        assert!(event.test, "{name}: event.test");
        assert!(event.sale.as_ref().unwrap().test, "{name}: sale.test");
    }
    let real = hooks
        .parse(&WebhookDelivery::with_content_type(FORM, body("sale.form")))
        .unwrap();
    assert!(!real.test);
}

#[test]
fn quirk_money_in_usd_cents_whatever_the_product_currency() {
    let event = parse("sale.form");
    let sale = event.sale().unwrap();
    assert_eq!(
        sale.currency.as_deref(),
        Some("eur"),
        "the product currency"
    );
    let price = sale.price_money().unwrap();
    assert_eq!(price.currency().code(), "USD");
    assert_eq!(price.minor_units(), 1249);
    assert_eq!(price.to_decimal_string(), "12.49");
    assert_eq!(
        sale.gumroad_fee_money().unwrap().to_decimal_string(),
        "1.87"
    );
    let normalized = receiver().normalize(event);
    let amount = normalized.sale.unwrap().amount.unwrap();
    assert_eq!(
        (amount.currency().code(), amount.minor_units()),
        ("USD", 1249)
    );
}

#[test]
fn quirk_json_relay_with_flat_bracket_keys() {
    let raw = String::from_utf8(body("quirk_flat_bracket_keys.json")).unwrap();
    assert!(raw.contains(r#""card[visual]":"#));
    assert_eq!(parse("quirk_flat_bracket_keys.json"), parse("sale.form"));
}

#[test]
fn membership_renewal_charge_carries_subscription_and_recurrence() {
    let event = parse("sale_membership.form");
    let sale = event.sale().unwrap();
    assert_eq!(sale.subscription_id.as_deref(), Some(SUB_ID));
    assert_eq!(sale.is_recurring_charge, Some(true));
    assert_eq!(sale.recurrence, Some(Recurrence::Monthly));
    assert_eq!(sale.is_multiseat_license, Some(false));
    assert_eq!(
        sale.custom_field("Discord handle").as_deref(),
        Some("ada#1815")
    );
    let normalized = receiver().normalize(event);
    assert_eq!(
        normalized.sale.unwrap().subscription_id.as_deref(),
        Some(SUB_ID)
    );
}

#[test]
fn subscription_events_normalize_status_with_the_clock() {
    let at = |name: &str, now: &creator_core::ManualClock| {
        GumroadWebhooks::builder()
            .accept_unverified()
            .clock(Arc::new(now.clone()))
            .build()
            .unwrap()
            .parse(&WebhookDelivery::with_content_type(FORM, body(name)))
            .unwrap()
            .subscriber
            .unwrap()
    };
    let now = clock();
    let pending = at("cancellation.form", &now);
    assert_eq!(
        pending.status,
        SubscriptionStatus::PendingCancellation,
        "access until 2025-04-02"
    );
    assert!(pending.status.has_access());
    assert_eq!(
        pending.customer.email.as_deref(),
        Some("member@example.com")
    );
    assert_eq!(pending.customer.id, None);
    now.advance(std::time::Duration::from_secs(30 * 24 * 3600));
    assert_eq!(
        at("cancellation.form", &now).status,
        SubscriptionStatus::Cancelled
    );
    assert_eq!(
        at("quirk_empty_strings.form", &now).status,
        SubscriptionStatus::Ended
    );
    let ended = at("subscription_ended.form", &now);
    assert_eq!(ended.status, SubscriptionStatus::Ended);
    assert_eq!(
        parse("subscription_ended.form")
            .subscription()
            .unwrap()
            .ended_reason,
        Some(EndedReason::FailedPayment)
    );
    assert_eq!(
        at("subscription_restarted.form", &now).status,
        SubscriptionStatus::Active
    );
    assert_eq!(
        at("subscription_updated.form", &now).status,
        SubscriptionStatus::Active
    );
}

#[test]
fn unknown_resource_keeps_the_raw_fields() {
    for name in ["unknown_resource.form", "unknown_resource.json"] {
        let GumroadEvent::Unknown(unknown) = parse(name) else {
            panic!("{name}: unknown arm")
        };
        assert_eq!(unknown.resource_name, "payout_sent");
        assert_eq!(unknown.fields.get("amount"), Some(&json!("150.00")));
        assert_eq!(unknown.fields.get("payout_id"), Some(&json!("P-123==")));
        assert_eq!(unknown.subject_id(), unknown.subject_id(), "stable");
    }
    let event = receiver()
        .parse(&WebhookDelivery::with_content_type(
            FORM,
            body("unknown_resource.form"),
        ))
        .unwrap();
    assert_eq!(event.kind, EventKind::Unknown("payout_sent".into()));
    assert_eq!(event.name, "payout_sent");
}

#[test]
fn unmodelled_fields_are_kept_in_extra_not_dropped() {
    let mut raw = body("sale.form");
    raw.extend_from_slice(b"&brand_new_field=42&card%5Bcountry%5D=GB");
    let event = GumroadEvent::from_form(&raw).unwrap();
    let sale = event.sale().unwrap();
    assert_eq!(sale.extra.get("brand_new_field"), Some(&json!("42")));
    assert_eq!(sale.extra.get("card"), Some(&json!({"country": "GB"})));
}

/// (fixture, what the error must say)
const MALFORMED: &[(&str, &str)] = &[
    (
        "malformed_truncated_escape.form",
        "incomplete percent escape",
    ),
    (
        "malformed_truncated_before_sale_id.form",
        "neither `resource_name` nor `sale_id`",
    ),
    (
        "malformed_no_sale_id.form",
        "field `sale_id` is missing or empty",
    ),
    ("malformed_truncated.json", "ends too early"),
    (
        "malformed_not_an_object.json",
        "not a JSON object (it is an array)",
    ),
    ("malformed_key_conflict.form", "conflicts"),
    ("malformed_empty.form", "the body is empty"),
];

/// (fixture, the field it mistypes, what the error says, the raw value kept in `extra`)
const ONE_BAD_FIELD: &[(&str, &str, &str, &str)] = &[
    (
        "quirk_bad_order_number.form",
        "order_number",
        "expected an integer, got \"12a\"",
        "12a",
    ),
    (
        "quirk_bad_integer.form",
        "price",
        "expected an integer, got \"12.49 EUR\"",
        "12.49 EUR",
    ),
    (
        "quirk_bad_timestamp.json",
        "sale_timestamp",
        "expected an RFC 3339 timestamp, got \"last tuesday\"",
        "last tuesday",
    ),
];

#[test]
fn quirk_one_mistyped_field_is_reported_and_every_other_field_kept() {
    for (name, field, says, raw) in ONE_BAD_FIELD {
        let event = parse(name);
        let mut bad = event.sale().expect("a sale").clone();
        let clean_name = if name.ends_with(".json") {
            "sale.json"
        } else {
            "sale.form"
        };
        let clean = parse(clean_name).sale().unwrap().clone();
        assert_eq!(
            bad.field_errors,
            [creator_core::FieldError::new(*field, *says)],
            "{name}"
        );
        assert_eq!(event.field_errors(), bad.field_errors.as_slice());
        assert_eq!(
            bad.extra.remove(*field),
            Some(json!(raw)),
            "{name}: raw value kept"
        );
        // Put back what the clean sale has for that one field: nothing else differs.
        match *field {
            "order_number" => {
                assert_eq!(bad.order_number, None);
                bad.order_number = clean.order_number;
            }
            "price" => {
                assert_eq!(bad.price, None);
                bad.price = clean.price;
            }
            _ => {
                assert_eq!(bad.sale_timestamp, None);
                bad.sale_timestamp = clean.sale_timestamp;
            }
        }
        bad.field_errors.clear();
        bad.fingerprint.clone_from(&clean.fingerprint);
        assert_eq!(bad, clean, "{name}: every other field is read as usual");

        // Normalized, the event is accepted and names the field.
        let hooks = receiver();
        let d = WebhookDelivery::with_content_type(content_type_of(name), body(name));
        let normalized = hooks.receive(&d).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(normalized.kind, EventKind::Sale);
        assert_eq!(normalized.subject_id, SALE_ID);
        assert_eq!(normalized.field_errors.len(), 1, "{name}");
        assert_eq!(normalized.field_errors[0].field, *field);
    }
}

#[test]
fn quirk_mistyped_nested_and_subscription_fields_are_kept_too() {
    let body = "resource_name=subscription_updated&subscription_id=aVdlcGq1rXlPGyE4tGpu_g%3D%3D\
        &charge_occurrence_count=twelve&purchase_ids%5Bx%5D%5By%5D=1\
        &new_plan%5Bprice_cents%5D=5000&new_plan%5Bquantity%5D=one&retry_count=-1";
    let event = GumroadEvent::from_form(body.as_bytes()).unwrap();
    let sub = event.subscription().unwrap();
    let fields: Vec<&str> = sub.field_errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "purchase_ids",
            "charge_occurrence_count",
            "new_plan.quantity",
            "retry_count"
        ]
    );
    assert_eq!(sub.new_plan.as_ref().unwrap().price_cents, Some(5000));
    assert_eq!(sub.extra["new_plan"], json!({"quantity": "one"}));
    assert_eq!(sub.extra["charge_occurrence_count"], "twelve");
    assert!(sub.purchase_ids.0.is_empty());
}

#[test]
fn a_body_without_a_readable_id_still_fails() {
    for (body, says) in [
        (
            "resource_name=sale&sale_id%5Bx%5D=1&price=1249",
            "field `sale_id`: expected text, got an object",
        ),
        (
            "resource_name=refund&price=1249",
            "field `sale_id` is missing",
        ),
        (
            "resource_name=cancellation&subscription_id%5B%5D=a",
            "field `subscription_id`: expected text",
        ),
        (
            "resource_name=cancellation&product_id=x",
            "field `subscription_id` is missing",
        ),
        (
            "resource_name%5Bx%5D=sale&sale_id=x",
            "field `resource_name`",
        ),
    ] {
        match GumroadEvent::from_form(body.as_bytes()) {
            Err(e @ WebhookError::Malformed { .. }) => {
                assert!(e.to_string().contains(says), "{body}: {e}");
            }
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn truncated_and_malformed_bodies_are_clear_errors() {
    let hooks = receiver();
    for (name, says) in MALFORMED {
        let err = parse_err(name);
        let text = err.to_string();
        assert!(
            matches!(err, WebhookError::Malformed { .. }),
            "{name}: {err:?}"
        );
        assert!(
            !err.is_verification_failure(),
            "{name}: a parse error, not a verification failure"
        );
        assert!(text.contains(says), "{name}: {text:?} should say {says:?}");
        let d = WebhookDelivery::with_content_type(content_type_of(name), body(name));
        match hooks.parse(&d) {
            Err(WebhookError::Malformed { .. }) => {}
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn content_types_are_checked_and_sniffed_when_absent() {
    let form = body("sale.form");
    let err = GumroadEvent::parse(Some("text/plain"), &form).unwrap_err();
    assert!(
        matches!(err, WebhookError::UnsupportedContentType(ref t) if t == "text/plain"),
        "{err:?}"
    );
    assert!(!err.is_verification_failure());
    assert!(GumroadEvent::parse(Some("multipart/form-data; boundary=x"), &form).is_err());
    assert!(
        GumroadEvent::parse(
            Some("Application/X-WWW-Form-Urlencoded; charset=utf-8"),
            &form
        )
        .is_ok()
    );
    assert!(
        GumroadEvent::parse(Some("application/json; charset=utf-8"), &body("sale.json")).is_ok()
    );
    assert_eq!(
        GumroadEvent::parse(None, &form).unwrap(),
        parse("sale.form")
    );
    assert_eq!(
        GumroadEvent::parse(None, &body("sale.json")).unwrap(),
        parse("sale.form")
    );
    // A JSON body labelled as form is a clear error, not a guess.
    let err = GumroadEvent::parse(Some(FORM), &body("sale.json"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("malformed"), "{err}");
    let _ = JSON;
}

#[test]
fn abusive_bodies_hit_the_limits_with_a_clear_error() {
    let deep = format!("sale_id=x&a{}=1", "[a]".repeat(10_000));
    let err = GumroadEvent::from_form(deep.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(err.contains("nested 10000 levels deep"), "{err}");

    let many = "a=1&".repeat(100_000);
    let err = GumroadEvent::from_form(many.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than 2000 fields"), "{err}");

    let pushes = format!("sale_id=x&{}", "l%5B%5D=1&".repeat(50_000));
    assert!(
        GumroadEvent::from_form(pushes.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("fields")
    );

    let deep_json = format!("{}1{}", r#"{"a":"#.repeat(100), "}".repeat(100));
    let err = GumroadEvent::from_json(deep_json.as_bytes())
        .unwrap_err()
        .to_string();
    assert!(err.contains("nested more than 8 levels"), "{err}");
    let deeper_json = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(
        GumroadEvent::from_json(deeper_json.as_bytes()).is_err(),
        "no stack overflow"
    );

    let wide_json = format!("{{\"sale_id\":\"x\",\"l\":[{}0]}}", "0,".repeat(10_000));
    assert!(
        GumroadEvent::from_json(wide_json.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("fields")
    );

    let big = vec![b'a'; 2 * 1024 * 1024];
    let err = GumroadEvent::from_form(&big).unwrap_err().to_string();
    assert!(err.contains("above the limit"), "{err}");

    let tight = ParseLimits::default().max_fields(10);
    let err = GumroadEvent::parse_with_limits(Some(FORM), &body("sale.form"), &tight)
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than 10 fields"), "{err}");
}

#[test]
fn variants_are_a_map_in_both_encodings() {
    for name in ["sale.form", "sale.json"] {
        let event = parse(name);
        assert!(
            matches!(event.sale().unwrap().variants, Some(Variants::Map(_))),
            "{name}"
        );
    }
}

/// What Gumroad really sends about one subject over time: each is a distinct
/// event, so each has its own identity (the subject alone used to be the key,
/// and the later ones were taken for redeliveries and thrown away).
#[test]
fn distinct_events_about_one_subject_have_distinct_identities_and_retries_do_not() {
    let hooks = receiver();
    let id = |name: &str| {
        hooks
            .parse(&WebhookDelivery::with_content_type(
                content_type_of(name),
                body(name),
            ))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .identity()
    };
    for ext in ["form", "json"] {
        let f = |base: &str| format!("{base}.{ext}");
        // An upgrade, later a downgrade, of one subscription.
        assert_ne!(
            id(&f("subscription_updated")),
            id(&f("subscription_updated_downgrade"))
        );
        // cancellation -> subscription_restarted -> cancellation: three events, the
        // two cancellations identical (told apart by arrival, see the relay's ledger).
        assert_ne!(id(&f("cancellation")), id(&f("subscription_restarted")));
        // A partial refund and the full refund of the same sale.
        assert_ne!(id(&f("refund_partial")), id(&f("refund")));
        // A "send test ping" (the latest sale with test=true) never collides with the live sale.
        assert_ne!(id(&f("ping")), id(&f("sale")));
        assert!(id(&f("ping")).contains(":test:"));
        // A retry (retry_count=2) is the same event as its first attempt.
        assert_eq!(id(&f("sale")), id(&f("quirk_retry_count")));
    }
    // The same event has the same identity whichever way it was encoded.
    assert_eq!(
        id("subscription_updated.form"),
        id("subscription_updated.json")
    );
}

#[test]
fn quirk_a_value_that_is_not_utf8_is_one_unreadable_field_not_a_rejected_delivery() {
    let mut body = body("sale.form");
    body.extend_from_slice(b"&full_name=Ada%FF%FELovelace");
    let event = GumroadEvent::parse(Some(FORM), &body).expect("still a sale");
    let sale = event.sale().unwrap();
    assert_eq!(sale.sale_id, SALE_ID);
    let errors = event.field_errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].field, "full_name");
    assert!(errors[0].message.contains("UTF-8"), "{}", errors[0].message);
    // A bad escape is still a broken body.
    assert!(GumroadEvent::parse(Some(FORM), b"sale_id=x%3D%3D&email=a%2").is_err());
    // `decode_form` itself stays strict.
    assert!(gumroad_api::webhook::decode_form(&body, &Default::default()).is_err());
}
