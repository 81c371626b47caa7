//! The connections control plane: every call, its outgoing request and its parsed result.

use creator_core::Error;
use maton_gateway::{
    AuthMethod, ConnectionStatus, CreateConnection, ListConnections, MatonErrorKind,
};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

#[tokio::test]
async fn list_filters_by_app_and_status_in_the_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/connections"))
        .and(query_param("app", "gumroad"))
        .and(query_param("status", "ACTIVE"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("maton/connections/list_gumroad_active.json"),
            "application/json",
        ))
        .mount(&server)
        .await;
    fallback(&server).await;

    let list = client(&server)
        .connections()
        .list(
            &ListConnections::new()
                .app("gumroad")
                .status(ConnectionStatus::Active),
        )
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].is_active());
    assert_eq!(list[0].authorization_url(), None);
    insta::assert_json_snapshot!(list);

    let req = only_request(&server).await;
    assert_eq!(
        req.query,
        vec![
            ("app".to_owned(), "gumroad".to_owned()),
            ("status".to_owned(), "ACTIVE".to_owned())
        ]
    );
    assert!(
        !req.headers.contains_key("maton-connection"),
        "the control plane is not proxied: no Maton-Connection"
    );
    insta::assert_json_snapshot!(request_json(&req));
}

#[tokio::test]
async fn list_without_filters_sends_no_query() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/connections",
        "maton/connections/list.json",
        200,
    )
    .await;
    fallback(&server).await;

    // Even with a default connection configured: /connections takes no Maton-Connection.
    let list = client_with_connection(&server)
        .connections()
        .list(&ListConnections::new())
        .await
        .unwrap();
    let summary: Vec<_> = list
        .iter()
        .map(|c| (c.app.clone(), c.status.clone(), c.method.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                Some("slack".into()),
                Some(ConnectionStatus::Active),
                Some(AuthMethod::OAuth2)
            ),
            (
                Some("gumroad".into()),
                Some(ConnectionStatus::Active),
                Some(AuthMethod::OAuth2)
            ),
            (
                Some("gumroad".into()),
                Some(ConnectionStatus::Pending),
                Some(AuthMethod::OAuth2)
            ),
        ]
    );
    assert_eq!(
        list[2].authorization_url(),
        Some("https://connect.maton.ai/?session_token=redacted-token-0c4f9a7e")
    );
    insta::assert_json_snapshot!(list);
    let req = only_request(&server).await;
    assert!(req.query.is_empty(), "{:?}", req.query);
    assert!(!req.headers.contains_key("maton-connection"));
    insta::assert_json_snapshot!(request_json(&req));
}

#[tokio::test]
async fn list_tolerates_unknown_status_method_nulls_and_extra_keys() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/connections",
        "maton/connections/list_unknown_values.json",
        200,
    )
    .await;
    fallback(&server).await;

    let list = client(&server)
        .connections()
        .list(&ListConnections::new())
        .await
        .unwrap();
    assert_eq!(
        list[0].status,
        Some(ConnectionStatus::Unknown("REVOKED".into()))
    );
    assert_eq!(
        list[0].method,
        Some(AuthMethod::Unknown("DEVICE_CODE".into()))
    );
    assert_eq!(list[0].last_updated_time, None);
    assert_eq!(list[1].status, Some(ConnectionStatus::Failed));
    assert_eq!(list[1].creation_time, None);
    insta::assert_json_snapshot!(list);
}

#[tokio::test]
async fn create_posts_app_and_method_as_json_and_returns_the_oauth_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connections"))
        .and(body_json(
            serde_json::json!({"app": "gumroad", "method": "OAUTH2"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("maton/connections/create_wrapped.json"),
            "application/json",
        ))
        .mount(&server)
        .await;
    fallback(&server).await;

    let created = client(&server)
        .connections()
        .create(&CreateConnection::new("gumroad").method(AuthMethod::OAuth2))
        .await
        .unwrap();
    assert_eq!(created.status, Some(ConnectionStatus::Pending));
    assert_eq!(
        created.authorization_url(),
        Some("https://connect.maton.ai/?session_token=redacted-token-0c4f9a7e")
    );
    insta::assert_json_snapshot!(created);

    let req = only_request(&server).await;
    assert_eq!(
        req.headers.get("content-type").map(String::as_str),
        Some("application/json")
    );
    insta::assert_json_snapshot!(request_json(&req));
}

#[tokio::test]
async fn create_without_method_omits_it_and_accepts_a_flat_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/connections"))
        .and(body_json(serde_json::json!({"app": "gumroad"})))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("maton/connections/create_flat.json"),
            "application/json",
        ))
        .mount(&server)
        .await;
    fallback(&server).await;

    let created = client(&server)
        .connections()
        .create(&CreateConnection::new("gumroad"))
        .await
        .unwrap();
    assert_eq!(
        created.connection_id,
        "9b2c7e55-0f14-4c3e-8d7a-52a1f0c3e9d4"
    );
    assert_eq!(created.status, Some(ConnectionStatus::Pending));
    assert_eq!(created.url, None, "get() the connection for its url");
    let req = only_request(&server).await;
    assert_eq!(req.json, Some(serde_json::json!({"app": "gumroad"})));
}

#[tokio::test]
async fn create_without_a_connection_id_is_a_decode_error_keeping_the_body() {
    let server = MockServer::start().await;
    serve_raw(
        &server,
        "POST",
        "/connections",
        ResponseTemplate::new(200).set_body_raw(r#"{"ok":true}"#, "application/json"),
    )
    .await;
    fallback(&server).await;
    let err = client(&server)
        .connections()
        .create(&CreateConnection::new("gumroad"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("connection_id"), "{err}");
    assert_eq!(err.raw_body().unwrap().as_bytes(), br#"{"ok":true}"#);
}

#[tokio::test]
async fn create_is_never_retried_because_a_repeat_would_create_a_second_connection() {
    let server = MockServer::start().await;
    serve_raw(
        &server,
        "POST",
        "/connections",
        ResponseTemplate::new(503).set_body_string("upstream unavailable"),
    )
    .await;
    fallback(&server).await;
    let clock = clock();
    let err = builder(&server, &clock)
        .build()
        .unwrap()
        .connections()
        .create(&CreateConnection::new("gumroad"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(requests(&server).await.len(), 1);
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn get_returns_the_connection_as_the_guide_shows_it() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        &format!("/connections/{CONNECTION}"),
        "maton/connections/get.json",
        200,
    )
    .await;
    fallback(&server).await;

    let c = client(&server).connections().get(CONNECTION).await.unwrap();
    assert_eq!(c.connection_id, CONNECTION);
    assert_eq!(c.method, None, "the guide's sample has no method");
    assert_eq!(c.metadata, Some(serde_json::json!({})));
    insta::assert_json_snapshot!(c);
    insta::assert_json_snapshot!(request_json(&only_request(&server).await));
}

#[tokio::test]
async fn get_pending_connection_gives_the_url_the_user_must_open() {
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/connections/9b2c7e55-0f14-4c3e-8d7a-52a1f0c3e9d4",
        "maton/connections/get_pending.json",
        200,
    )
    .await;
    fallback(&server).await;
    let c = client(&server)
        .connections()
        .get("9b2c7e55-0f14-4c3e-8d7a-52a1f0c3e9d4")
        .await
        .unwrap();
    assert_eq!(c.status, Some(ConnectionStatus::Pending));
    assert!(!c.is_active());
    assert_eq!(
        c.authorization_url(),
        Some("https://connect.maton.ai/?session_token=redacted-token-0c4f9a7e")
    );
}

#[tokio::test]
async fn get_encodes_the_id_as_one_path_segment() {
    let server = MockServer::start().await;
    fallback(&server).await;
    let err = client(&server)
        .connections()
        .get("../gumroad/v2/user?x=1")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(599), "{err}");
    let req = only_request(&server).await;
    assert_eq!(req.path, "/connections/..%2Fgumroad%2Fv2%2Fuser%3Fx=1");
    assert!(req.query.is_empty());
}

#[tokio::test]
async fn get_unknown_connection_is_not_found_from_maton() {
    let server = MockServer::start().await;
    serve_raw(
        &server,
        "GET",
        "/connections/nope",
        ResponseTemplate::new(404)
            .set_body_raw(r#"{"message":"Connection not found"}"#, "application/json"),
    )
    .await;
    fallback(&server).await;
    let err = client(&server).connections().get("nope").await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.provider(), Some(creator_core::Provider::Maton));
    assert_eq!(MatonErrorKind::of(&err), None);
    assert!(err.to_string().contains("Connection not found"), "{err}");
}

#[tokio::test]
async fn delete_sends_delete_and_accepts_an_empty_or_json_body() {
    for body in ["", r#"{"success":true}"#] {
        let server = MockServer::start().await;
        serve_raw(
            &server,
            "DELETE",
            &format!("/connections/{CONNECTION}"),
            ResponseTemplate::new(200).set_body_raw(body, "application/json"),
        )
        .await;
        fallback(&server).await;
        client(&server)
            .connections()
            .delete(CONNECTION)
            .await
            .unwrap();
        let req = only_request(&server).await;
        assert_eq!(req.method, "DELETE");
        insta::assert_json_snapshot!("delete_request", request_json(&req));
    }
}

#[tokio::test]
async fn empty_ids_and_app_names_are_refused_before_any_request() {
    let server = MockServer::start().await;
    fallback(&server).await;
    let maton = client(&server);
    for err in [
        maton.connections().get(" ").await.unwrap_err(),
        maton.connections().delete("").await.unwrap_err(),
        maton
            .connections()
            .create(&CreateConnection::new(""))
            .await
            .unwrap_err(),
    ] {
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn legacy_split_hosts_are_supported_through_configuration() {
    // gateway.maton.ai + ctrl.maton.ai, simulated by two path prefixes on one server.
    let server = MockServer::start().await;
    serve(
        &server,
        "GET",
        "/ctrl/connections",
        "maton/connections/list.json",
        200,
    )
    .await;
    serve(
        &server,
        "GET",
        "/gw/gumroad/v2/user",
        "gumroad/user.json",
        200,
    )
    .await;
    fallback(&server).await;
    let maton = builder(&server, &clock())
        .gateway_base_url(format!("{}/gw/", server.uri()))
        .control_base_url(format!("{}/ctrl", server.uri()))
        .build()
        .unwrap();
    assert_eq!(
        maton
            .connections()
            .list(&ListConnections::new())
            .await
            .unwrap()
            .len(),
        3
    );
    maton.gumroad().user().get().await.unwrap();
    let paths: Vec<_> = requests(&server)
        .await
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(paths, vec!["/ctrl/connections", "/gw/gumroad/v2/user"]);
}

#[test]
fn defaults_are_the_single_current_host() {
    let maton = maton_gateway::MatonClient::builder()
        .api_key(KEY)
        .build()
        .unwrap();
    assert_eq!(maton.control_base_url(), "https://api.maton.ai/");
    assert_eq!(maton.gateway_base_url(), "https://api.maton.ai");
    assert_eq!(
        maton.gumroad().transport().base_url().as_str(),
        "https://api.maton.ai/gumroad"
    );
    assert!(
        maton.rate_limiter().is_some(),
        "the limiter is on by default"
    );
}
