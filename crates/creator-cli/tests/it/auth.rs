//! `creator auth login|status|logout|token` against wiremock platforms,
//! with a config directory of each test's own and no OS keyring (no D-Bus
//! session), so credentials land in the 0600 file.

use creator_testkit::{MockServerExt, mount_fallback};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

const DEVICE: &str = r#"{"device_code":"dev-code-0123456789","user_code":"WDJB-MJHT","verification_uri":"https://app.gumroad.com/oauth/device","verification_uri_complete":"https://app.gumroad.com/oauth/device?user_code=WDJB-MJHT","expires_in":60,"interval":1}"#;
const TOKEN: &str = "redacted-token-5e6f7a8b";

/// `creator` with its own config directory.
fn authed(dir: &TempDir) -> std::process::Command {
    let mut cmd = creator();
    cmd.env("CREATOR_CONFIG_DIR", dir.path().join("config"));
    cmd
}

async fn gumroad() -> MockServer {
    let server = MockServer::start().await;
    server
        .mount_json("GET", "/v2/user", "gumroad/user.json")
        .await;
    server
}

fn oauth_error(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_raw(body.as_bytes().to_vec(), "application/json")
}

/// The device flow: `authorization_pending`, then `slow_down`, then the token.
async fn device_server(last: ResponseTemplate) -> MockServer {
    let server = gumroad().await;
    Mock::given(method("POST"))
        .and(path("/oauth/device/code"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(DEVICE, "application/json"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(oauth_error(
            &String::from_utf8(fixture("gumroad/oauth_device_pending_400.json")).unwrap(),
        ))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(oauth_error(
            r#"{"error":"slow_down","error_description":"Polling too quickly","interval":1}"#,
        ))
        .up_to_n_times(1)
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .respond_with(last)
        .with_priority(3)
        .mount(&server)
        .await;
    mount_fallback(&server).await;
    server
}

fn login_cmd(dir: &TempDir, server: &MockServer, extra: &[&str]) -> std::process::Command {
    let mut cmd = authed(dir);
    cmd.args([
        "auth",
        "login",
        "--client-id",
        "my-client-id",
        "--no-browser",
    ])
    .args(extra)
    .env("GUMROAD_OAUTH_URL", server.uri())
    .env("GUMROAD_API_URL", server.uri());
    cmd
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn device_login_waits_through_pending_and_slow_down_then_stores_the_token_in_a_0600_file() {
    let dir = TempDir::new("auth-device");
    let token = ResponseTemplate::new(200).set_body_raw(
        fixture("gumroad/oauth_token_public.json"),
        "application/json",
    );
    let server = device_server(token).await;
    let out = run(login_cmd(&dir, &server, &[])).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("open https://app.gumroad.com/oauth/device?user_code=WDJB-MJHT and enter the code WDJB-MJHT"),
        "{err}"
    );
    assert!(err.contains("keyring is not available"), "{err}");
    let text = stdout(&out);
    assert!(
        text.contains("Logged in to gumroad as Person 66288195 <seller@example.com>"),
        "{text}"
    );
    assert!(text.contains("credentials.json (mode 0600)"), "{text}");

    let recorded = server.recorded().await;
    let device = &recorded[0];
    assert_eq!(device.path, "/oauth/device/code");
    assert_eq!(device.form_value("client_id"), Some("my-client-id"));
    assert_eq!(
        device.form_value("scope"),
        Some("account edit_profile view_profile")
    );
    let polls: Vec<_> = recorded
        .iter()
        .filter(|r| r.path == "/oauth/token")
        .collect();
    assert_eq!(polls.len(), 3, "pending, slow_down, token");
    for poll in &polls {
        assert_eq!(
            poll.form_value("grant_type"),
            Some("urn:ietf:params:oauth:grant-type:device_code")
        );
        assert_eq!(poll.form_value("device_code"), Some("dev-code-0123456789"));
    }
    let me = recorded
        .iter()
        .find(|r| r.path == "/v2/user")
        .expect("token checked");
    assert_eq!(me.bearer(), Some(TOKEN));

    let file = dir.path().join("config/credentials.json");
    let stored = std::fs::read_to_string(&file).unwrap();
    assert!(stored.contains(TOKEN), "{stored}");
    assert!(
        stored.contains("redacted-token-1a2b3c4d"),
        "refresh token kept"
    );
    let config = std::fs::read_to_string(dir.path().join("config/config.json")).unwrap();
    assert!(!config.contains(TOKEN), "{config}");
    assert!(
        config.contains("\"client_id\": \"my-client-id\""),
        "{config}"
    );
    #[cfg(unix)]
    {
        assert_eq!(mode(&file), 0o600);
        assert_eq!(mode(&dir.path().join("config/config.json")), 0o600);
        assert_eq!(mode(&dir.path().join("config")), 0o700);
    }

    // The stored token is what commands now use.
    let mut token = authed(&dir);
    token.args(["auth", "token"]);
    let out = run(token).await;
    assert_eq!(stdout(&out).trim(), TOKEN, "{}", stderr(&out));
}

#[tokio::test]
async fn an_expired_device_code_is_one_line_and_stores_nothing() {
    let dir = TempDir::new("auth-expired");
    let server = device_server(oauth_error(
        &String::from_utf8(fixture("gumroad/oauth_device_expired_400.json")).unwrap(),
    ))
    .await;
    let out = run(login_cmd(&dir, &server, &[])).await;
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let last = err.trim_end().lines().last().unwrap_or_default();
    assert!(last.starts_with("error: the login code expired"), "{err}");
    assert!(!dir.path().join("config/credentials.json").exists());
}

#[tokio::test]
async fn oauth_without_a_client_id_says_where_to_get_one() {
    let dir = TempDir::new("auth-noclient");
    let mut cmd = authed(&dir);
    cmd.args(["auth", "login"]);
    let out = run(cmd).await;
    assert_one_line_error(&out, 2, "Settings > Advanced > Applications");
}

#[tokio::test]
async fn with_token_reads_stdin_and_status_logout_and_token_follow() {
    let dir = TempDir::new("auth-token");
    let server = gumroad().await;
    mount_fallback(&server).await;
    let mut login = authed(&dir);
    login
        .args(["auth", "login", "--with-token", "--format", "json"])
        .env("GUMROAD_API_URL", server.uri());
    let out = run_with_stdin(login, &format!("{TOKEN}\n")).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let saved: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(saved["stored_in"], "file");
    assert_eq!(saved["user"], "Person 66288195 <seller@example.com>");
    assert!(!stdout(&out).contains(TOKEN));
    assert_eq!(server.recorded().await[0].bearer(), Some(TOKEN));

    let mut status = authed(&dir);
    status
        .args(["auth", "status", "--format", "json"])
        .env("GUMROAD_API_URL", server.uri());
    let out = run(status).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let gumroad = &rows[0];
    assert_eq!(gumroad["provider"], "gumroad");
    assert_eq!(gumroad["logged_in"], true);
    assert_eq!(gumroad["source"], "file");
    assert_eq!(gumroad["check"], "ok");
    assert_eq!(rows[1]["logged_in"], false, "gank");
    assert!(!stdout(&out).contains(TOKEN));

    // The environment wins over what is stored.
    let mut env = authed(&dir);
    env.args(["auth", "token"])
        .env("GUMROAD_ACCESS_TOKEN", "env-token-0123456789");
    assert_eq!(stdout(&run(env).await).trim(), "env-token-0123456789");

    // Logging out asks first; without a terminal it refuses and keeps the token.
    let mut logout = authed(&dir);
    logout.args(["auth", "logout"]);
    let out = run(logout).await;
    assert_one_line_error(&out, 2, "pass --yes");
    let mut logout = authed(&dir);
    logout.args(["auth", "logout", "--no-input"]);
    assert_one_line_error(&run(logout).await, 2, "--no-input");
    assert!(
        std::fs::read_to_string(dir.path().join("config/credentials.json"))
            .unwrap()
            .contains(TOKEN)
    );
    let mut logout = authed(&dir);
    logout.args(["auth", "logout", "--yes"]);
    let out = run(logout).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Removed the stored gumroad credentials"),
        "{}",
        stdout(&out)
    );
    assert!(
        !std::fs::read_to_string(dir.path().join("config/credentials.json"))
            .unwrap()
            .contains(TOKEN)
    );
    let mut token = authed(&dir);
    token.args(["auth", "token"]);
    assert_one_line_error(&run(token).await, 2, "creator auth login");
}

#[tokio::test]
async fn a_rejected_token_is_not_stored() {
    let dir = TempDir::new("auth-rejected");
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/user"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let mut login = authed(&dir);
    login
        .args(["auth", "login", "--with-token"])
        .env("GUMROAD_API_URL", server.uri());
    let out = run_with_stdin(login, "wrong-token-0123456789").await;
    assert_one_line_error(&out, 3, "Gumroad rejected the token");
    assert!(!dir.path().join("config/credentials.json").exists());
}

#[tokio::test]
async fn with_token_refuses_an_empty_stdin_and_the_keyring_alone_when_there_is_none() {
    let dir = TempDir::new("auth-empty");
    let mut login = authed(&dir);
    login.args(["auth", "login", "--with-token"]);
    assert_one_line_error(
        &run_with_stdin(login, "  \n").await,
        2,
        "standard input is empty",
    );

    let server = gumroad().await;
    let mut login = authed(&dir);
    login
        .args(["auth", "login", "--with-token", "--store", "keyring"])
        .env("GUMROAD_API_URL", server.uri());
    let out = run_with_stdin(login, TOKEN).await;
    assert_one_line_error(&out, 2, "the OS keyring cannot store the credentials");
    assert!(!dir.path().join("config/credentials.json").exists());
}

#[tokio::test]
async fn profiles_keep_two_shops_apart() {
    let dir = TempDir::new("auth-profiles");
    let server = gumroad().await;
    for (profile, token) in [
        ("shop-a", "token-a-0123456789"),
        ("shop-b", "token-b-0123456789"),
    ] {
        let mut login = authed(&dir);
        login
            .args(["--profile", profile, "auth", "login", "--with-token"])
            .env("GUMROAD_API_URL", server.uri());
        let out = run_with_stdin(login, token).await;
        assert!(out.status.success(), "{}", stderr(&out));
    }
    for (profile, token) in [
        ("shop-a", "token-a-0123456789"),
        ("shop-b", "token-b-0123456789"),
    ] {
        let mut cmd = authed(&dir);
        cmd.args(["auth", "token"]).env("CREATOR_PROFILE", profile);
        assert_eq!(stdout(&run(cmd).await).trim(), token);
    }
    let mut bad = authed(&dir);
    bad.args(["--profile", "../etc", "auth", "token"]);
    assert_one_line_error(&run(bad).await, 2, "--profile");
}

#[tokio::test]
async fn web_login_takes_the_loopback_redirect_and_exchanges_the_code_with_pkce() {
    use tokio::io::AsyncBufReadExt;
    let dir = TempDir::new("auth-web");
    let server = gumroad().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            fixture("gumroad/oauth_token_public.json"),
            "application/json",
        ))
        .mount(&server)
        .await;
    mount_fallback(&server).await;
    let mut cmd = tokio::process::Command::from(login_cmd(&dir, &server, &["--web"]));
    cmd.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut authorize = None;
    while let Some(line) = lines.next_line().await.unwrap() {
        if let Some(url) = line.trim().strip_prefix("http") {
            authorize = Some(format!("http{url}"));
            break;
        }
    }
    let authorize = url::Url::parse(&authorize.expect("the authorize URL on stderr")).unwrap();
    let q: std::collections::HashMap<_, _> = authorize.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "my-client-id");
    assert_eq!(q["code_challenge_method"], "S256");
    let http = reqwest::Client::new();
    // A forged redirect (wrong state) is refused and the wait goes on.
    let forged = http
        .get(format!("{}?code=evil&state=wrong", q["redirect_uri"]))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let ok = http
        .get(format!(
            "{}?code=the-code-123&state={}",
            q["redirect_uri"], q["state"]
        ))
        .send()
        .await
        .unwrap();
    assert!(ok.status().is_success());
    let out = tokio::time::timeout(std::time::Duration::from_secs(30), child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let exchange = server
        .recorded()
        .await
        .into_iter()
        .find(|r| r.path == "/oauth/token")
        .unwrap();
    assert_eq!(exchange.form_value("code"), Some("the-code-123"));
    assert_eq!(
        exchange.form_value("redirect_uri"),
        Some(q["redirect_uri"].as_str())
    );
    let verifier = exchange.form_value("code_verifier").unwrap();
    use base64::Engine as _;
    use sha2::Digest as _;
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    assert_eq!(challenge, q["code_challenge"]);
}

#[tokio::test]
async fn gank_login_stores_the_login_token_and_mints_a_creator_token_only_with_yes() {
    let dir = TempDir::new("auth-gank");
    let server = MockServer::start().await;
    server
        .mount_json("GET", "/v1/users/me", "gank/users_me.json")
        .await;
    server
        .mount_json("POST", "/auth/creators", "gank/auth_creators.json")
        .await;
    mount_fallback(&server).await;
    let gank = |extra: &[&str]| {
        let mut cmd = authed(&dir);
        cmd.args(["auth", "login", "--provider", "gank", "--with-token"])
            .args(extra)
            .env("GANK_V1_URL", server.uri())
            .env("GANK_V2_URL", server.uri());
        cmd
    };
    let out = run_with_stdin(gank(&["--mint-creator-token"]), "gank-login-0123456789").await;
    assert_one_line_error(&out, 2, "pass --yes");
    assert!(
        !server
            .recorded()
            .await
            .iter()
            .any(|r| r.path == "/auth/creators"),
        "nothing minted without --yes"
    );
    let out = run_with_stdin(
        gank(&["--mint-creator-token", "--yes"]),
        "gank-login-0123456789",
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let mint = server
        .recorded()
        .await
        .into_iter()
        .find(|r| r.path == "/auth/creators")
        .unwrap();
    assert_eq!(mint.method, "POST");
    assert_eq!(mint.bearer(), Some("gank-login-0123456789"));
    let stored = std::fs::read_to_string(dir.path().join("config/credentials.json")).unwrap();
    assert!(stored.contains("gank/login_token"), "{stored}");
    assert!(stored.contains("gank/creator_token"), "{stored}");
    let mut token = authed(&dir);
    token.args(["auth", "token", "--for", "gank", "--kind", "login"]);
    assert_eq!(stdout(&run(token).await).trim(), "gank-login-0123456789");
}

#[tokio::test]
async fn maton_login_stores_the_key_and_the_only_active_gumroad_connection() {
    let dir = TempDir::new("auth-maton");
    let server = MockServer::start().await;
    server
        .mount_json(
            "GET",
            "/connections",
            "maton/connections/list_gumroad_active.json",
        )
        .await;
    mount_fallback(&server).await;
    let mut login = authed(&dir);
    login
        .args([
            "auth",
            "login",
            "--provider",
            "maton",
            "--with-token",
            "--format",
            "json",
        ])
        .env("MATON_API_URL", server.uri());
    let out = run_with_stdin(login, "maton-key-0123456789").await;
    assert!(out.status.success(), "{}", stderr(&out));
    let saved: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(saved["connection"].is_string(), "{saved}");
    let list = &server.recorded().await[0];
    assert_eq!(list.query_value("app"), Some("gumroad"));
    assert_eq!(list.bearer(), Some("maton-key-0123456789"));
}
