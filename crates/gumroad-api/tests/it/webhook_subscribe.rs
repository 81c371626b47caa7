//! `subscribe_all`: one URL on all eight resources, without duplicates.

use gumroad_api::GumroadEventName;
use gumroad_api::webhook::subscribe_all;
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{client, pairs, requests, server};

const URL: &str = "https://hooks.example.com/gumroad?token=redacted-token-1";

fn api(name: &str) -> Vec<u8> {
    creator_testkit::fixture_bytes(&format!("gumroad/webhooks/api/{name}"))
}

async fn list(server: &MockServer, resource: &str, fixture: &str) {
    Mock::given(method("GET"))
        .and(path("/v2/resource_subscriptions"))
        .and(query_param("resource_name", resource))
        .respond_with(ResponseTemplate::new(200).set_body_raw(api(fixture), "application/json"))
        .mount(server)
        .await;
}

async fn create(server: &MockServer, resource: &str) {
    Mock::given(method("PUT"))
        .and(path("/v2/resource_subscriptions"))
        .and(body_string_contains(format!("resource_name={resource}&")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(api(&format!("created_{resource}.json")), "application/json"),
        )
        .mount(server)
        .await;
}

#[tokio::test]
async fn subscribe_all_creates_only_the_missing_subscriptions() {
    let server = server().await;
    // `sale` already delivers to URL (next to another app's URL); `refund` too; the rest are empty.
    list(&server, "sale", "resource_subscriptions_sale.json").await;
    list(&server, "refund", "resource_subscriptions_refund.json").await;
    for r in &GumroadEventName::ALL[2..] {
        list(&server, r.as_str(), "resource_subscriptions_empty.json").await;
        create(&server, r.as_str()).await;
    }
    let outcomes = subscribe_all(&client(&server), URL).await.unwrap();

    let names: Vec<_> = outcomes.iter().map(|o| o.resource_name.as_str()).collect();
    assert_eq!(
        names,
        GumroadEventName::ALL
            .iter()
            .map(GumroadEventName::as_str)
            .collect::<Vec<_>>()
    );
    let created: Vec<_> = outcomes.iter().map(|o| o.created).collect();
    assert_eq!(created, [false, false, true, true, true, true, true, true]);
    assert_eq!(
        outcomes[0].subscription.id, "G_-mnBf9b1j9A7a4ub4nFQ==",
        "the existing one, not the other app's"
    );
    for o in &outcomes {
        assert_eq!(o.subscription.post_url.as_deref(), Some(URL));
        assert_eq!(o.subscription.resource_name, o.resource_name);
    }

    let reqs = requests(&server).await;
    let gets: Vec<_> = reqs.iter().filter(|r| r.method == "GET").collect();
    let puts: Vec<_> = reqs.iter().filter(|r| r.method == "PUT").collect();
    assert_eq!(gets.len(), 8, "one listing per resource");
    assert_eq!(
        puts.len(),
        6,
        "one creation per missing resource, never a POST"
    );
    assert_eq!(reqs.len(), 14);
    for (get, resource) in gets.iter().zip(GumroadEventName::ALL.iter()) {
        assert_eq!(get.path, "/v2/resource_subscriptions");
        assert_eq!(pairs(&get.query), [("resource_name", resource.as_str())]);
    }
    for (put, resource) in puts.iter().zip(GumroadEventName::ALL[2..].iter()) {
        assert_eq!(put.path, "/v2/resource_subscriptions");
        assert_eq!(
            pairs(&put.form),
            [("resource_name", resource.as_str()), ("post_url", URL)]
        );
    }
}

#[tokio::test]
async fn subscribe_all_again_changes_nothing() {
    let server = server().await;
    for r in &GumroadEventName::ALL {
        list(&server, r.as_str(), &format!("listed_{}.json", r.as_str())).await;
    }
    let outcomes = subscribe_all(&client(&server), URL).await.unwrap();
    assert!(outcomes.iter().all(|o| !o.created));
    let reqs = requests(&server).await;
    assert_eq!(reqs.len(), 8);
    assert!(
        reqs.iter().all(|r| r.method == "GET"),
        "no creation when all exist"
    );
}

#[tokio::test]
async fn subscribe_all_stops_at_the_first_error() {
    let server = server().await;
    list(&server, "sale", "resource_subscriptions_empty.json").await;
    Mock::given(method("PUT"))
        .and(path("/v2/resource_subscriptions"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            api("resource_subscription_invalid_url.json"),
            "application/json",
        ))
        .mount(&server)
        .await;
    let err = subscribe_all(&client(&server), URL).await.unwrap_err();
    assert!(err.to_string().contains("Invalid post URL"), "{err}");
    let reqs = requests(&server).await;
    assert_eq!(
        reqs.len(),
        2,
        "listed sale, tried to create it once, then stopped"
    );
}
