use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use creator_core::http::{Auth, Path, Response, ResponseClassifier, Transport};
use creator_core::retry::{Idempotency, Jitter, Method, RetryPolicy};
use creator_core::{Error, ManualClock, Provider};
use wiremock::matchers::{body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok_s3cr3t_value";

fn clock() -> ManualClock {
    ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000))
}

fn transport(server: &MockServer, clock: &ManualClock) -> Transport {
    Transport::builder(Provider::Gumroad, server.uri())
        .auth(Auth::bearer(TOKEN))
        .retry(RetryPolicy::default().with_jitter(Jitter::None))
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap()
}

#[tokio::test]
async fn retries_a_503_then_succeeds_sleeping_through_the_clock() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user"))
        .respond_with(ResponseTemplate::new(503).set_body_string("busy"))
        .up_to_n_times(2)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/user"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"ok":true}"#))
        .expect(1)
        .mount(&server)
        .await;
    let clock = clock();
    let resp = transport(&server, &clock)
        .get("/v2/user")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    // Full jitter switched off: 1 s then 2 s, taken from the clock, not a real sleep.
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(1), Duration::from_secs(2)]
    );
}

#[tokio::test]
async fn honours_retry_after_on_429_and_gives_up_after_three_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "7")
                .set_body_string("Retry later\n"),
        )
        .expect(3)
        .mount(&server)
        .await;
    let clock = clock();
    let err = transport(&server, &clock)
        .get("/v2/sales")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(7), Duration::from_secs(7)]
    );
    match err {
        Error::RateLimited {
            retry_after, body, ..
        } => {
            assert_eq!(retry_after, Some(Duration::from_secs(7)));
            assert_eq!(body.text(), "Retry later\n");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[tokio::test]
async fn does_not_retry_a_post_on_503() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).set_body_string("down"))
        .expect(1)
        .mount(&server)
        .await;
    let clock = clock();
    let err = transport(&server, &clock)
        .post("/v2/sales/x/resend_receipt")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn retries_a_post_marked_safe() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string("a=1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let clock = clock();
    let resp = transport(&server, &clock)
        .post("/v2/licenses/verify")
        .form([("a", "1")])
        .idempotency(Idempotency::Safe)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
}

#[tokio::test]
async fn times_out_per_attempt_and_reports_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let clock = clock();
    let t = Transport::builder(Provider::Gank, server.uri())
        .timeout(Duration::from_millis(100))
        .retry(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_jitter(Jitter::None),
        )
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let err = t.get("/slow").send().await.unwrap_err();
    match &err {
        Error::Timeout {
            after, attempts, ..
        } => {
            assert_eq!(*after, Duration::from_millis(100));
            assert_eq!(*attempts, 2);
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert!(err.is_retryable());
}

#[tokio::test]
async fn errors_keep_the_raw_body_even_when_it_is_html() {
    let server = MockServer::start().await;
    let html = "<!DOCTYPE html><html><body>We'll be right back.</body></html>";
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(520).set_body_raw(html, "text/html"))
        .mount(&server)
        .await;
    let clock = clock();
    let err = transport(&server, &clock)
        .get("/v2/products")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(520));
    assert_eq!(err.raw_body().unwrap().text(), html);
    assert!(!err.to_string().contains(TOKEN));
}

#[tokio::test]
async fn empty_401_and_403_become_unauthorized_and_forbidden() {
    let server = MockServer::start().await;
    Mock::given(path("/a"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(path("/b"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    let clock = clock();
    let t = transport(&server, &clock);
    assert!(matches!(
        t.get("/a").send().await,
        Err(Error::Unauthorized { status: 401, .. })
    ));
    assert!(matches!(
        t.get("/b").send().await,
        Err(Error::Forbidden { status: 403, .. })
    ));
}

#[tokio::test]
async fn token_travels_only_in_the_authorization_header() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(query_param("after", "2025-01-01"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(1)
        .mount(&server)
        .await;
    let clock = clock();
    let t = transport(&server, &clock);
    t.get("/v2/sales")
        .query("after", "2025-01-01")
        .send()
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let url = requests[0].url.to_string();
    assert!(!url.contains(TOKEN), "{url}");
    assert!(!format!("{t:?}").contains(TOKEN));
}

#[tokio::test]
async fn base_url_path_prefix_is_kept() {
    let server = MockServer::start().await;
    Mock::given(path("/gumroad/v2/products/A==%2Fx"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let t = Transport::builder(Provider::Maton, format!("{}/gumroad/", server.uri()))
        .build()
        .unwrap();
    t.get(Path::new("/v2/products/{}", &["A==/x"]))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn json_decode_errors_name_the_path_and_keep_the_body() {
    let server = MockServer::start().await;
    let body = r#"{"items":[{"n":1},{"n":"two"}]}"#;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(&server)
        .await;
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        n: u32,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct List {
        items: Vec<Item>,
    }
    let clock = clock();
    let err = transport(&server, &clock)
        .get("/x")
        .json::<List>()
        .await
        .unwrap_err();
    match err {
        Error::Decode { path, body, .. } => {
            assert_eq!(path, "items[1].n");
            assert_eq!(
                body.as_bytes(),
                r#"{"items":[{"n":1},{"n":"two"}]}"#.as_bytes()
            );
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[derive(Debug)]
struct SuccessFalse;

impl ResponseClassifier for SuccessFalse {
    fn classify(&self, provider: Provider, response: &Response) -> Option<Error> {
        let v: serde_json::Value = serde_json::from_slice(&response.body).ok()?;
        (v["success"] == false).then(|| Error::NotFound {
            provider,
            status: response.status,
            message: v["message"].as_str().unwrap_or_default().to_owned(),
            body: creator_core::RawBody::new(response.body.clone()),
        })
    }
}

#[tokio::test]
async fn the_classifier_hook_can_turn_a_200_into_an_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"success":false,"message":"The sale was not found."}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let t = Transport::builder(Provider::Gumroad, server.uri())
        .classifier(Arc::new(SuccessFalse))
        .build()
        .unwrap();
    let err = t.get("/v2/sales/x").send().await.unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(
        err.to_string(),
        "gumroad: not found: The sale was not found."
    );
}

#[test]
fn bad_base_urls_are_config_errors() {
    for bad in [
        "",
        "api.gumroad.com",
        "ftp://x",
        "https://user:pw@api.gumroad.com",
        "https://x/?access_token=t",
    ] {
        assert!(
            matches!(
                Transport::builder(Provider::Gumroad, bad).build(),
                Err(Error::Config(_))
            ),
            "{bad}"
        );
    }
    let bad_token = Transport::builder(Provider::Gumroad, "https://x")
        .auth(Auth::bearer("line\nbreak"))
        .build();
    assert!(matches!(bad_token, Err(Error::Config(_))));
}

#[tokio::test]
async fn raw_byte_bodies_are_sent_as_given() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(header("content-type", "application/octet-stream"))
        .and(body_string("\u{0}raw"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let clock = clock();
    transport(&server, &clock)
        .put("/upload")
        .body("application/octet-stream", &b"\0raw"[..])
        .send()
        .await
        .unwrap();
}

/// Labels a response whose body is `coded` with an error code, and turns a
/// body of `gone` into a not-found, whatever the status.
#[derive(Debug)]
struct Labels;

impl ResponseClassifier for Labels {
    fn classify(&self, provider: Provider, response: &Response) -> Option<Error> {
        let body = creator_core::RawBody::new(response.body.clone());
        match &response.body[..] {
            b"coded" => Some(Error::Api {
                provider,
                status: response.status,
                code: Some("product_id_required".into()),
                message: "coded".into(),
                body,
            }),
            b"gone" => Some(Error::NotFound {
                provider,
                status: response.status,
                message: "gone".into(),
                body,
            }),
            _ => None,
        }
    }
}

#[tokio::test]
async fn the_classified_error_decides_whether_a_request_is_sent_again() {
    // (method, status, body, requests sent)
    let table: &[(Method, u16, &str, usize)] = &[
        (Method::GET, 500, "oops", 3),
        (Method::GET, 500, "coded", 1),
        (Method::GET, 503, "coded", 3), // an outage is transient whatever its label
        (Method::GET, 503, "gone", 1),  // the classifier said permanent
        (Method::GET, 200, "gone", 1),
        (Method::GET, 429, "gone", 1),
        (Method::PUT, 500, "oops", 1), // an uncoded 500 is re-sent for GET only
        (Method::DELETE, 502, "oops", 3),
    ];
    for (verb, status, body, sent) in table {
        let server = MockServer::start().await;
        Mock::given(method(verb.as_str()))
            .respond_with(ResponseTemplate::new(*status).set_body_string(*body))
            .mount(&server)
            .await;
        let clock = clock();
        let t = Transport::builder(Provider::Gumroad, server.uri())
            .classifier(Arc::new(Labels))
            .retry(RetryPolicy::default().with_jitter(Jitter::None))
            .clock(Arc::new(clock.clone()))
            .build()
            .unwrap();
        let err = t.request(verb.clone(), "/x").send().await.unwrap_err();
        let requests = server.received_requests().await.unwrap().len();
        assert_eq!(requests, *sent, "{verb} {status} {body:?}: {err:?}");
        assert_eq!(
            clock.sleeps().len(),
            sent - 1,
            "{verb} {status} {body:?}: one sleep between attempts"
        );
        assert_eq!(
            err.is_retryable(),
            !matches!(*body, "coded" | "gone") || (*status == 503 && *body == "coded"),
            "{verb} {status} {body:?}: is_retryable agrees with what the transport did for a GET"
        );
    }
}

#[tokio::test]
async fn a_429_holds_back_every_clone_until_its_retry_after() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/sales"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "9"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/user"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{}"))
        .expect(2)
        .mount(&server)
        .await;
    let clock = clock();
    let first = Transport::builder(Provider::Gumroad, server.uri())
        .retry(RetryPolicy::default().with_max_attempts(1))
        .clock(Arc::new(clock.clone()))
        .build()
        .unwrap();
    let other = first.clone();
    let err = first.get("/v2/sales").send().await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
    assert!(clock.sleeps().is_empty(), "the 429 itself was not retried");
    // Another clone (another window of a listing) waits the 9 s out first …
    other.get("/v2/user").send().await.unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_secs(9)]);
    // … and its answer lifts the hold for everyone after it.
    first.get("/v2/user").send().await.unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_secs(9)]);
}
