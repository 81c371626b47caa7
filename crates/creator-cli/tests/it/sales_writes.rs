//! `creator sales view|refund|ship|resend-receipt|revoke-access|restore-access|summary|buyers|export`
//! against a wiremock Gumroad: the outgoing request of every write, `--dry-run`
//! sending none, and the refusal without `--yes`.

use creator_testkit::{MockServerExt, RecordedRequest, mount_fallback};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::*;

pub const TOKEN: &str = "gumroad-token-0123456789";
const SALE: &str = "bmV3U2FsZTIwMjY=";

/// `creator` with a Gumroad token, pointed at `server`.
pub fn gumroad_cmd(server: &MockServer, args: &[&str]) -> std::process::Command {
    let mut cmd = creator();
    cmd.args(args)
        .env("GUMROAD_ACCESS_TOKEN", TOKEN)
        .env("GUMROAD_API_URL", server.uri());
    cmd
}

pub async fn mock(server: &MockServer, verb: &str, route: &str, body: Vec<u8>) {
    Mock::given(method(verb))
        .and(path(route))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(server)
        .await;
}

/// Serves each `(method, path, fixture)` with the fixture's bytes.
pub async fn serve(server: &MockServer, routes: &[(&str, &str, &str)]) {
    for (verb, route, name) in routes {
        mock(server, verb, route, fixture(name)).await;
    }
}

/// The requests that could change something (anything but GET).
pub async fn writes(server: &MockServer) -> Vec<RecordedRequest> {
    server
        .recorded()
        .await
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect()
}

async fn sale_server() -> MockServer {
    let server = MockServer::start().await;
    let sale = format!("/v2/sales/{SALE}");
    mock(
        &server,
        "GET",
        &sale,
        fixture("gumroad/sale_2026_fields.json"),
    )
    .await;
    serve(
        &server,
        &[
            (
                "PUT",
                &format!("{sale}/refund"),
                "gumroad/sale_partially_refunded.json",
            ),
            (
                "PUT",
                &format!("{sale}/mark_as_shipped"),
                "gumroad/sale_shipped.json",
            ),
            (
                "POST",
                &format!("{sale}/resend_receipt"),
                "gumroad/resend_receipt.json",
            ),
            (
                "PUT",
                &format!("{sale}/revoke_access"),
                "gumroad/sale_access_revoked.json",
            ),
            (
                "PUT",
                &format!("{sale}/undo_revoke_access"),
                "gumroad/sale_2026_fields.json",
            ),
        ],
    )
    .await;
    mount_fallback(&server).await;
    server
}

/// A Gumroad that serves `sale` (JSON) and takes a refund of it.
async fn refund_server(sale: String) -> MockServer {
    let server = MockServer::start().await;
    mock(
        &server,
        "GET",
        &format!("/v2/sales/{SALE}"),
        sale.into_bytes(),
    )
    .await;
    mock(
        &server,
        "PUT",
        &format!("/v2/sales/{SALE}/refund"),
        fixture("gumroad/sale_partially_refunded.json"),
    )
    .await;
    server
}

#[tokio::test]
async fn a_partial_refund_is_scaled_by_the_sales_currency_and_sent_once() {
    let server = sale_server().await;
    let out = run(gumroad_cmd(
        &server,
        &["sales", "refund", SALE, "--amount", "2.5", "--yes"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out).trim(),
        format!("Refunded 2.50 EUR of sale {SALE}")
    );
    let w = writes(&server).await;
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].method, "PUT");
    assert_eq!(w[0].path, format!("/v2/sales/{SALE}/refund"));
    assert_eq!(
        w[0].form,
        vec![("amount_cents".to_owned(), "250".to_owned())]
    );
    assert_eq!(w[0].bearer(), Some(TOKEN));
}

#[tokio::test]
async fn a_yen_refund_is_not_multiplied_by_a_hundred() {
    let yen = String::from_utf8(fixture("gumroad/sale_2026_fields.json"))
        .unwrap()
        .replace("\"currency\":\"eur\"", "\"currency\":\"jpy\"")
        .replace(
            "\"amount_refundable_in_currency\":\"9.60\"",
            "\"amount_refundable_in_currency\":\"2000\"",
        );
    let server = refund_server(yen).await;
    let out = run(gumroad_cmd(
        &server,
        &["sales", "refund", SALE, "--amount", "1500", "-y"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        writes(&server).await[0].form_value("amount_cents"),
        Some("1500")
    );
    // More than is left is refused before anything is sent.
    let out = run(gumroad_cmd(
        &server,
        &["sales", "refund", SALE, "--amount", "2500", "-y"],
    ))
    .await;
    assert_one_line_error(&out, 2, "more than the 2000 JPY left to refund");
    let out = run(gumroad_cmd(
        &server,
        &["sales", "refund", SALE, "--amount", "12.5", "-y"],
    ))
    .await;
    assert_one_line_error(&out, 2, "--amount `12.5`");
    assert_eq!(writes(&server).await.len(), 1);
}

/// A sale read without a `currency` (from before the 2026 API fields) is
/// scaled by its `$` sign, as the MCP `sale_refund` tool does (one rule in
/// `commands::money::sale_currency`); another symbol is refused unsent.
#[tokio::test]
async fn a_refund_of_a_sale_without_a_currency_follows_the_shared_rule() {
    for (symbol, sent) in [("$", Some("250")), ("¥", None)] {
        let old = String::from_utf8(fixture("gumroad/sale_2026_fields.json"))
            .unwrap()
            .replace("\"currency\":\"eur\",", "")
            .replace(
                "\"currency_symbol\":\"$\"",
                &format!("\"currency_symbol\":\"{symbol}\""),
            );
        assert!(
            !old.contains("\"currency\":"),
            "the fixture names no currency"
        );
        let server = refund_server(old).await;
        let out = run(gumroad_cmd(
            &server,
            &["sales", "refund", SALE, "--amount", "2.5", "--yes"],
        ))
        .await;
        match sent {
            Some(cents) => {
                assert!(out.status.success(), "{symbol}: {}", stderr(&out));
                assert_eq!(
                    writes(&server).await[0].form_value("amount_cents"),
                    Some(cents)
                );
            }
            None => {
                assert_one_line_error(&out, 2, "does not say which currency");
                assert!(writes(&server).await.is_empty());
            }
        }
    }
}

#[tokio::test]
async fn a_full_refund_without_yes_is_refused_and_sends_nothing() {
    let server = sale_server().await;
    let out = run(gumroad_cmd(&server, &["sales", "refund", SALE])).await;
    assert_one_line_error(&out, 2, "Refund the whole remaining amount of sale");
    let out = run(gumroad_cmd(
        &server,
        &["sales", "refund", SALE, "--no-input", "--format", "json"],
    ))
    .await;
    let err: serde_json::Value = serde_json::from_str(stderr(&out).trim()).unwrap();
    assert_eq!(err["error"]["code"], "not_confirmed");
    assert!(err["error"]["hint"].as_str().unwrap().contains("--yes"));
    assert!(server.recorded().await.is_empty(), "nothing sent at all");
    let out = run(gumroad_cmd(
        &server,
        &["sales", "refund", SALE, "--yes", "--format", "json"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let sale: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sale["id"], "B28UKN-dvxYabdavG97Y-Q==");
    let w = writes(&server).await;
    assert_eq!(w.len(), 1);
    assert!(w[0].form.is_empty(), "a full refund sends no amount");
}

#[tokio::test]
async fn dry_run_prints_the_exact_request_redacted_and_sends_no_write() {
    let server = sale_server().await;
    let out = run(gumroad_cmd(
        &server,
        &["sales", "refund", SALE, "--amount", "9.60", "--dry-run"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("dry run: would send (not sent)\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!("  PUT {}/v2/sales/{SALE}/refund\n", server.uri())),
        "{text}"
    );
    assert!(
        text.contains("  authorization: Bearer <redacted>\n"),
        "{text}"
    );
    assert!(
        text.contains("  content-type: application/x-www-form-urlencoded\n"),
        "{text}"
    );
    assert!(text.contains("  amount_cents=960\n"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");
    assert!(writes(&server).await.is_empty(), "the refund was not sent");
    assert_eq!(
        server.recorded().await.len(),
        1,
        "only the read of the sale's currency"
    );

    let out = run(gumroad_cmd(
        &server,
        &["sales", "refund", SALE, "--dry-run", "--format", "json"],
    ))
    .await;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["dry_run"], true);
    let req = &v["requests"][0];
    assert_eq!(req["method"], "PUT");
    assert!(req["url"].as_str().unwrap().ends_with("/refund"));
    assert!(!v.to_string().contains(TOKEN));
    assert!(writes(&server).await.is_empty());
}

#[tokio::test]
async fn ship_resend_revoke_and_restore_send_their_requests() {
    let server = sale_server().await;
    let cases: [(&[&str], &str, &str); 4] = [
        (
            &[
                "ship",
                SALE,
                "--tracking-url",
                "https://track.example/1Z999",
            ],
            "PUT",
            "mark_as_shipped",
        ),
        (&["resend-receipt", SALE], "POST", "resend_receipt"),
        (&["revoke-access", SALE, "--yes"], "PUT", "revoke_access"),
        (&["restore-access", SALE], "PUT", "undo_revoke_access"),
    ];
    for (i, (args, verb, route)) in cases.iter().enumerate() {
        let mut all = vec!["sales"];
        all.extend_from_slice(args);
        let out = run(gumroad_cmd(&server, &all)).await;
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let w = writes(&server).await;
        assert_eq!(w.len(), i + 1, "{args:?}");
        assert_eq!(w[i].method, *verb);
        assert_eq!(w[i].path, format!("/v2/sales/{SALE}/{route}"));
    }
    assert_eq!(
        writes(&server).await[0].form_value("tracking_url"),
        Some("https://track.example/1Z999")
    );
    // Revoking asks first.
    let out = run(gumroad_cmd(&server, &["sales", "revoke-access", SALE])).await;
    assert_one_line_error(&out, 2, "Revoke the buyer's access");
    assert_eq!(writes(&server).await.len(), 4);
}

#[tokio::test]
async fn view_with_jq_and_debug_shows_request_lines_without_the_token() {
    let server = sale_server().await;
    let out = run(gumroad_cmd(
        &server,
        &["--debug", "sales", "view", SALE, "--jq", ".email"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "guest@example.com\n");
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "> GET {}/v2/sales/{SALE} (attempt 1)",
            server.uri()
        )),
        "{err}"
    );
    assert!(err.contains("> authorization: Bearer <redacted>"), "{err}");
    assert!(err.contains("< 200 "), "{err}");
    assert!(!err.contains(TOKEN), "{err}");
    let out = run(gumroad_cmd(&server, &["sales", "view", SALE, "--jq", ".["])).await;
    assert_one_line_error(&out, 2, "--jq");
}

#[tokio::test]
async fn summary_buyers_and_export() {
    let server = MockServer::start().await;
    serve(
        &server,
        &[
            (
                "GET",
                "/v2/sales/summary",
                "gumroad/sales_summary_by_month.json",
            ),
            (
                "POST",
                "/v2/sales/exports",
                "gumroad/sales_export_queued.json",
            ),
        ],
    )
    .await;
    Mock::given(method("GET"))
        .and(path("/v2/sales"))
        .and(wiremock::matchers::query_param(
            "page_key",
            "20250220221540000000-2938475",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("gumroad/sales_page2.json"), "application/json"),
        )
        .mount(&server)
        .await;
    mock(
        &server,
        "GET",
        "/v2/sales",
        fixture("gumroad/sales_page1.json"),
    )
    .await;
    mount_fallback(&server).await;

    let out = run(gumroad_cmd(
        &server,
        &[
            "sales",
            "summary",
            "--from",
            "2026-01-01",
            "--to",
            "2026-03-31",
            "--group-by",
            "month",
            "--format",
            "json",
        ],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["breakdown"].is_array(), "{v}");
    let r = &server.recorded().await[0];
    assert_eq!(r.query_value("from"), Some("2026-01-01"));
    assert_eq!(r.query_value("group_by"), Some("month"));
    let out = run(gumroad_cmd(
        &server,
        &["sales", "summary", "--group-by", "month"],
    ))
    .await;
    assert!(stdout(&out).contains("gross_cents"), "{}", stdout(&out));

    let out = run(gumroad_cmd(
        &server,
        &["sales", "buyers", "--format", "json"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let emails: Vec<&str> = rows.iter().map(|r| r["email"].as_str().unwrap()).collect();
    let mut sorted = emails.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(emails, sorted, "one row per email");
    assert!(
        emails.contains(&"refund@example.com"),
        "both pages read: {emails:?}"
    );

    let out = run(gumroad_cmd(
        &server,
        &[
            "sales",
            "export",
            "--from",
            "2026-01-01",
            "--product",
            "prod-1",
            "--dry-run",
        ],
    ))
    .await;
    assert!(stdout(&out).contains("POST "), "{}", stdout(&out));
    assert!(writes(&server).await.is_empty());
    let out = run(gumroad_cmd(
        &server,
        &[
            "sales",
            "export",
            "--from",
            "2026-01-01",
            "--product",
            "prod-1",
        ],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Export queued"), "{}", stdout(&out));
    let w = writes(&server).await;
    assert_eq!(w[0].path, "/v2/sales/exports");
    assert_eq!(w[0].form_value("from"), Some("2026-01-01"));
    assert_eq!(w[0].form_value("product_id"), Some("prod-1"));
}

#[tokio::test]
async fn the_list_still_works_without_a_subcommand_and_gank_is_refused_for_gumroad_writes() {
    let server = MockServer::start().await;
    mock(
        &server,
        "GET",
        "/v2/sales",
        fixture("gumroad/sales_empty.json"),
    )
    .await;
    let out = run(gumroad_cmd(
        &server,
        &["sales", "--provider", "gumroad", "--format", "json"],
    ))
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "[]");
    let out = run(gumroad_cmd(
        &server,
        &["sales", "refund", SALE, "--provider", "gank", "--yes"],
    ))
    .await;
    assert_one_line_error(&out, 2, "this is a Gumroad command");
}
