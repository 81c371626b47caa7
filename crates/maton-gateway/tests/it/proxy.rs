//! The proxy: the `/{app}` path prefix, the `Maton-Connection` header, and
//! the generic app request passing method, query, headers and body through.

use creator_core::Error;
use creator_core::retry::Idempotency;
use maton_gateway::DEFAULT_USER_AGENT;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

#[tokio::test]
async fn gumroad_paths_carry_the_gumroad_prefix_not_bare_v2() {
    let server = MockServer::start().await;
    // A bare /v2/user route exists only to prove it is never hit.
    serve(&server, "GET", "/v2/user", "gumroad/user.json", 200).await;
    serve(&server, "GET", "/gumroad/v2/user", "gumroad/user.json", 200).await;
    fallback(&server).await;

    let user = client(&server).gumroad().user().get().await.unwrap();
    assert!(user.name.is_some());
    let req = only_request(&server).await;
    assert_eq!(req.path, "/gumroad/v2/user");
    insta::assert_json_snapshot!(request_json(&req));
}

#[tokio::test]
async fn gumroad_prefix_is_kept_under_a_base_url_with_its_own_prefix() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/proxy/gumroad/v2/user",
        "gumroad/user.json",
        200,
    )
    .await;
    fallback(&server).await;
    let maton = builder(&server, &clock())
        .base_url(format!("{}/proxy/", server.uri()))
        .build()
        .unwrap();
    maton.gumroad().user().get().await.unwrap();
    assert_eq!(only_request(&server).await.path, "/proxy/gumroad/v2/user");
}

#[tokio::test]
async fn maton_connection_header_is_sent_when_configured() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/gumroad/v2/user"))
        .and(header("maton-connection", CONNECTION))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("gumroad/user.json"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/slack/api/auth.test"))
        .and(header("maton-connection", CONNECTION))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"ok":true}"#, "application/json"))
        .mount(&server)
        .await;
    fallback(&server).await;

    let maton = client_with_connection(&server);
    assert_eq!(maton.connection_id(), Some(CONNECTION));
    maton.gumroad().user().get().await.unwrap();
    maton
        .app("slack")
        .get("/api/auth.test")
        .send()
        .await
        .unwrap();
    for req in requests(&server).await {
        assert_eq!(
            req.headers.get("maton-connection").map(String::as_str),
            Some(CONNECTION),
            "{}",
            req.path
        );
    }
}

#[tokio::test]
async fn maton_connection_header_is_absent_when_not_configured() {
    let server = MockServer::start().await;
    serve(&server, "GET", "/gumroad/v2/user", "gumroad/user.json", 200).await;
    serve_raw(
        &server,
        "GET",
        "/slack/api/auth.test",
        ResponseTemplate::new(200).set_body_raw(r#"{"ok":true}"#, "application/json"),
    )
    .await;
    fallback(&server).await;

    let maton = client(&server);
    assert_eq!(maton.connection_id(), None);
    maton.gumroad().user().get().await.unwrap();
    maton
        .app("slack")
        .get("/api/auth.test")
        .send()
        .await
        .unwrap();
    // And removed per proxy even when the client has a default.
    client_with_connection(&server)
        .app("slack")
        .without_connection()
        .get("/api/auth.test")
        .send()
        .await
        .unwrap();
    let all = requests(&server).await;
    assert_eq!(all.len(), 3);
    for req in all {
        assert!(
            !req.headers.contains_key("maton-connection"),
            "{}: {:?}",
            req.path,
            req.headers
        );
    }
}

#[tokio::test]
async fn another_connection_can_be_picked_per_client_proxy_and_request() {
    let server = MockServer::start().await;
    serve(&server, "GET", "/gumroad/v2/user", "gumroad/user.json", 200).await;
    serve_raw(
        &server,
        "GET",
        "/slack/api/auth.test",
        ResponseTemplate::new(200).set_body_raw(r#"{"ok":true}"#, "application/json"),
    )
    .await;
    fallback(&server).await;
    let maton = client_with_connection(&server);
    maton
        .gumroad_with_connection("conn-b")
        .unwrap()
        .user()
        .get()
        .await
        .unwrap();
    maton
        .app("slack")
        .connection("conn-c")
        .get("/api/auth.test")
        .send()
        .await
        .unwrap();
    maton
        .app("slack")
        .get("/api/auth.test")
        .connection("conn-d")
        .send()
        .await
        .unwrap();
    let sent: Vec<_> = requests(&server)
        .await
        .into_iter()
        .map(|r| r.headers.get("maton-connection").cloned())
        .collect();
    assert_eq!(
        sent,
        vec![
            Some("conn-b".to_owned()),
            Some("conn-c".to_owned()),
            Some("conn-d".to_owned())
        ]
    );
    assert!(matches!(
        maton.gumroad_with_connection(" ").unwrap_err(),
        Error::Config(_)
    ));
}

#[tokio::test]
async fn app_get_passes_query_and_custom_headers_through_and_returns_the_raw_response() {
    let server = MockServer::start().await;
    serve_raw(
        &server,
        "GET",
        "/google-mail/gmail/v1/users/me/messages",
        ResponseTemplate::new(200)
            .insert_header("x-upstream", "gmail")
            .set_body_raw(
                r#"{"messages":[{"id":"18c2"}],"resultSizeEstimate":1}"#,
                "application/json",
            ),
    )
    .await;
    fallback(&server).await;

    let response = client(&server)
        .app("google-mail")
        .get("/gmail/v1/users/me/messages?q=from:me is:unread")
        .query("maxResults", "5")
        .header("X-Request-Tag", "sync 42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.header("x-upstream"), Some("gmail"));
    assert_eq!(
        &response.body[..],
        br#"{"messages":[{"id":"18c2"}],"resultSizeEstimate":1}"#
    );
    let raw = server.received_requests().await.unwrap();
    assert_eq!(
        raw[0]
            .headers
            .get("x-request-tag")
            .and_then(|v| v.to_str().ok()),
        Some("sync 42")
    );
    let req = only_request(&server).await;
    assert_eq!(req.path, "/google-mail/gmail/v1/users/me/messages");
    assert_eq!(
        req.query,
        vec![
            ("q".to_owned(), "from:me is:unread".to_owned()),
            ("maxResults".to_owned(), "5".to_owned())
        ]
    );
    insta::assert_json_snapshot!(request_json(&req));
}

#[tokio::test]
async fn app_request_headers_are_forwarded() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/notion/v1/users/me"))
        .and(header("notion-version", "2022-06-28"))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(r#"{"object":"user"}"#, "application/json"),
        )
        .mount(&server)
        .await;
    fallback(&server).await;
    let v: serde_json::Value = client(&server)
        .app("notion")
        .get("/v1/users/me")
        .header("Notion-Version", "2022-06-28")
        .json()
        .await
        .unwrap();
    assert_eq!(v, json!({"object": "user"}));
}

#[tokio::test]
async fn app_post_json_body_and_json_decoding() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/slack/api/chat.postMessage"))
        .and(wiremock::matchers::body_json(
            json!({"channel": "C0123456789", "text": "Hello!"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"ok":true,"channel":"C0123456789","ts":"1712345678.000100"}"#,
            "application/json; charset=utf-8",
        ))
        .mount(&server)
        .await;
    fallback(&server).await;

    #[derive(serde::Deserialize, Debug)]
    struct Posted {
        ok: bool,
        ts: String,
    }
    let posted: Posted = client(&server)
        .app("slack")
        .post("/api/chat.postMessage")
        .json_body(&json!({"channel": "C0123456789", "text": "Hello!"}))
        .json()
        .await
        .unwrap();
    assert!(posted.ok);
    assert_eq!(posted.ts, "1712345678.000100");
    let req = only_request(&server).await;
    assert_eq!(
        req.headers.get("content-type").map(String::as_str),
        Some("application/json")
    );
    insta::assert_json_snapshot!(request_json(&req));
}

#[tokio::test]
async fn app_put_patch_delete_and_form_bodies() {
    let server = MockServer::start().await;
    for verb in ["PUT", "PATCH", "DELETE"] {
        serve_raw(
            &server,
            verb,
            "/gumroad/v2/products/A-m3CDDC5dlrSdKZp0RFhA==",
            ResponseTemplate::new(200).set_body_raw(r#"{"success":true}"#, "application/json"),
        )
        .await;
    }
    fallback(&server).await;
    let gumroad_raw = client(&server).app("gumroad");
    let id_path = "/v2/products/A-m3CDDC5dlrSdKZp0RFhA==";
    gumroad_raw
        .put(id_path)
        .form([("name", "Updated Name"), ("price", "1000")])
        .send()
        .await
        .unwrap();
    gumroad_raw
        .patch(id_path)
        .json_body(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    gumroad_raw.delete(id_path).send().await.unwrap();
    let all = requests(&server).await;
    let summary: Vec<_> = all
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("PUT", "/gumroad/v2/products/A-m3CDDC5dlrSdKZp0RFhA=="),
            ("PATCH", "/gumroad/v2/products/A-m3CDDC5dlrSdKZp0RFhA=="),
            ("DELETE", "/gumroad/v2/products/A-m3CDDC5dlrSdKZp0RFhA=="),
        ]
    );
    assert_eq!(all[0].form_value("name"), Some("Updated Name"));
    assert_eq!(all[0].form_value("price"), Some("1000"));
    assert_eq!(
        all[0].headers.get("content-type").map(String::as_str),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(all[1].json, Some(json!({"name": "x"})));
    assert!(all[2].body.is_empty());
}

#[tokio::test]
async fn app_path_segments_are_percent_encoded_and_trailing_slashes_kept() {
    let server = MockServer::start().await;
    fallback(&server).await;
    let slack = client(&server).app("podio");
    let _ = slack.get("/org/").send().await;
    let _ = slack.get("files/a b/ü#x").send().await;
    let _ = slack.get("").send().await;
    let paths: Vec<_> = requests(&server)
        .await
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(
        paths,
        vec!["/podio/org/", "/podio/files/a%20b/%C3%BC%23x", "/podio/"]
    );
}

#[tokio::test]
async fn bad_app_names_paths_and_headers_are_refused_before_any_request() {
    let server = MockServer::start().await;
    fallback(&server).await;
    let maton = client(&server);
    let too_long = "/a".repeat(maton_gateway::MAX_PATH_SEGMENTS + 1);
    let errors = vec![
        maton
            .app("../gumroad")
            .get("/v2/user")
            .send()
            .await
            .unwrap_err(),
        maton.app("").get("/v2/user").send().await.unwrap_err(),
        maton
            .app("slack")
            .get("/api/auth.test")
            .header("Authorization", "Bearer other")
            .send()
            .await
            .unwrap_err(),
        maton
            .app("slack")
            .get("/api/auth.test")
            .header("Host", "evil.example")
            .send()
            .await
            .unwrap_err(),
        maton
            .app("slack")
            .get("/x")
            .header("bad header", "v")
            .send()
            .await
            .unwrap_err(),
        maton.app("slack").get(too_long).send().await.unwrap_err(),
    ];
    for err in errors {
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    }
    assert!(maton.app("a/b").transport().is_err());
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn user_agent_is_the_crates() {
    let server = MockServer::start().await;
    serve(&server, "GET", "/gumroad/v2/user", "gumroad/user.json", 200).await;
    fallback(&server).await;
    client(&server).gumroad().user().get().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        req.headers.get("user-agent").map(String::as_str),
        Some(DEFAULT_USER_AGENT)
    );
    assert!(!DEFAULT_USER_AGENT.starts_with("PHP") && !DEFAULT_USER_AGENT.starts_with("WordPress"));
}

#[tokio::test]
async fn post_marked_safe_is_retried_and_plain_post_is_not() {
    let server = MockServer::start().await;
    serve_raw(
        &server,
        "POST",
        "/slack/api/conversations.list",
        ResponseTemplate::new(503).set_body_string("busy"),
    )
    .await;
    fallback(&server).await;
    let clock = clock();
    let maton = builder(&server, &clock).build().unwrap();
    let slack = maton.app("slack");
    slack
        .post("/api/conversations.list")
        .send()
        .await
        .unwrap_err();
    assert_eq!(requests(&server).await.len(), 1);
    slack
        .post("/api/conversations.list")
        .idempotency(Idempotency::Safe)
        .send()
        .await
        .unwrap_err();
    assert_eq!(requests(&server).await.len(), 4);
    assert_eq!(clock.sleeps().len(), 2);
}

#[tokio::test]
async fn app_raw_byte_bodies_pass_through_untouched() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/dropbox/2/files/upload"))
        .and(header("content-type", "application/octet-stream"))
        .and(wiremock::matchers::body_bytes(b"\x00\x01binary".to_vec()))
        .respond_with(ResponseTemplate::new(200).set_body_raw(r#"{"id":"f1"}"#, "application/json"))
        .expect(1)
        .mount(&server)
        .await;
    fallback(&server).await;
    let resp = client(&server)
        .app("dropbox")
        .post("/2/files/upload")
        .body("application/octet-stream", &b"\x00\x01binary"[..])
        .send()
        .await
        .unwrap();
    assert_eq!(&resp.body[..], br#"{"id":"f1"}"#);
}
