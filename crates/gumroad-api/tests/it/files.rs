//! `/v2/files/*`, `/v2/direct_uploads`, `/v2/media`, and the streaming
//! multipart `Uploader` against a local presign → part → complete sequence.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use creator_core::Error;
use creator_core::retry::{Jitter, RetryPolicy};
use gumroad_api::upload::{Cleanup, UploadStage, Uploader};
use gumroad_api::{AbortStatus, CompletedPart, DirectUploadRequest, ImageSource};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::*;

const PART: u64 = 8;

/// A file of `len` bytes under the system temp dir, removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str, bytes: &[u8]) -> Self {
        let dir =
            std::env::temp_dir().join(format!("gumroad-api-it-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("build.zip");
        std::fs::write(&path, bytes).unwrap();
        Self(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.0.parent().unwrap());
    }
}

/// A direct-upload answer as `Api::V2::DirectUploadsController` renders it
/// (the blob's `as_json` plus `direct_upload`). Kept inline: it has no
/// `success` key, which `cargo xtask fixtures check` requires of a fixture.
const DIRECT_UPLOAD: &str = r#"{"id":98765,"key":"redacted-key-k9d8s7a6","filename":"cover.png","content_type":"image/png","metadata":{},"service_name":"amazon_public","byte_size":11,"checksum":"XrY7u+Ae7tCTyyK7j1rNww==","created_at":"2026-03-01T12:00:00.000Z","signed_id":"eyJfcmFpbHMiOnsiZGF0YSI6OTg3NjV9fQ==--blobsig","direct_upload":{"url":"https://files.example/direct/k9d8s7a6?X-Amz-Signature=dsig","headers":{"Content-Type":"image/png","Content-MD5":"XrY7u+Ae7tCTyyK7j1rNww==","Content-Disposition":"inline; filename=\"cover.png\""}}}"#;

/// 20 bytes: three parts of 8, 8 and 4.
const BYTES: &[u8] = b"abcdefghijklmnopqrst";

async fn mount_presign(server: &MockServer) {
    let body = String::from_utf8(fixture("files_presign_upload_template.json"))
        .unwrap()
        .replace("STORAGE", &server.uri());
    Mock::given(method("POST"))
        .and(path("/v2/files/presign"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(server)
        .await;
}

async fn mount_part(server: &MockServer, n: &str, response: ResponseTemplate, times: Option<u64>) {
    let mock = Mock::given(method("PUT"))
        .and(path("/s3/build.zip"))
        .and(query_param("partNumber", n))
        .respond_with(response);
    match times {
        Some(t) => mock.up_to_n_times(t).mount(server).await,
        None => mock.mount(server).await,
    }
}

/// Answers `POST /v2/files/abort` with the fixture `name`.
async fn serve_abort(server: &MockServer, name: &str) {
    serve(server, "POST", "/v2/files/abort", name).await;
}

/// Storage's XML error answer `fixtures/gumroad/<name>` with `status`.
fn s3_error(status: u16, name: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(fixture(name), "application/xml")
}

fn etag(tag: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).insert_header("ETag", format!("\"{tag}\""))
}

fn uploader(client: &gumroad_api::GumroadClient) -> Uploader<'_> {
    Uploader::new(client)
        .part_size(PART)
        .allow_insecure_urls(true)
        .retry(RetryPolicy::default().with_jitter(Jitter::None))
}

/// True when the server saw a request to `route`.
async fn was_sent(server: &MockServer, route: &str) -> bool {
    creator_testkit::MockServerExt::recorded(server)
        .await
        .iter()
        .any(|r| r.path == route)
}

/// Requests to the API (not to storage), checked for the bearer header.
async fn api_requests(server: &MockServer) -> Vec<creator_testkit::RecordedRequest> {
    creator_testkit::MockServerExt::recorded(server)
        .await
        .into_iter()
        .filter(|r| r.path.starts_with("/v2/"))
        .inspect(|r| {
            assert_eq!(r.bearer(), Some(TOKEN));
            r.assert_not_leaked(TOKEN);
        })
        .collect()
}

#[tokio::test]
async fn upload_streams_each_part_retries_a_failed_one_and_completes_with_the_etags() {
    let server = server().await;
    mount_presign(&server).await;
    mount_part(&server, "1", etag("e1"), None).await;
    // Part 2 fails once with S3's 500 InternalError, then succeeds.
    mount_part(
        &server,
        "2",
        s3_error(500, "s3_internal_error_500.xml"),
        Some(1),
    )
    .await;
    mount_part(&server, "2", etag("e2"), None).await;
    mount_part(&server, "3", etag("e3"), None).await;
    serve(&server, "POST", "/v2/files/complete", "files_complete.json").await;

    let file = TempFile::new("ok", BYTES);
    let clock = clock();
    let client = client_with_clock(&server, &clock);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let uploaded = uploader(&client)
        .progress(move |p| {
            record
                .lock()
                .unwrap()
                .push((p.uploaded, p.parts_done, p.total))
        })
        .upload_file(&file.0)
        .await
        .unwrap();
    assert_eq!(
        uploaded.file_url.as_deref(),
        Some(
            "https://files.example/attachments/G_-mnBf9b1j9A7a4ub4nFQ==/9f2c1b7d6e4a/original/course.pdf"
        )
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [(8, 1, 20), (16, 2, 20), (20, 3, 20)]
    );
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(1)],
        "one backoff, on the clock"
    );

    let all = creator_testkit::MockServerExt::recorded(&server).await;
    let storage: Vec<_> = all.iter().filter(|r| r.path == "/s3/build.zip").collect();
    let bodies: Vec<(&str, &str)> = storage
        .iter()
        .map(|r| (r.query_value("partNumber").unwrap(), r.body.as_str()))
        .collect();
    assert_eq!(
        bodies,
        [
            ("1", "abcdefgh"),
            ("2", "ijklmnop"),
            ("2", "ijklmnop"),
            ("3", "qrst")
        ],
        "each part's exact byte range, re-read from disk on the retry"
    );
    for r in &storage {
        assert_eq!(
            r.authorization, None,
            "the Gumroad token never goes to storage"
        );
        assert_eq!(r.method, "PUT");
        assert_eq!(
            r.header_values("content-length"),
            [r.body.len().to_string()],
            "S3 takes a part only with its exact length"
        );
        assert!(
            r.header_values("transfer-encoding").is_empty(),
            "never chunked: {:?}",
            r.all_headers
        );
    }

    let api = api_requests(&server).await;
    assert_eq!(api.len(), 2);
    assert_eq!(
        pairs(&api[0].form),
        [("filename", "build.zip"), ("file_size", "20")]
    );
    assert_eq!(api[1].path, "/v2/files/complete");
    assert_eq!(
        api[1].json,
        Some(serde_json::json!({
            "upload_id": "up_3parts",
            "key": "redacted-key-0a1b2c3d",
            "parts": [
                {"part_number": 1, "etag": "e1"},
                {"part_number": 2, "etag": "e2"},
                {"part_number": 3, "etag": "e3"}
            ]
        }))
    );
}

#[tokio::test]
async fn a_part_that_keeps_failing_aborts_the_upload() {
    let server = server().await;
    mount_presign(&server).await;
    mount_part(&server, "1", etag("e1"), None).await;
    mount_part(&server, "2", ResponseTemplate::new(503), None).await;
    serve_abort(&server, "files_abort_accepted.json").await;
    let file = TempFile::new("abort", BYTES);
    let clock = clock();
    let client = client_with_clock(&server, &clock);
    let failure = uploader(&client).upload_file(&file.0).await.unwrap_err();
    assert_eq!(failure.stage, UploadStage::Parts);
    assert!(matches!(
        failure.cleanup,
        Cleanup::Aborted(AbortStatus::Accepted)
    ));
    assert!(
        matches!(&failure.error, Error::Api { status: 503, code: Some(c), .. } if c == "storage_rejected")
    );
    let pending = failure.pending.as_ref().unwrap();
    assert_eq!(pending.parts, [CompletedPart::new(1, "e1")]);
    assert_eq!(
        clock.sleeps(),
        [1, 2, 1, 1].map(Duration::from_secs).to_vec(),
        "two part backoffs, then a pause between aborts"
    );
    let api = api_requests(&server).await;
    let paths: Vec<_> = api.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/v2/files/presign",
            "/v2/files/abort",
            "/v2/files/abort",
            "/v2/files/abort"
        ],
        "never completed; abort sent three times at most while it says accepted"
    );
    assert_eq!(
        pairs(&api[1].form),
        [("upload_id", "up_3parts"), ("key", "redacted-key-0a1b2c3d")]
    );
    let storage = creator_testkit::MockServerExt::recorded(&server)
        .await
        .into_iter()
        .filter(|r| r.query_value("partNumber") == Some("3"))
        .count();
    assert_eq!(storage, 0, "parts after the failed one are not sent");
}

#[tokio::test]
async fn an_expired_part_url_is_not_retried_and_the_upload_is_aborted() {
    let server = server().await;
    mount_presign(&server).await;
    mount_part(&server, "1", s3_error(403, "s3_expired_403.xml"), None).await;
    serve_abort(&server, "files_abort_already_gone.json").await;
    let file = TempFile::new("expired", BYTES);
    let clock = clock();
    let client = client_with_clock(&server, &clock);
    let failure = uploader(&client).upload_file(&file.0).await.unwrap_err();
    assert!(matches!(&failure.error, Error::Api { code: Some(c), .. } if c == "presign_expired"));
    assert!(matches!(
        failure.cleanup,
        Cleanup::Aborted(AbortStatus::AlreadyGone)
    ));
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn an_ambiguous_complete_is_not_aborted_and_keeps_the_manifest() {
    let server = server().await;
    mount_presign(&server).await;
    for n in ["1", "2", "3"] {
        mount_part(&server, n, etag(&format!("e{n}")), None).await;
    }
    serve_raw(
        &server,
        "POST",
        "/v2/files/complete",
        ResponseTemplate::new(502),
    )
    .await;
    let file = TempFile::new("ambiguous", BYTES);
    let client = client(&server);
    let failure = uploader(&client).upload_file(&file.0).await.unwrap_err();
    assert_eq!(failure.stage, UploadStage::Complete);
    assert!(matches!(failure.cleanup, Cleanup::Skipped));
    assert_eq!(failure.pending.as_ref().unwrap().parts.len(), 3);
    assert!(failure.to_string().contains("may have completed"));
    let paths: Vec<_> = api_requests(&server)
        .await
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(
        paths,
        ["/v2/files/presign", "/v2/files/complete"],
        "complete sent once, no abort"
    );
}

#[tokio::test]
async fn a_rejected_complete_is_aborted() {
    let server = server().await;
    mount_presign(&server).await;
    for n in ["1", "2", "3"] {
        mount_part(&server, n, etag(&format!("e{n}")), None).await;
    }
    serve_status(
        &server,
        "POST",
        "/v2/files/complete",
        "files_complete_invalid_key_400.json",
        400,
        "application/json",
    )
    .await;
    serve_abort(&server, "files_abort_accepted.json").await;
    let file = TempFile::new("rejected", BYTES);
    let client = client(&server);
    let failure = uploader(&client).upload_file(&file.0).await.unwrap_err();
    assert!(matches!(failure.cleanup, Cleanup::Aborted(_)));
    assert!(
        matches!(&failure.error, Error::Api { status: 400, message, .. } if message == "invalid key")
    );
}

#[tokio::test]
async fn presign_answers_that_do_not_fit_the_file_or_are_not_https_are_refused() {
    // Default uploader: 100 MiB parts and https only, against a 3-part http answer.
    let server = server().await;
    mount_presign(&server).await;
    serve_abort(&server, "files_abort_accepted.json").await;
    let file = TempFile::new("mismatch", BYTES);
    let client = client(&server);
    let failure = Uploader::new(&client)
        .upload_file(&file.0)
        .await
        .unwrap_err();
    assert_eq!(failure.stage, UploadStage::Presign);
    assert!(
        matches!(failure.error, Error::Decode { .. }),
        "{:?}",
        failure.error
    );
    assert!(matches!(failure.cleanup, Cleanup::Aborted(_)));
    let failure = Uploader::new(&client)
        .part_size(PART)
        .upload_file(&file.0)
        .await
        .unwrap_err();
    assert!(
        failure.error.to_string().contains("not https"),
        "{}",
        failure.error
    );
    assert!(
        !was_sent(&server, "/s3/build.zip").await,
        "no bytes sent in clear text"
    );
}

#[tokio::test]
async fn missing_and_empty_files_fail_before_any_request() {
    let server = server().await;
    let client = client(&server);
    let missing = uploader(&client)
        .upload_file("/nonexistent/gumroad/build.zip")
        .await
        .unwrap_err();
    assert_eq!(missing.stage, UploadStage::Prepare);
    let empty = TempFile::new("empty", b"");
    let failure = uploader(&client).upload_file(&empty.0).await.unwrap_err();
    assert!(matches!(failure.error, Error::InvalidInput(_)));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn presign_complete_and_abort_endpoints_on_their_own() {
    let server = server().await;
    serve(&server, "POST", "/v2/files/presign", "files_presign.json").await;
    serve(&server, "POST", "/v2/files/complete", "files_complete.json").await;
    serve_abort(&server, "files_abort_already_gone.json").await;
    let c = client(&server);
    let presigned = c
        .files()
        .presign("course.pdf", 150 * 1024 * 1024)
        .await
        .unwrap();
    assert_eq!(presigned.parts.len(), 2);
    assert!(
        !format!("{presigned:?}").contains("X-Amz-Signature"),
        "signed URLs are not printed"
    );
    let done = c
        .files()
        .complete(
            presigned.upload_id.as_deref().unwrap(),
            presigned.key.as_deref().unwrap(),
            &[
                CompletedPart::new(1, "9b2cf535"),
                CompletedPart::new(2, "a1b2c3"),
            ],
        )
        .await
        .unwrap();
    assert!(done.file_url.unwrap().ends_with("/original/course.pdf"));
    assert_eq!(
        c.files().abort("u", "k").await.unwrap(),
        AbortStatus::AlreadyGone
    );
    let reqs = requests(&server).await;
    assert_eq!(reqs[0].form_value("file_size"), Some("157286400"));
    assert_eq!(
        reqs[1].headers.get("content-type").map(String::as_str),
        Some("application/json")
    );
    assert!(
        c.files().presign("x", 0).await.is_err()
            && c.files().complete("u", "k", &[]).await.is_err(),
        "checked locally"
    );
}

#[tokio::test]
async fn presign_400_is_the_status_error_shape_and_abort_is_retried_but_complete_is_not() {
    let server = server().await;
    serve_status(
        &server,
        "POST",
        "/v2/files/presign",
        "files_presign_missing_filename_400.json",
        400,
        "application/json",
    )
    .await;
    serve_raw(
        &server,
        "POST",
        "/v2/files/abort",
        ResponseTemplate::new(503),
    )
    .await;
    serve_raw(
        &server,
        "POST",
        "/v2/files/complete",
        ResponseTemplate::new(503),
    )
    .await;
    let clock = clock();
    let c = client_with_clock(&server, &clock);
    let err = c.files().presign("a.pdf", 10).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, message, .. } if message == "filename is required")
    );
    c.files().abort("u", "k").await.unwrap_err();
    c.files()
        .complete("u", "k", &[CompletedPart::new(1, "e")])
        .await
        .unwrap_err();
    let paths = request_paths(&server).await;
    assert_eq!(
        paths,
        [
            "/v2/files/presign",
            "/v2/files/abort",
            "/v2/files/abort",
            "/v2/files/abort",
            "/v2/files/complete"
        ]
    );
}

/// Serves `DIRECT_UPLOAD` (its storage URL pointed at `server`) with the
/// `direct_upload.headers` replaced by `headers`.
async fn mount_direct_upload(server: &MockServer, headers: serde_json::Value) {
    let mut body: serde_json::Value = serde_json::from_str(DIRECT_UPLOAD).unwrap();
    body["direct_upload"]["url"] =
        format!("{}/direct/k9d8s7a6?X-Amz-Signature=dsig", server.uri()).into();
    body["direct_upload"]["headers"] = headers;
    Mock::given(method("POST"))
        .and(path("/v2/direct_uploads"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.to_string(), "application/json"))
        .mount(server)
        .await;
}

/// Answers the direct upload's storage `PUT`.
async fn mount_direct_put(server: &MockServer, response: ResponseTemplate) {
    Mock::given(method("PUT"))
        .and(path("/direct/k9d8s7a6"))
        .respond_with(response)
        .mount(server)
        .await;
}

/// Asserts every header line of the storage `PUT` (each value of a
/// repeated header on its own), sorted, without the ones the HTTP client
/// adds on its own.
fn assert_storage_headers(r: &creator_testkit::RecordedRequest, expected: &[(&str, &str)]) {
    let mut lines: Vec<(&str, &str)> = r
        .all_headers
        .iter()
        .filter(|(n, _)| !matches!(n.as_str(), "host" | "accept"))
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    lines.sort();
    assert_eq!(lines, expected);
}

#[tokio::test]
async fn direct_upload_reserves_the_blob_then_puts_the_bytes_with_its_headers() {
    let server = server().await;
    let headers: serde_json::Value = serde_json::from_str::<serde_json::Value>(DIRECT_UPLOAD)
        .unwrap()["direct_upload"]["headers"]
        .clone();
    mount_direct_upload(&server, headers).await;
    mount_direct_put(&server, ResponseTemplate::new(200)).await;
    let file = TempFile::new("direct", b"hello world");
    let client = client(&server);
    let reserved = uploader(&client)
        .upload_direct(&file.0, "image/png", true)
        .await
        .unwrap();
    assert_eq!(
        reserved.signed_id.as_deref(),
        Some("eyJfcmFpbHMiOnsiZGF0YSI6OTg3NjV9fQ==--blobsig")
    );
    assert!(!format!("{reserved:?}").contains("dsig"));
    let all = creator_testkit::MockServerExt::recorded(&server).await;
    assert_eq!(all.len(), 2);
    assert_eq!(
        pairs(&all[0].form),
        [
            ("purpose", "media"),
            ("blob[filename]", "build.zip"),
            ("blob[byte_size]", "11"),
            ("blob[checksum]", "XrY7u+Ae7tCTyyK7j1rNww=="),
            ("blob[content_type]", "image/png"),
        ],
        "MD5 of `hello world`, base64"
    );
    assert_eq!(all[1].body, "hello world");
    assert_eq!(all[1].authorization, None);
    // Each header exactly once: S3 signs Content-Type and Content-MD5, and a
    // second copy of either breaks the signature.
    assert_storage_headers(
        &all[1],
        &[
            ("content-disposition", "inline; filename=\"cover.png\""),
            ("content-length", "11"),
            ("content-md5", "XrY7u+Ae7tCTyyK7j1rNww=="),
            ("content-type", "image/png"),
        ],
    );
}

#[tokio::test]
async fn direct_upload_headers_from_the_server_win_and_defaults_fill_only_what_is_absent() {
    let server = server().await;
    // The server's casing and value for Content-Type, no Content-MD5.
    mount_direct_upload(
        &server,
        serde_json::json!({"content-type": "image/png; charset=binary", "x-amz-meta-origin": "gumroad"}),
    )
    .await;
    mount_direct_put(&server, ResponseTemplate::new(200)).await;
    let file = TempFile::new("direct-defaults", b"hello world");
    let client = client(&server);
    uploader(&client)
        .upload_direct(&file.0, "image/png", false)
        .await
        .unwrap();
    let all = creator_testkit::MockServerExt::recorded(&server).await;
    assert_storage_headers(
        &all[1],
        &[
            ("content-length", "11"),
            ("content-md5", "XrY7u+Ae7tCTyyK7j1rNww=="),
            ("content-type", "image/png; charset=binary"),
            ("x-amz-meta-origin", "gumroad"),
        ],
    );
}

#[tokio::test]
async fn a_direct_upload_header_that_cannot_be_sent_is_a_clear_error_before_any_bytes() {
    let server = server().await;
    mount_direct_upload(&server, serde_json::json!({"bad header": "x"})).await;
    let file = TempFile::new("direct-bad-header", b"hello world");
    let client = client(&server);
    let err = uploader(&client)
        .upload_direct(&file.0, "image/png", false)
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("bad header"), "{err}");
    assert!(
        !was_sent(&server, "/direct/k9d8s7a6").await,
        "nothing sent to storage"
    );
}

#[tokio::test]
async fn direct_upload_storage_put_honours_retry_after_and_reports_timeouts_as_timeouts() {
    let server = server().await;
    mount_direct_upload(&server, serde_json::json!({})).await;
    Mock::given(method("PUT"))
        .and(path("/direct/k9d8s7a6"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "7"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    mount_direct_put(&server, ResponseTemplate::new(200)).await;
    let file = TempFile::new("direct-retry", b"hello world");
    let clock = clock();
    let client = client_with_clock(&server, &clock);
    uploader(&client)
        .upload_direct(&file.0, "image/png", false)
        .await
        .unwrap();
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(7)],
        "the storage's Retry-After, not the default backoff"
    );

    let slow = crate::common::server().await;
    mount_direct_upload(&slow, serde_json::json!({})).await;
    mount_direct_put(
        &slow,
        ResponseTemplate::new(200).set_delay(Duration::from_secs(5)),
    )
    .await;
    let client = crate::common::client(&slow);
    let err = uploader(&client)
        .part_timeout(Duration::from_millis(100))
        .upload_direct(&file.0, "image/png", false)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { attempts: 3, .. }), "{err:?}");
}

#[tokio::test]
async fn storage_redirects_are_not_followed() {
    let server = server().await;
    mount_presign(&server).await;
    mount_part(
        &server,
        "1",
        ResponseTemplate::new(303).insert_header("Location", format!("{}/elsewhere", server.uri())),
        None,
    )
    .await;
    // A 303 turns the PUT into a body-less GET; what a followed redirect would
    // reach answers it with an ETag, as if the part had been stored.
    Mock::given(method("GET"))
        .and(path("/elsewhere"))
        .respond_with(etag("not-a-part"))
        .mount(&server)
        .await;
    serve_abort(&server, "files_abort_already_gone.json").await;
    let file = TempFile::new("redirect", BYTES);
    let client = client(&server);
    let failure = uploader(&client).upload_file(&file.0).await.unwrap_err();
    assert!(
        matches!(&failure.error, Error::Api { status: 303, code: Some(c), .. } if c == "storage_rejected"),
        "{:?}",
        failure.error
    );
    assert!(
        !was_sent(&server, "/elsewhere").await,
        "the redirect was not followed"
    );
}

#[tokio::test]
async fn storage_error_bodies_are_bounded_and_keep_no_signature_material() {
    let server = server().await;
    mount_presign(&server).await;
    mount_part(
        &server,
        "1",
        s3_error(403, "s3_signature_mismatch_403.xml"),
        None,
    )
    .await;
    // Part 2 never comes: part 1 is refused for good (a 403 is not retried).
    serve_abort(&server, "files_abort_already_gone.json").await;
    let file = TempFile::new("signature", BYTES);
    let client = client(&server);
    let failure = uploader(&client).upload_file(&file.0).await.unwrap_err();
    let body = failure.error.raw_body().unwrap().text().into_owned();
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );
    for secret in [
        "redacted-signature-5f4dcc3b",
        "redacted-session-token-7e2b",
        "redacted-hash-9f2c1b7d",
    ] {
        assert!(!body.contains(secret), "{secret} kept in {body}");
        assert!(!format!("{failure:?}").contains(secret));
    }

    let huge = crate::common::server().await;
    mount_presign(&huge).await;
    let big = format!(
        "<Error><Code>SlowDown</Code>{}</Error>",
        "x".repeat(1 << 20)
    );
    mount_part(
        &huge,
        "1",
        ResponseTemplate::new(400).set_body_raw(big, "application/xml"),
        None,
    )
    .await;
    serve(
        &huge,
        "POST",
        "/v2/files/abort",
        "files_abort_already_gone.json",
    )
    .await;
    let client = crate::common::client(&huge);
    let failure = uploader(&client).upload_file(&file.0).await.unwrap_err();
    let kept = failure.error.raw_body().unwrap().as_bytes().len();
    assert!(kept <= 4096, "{kept} bytes of a 1 MiB error body kept");
}

#[tokio::test]
async fn abort_is_repeated_while_storage_says_accepted() {
    let server = server().await;
    mount_presign(&server).await;
    mount_part(&server, "1", s3_error(403, "s3_expired_403.xml"), None).await;
    Mock::given(method("POST"))
        .and(path("/v2/files/abort"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("files_abort_accepted.json"), "application/json"),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    serve_abort(&server, "files_abort_already_gone.json").await;
    let file = TempFile::new("abort-again", BYTES);
    let clock = clock();
    let client = client_with_clock(&server, &clock);
    let failure = uploader(&client).upload_file(&file.0).await.unwrap_err();
    assert!(matches!(
        failure.cleanup,
        Cleanup::Aborted(AbortStatus::AlreadyGone)
    ));
    let aborts = api_requests(&server)
        .await
        .iter()
        .filter(|r| r.path == "/v2/files/abort")
        .count();
    assert_eq!(aborts, 2, "accepted, then already_gone");
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(1)],
        "a pause between the two"
    );
}

#[tokio::test]
async fn a_presign_answer_that_does_not_decode_but_names_the_upload_is_aborted() {
    let server = server().await;
    // Invented to stand in for a malformed answer: the upload was opened
    // (upload_id and key are there) but a part number is not a number.
    Mock::given(method("POST"))
        .and(path("/v2/files/presign"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"success":true,"upload_id":"up_broken","key":"redacted-key-0a1b2c3d","parts":[{"part_number":"one","presigned_url":"https://files.example/s3/x?X-Amz-Signature=z"}]}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    serve_abort(&server, "files_abort_already_gone.json").await;
    let file = TempFile::new("presign-broken", BYTES);
    let client = client(&server);
    let failure = uploader(&client).upload_file(&file.0).await.unwrap_err();
    assert_eq!(failure.stage, UploadStage::Presign);
    assert!(
        matches!(failure.error, Error::Decode { .. }),
        "{:?}",
        failure.error
    );
    assert!(
        matches!(failure.cleanup, Cleanup::Aborted(AbortStatus::AlreadyGone)),
        "{:?}",
        failure.cleanup
    );
    let api = api_requests(&server).await;
    assert_eq!(api[1].path, "/v2/files/abort");
    assert_eq!(api[1].form_value("upload_id"), Some("up_broken"));
    assert!(failure.pending.is_some());
    // The error keeps the answer, but not the write access its URLs grant.
    assert!(
        !format!("{failure:?}").contains("X-Amz-Signature"),
        "{failure:?}"
    );
    assert!(
        !failure
            .error
            .raw_body()
            .unwrap()
            .text()
            .contains("X-Amz-Signature")
    );
}

#[tokio::test]
async fn direct_upload_endpoint_rejects_other_content_types_with_the_400_shape() {
    let server = server().await;
    serve_status(
        &server,
        "POST",
        "/v2/direct_uploads",
        "direct_upload_bad_type_400.json",
        400,
        "application/json",
    )
    .await;
    let err = client(&server)
        .files()
        .direct_upload(&DirectUploadRequest::new(
            "a.svg",
            10,
            "c2lnbg==",
            "image/svg+xml",
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, message, .. } if message.starts_with("content_type must be"))
    );
    assert_eq!(requests(&server).await[0].form_value("purpose"), None);
}

#[tokio::test]
async fn media_library_list_create_delete() {
    let server = server().await;
    serve(&server, "GET", "/v2/media", "media_list.json").await;
    serve(&server, "POST", "/v2/media", "media_created.json").await;
    serve(
        &server,
        "DELETE",
        "/v2/media/k7m2q9x4tb1zn6dw",
        "media_deleted.json",
    )
    .await;
    let c = client(&server);
    let media = c.media().list().await.unwrap();
    assert_eq!(media.len(), 2);
    assert_eq!(media[1].file_size, None);
    let created = c
        .media()
        .create(
            &ImageSource::Url("https://example.com/logo.png".into()),
            Some("logo"),
        )
        .await
        .unwrap();
    c.media().delete("k7m2q9x4tb1zn6dw").await.unwrap();
    let reqs = requests(&server).await;
    assert_eq!(
        pairs(&reqs[1].form),
        [("url", "https://example.com/logo.png"), ("name", "logo")]
    );
    assert_eq!(reqs[2].method, "DELETE");
    insta::assert_json_snapshot!(exchange(
        &reqs[0],
        &serde_json::json!({"list": media, "created": created})
    ));
}

#[tokio::test]
async fn media_errors_rejected_inactive_account_and_missing_scope() {
    let server = server().await;
    serve(&server, "POST", "/v2/media", "media_rejected.json").await;
    let c = client(&server);
    let err = c
        .media()
        .create(&ImageSource::SignedBlobId("blob".into()), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message.contains("not a supported image"))
    );

    let inactive = crate::common::server().await;
    serve_status(
        &inactive,
        "POST",
        "/v2/media",
        "media_inactive_403.json",
        403,
        "application/json",
    )
    .await;
    let err = client(&inactive)
        .media()
        .create(&ImageSource::Url("https://example.com/a.png".into()), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden { status: 403, message, .. } if message == "Your account is not active.")
    );

    let scope = crate::common::server().await;
    serve_raw(&scope, "GET", "/v2/media", ResponseTemplate::new(403)).await;
    let err = client(&scope).media().list().await.unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden { message, .. } if message.is_empty()),
        "{err:?}"
    );
}
