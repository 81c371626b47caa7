use creator_core::Provider;
use creator_core::http::{Auth, Transport};
use creator_testkit::{MockServerExt, mount_fallback};
use wiremock::MockServer;

#[tokio::test]
async fn fallback_names_the_unmatched_request() {
    let server = MockServer::start().await;
    server
        .mount_fixture("GET", "/known", "README.md", 200, "text/plain")
        .await;
    mount_fallback(&server).await;
    let t = Transport::builder(Provider::Other("test"), server.uri())
        .build()
        .unwrap();
    assert_eq!(t.get("/known").send().await.unwrap().status, 200);
    let err = t
        .get("/v2/missing")
        .query("a", "b")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(creator_testkit::mock::FALLBACK_STATUS));
    let shown = err.to_string();
    assert!(
        shown.contains("no mock matched: GET") && shown.contains("/v2/missing?a=b"),
        "{shown}"
    );
}

#[tokio::test]
async fn recorded_requests_decode_forms_and_redact_authorization() {
    let server = MockServer::start().await;
    mount_fallback(&server).await;
    let t = Transport::builder(Provider::Other("test"), server.uri())
        .auth(Auth::bearer("tok_123"))
        .build()
        .unwrap();
    let _ = t
        .put("/v2/x")
        .form([("tags[]", "a b"), ("tags[]", "c")])
        .send()
        .await;
    let recorded = server.recorded().await;
    assert_eq!(recorded.len(), 1);
    let r = &recorded[0];
    assert_eq!(r.method, "PUT");
    assert_eq!(
        r.form,
        [
            ("tags[]".to_owned(), "a b".to_owned()),
            ("tags[]".to_owned(), "c".to_owned())
        ]
    );
    assert_eq!(r.bearer(), Some("tok_123"));
    r.assert_not_leaked("tok_123");
    let json = serde_json::to_string(r).unwrap();
    assert!(
        !json.contains("tok_123") && json.contains("Bearer [redacted]"),
        "{json}"
    );
}

#[tokio::test]
async fn every_value_of_a_repeated_header_is_recorded_and_authorization_stays_redacted() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let server = MockServer::start().await;
    mount_fallback(&server).await;
    // A raw request: HTTP clients merge or refuse repeated headers, servers see them as sent.
    let mut stream = tokio::net::TcpStream::connect(server.address())
        .await
        .unwrap();
    stream
        .write_all(
            b"PUT /s3/part HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n\
              Content-Type: application/octet-stream\r\nAuthorization: Bearer tok_456\r\n\
              Content-Length: 2\r\nConnection: close\r\n\r\nhi",
        )
        .await
        .unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let recorded = server.recorded().await;
    let r = &recorded[0];
    assert_eq!(
        r.header_values("Content-Type"),
        ["image/png", "application/octet-stream"]
    );
    assert_eq!(
        r.headers.get("content-type").map(String::as_str),
        Some("image/png"),
        "the map keeps the first value only"
    );
    assert_eq!(r.header_values("content-length"), ["2"]);
    assert_eq!(r.header_values("authorization"), ["[redacted]"]);
    assert!(r.header_values("transfer-encoding").is_empty());
    assert!(
        !r.all_headers.iter().any(|(_, v)| v.contains("tok_456")),
        "{:?}",
        r.all_headers
    );
}
