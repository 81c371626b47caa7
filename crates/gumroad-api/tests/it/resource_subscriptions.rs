//! Resource subscriptions (webhook registration).

use creator_core::Error;
use gumroad_api::GumroadEventName;

use crate::common::*;

#[tokio::test]
async fn list_resource_subscriptions_by_resource_name() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/resource_subscriptions",
        "resource_subscriptions.json",
    )
    .await;
    let subs = client(&server)
        .resource_subscriptions()
        .list(&GumroadEventName::Sale)
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(pairs(&req.query), [("resource_name", "sale")]);
    insta::assert_json_snapshot!(exchange(&req, &subs));
}

#[tokio::test]
async fn create_resource_subscription_is_a_put_not_a_post_and_never_retried() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/resource_subscriptions",
        "resource_subscription_created.json",
    )
    .await;
    let sub = client(&server)
        .resource_subscriptions()
        .create(
            &GumroadEventName::Cancellation,
            "https://hooks.example.com/gumroad/7f3a",
        )
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "PUT");
    assert_eq!(
        pairs(&req.form),
        [
            ("resource_name", "cancellation"),
            ("post_url", "https://hooks.example.com/gumroad/7f3a")
        ]
    );
    assert_eq!(sub.resource_name, GumroadEventName::Cancellation);
    insta::assert_json_snapshot!(exchange(&req, &sub));

    let busy = crate::common::server().await;
    serve_raw(
        &busy,
        "PUT",
        "/v2/resource_subscriptions",
        wiremock::ResponseTemplate::new(503),
    )
    .await;
    client(&busy)
        .resource_subscriptions()
        .create(&GumroadEventName::Sale, "https://hooks.example.com/x")
        .await
        .unwrap_err();
    assert_eq!(
        requests(&busy).await.len(),
        1,
        "no de-duplication on Gumroad's side: sent once"
    );
}

#[tokio::test]
async fn create_resource_subscription_invalid_post_url_message_is_kept() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/resource_subscriptions",
        "resource_subscription_invalid_url.json",
    )
    .await;
    let err = client(&server)
        .resource_subscriptions()
        .create(&GumroadEventName::Sale, "http://localhost:3000/hook")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message == "Invalid post URL 'http://localhost:3000/hook'"),
        "{err:?}"
    );
    let err = client(&server)
        .resource_subscriptions()
        .create(&GumroadEventName::Sale, "not a url")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)));
}

#[tokio::test]
async fn list_without_a_valid_resource_name_message_is_kept() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/resource_subscriptions",
        "resource_subscriptions_missing_name.json",
    )
    .await;
    let err = client(&server)
        .resource_subscriptions()
        .list(&GumroadEventName::Unknown(String::new()))
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Valid resource_name parameter required"),
        "{err}"
    );
}

#[tokio::test]
async fn delete_resource_subscription() {
    let server = server().await;
    serve(
        &server,
        "DELETE",
        "/v2/resource_subscriptions/wX43hzi-s7W4JfYFkxyeiQ==",
        "resource_subscription_deleted.json",
    )
    .await;
    let deleted = client(&server)
        .resource_subscriptions()
        .delete("wX43hzi-s7W4JfYFkxyeiQ==")
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "DELETE");
    insta::assert_json_snapshot!(exchange(&req, &deleted));
}

#[test]
fn the_eight_resource_names_round_trip_and_unknown_names_are_kept() {
    let names: Vec<_> = GumroadEventName::ALL
        .iter()
        .map(GumroadEventName::as_str)
        .collect();
    assert_eq!(
        names,
        [
            "sale",
            "refund",
            "dispute",
            "dispute_won",
            "cancellation",
            "subscription_updated",
            "subscription_ended",
            "subscription_restarted"
        ]
    );
    for name in GumroadEventName::ALL {
        assert_eq!(GumroadEventName::parse(name.as_str()), name);
    }
    assert_eq!(
        GumroadEventName::parse("license_key_rotated"),
        GumroadEventName::Unknown("license_key_rotated".into())
    );
}
