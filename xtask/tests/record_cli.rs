//! `cargo xtask fixtures record` end to end: the real binary, its flags, a
//! wiremock server standing in for Gumroad (`--base-url`), redaction on disk,
//! and the refusals.

use std::process::Command;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn xtask() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
}

#[tokio::test]
async fn record_through_the_binary_writes_redacted_fixtures_and_only_reads() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            r#"{"success":true,"user":{"name":"Real Person","email":"real.person@gmail.com","user_id":"G_-mnBf9b1j9A7a4ub4nFQ=="}}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    let out = std::env::temp_dir().join(format!("xtask-record-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let uri = server.uri();
    let out_arg = out.to_string_lossy().into_owned();
    let result = tokio::task::spawn_blocking(move || {
        xtask()
            .args([
                "fixtures",
                "record",
                "--provider",
                "gumroad",
                "--only",
                "user",
                "--base-url",
                &uri,
                "--out",
                &out_arg,
            ])
            .env("GUMROAD_ACCESS_TOKEN", "tok_cli_0123456789")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(result.status.success(), "{stderr}");
    assert!(stderr.contains("wrote"), "{stderr}");
    let written = std::fs::read_to_string(out.join("user.json")).unwrap();
    assert!(
        !written.contains("Real Person") && !written.contains("gmail"),
        "{written}"
    );
    assert!(
        written.contains("G_-mnBf9b1j9A7a4ub4nFQ=="),
        "ids are kept: {written}"
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method.as_str(), "GET");
    assert!(!requests[0].url.as_str().contains("tok_cli"));
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn refusals_and_missing_variables_are_one_clear_line_and_a_failure() {
    let refused = xtask()
        .args([
            "fixtures",
            "record",
            "--provider",
            "gumroad",
            "--only",
            "sale_refund",
            "--base-url",
            "http://127.0.0.1:9",
        ])
        .env("GUMROAD_ACCESS_TOKEN", "t")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("refused: `sale_refund` is a write endpoint")
    );

    let missing = xtask()
        .args([
            "fixtures",
            "record",
            "--provider",
            "gank",
            "--base-url",
            "http://127.0.0.1:9",
        ])
        .env_remove("GANK_LOGIN_TOKEN")
        .env_remove("GANK_CREATOR_TOKEN")
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("GANK_LOGIN_TOKEN is not set"));

    let unknown = xtask()
        .args(["fixtures", "record", "--provider", "shopify"])
        .output()
        .unwrap();
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown provider `shopify`"));
}
