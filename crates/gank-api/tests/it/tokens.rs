//! `POST {V2}/auth/creators`.

use wiremock::Mock;
use wiremock::matchers::{method, path};

use crate::common::{Hosts, ok_fixture, only};

#[tokio::test]
async fn mint_posts_to_v2_with_the_login_token_and_holds_the_new_token_as_a_secret() {
    let hosts = Hosts::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/creators"))
        .respond_with(ok_fixture("auth_creators.json"))
        .expect(1)
        .mount(&hosts.v2)
        .await;
    hosts.fallbacks().await;
    let client = hosts.client();

    let minted = client.creator_tokens().mint().await.unwrap();

    let sent = only(&hosts.v2).await;
    assert_eq!(sent.line(), "POST /auth/creators");
    assert_eq!(sent.token, "login");
    assert!(sent.query.is_empty() && sent.body.is_none());
    assert!(hosts.v1_sent().await.is_empty());
    assert!(
        minted
            .token
            .expose()
            .starts_with("eyJhbGciOiJub25lIn0.eyJyZWRhY3RlZCI6dHJ1ZX0.")
    );
    assert!(!format!("{minted:?}").contains("eyJ"));
    insta::assert_json_snapshot!(minted);
}

#[tokio::test]
async fn the_minted_token_replaces_the_revoked_one() {
    let hosts = Hosts::start().await;
    Mock::given(method("POST"))
        .and(path("/auth/creators"))
        .respond_with(ok_fixture("auth_creators.json"))
        .mount(&hosts.v2)
        .await;
    hosts
        .v2_get("/payment/creator/subscribers", "subscribers_data_null.json")
        .await;
    hosts.fallbacks().await;
    let client = hosts.client();
    let minted = client.creator_tokens().mint().await.unwrap();
    let client = client.with_creator_token(minted.token.clone()).unwrap();
    client
        .subscribers()
        .page(&gank_api::SubscriberFilter::new())
        .await
        .unwrap();
    let sent = hosts.v2_sent().await;
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[1].token, format!("Bearer {}", minted.token.expose()));
}
