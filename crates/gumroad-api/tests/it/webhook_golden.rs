//! Golden output of the ping decoder: every recorded Gumroad delivery in
//! `fixtures/` (and a set of mistyped probes) decodes to exactly the Debug
//! text recorded in `snapshots/` (taken before the decoder moved to serde
//! shadow structs). A change in any decoded value, field error, leftover or
//! fingerprint fails here.

use gumroad_api::webhook::GumroadEvent;

use super::{FORM, JSON};

/// Every recorded delivery body: the webhook fixtures and the CLI's ping.
fn recorded() -> Vec<(String, Vec<u8>)> {
    let dir = creator_testkit::mock::fixtures_dir().join("gumroad/webhooks");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures/gumroad/webhooks")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".form") || n.ends_with(".json"))
        .map(|n| format!("gumroad/webhooks/{n}"))
        .collect();
    names.push("cli/gumroad_sale_ping.form".to_owned());
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let bytes = creator_testkit::fixture_bytes(&n);
            (n, bytes)
        })
        .collect()
}

/// Bodies with mistyped or oddly shaped fields of every kind the decoder
/// reads (text, id, URL, integer, count, flag, time, object, text map,
/// custom fields, purchase ids, nested plans), for field errors and leftovers.
const PROBES: &[(&str, &str, &str)] = &[
    (
        "sale_mistyped_scalars",
        FORM,
        "sale_id=S1&resource_name=sale&order_number=12a&price=12.5&quantity=&retry_count=-1\
         &test=maybe&refunded=2&sale_timestamp=yesterday&email[x]=1&full_name[]=a\
         &product_permalink=https%253A%252F%252Fx.gumroad.com%252Fl%252Fp&referrer=direct\
         &unknown_key=kept&custom_fields=oops",
    ),
    (
        "sale_mistyped_objects",
        FORM,
        "sale_id=S2&resource_name=sale&card=x&shipping_information[city][a]=1\
         &shipping_information[new_key]=n&variants[Size][a]=1&variants[Color]=Blue\
         &url_params=&card_extra[a]=1",
    ),
    (
        "sale_nested_leftovers",
        JSON,
        r#"{"sale_id":"S3","resource_name":"refund","card":{"visual":"**** 4242","type":7,"new":{"a":1}},
            "variants":{"Size":null,"Seats":3,"Gift":true},"url_params":{"a":[1]},
            "custom_fields":["Name: Ada", "Age: 3"],"price":1249.0,"gumroad_fee":"  12 ",
            "discover_fee_charged":1,"can_contact":"TRUE","test":0,"order_number":{"a":1},
            "sale_timestamp":"2025-03-14T10%3A21%3A07Z","retry_count":"3","is_gift_receiver_purchase":null}"#,
    ),
    (
        "sale_id_mistyped",
        JSON,
        r#"{"sale_id":{"a":1},"resource_name":"sale"}"#,
    ),
    (
        "ping_without_resource",
        FORM,
        "sale_id=P1&price=1&custom_fields[email]=x%40y.z&email=x%40y.z&custom_fields[Size]=L&Size=L",
    ),
    (
        "subscription_mistyped",
        FORM,
        "subscription_id=U1&resource_name=subscription_updated&type=sideways&old_plan=x\
         &new_plan[tier]=x&new_plan[price_cents]=1.5&new_plan[quantity]=2&new_plan[recurrence]=monthly\
         &new_plan[extra]=e&purchase_ids[a]=1&charge_occurrence_count=x&cancelled=yes\
         &created_at=soon&ended_reason=bored&user_id=7&custom_fields[Consent]=true",
    ),
    (
        "subscription_plans",
        JSON,
        r#"{"subscription_id":"U2","resource_name":"subscription_updated",
            "old_plan":{"tier":{"id":"T%3D%3D","name":"Gold","extra":1},"recurrence":"yearly","price_cents":"100","quantity":1},
            "new_plan":{"tier":"","recurrence":7},"purchase_ids":"A","retry_count":99999999999,
            "custom_fields":{"Consent":true,"Note":"true","Count":3}}"#,
    ),
    (
        "subscription_id_missing",
        FORM,
        "resource_name=cancellation&subscription_id=",
    ),
    (
        "unknown_resource_probe",
        FORM,
        "resource_name=payout&id=&retry_count=2&a[b]=c",
    ),
];

fn decoded(content_type: &str, body: &[u8]) -> String {
    match GumroadEvent::parse(Some(content_type), body) {
        Ok(event) => format!("{event:#?}\nfield_errors: {:#?}", event.field_errors()),
        Err(error) => format!("error: {error}"),
    }
}

#[test]
fn every_recorded_delivery_decodes_as_recorded() {
    for (name, bytes) in recorded() {
        let content_type = if name.ends_with(".json") { JSON } else { FORM };
        let snapshot = format!("golden__{}", name.replace(['/', '.'], "_"));
        insta::assert_snapshot!(snapshot, decoded(content_type, &bytes));
    }
}

#[test]
fn every_probe_decodes_as_recorded() {
    for (name, content_type, body) in PROBES {
        let snapshot = format!("golden__probe_{name}");
        insta::assert_snapshot!(snapshot, decoded(content_type, body.as_bytes()));
    }
}
