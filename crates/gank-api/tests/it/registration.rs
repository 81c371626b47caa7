//! Webhook registration on `{V2}/auth/external-callback/register`.

use creator_core::Error;
use gank_api::GankEventName;
use serde_json::json;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::{Hosts, ok_fixture, only};

const KEY: &str = "redacted-token-14f5e4a5";

#[tokio::test]
async fn register_sends_json_with_content_type_and_the_login_token() {
    let hosts = Hosts::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/external-callback/register"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({
            "external_callback_url": "https://shop.example.com/gank-webhook",
            "events": ["USER_MEMBERSHIP.TX_SUCCEED", "DIGITAL_GOODS.TX_SUCCEED"]
        })))
        .respond_with(ok_fixture("webhook_register.json"))
        .expect(1)
        .mount(&hosts.v2)
        .await;
    hosts.fallbacks().await;

    let reg = hosts
        .client()
        .webhook_registration()
        .register(
            "https://shop.example.com/gank-webhook",
            &[
                GankEventName::UserMembershipTxSucceed,
                GankEventName::DigitalGoodsTxSucceed,
            ],
        )
        .await
        .unwrap();

    let sent = only(&hosts.v2).await;
    assert_eq!(sent.line(), "POST /auth/external-callback/register");
    assert_eq!(sent.token, "login");
    assert_eq!(sent.content_type.as_deref(), Some("application/json"));
    assert!(hosts.v1_sent().await.is_empty());
    assert_eq!(reg.key.as_ref().map(|k| k.expose()), Some(KEY));
    assert!(!format!("{reg:?}").contains(KEY), "the key is a secret");
    insta::assert_json_snapshot!(reg);
}

#[tokio::test]
async fn get_returns_the_registration_with_its_key_and_unknown_event_names_kept() {
    let hosts = Hosts::start().await;
    hosts
        .v2_get("/auth/external-callback/register", "webhook_get.json")
        .await;
    hosts.fallbacks().await;
    let reg = hosts.client().webhook_registration().get().await.unwrap();
    let sent = only(&hosts.v2).await;
    assert_eq!(
        (sent.line().as_str(), sent.token.as_str()),
        ("GET /auth/external-callback/register", "login")
    );
    assert!(sent.body.is_none());
    assert_eq!(reg.key.as_ref().map(|k| k.expose()), Some(KEY));
    assert_eq!(
        reg.events,
        [
            GankEventName::UserMembershipTxSucceed,
            GankEventName::DigitalGoodsTxSucceed,
            GankEventName::Unknown("DONATION.TX_SUCCEED".into())
        ]
    );
    insta::assert_json_snapshot!(reg);
}

#[tokio::test]
async fn update_events_patches_the_events_as_json() {
    let hosts = Hosts::start().await;
    Mock::given(method("PATCH"))
        .and(path("/auth/external-callback/register/events"))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"events": ["USER_MEMBERSHIP.TX_SUCCEED"]})))
        .respond_with(ok_fixture("webhook_update_events.json"))
        .expect(1)
        .mount(&hosts.v2)
        .await;
    hosts.fallbacks().await;
    let reg = hosts
        .client()
        .webhook_registration()
        .update_events(&[GankEventName::UserMembershipTxSucceed])
        .await
        .unwrap()
        .expect("the fixture answers with the registration");
    let sent = only(&hosts.v2).await;
    assert_eq!(sent.line(), "PATCH /auth/external-callback/register/events");
    assert_eq!(sent.token, "login");
    assert_eq!(reg.events, [GankEventName::UserMembershipTxSucceed]);
    insta::assert_json_snapshot!(reg);
}

#[tokio::test]
async fn update_events_with_an_undocumented_empty_answer_is_none() {
    let hosts = Hosts::start().await;
    for body in ["", "{}"] {
        let _guard = Mock::given(method("PATCH"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount_as_scoped(&hosts.v2)
            .await;
        let out = hosts
            .client()
            .webhook_registration()
            .update_events(&[GankEventName::DigitalGoodsTxSucceed])
            .await
            .unwrap();
        assert!(out.is_none(), "{body:?}");
    }
}

#[tokio::test]
async fn register_rejects_a_relative_callback_url_without_a_request() {
    let hosts = Hosts::start().await;
    hosts.fallbacks().await;
    for bad in [
        "/gank-webhook",
        "shop.example.com/hook",
        "mailto:x@example.com",
        "",
    ] {
        let err = hosts
            .client()
            .webhook_registration()
            .register(bad, &[GankEventName::UserMembershipTxSucceed])
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad}: {err:?}");
    }
    assert!(hosts.v2_sent().await.is_empty());
}

#[test]
fn event_names_round_trip_and_split_into_usecase_and_status() {
    for (name, known) in [
        ("USER_MEMBERSHIP.TX_SUCCEED", true),
        ("DIGITAL_GOODS.TX_SUCCEED", true),
        ("DONATION.TX_SUCCEED", false),
        ("USER_MEMBERSHIP.TX_FAILED", false),
        ("something-else", false),
    ] {
        let e: GankEventName = serde_json::from_value(json!(name)).unwrap();
        assert_eq!(serde_json::to_value(&e).unwrap(), json!(name));
        assert_eq!(e.to_string(), name);
        assert_eq!(!matches!(e, GankEventName::Unknown(_)), known, "{name}");
    }
    let e: GankEventName = "USER_MEMBERSHIP.TX_FAILED".parse().unwrap();
    assert_eq!(
        (e.usecase(), e.tx_status()),
        (Some("USER_MEMBERSHIP"), Some("FAILED"))
    );
    let e: GankEventName = "weird".parse().unwrap();
    assert_eq!((e.usecase(), e.tx_status()), (None, None));
}
