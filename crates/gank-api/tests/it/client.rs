//! Builder, token selection, error mapping and retries.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use creator_core::verify::Hmac;
use creator_core::{Error, ManualClock, RetryPolicy};
use gank_api::{ClientOptions, GankClient, GankWebhooks, SubscriberFilter, TokenKind};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::{CREATOR, Hosts, LOGIN, only};

#[test]
fn client_is_clone_send_sync_debug() {
    fn assert_traits<T: Clone + Send + Sync + std::fmt::Debug + 'static>() {}
    assert_traits::<GankClient>();
}

#[test]
fn debug_of_builder_and_client_never_shows_a_secret() {
    let builder = GankClient::builder()
        .login_token(LOGIN)
        .creator_token(CREATOR);
    let shown = format!("{builder:?} {builder:#?}");
    let client = builder.build().unwrap();
    let hooks = GankWebhooks::builder()
        .verifier(
            Hmac::builder("X-Signature")
                .key("whk_s3cr3t_key_value")
                .build()
                .unwrap(),
        )
        .client(client.clone());
    let shown = format!("{shown} {hooks:?} {client:?} {client:#?}");
    let hooks = hooks.build().unwrap();
    let shown = format!("{shown} {hooks:?} {hooks:#?}");
    for secret in [
        LOGIN,
        CREATOR,
        "LoginSig",
        "CreatorSig",
        "whk_s3cr3t_key_value",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked in {shown}");
    }
    assert!(shown.contains("redacted"));
    assert!(client.has_token(TokenKind::Login) && client.has_token(TokenKind::Creator));
}

#[tokio::test]
async fn a_missing_creator_token_is_a_config_error_before_any_request() {
    let hosts = Hosts::start().await;
    hosts.fallbacks().await;
    let client = hosts.builder().login_token(LOGIN).build().unwrap();
    let err = client
        .subscribers()
        .page(&SubscriberFilter::new())
        .await
        .unwrap_err();
    let Error::Config(message) = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("creator token"), "{message}");
    assert!(message.contains("Payment Widget"), "{message}");
    assert!(message.contains("creator_token("), "{message}");
    let err = client.subscriptions().status("pay_1").await.unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    assert!(hosts.v1_sent().await.is_empty() && hosts.v2_sent().await.is_empty());
}

#[tokio::test]
async fn a_missing_login_token_is_a_config_error_before_any_request() {
    let hosts = Hosts::start().await;
    hosts.fallbacks().await;
    let client = hosts.builder().creator_token(CREATOR).build().unwrap();
    let checks: Vec<(&str, Error)> = vec![
        ("mint", client.creator_tokens().mint().await.unwrap_err()),
        (
            "get webhook",
            client.webhook_registration().get().await.unwrap_err(),
        ),
        (
            "update events",
            client
                .webhook_registration()
                .update_events(&[])
                .await
                .unwrap_err(),
        ),
        (
            "register",
            client
                .webhook_registration()
                .register("https://example.com/hook", &[])
                .await
                .unwrap_err(),
        ),
        ("me", client.users().me().await.unwrap_err()),
        (
            "transaction",
            client.transactions().get("UM-1").await.unwrap_err(),
        ),
        (
            "membership settings",
            client.memberships().settings("u1").await.unwrap_err(),
        ),
    ];
    for (what, err) in checks {
        let Error::Config(message) = &err else {
            panic!("{what}: {err:?}")
        };
        assert!(message.contains("login token"), "{what}: {message}");
        assert!(message.contains("login_token("), "{what}: {message}");
    }
    assert!(hosts.v1_sent().await.is_empty() && hosts.v2_sent().await.is_empty());
}

#[tokio::test]
async fn tokens_copied_with_their_bearer_prefix_are_sent_once_prefixed() {
    let hosts = Hosts::start().await;
    hosts.v1_get("/v1/users/me", "users_me.json").await;
    hosts.fallbacks().await;
    let client = hosts
        .builder()
        .login_token(format!("  Bearer {LOGIN}\n"))
        .build()
        .unwrap();
    client.users().me().await.unwrap();
    assert_eq!(only(&hosts.v1).await.token, "login");
}

#[tokio::test]
async fn login_token_copied_from_the_auth_token_local_cookie_is_url_decoded() {
    let hosts = Hosts::start().await;
    hosts.v1_get("/v1/users/me", "users_me.json").await;
    hosts.fallbacks().await;
    // gallery-dl reads `auth._token.local` on .ganknow.com: URL-encoded, with the scheme.
    let cookie = format!("Bearer%20{LOGIN}");
    let client = hosts.builder().login_token(cookie).build().unwrap();
    client.users().me().await.unwrap();
    assert_eq!(only(&hosts.v1).await.token, "login");
}

#[test]
fn bad_tokens_and_base_urls_are_config_errors() {
    let cases = [
        GankClient::builder().login_token("").build(),
        GankClient::builder().creator_token("Bearer ").build(),
        GankClient::builder().login_token("abc\ndef").build(),
        GankClient::builder().creator_token("abc def").build(),
        GankClient::builder().login_token("Bearer%20").build(),
        GankClient::builder().v1_base_url("not a url").build(),
        GankClient::builder()
            .v2_base_url("ftp://api-v2.ganknow.com")
            .build(),
        GankClient::builder().user_id(" ").build(),
    ];
    for (i, case) in cases.into_iter().enumerate() {
        assert!(matches!(case, Err(Error::Config(_))), "case {i}: {case:?}");
    }
    assert!(
        GankClient::builder().build().is_ok(),
        "no token is needed to build"
    );
}

#[tokio::test]
async fn base_urls_keep_their_path_prefix() {
    let hosts = Hosts::start().await;
    hosts
        .v2_get(
            "/proxy/gank/payment/creator/subscribers",
            "subscribers_data_null.json",
        )
        .await;
    hosts.fallbacks().await;
    let client = hosts
        .builder()
        .v2_base_url(format!("{}/proxy/gank/", hosts.v2.uri()))
        .creator_token(CREATOR)
        .build()
        .unwrap();
    client
        .subscribers()
        .page(&SubscriberFilter::new())
        .await
        .unwrap();
    assert_eq!(
        only(&hosts.v2).await.line(),
        "GET /proxy/gank/payment/creator/subscribers"
    );
}

#[tokio::test]
async fn error_bodies_are_opaque_and_kept_whole() {
    let hosts = Hosts::start().await;
    let html =
        "<html><body>upstream connect error or disconnect/reset before headers</body></html>";
    for (p, status, body) in [
        ("/v1/users/me", 401, r#"{"message":"token is expired"}"#),
        (
            "/v1/payment/transaction/UM-404",
            404,
            r#"{"message":"transaction not found"}"#,
        ),
        ("/v1/payment/transaction/UM-500", 500, html),
        ("/v1/payment/transaction/UM-403", 403, ""),
    ] {
        Mock::given(method("GET"))
            .and(path(p))
            .respond_with(ResponseTemplate::new(status).set_body_raw(body, "text/plain"))
            .mount(&hosts.v1)
            .await;
    }
    hosts.fallbacks().await;
    let client = hosts.client();

    let err = client.users().me().await.unwrap_err();
    assert!(
        matches!(err, Error::Unauthorized { status: 401, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.raw_body().unwrap().text(),
        r#"{"message":"token is expired"}"#
    );

    let err = client.transactions().get("UM-404").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(err.to_string().contains("transaction not found"), "{err}");

    let err = client.transactions().get("UM-500").await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 500, .. }), "{err:?}");
    assert_eq!(err.raw_body().unwrap().text(), html);

    let err = client.transactions().get("UM-403").await.unwrap_err();
    assert!(
        matches!(err, Error::Forbidden { status: 403, .. }),
        "{err:?}"
    );
    assert!(!err.to_string().contains(LOGIN));
}

#[tokio::test]
async fn reads_are_retried_with_the_injected_clock_and_writes_are_not() {
    let hosts = Hosts::start().await;
    Mock::given(method("GET"))
        .and(path("/payment/creator/subscribers"))
        .respond_with(ResponseTemplate::new(503).insert_header("retry-after", "2"))
        .up_to_n_times(1)
        .mount(&hosts.v2)
        .await;
    hosts
        .v2_get("/payment/creator/subscribers", "subscribers_data_null.json")
        .await;
    Mock::given(method("POST"))
        .and(path("/auth/creators"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&hosts.v2)
        .await;
    hosts.fallbacks().await;
    let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_767_600_000));
    let client = hosts
        .builder()
        .login_token(LOGIN)
        .creator_token(CREATOR)
        .options(
            ClientOptions::new()
                .retry(RetryPolicy::default())
                .clock(Arc::new(clock.clone())),
        )
        .build()
        .unwrap();

    let page = client
        .subscribers()
        .page(&SubscriberFilter::new())
        .await
        .unwrap();
    assert!(page.data.is_empty());
    assert_eq!(clock.sleeps(), [Duration::from_secs(2)]);

    let err = client.creator_tokens().mint().await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 503, .. }), "{err:?}");
    let posts = hosts
        .v2_sent()
        .await
        .into_iter()
        .filter(|s| s.method == "POST")
        .count();
    assert_eq!(posts, 1, "a non-idempotent POST must not be re-sent");
}

/// The one `ClientOptions` reaches both hosts: the `User-Agent` it sets is
/// sent to V1 and V2, and its rate limiter is waited on by every request.
#[tokio::test]
async fn client_options_apply_to_both_hosts() {
    #[derive(Debug, Default)]
    struct Counting(std::sync::atomic::AtomicUsize);
    impl creator_core::http::RateLimiter for Counting {
        fn acquire(&self) -> creator_core::futures::future::BoxFuture<'_, ()> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Box::pin(async {})
        }
    }
    let hosts = Hosts::start().await;
    hosts.v1_get("/v1/users/me", "users_me.json").await;
    hosts
        .v2_get("/payment/creator/subscribers", "subscribers_data_null.json")
        .await;
    hosts.fallbacks().await;
    let counting = Arc::new(Counting::default());
    let client = GankClient::builder()
        .v1_base_url(hosts.v1.uri())
        .v2_base_url(hosts.v2.uri())
        .login_token(LOGIN)
        .creator_token(CREATOR)
        .options(
            ClientOptions::new()
                .retry(RetryPolicy::none())
                .user_agent("my-shop/3.1")
                .rate_limiter(Some(counting.clone())),
        )
        .build()
        .unwrap();
    client.users().me().await.unwrap();
    client
        .subscribers()
        .page(&SubscriberFilter::new())
        .await
        .unwrap();
    for server in [&hosts.v1, &hosts.v2] {
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1);
        assert_eq!(
            requests[0].headers.get("user-agent").unwrap(),
            "my-shop/3.1"
        );
    }
    assert_eq!(counting.0.load(std::sync::atomic::Ordering::SeqCst), 2);
}
