//! Subscribers.

use futures::TryStreamExt;
use gumroad_api::{SubscriberStatus, SubscribersQuery};
use time::macros::datetime;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

use crate::common::*;

const M: &str = "Qm9vZk1lbWJlcnNoaXA==";
const KEY: &str = "20250201083000000000-3849201";
const KEY3: &str = "20250115120000000000-5120447";

#[tokio::test]
async fn all_subscribers_unpaginated_is_one_request_without_paginated() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{M}/subscribers"),
        "subscribers_all.json",
    )
    .await;
    let subs = client(&server).subscribers().all(M, None).await.unwrap();
    let req = only_request(&server).await;
    assert!(req.query.is_empty(), "{:?}", req.query);
    assert_eq!(subs.len(), 3);
    insta::assert_json_snapshot!(exchange(&req, &subs));
}

#[tokio::test]
async fn list_subscribers_paginated_true_then_page_key_with_email_kept() {
    let server = server().await;
    let route = format!("/v2/products/{M}/subscribers");
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .and(query_param("paginated", "true"))
        .and(query_param_is_missing("page_key"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("subscribers_page1.json"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .and(query_param("paginated", "true"))
        .and(query_param("page_key", KEY))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("subscribers_page2.json"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .and(query_param("paginated", "true"))
        .and(query_param("page_key", KEY3))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("subscribers_page3.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let subs: Vec<_> = client(&server)
        .subscribers()
        .list(M, &SubscribersQuery::new().email("member@example.com"))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(subs.len(), 5);
    assert_eq!(subs[3].status, Some(SubscriberStatus::Cancelled));
    assert_eq!(subs[4].status, Some(SubscriberStatus::FailedPayment));
    let reqs = requests(&server).await;
    insta::assert_json_snapshot!(exchange(&reqs[1], &subs));
    let queries: Vec<_> = reqs.iter().map(|r| pairs(&r.query)).collect();
    assert_eq!(
        queries,
        [
            vec![("email", "member@example.com"), ("paginated", "true")],
            vec![
                ("email", "member@example.com"),
                ("paginated", "true"),
                ("page_key", KEY)
            ],
            vec![
                ("email", "member@example.com"),
                ("paginated", "true"),
                ("page_key", KEY3)
            ],
        ]
    );
}

#[tokio::test]
async fn all_subscribers_with_email_filter() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{M}/subscribers"),
        "subscribers_by_email.json",
    )
    .await;
    let subs = client(&server)
        .subscribers()
        .all(M, Some("member@example.com"))
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.query_value("email"), Some("member@example.com"));
    assert_eq!(subs.len(), 1);
}

#[tokio::test]
async fn get_subscriber_response_key_is_singular_subscriber() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/subscribers/c3ViX21lbWJlcjE=",
        "subscriber.json",
    )
    .await;
    let sub = client(&server)
        .subscribers()
        .get("c3ViX21lbWJlcjE=")
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "GET");
    assert_eq!(sub.status, Some(SubscriberStatus::Alive));
    insta::assert_json_snapshot!(exchange(&req, &sub));
}

#[tokio::test]
async fn guest_subscriber_has_null_user_email_and_a_future_cancelled_at() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{M}/subscribers"),
        "subscribers_all.json",
    )
    .await;
    let subs = client(&server).subscribers().all(M, None).await.unwrap();
    let guest = &subs[1];
    assert_eq!(guest.user_id, None);
    assert_eq!(guest.user_email, None);
    assert_eq!(guest.best_email(), Some("guest-sub@example.com"));
    assert_eq!(guest.status, Some(SubscriberStatus::PendingCancellation));
    assert_eq!(guest.cancelled_at, Some(datetime!(2026-02-01 08:30:00 UTC)));
    assert_eq!(subs[0].charge_occurrence_count, None);
    assert_eq!(subs[2].charge_occurrence_count, Some(12));
}

#[tokio::test]
async fn subscriber_purchase_ids_accepts_array_or_object_and_empty_string_count() {
    let server = server().await;
    serve(&server, "GET", "/v2/subscribers/a", "subscriber.json").await;
    serve(
        &server,
        "GET",
        "/v2/subscribers/b",
        "subscriber_form_converted.json",
    )
    .await;
    let c = client(&server);
    let array = c.subscribers().get("a").await.unwrap();
    let object = c.subscribers().get("b").await.unwrap();
    assert_eq!(
        array.purchase_ids.as_slice(),
        ["dHdvTWVtYmVyU2FsZQ==", "Zmlyc3RDaGFyZ2U="]
    );
    assert_eq!(object.purchase_ids.as_slice(), ["dHdvTWVtYmVyU2FsZQ=="]);
    assert_eq!(object.charge_occurrence_count, None);
}

#[tokio::test]
async fn unknown_subscriber_is_not_found_from_http_200() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/subscribers/nope",
        "subscriber_not_found.json",
    )
    .await;
    let err = client(&server).subscribers().get("nope").await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[test]
fn unknown_subscriber_status_is_kept() {
    let status: SubscriberStatus = serde_json::from_str(r#""paused""#).unwrap();
    assert_eq!(status, SubscriberStatus::Unknown("paused".into()));
    assert_eq!(serde_json::to_string(&status).unwrap(), r#""paused""#);
}
