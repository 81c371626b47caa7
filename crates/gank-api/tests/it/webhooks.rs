//! Parsing Gank webhook deliveries and normalizing them into core events.
//!
//! The bodies are the documented samples (docs.ganknow.com payment-webhooks)
//! and variants of them. The digital-goods sample is cut off in the only
//! available copy ([UNCERTAIN]): the fields after `catalog_price_id` in
//! `fixtures/gank/webhook_digital_goods.json` are synthesized.

use creator_core::verify::{AnyOf, Unverified};
use creator_core::{Error, EventKind, SubscriptionStatus, WebhookDelivery, WebhookError, Webhooks};
use gank_api::{GankEvent, GankEventName, GankWebhooks, PaymentStatus, Usecase};

use crate::common::fixture;

fn parse(name: &str) -> GankEvent {
    GankEvent::parse(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn malformed(body: &[u8]) -> String {
    match GankEvent::parse(body) {
        Err(WebhookError::Malformed { reason }) => reason,
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn user_membership_tx_succeed_is_parsed_from_the_documented_sample() {
    let hook = parse("webhook_user_membership.json");
    let GankEvent::MembershipPayment(e) = &hook else {
        panic!("{hook:?}")
    };
    assert_eq!(e.human_id, "UM-250925-NWKBIKATC");
    assert_eq!(e.payment_status, Some(PaymentStatus::Succeed));
    assert_eq!(e.usecase, Some(Usecase::UserMembershipRecurring));
    assert_eq!(e.data.billing_period, Some(1));
    assert_eq!(
        e.data.subscriber_user_nickname.as_deref(),
        Some("notruffX9VpAK6")
    );
    assert_eq!(
        e.data.membership_title.as_deref(),
        Some("Test Membership! <>&...")
    );
    assert_eq!(e.data.custom_reference_id, None, "null reads as None");
    assert_eq!(hook.event(), GankEventName::UserMembershipTxSucceed);
    insta::assert_json_snapshot!(hook, {".raw" => "[raw]", ".*.raw" => "[raw]"});
}

#[test]
fn digital_goods_tx_succeed_is_parsed() {
    let hook = parse("webhook_digital_goods.json");
    let GankEvent::DigitalGoodsPurchase(e) = &hook else {
        panic!("{hook:?}")
    };
    assert_eq!(e.human_id, "DG-260227-5U7OZOIXN");
    assert_eq!(
        e.data.catalog_id.as_deref(),
        Some("4ae9d5c2-959f-42d6-a463-6c0003c95c8c")
    );
    assert_eq!(
        e.data.buyer_user_email.as_deref(),
        Some("buyer.dg@example.com")
    );
    assert!(
        e.data.extra.contains_key("buyer_user_nickname"),
        "fields past the documented cut are kept"
    );
    insta::assert_json_snapshot!(hook, {".raw" => "[raw]"});
}

#[test]
fn key_order_is_not_relied_on() {
    for (a, b) in [
        (
            "webhook_user_membership.json",
            "webhook_user_membership_reordered.json",
        ),
        (
            "webhook_digital_goods.json",
            "webhook_digital_goods_reordered.json",
        ),
    ] {
        assert_eq!(parse(a), parse(b), "{a} vs {b}");
        assert_eq!(
            parse(a).to_event().identity(),
            parse(b).to_event().identity()
        );
    }
}

#[test]
fn missing_optional_fields_are_none() {
    let hook = parse("webhook_digital_goods_minimal.json");
    let GankEvent::DigitalGoodsPurchase(e) = &hook else {
        panic!("{hook:?}")
    };
    assert_eq!(e.payment_status, None);
    assert_eq!(e.usecase, None);
    assert_eq!(
        e.data.catalog_id.as_deref(),
        Some("f3f17de3-5a40-4e50-9cb3-60c071e6464e")
    );
    assert_eq!(e.data.buyer_user_email, None);

    let hook = parse("webhook_user_membership_minimal.json");
    let GankEvent::MembershipPayment(e) = &hook else {
        panic!("{hook:?}")
    };
    assert_eq!(e.human_id, "UM-260301-H7T4RW0YB");
    assert_eq!(e.data, Default::default());
    let event = hook.to_event();
    assert_eq!(event.kind, EventKind::MembershipPayment);
    assert!(
        event.subscriber.is_none(),
        "no subscriber id in the payload, so none is made up"
    );
    insta::assert_json_snapshot!(event);
}

#[test]
fn an_unknown_usecase_event_keeps_its_name_and_raw_json() {
    let hook = parse("webhook_unknown_event.json");
    let GankEvent::Unknown {
        event,
        human_id,
        raw,
    } = &hook
    else {
        panic!("{hook:?}")
    };
    assert_eq!(event, &GankEventName::Unknown("DONATION.TX_SUCCEED".into()));
    assert_eq!(human_id.as_deref(), Some("DN-251224-Q8M2XK7TA"));
    assert_eq!(
        raw["data"]["usecase_data"]["data"]["message"],
        "merry xmas!"
    );
    let e = hook.to_event();
    assert_eq!(e.kind, EventKind::Unknown("DONATION.TX_SUCCEED".into()));
    assert_eq!(e.identity(), "gank:DONATION.TX_SUCCEED:DN-251224-Q8M2XK7TA");
    assert!(e.sale.is_none());

    // A failure event of a known usecase is not taken for a success.
    let failed = parse("webhook_membership_failed.json");
    assert!(matches!(failed, GankEvent::Unknown { .. }), "{failed:?}");
    assert_eq!(failed.event().tx_status(), Some("FAILED"));
}

#[test]
fn an_unknown_event_without_human_id_gets_a_stable_subject() {
    let body = br#"{"event":"PAYOUT.TX_SUCCEED","data":{"amount":"10.00"}}"#;
    let a = GankEvent::parse(body).unwrap().to_event();
    let b = GankEvent::parse(body).unwrap().to_event();
    assert!(a.subject_id.starts_with("sha256:"), "{}", a.subject_id);
    assert_eq!(a.identity(), b.identity());
    let c = GankEvent::parse(br#"{"event":"PAYOUT.TX_SUCCEED","data":{"amount":"11.00"}}"#)
        .unwrap()
        .to_event();
    assert_ne!(a.subject_id, c.subject_id);
}

#[test]
fn malformed_json_is_a_clear_error() {
    let reason = malformed(&fixture("webhook_not_json.txt"));
    assert!(reason.contains("not valid JSON"), "{reason}");
    for (body, needle) in [
        (&b"[]"[..], "not a JSON object"),
        (br#"{"data":{"human_id":"UM-1"}}"#, "no `event`"),
        (br#"{"event":7,"data":{}}"#, "`event` is not a string"),
        (
            br#"{"event":"DIGITAL_GOODS.TX_SUCCEED"}"#,
            "`data` is missing",
        ),
        (
            br#"{"event":"DIGITAL_GOODS.TX_SUCCEED","data":{"human_id":""}}"#,
            "human_id",
        ),
        (b"", "not valid JSON"),
    ] {
        let reason = malformed(body);
        assert!(reason.contains(needle), "{needle}: {reason}");
    }
    let reason = malformed(&fixture("webhook_missing_human_id.json"));
    assert!(reason.contains("data.human_id"), "{reason}");
    for body in [
        &br#"{"event":"USER_MEMBERSHIP.TX_SUCCEED","data":{"human_id":["UM-1"]}}"#[..],
        br#"{"event":"USER_MEMBERSHIP.TX_SUCCEED","data":"UM-1"}"#,
    ] {
        let reason = malformed(body);
        assert!(reason.contains("data"), "{reason}");
    }
}

/// The documented membership sample with `billing_period` in another shape.
fn membership_billing_period(shape: &str) -> GankEvent {
    parse(&format!("webhook_quirk_billing_period_{shape}.json"))
}

#[test]
fn a_mistyped_optional_field_never_rejects_an_authentic_delivery() {
    let documented = parse("webhook_user_membership.json");
    let GankEvent::MembershipPayment(clean) = &documented else {
        panic!("{documented:?}")
    };
    // `"1"`: a numeric string reads as the number, with nothing to report.
    let GankEvent::MembershipPayment(text) = membership_billing_period("string") else {
        panic!()
    };
    assert_eq!(text.data, clean.data);
    assert!(text.field_errors.is_empty());

    // `{"x": 1}`, and `"monthly"` (a minimal body): left out, named, the rest kept.
    for shape in ["object", "word"] {
        let hook = membership_billing_period(shape);
        let GankEvent::MembershipPayment(e) = &hook else {
            panic!("{hook:?}")
        };
        assert_eq!(e.data.billing_period, None, "{shape}");
        assert_eq!(e.field_errors.len(), 1, "{shape}: {:?}", e.field_errors);
        assert_eq!(
            e.field_errors[0].field,
            "data.usecase_data.data.billing_period"
        );
        assert!(
            e.field_errors[0].message.contains("non-negative integer"),
            "{shape}: {}",
            e.field_errors[0].message
        );
        assert_eq!(hook.field_errors(), e.field_errors.as_slice());
        assert_eq!(e.human_id, "UM-250925-NWKBIKATC");
        assert_eq!(e.payment_status, Some(PaymentStatus::Succeed));
        assert_eq!(
            e.raw["data"]["usecase_data"]["data"]["billing_period"],
            if shape == "object" {
                serde_json::json!({"x": 1})
            } else {
                serde_json::json!("monthly")
            },
            "the raw value is kept"
        );
        let event = hook.to_event();
        assert_eq!(event.kind, EventKind::MembershipPayment);
        assert_eq!(event.field_errors, e.field_errors);
    }
    let GankEvent::MembershipPayment(object) = membership_billing_period("object") else {
        panic!()
    };
    let mut kept = object.data.clone();
    kept.billing_period = clean.data.billing_period;
    assert_eq!(
        kept, clean.data,
        "every other field of the sample is read as usual"
    );
}

#[test]
fn mistyped_envelope_fields_are_left_out_too() {
    let body = br#"{"event":"DIGITAL_GOODS.TX_SUCCEED","data":{"human_id":"DG-1",
        "payment_status":7,"usecase_data":{"usecase":["DIGITAL_GOODS"],"data":"gone"}}}"#;
    let GankEvent::DigitalGoodsPurchase(e) = GankEvent::parse(body).unwrap() else {
        panic!()
    };
    let fields: Vec<&str> = e.field_errors.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        [
            "data.payment_status",
            "data.usecase_data.usecase",
            "data.usecase_data.data"
        ]
    );
    assert_eq!((e.payment_status, e.usecase), (None, None));
    assert_eq!(e.data, gank_api::DigitalGoodsTxData::default());
}

#[test]
fn a_truncated_body_is_malformed_at_every_cut_and_never_panics() {
    let full = fixture("webhook_user_membership.json");
    let trimmed_len = full.iter().rposition(|b| *b == b'}').unwrap();
    for cut in 0..trimmed_len {
        let reason = malformed(&full[..cut]);
        assert!(reason.contains("not valid JSON"), "cut {cut}: {reason}");
    }
}

#[test]
fn known_events_normalize_into_sales_and_subscribers() {
    let membership = parse("webhook_user_membership.json").to_event();
    assert_eq!(membership.kind, EventKind::MembershipPayment);
    assert_eq!(membership.subject_id, "UM-250925-NWKBIKATC");
    assert_eq!(
        membership.identity(),
        "gank:USER_MEMBERSHIP.TX_SUCCEED:UM-250925-NWKBIKATC"
    );
    let sale = membership.sale.as_ref().unwrap();
    assert_eq!(
        sale.customer.email.as_deref(),
        Some("notruffx9@example.com")
    );
    assert!(
        membership.subscriber.is_none(),
        "the documented payload has no membership_setting_id, so no subscriber id is made up"
    );
    assert!(
        membership
            .provider_data()
            .downcast_ref::<GankEvent>()
            .is_some()
    );

    let goods = parse("webhook_digital_goods.json").to_event();
    assert_eq!(goods.kind, EventKind::Sale);
    let sale = goods.sale.as_ref().unwrap();
    assert_eq!(
        sale.product_id.as_deref(),
        Some("4ae9d5c2-959f-42d6-a463-6c0003c95c8c")
    );
    assert_eq!(sale.amount, None, "the webhook carries no amount");
    insta::assert_json_snapshot!([membership, goods]);
}

#[tokio::test]
async fn the_receiver_parses_deliveries_and_separates_parse_from_verify() {
    let client = GankWebhooks::builder()
        .verifier(Unverified)
        .build()
        .unwrap();
    let d = WebhookDelivery::with_content_type(
        "application/json",
        fixture("webhook_unknown_event.json"),
    );
    let event = client.receive(&d).unwrap();
    assert_eq!(event.name, "DONATION.TX_SUCCEED");

    let bad = WebhookDelivery::with_content_type("application/json", &b"{\"event\":"[..]);
    assert!(
        client.verify(&bad).is_ok(),
        "a body that does not parse is not a bad signature"
    );
    let err = client.parse(&bad).unwrap_err();
    assert!(matches!(err, WebhookError::Malformed { .. }), "{err:?}");
    assert!(!err.is_verification_failure());

    // A receiver without a verifier is not built at all; one whose verifier
    // has nothing to check refuses every delivery as unverifiable.
    let err = GankWebhooks::builder().build().unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let unconfigured = GankWebhooks::builder()
        .verifier(AnyOf::new())
        .build()
        .unwrap();
    let err = unconfigured.verify(&d).unwrap_err();
    assert!(matches!(err, WebhookError::NotConfigured(_)), "{err:?}");
    assert!(err.is_verification_failure());
}

#[test]
fn a_membership_setting_id_when_sent_links_the_subscriber() {
    let body = br#"{"event":"USER_MEMBERSHIP.TX_SUCCEED","data":{"human_id":"UM-260310-AB12CD34E","payment_status":"SUCCEED","usecase_data":{"usecase":"USER_MEMBERSHIP_RECURRING","data":{"subscriber_user_id":"4758a84f-2c1e-4b9a-8d3f-6e0a1c7b5d92","membership_setting_id":"0d6c3f8e-4b1a-4c57-9a57-2f0b1d7e9c11"}}}}"#;
    let event = GankEvent::parse(body).unwrap().to_event();
    let sub = event.subscriber.as_ref().unwrap();
    assert_eq!(
        sub.id, "4758a84f-2c1e-4b9a-8d3f-6e0a1c7b5d92:0d6c3f8e-4b1a-4c57-9a57-2f0b1d7e9c11",
        "the same id the subscriber list gives"
    );
    assert_eq!(sub.status, SubscriptionStatus::Active);
    let sale = event.sale.as_ref().unwrap();
    assert_eq!(
        sale.product_id.as_deref(),
        Some("0d6c3f8e-4b1a-4c57-9a57-2f0b1d7e9c11")
    );
    assert_eq!(sale.subscription_id.as_deref(), Some(sub.id.as_str()));
}

/// The documented membership sample with `extra` fields added to its inner `data`.
fn membership_with(extra: &str) -> Vec<u8> {
    let body = String::from_utf8(fixture("webhook_user_membership.json")).unwrap();
    body.replacen(
        "\"billing_period\": 1,",
        &format!("{extra}\"billing_period\": 1,"),
        1,
    )
    .into_bytes()
}

#[test]
fn gank_bodies_are_bounded_like_gumroad_ones() {
    use creator_core::ParseLimits;
    let fields: String = (0..10_000).map(|i| format!("\"f{i}\": 0,")).collect();
    let reason = malformed(&membership_with(&fields));
    assert!(reason.contains("more than 2000 fields"), "{reason}");

    let deep = format!("\"deep\": {}1{},", "{\"a\":".repeat(20), "}".repeat(20));
    let reason = malformed(&membership_with(&deep));
    assert!(reason.contains("nested more than 8 levels"), "{reason}");
    let deeper = format!("\"deep\": {}1{},", "[".repeat(100_000), "]".repeat(100_000));
    assert!(
        malformed(&membership_with(&deeper)).contains("not valid JSON"),
        "serde_json's recursion limit, no stack overflow"
    );

    let padding = format!("\"pad\": \"{}\",", "x".repeat(1024 * 1024));
    let reason = malformed(&membership_with(&padding));
    assert!(
        reason.contains("above the limit of 1048576 bytes"),
        "{reason}"
    );

    // The documented sample fits the defaults, and explicit limits apply too.
    assert!(GankEvent::parse(&fixture("webhook_user_membership.json")).is_ok());
    let tight = ParseLimits::default().max_fields(10);
    let err =
        GankEvent::parse_with_limits(&fixture("webhook_user_membership.json"), &tight).unwrap_err();
    assert!(err.to_string().contains("more than 10 fields"), "{err}");
}

#[test]
fn the_receiver_parses_with_its_configured_limits() {
    let client = GankWebhooks::builder()
        .verifier(Unverified)
        .limits(creator_core::ParseLimits::default().max_body_bytes(64))
        .build()
        .unwrap();
    let d = WebhookDelivery::with_content_type(
        "application/json",
        fixture("webhook_user_membership.json"),
    );
    let err = client.receive(&d).unwrap_err();
    assert!(
        matches!(&err, WebhookError::Malformed { reason } if reason.contains("above the limit of 64 bytes")),
        "{err:?}"
    );
}
