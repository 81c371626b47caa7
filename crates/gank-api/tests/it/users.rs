//! `GET {V1}/v1/users/me`.
//!
//! Documented as `{data: {id, nickname, …}, total: 0}` (seed
//! 000_46f24a53627c8722); the other fields in `fixtures/gank/users_me.json`
//! are synthesized and only kept in `extra`.

use crate::common::{Hosts, only};

#[tokio::test]
async fn me_reads_the_data_envelope_from_v1_with_the_login_token() {
    let hosts = Hosts::start().await;
    hosts.v1_get("/v1/users/me", "users_me.json").await;
    hosts.fallbacks().await;
    let client = hosts.client();
    let me = client.users().me().await.unwrap();
    let sent = only(&hosts.v1).await;
    assert_eq!(
        (sent.line().as_str(), sent.token.as_str()),
        ("GET /v1/users/me", "login")
    );
    assert!(sent.query.is_empty());
    assert!(hosts.v2_sent().await.is_empty());
    assert_eq!(me.id, "fba1aaba-ffb5-42ae-8571-6ec0eb337802");
    assert_eq!(me.nickname.as_deref(), Some("notruff4"));
    insta::assert_json_snapshot!(me);
    // The user id is read once and kept.
    assert_eq!(client.user_id().await.unwrap(), me.id);
    assert_eq!(client.user_id().await.unwrap(), me.id);
    assert_eq!(hosts.v1_sent().await.len(), 2);
}

#[tokio::test]
async fn data_null_for_me_is_not_found() {
    let hosts = Hosts::start().await;
    hosts
        .v1_get("/v1/users/me", "users_me_data_null.json")
        .await;
    hosts.fallbacks().await;
    let err = hosts.client().users().me().await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[tokio::test]
async fn a_configured_user_id_needs_no_request() {
    let hosts = Hosts::start().await;
    hosts.fallbacks().await;
    let client = hosts.builder().user_id("u-configured").build().unwrap();
    assert_eq!(client.user_id().await.unwrap(), "u-configured");
    assert!(hosts.v1_sent().await.is_empty());
}
