//! 2026 sales endpoints: name/license-key filters, `/v2/sales/summary`,
//! `/v2/sales/exports`, revoke and restore access.

use std::time::Duration;

use creator_core::Error;
use futures::TryStreamExt;
use gumroad_api::{ExportState, SalesExport, SalesQuery, SalesSummaryQuery, SummaryGroup};
use time::macros::date;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::common::*;

#[tokio::test]
async fn name_and_license_key_filters_are_sent_trimmed() {
    let server = server().await;
    serve(&server, "GET", "/v2/sales", "sales_empty.json").await;
    let sales: Vec<_> = client(&server)
        .sales()
        .list(
            &SalesQuery::new()
                .name(" Calvin ")
                .license_key("83DB262A-C19D3B06-A5235A6B-8C079166 "),
        )
        .try_collect()
        .await
        .unwrap();
    assert!(sales.is_empty());
    let req = only_request(&server).await;
    assert_eq!(req.query_value("name"), Some("Calvin"));
    assert_eq!(
        req.query_value("license_key"),
        Some("83DB262A-C19D3B06-A5235A6B-8C079166")
    );
}

#[tokio::test]
async fn summary_defaults_send_no_query_and_parse_usd_totals() {
    let server = server().await;
    serve(&server, "GET", "/v2/sales/summary", "sales_summary.json").await;
    let summary = client(&server)
        .sales()
        .summary(&SalesSummaryQuery::new())
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "GET");
    assert!(req.query.is_empty());
    assert_eq!(summary.totals.net_cents, Some(119_000));
    assert_eq!(summary.gross().unwrap().to_string(), "1250.00 USD");
    assert!(summary.breakdown.is_empty());
}

#[tokio::test]
async fn summary_grouped_by_month_sends_from_to_group_by_and_keeps_the_breakdown() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/sales/summary",
        "sales_summary_by_month.json",
    )
    .await;
    let summary = client(&server)
        .sales()
        .summary(
            &SalesSummaryQuery::new()
                .from(date!(2026 - 01 - 01))
                .to(date!(2026 - 03 - 31))
                .group_by(SummaryGroup::Month),
        )
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        pairs(&req.query),
        [
            ("from", "2026-01-01"),
            ("to", "2026-03-31"),
            ("group_by", "month"),
        ]
    );
    let keys: Vec<_> = summary
        .breakdown
        .iter()
        .filter_map(|b| b.key.as_deref())
        .collect();
    assert_eq!(keys, ["2026-01", "2026-02", "2026-03"]);
    insta::assert_json_snapshot!(exchange(&req, &summary));
}

#[tokio::test]
async fn summary_with_from_after_to_is_refused_locally_and_a_bad_group_is_the_400_shape() {
    let server = server().await;
    let err = client(&server)
        .sales()
        .summary(
            &SalesSummaryQuery::new()
                .from(date!(2026 - 02 - 01))
                .to(date!(2026 - 01 - 01)),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err}");
    assert!(server.received_requests().await.unwrap().is_empty());

    serve_status(
        &server,
        "GET",
        "/v2/sales/summary",
        "sales_summary_invalid_group_400.json",
        400,
        "application/json",
    )
    .await;
    let err = client(&server)
        .sales()
        .summary(&SalesSummaryQuery::new().group_by(SummaryGroup::Unknown("year".into())))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, message, .. } if message.starts_with("Invalid group_by")),
        "{err:?}"
    );
}

#[tokio::test]
async fn export_posts_the_form_once_and_reports_queued() {
    let server = server().await;
    serve(
        &server,
        "POST",
        "/v2/sales/exports",
        "sales_export_queued.json",
    )
    .await;
    let status = client(&server)
        .sales()
        .export(
            &SalesExport::new()
                .from(date!(2026 - 01 - 01))
                .to(date!(2026 - 05 - 21))
                .product_id("A-m3CDDC5dlrSdKZp0RFhA=="),
        )
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "POST");
    assert_eq!(
        pairs(&req.form),
        [
            ("from", "2026-01-01"),
            ("to", "2026-05-21"),
            ("product_id", "A-m3CDDC5dlrSdKZp0RFhA=="),
        ]
    );
    assert_eq!(status.status, Some(ExportState::Queued));
    assert_eq!(
        status.recipient_email.as_deref(),
        Some("seller@example.com")
    );
}

#[tokio::test]
async fn export_is_never_resent_after_a_503() {
    let server = server().await;
    serve_raw(
        &server,
        "POST",
        "/v2/sales/exports",
        ResponseTemplate::new(503),
    )
    .await;
    let err = client(&server)
        .sales()
        .export(&SalesExport::new())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        requests(&server).await.len(),
        1,
        "a repeat would email a second export"
    );
}

#[tokio::test]
async fn export_with_an_unknown_product_is_the_400_shape() {
    let server = server().await;
    serve_status(
        &server,
        "POST",
        "/v2/sales/exports",
        "sales_export_invalid_product_400.json",
        400,
        "application/json",
    )
    .await;
    let err = client(&server)
        .sales()
        .export(&SalesExport::new().product_id("nope"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, message, .. } if message == "Invalid product ID."),
        "{err:?}"
    );
}

/// Serves `PUT /v2/sales/:id/<action>` with `response`, then the fallback.
async fn serve_access(
    server: &wiremock::MockServer,
    id: &str,
    action: &str,
    response: ResponseTemplate,
) {
    serve_raw(server, "PUT", &format!("/v2/sales/{id}/{action}"), response).await;
}

fn refused_401() -> ResponseTemplate {
    ResponseTemplate::new(401)
        .set_body_raw(fixture("sale_access_refused_401.json"), "application/json")
}

#[tokio::test]
async fn revoke_and_undo_revoke_access_are_puts_that_take_a_bare_success() {
    let server = server().await;
    // `{success: true}`, as the one implementation found (the mobile API) answers.
    for action in ["revoke_access", "undo_revoke_access"] {
        serve_access(
            &server,
            "FO8TXN-dvxYabdavG97Y-Q==",
            action,
            ResponseTemplate::new(200)
                .set_body_raw(fixture("resend_receipt.json"), "application/json"),
        )
        .await;
    }
    let c = client(&server);
    let revoked = c
        .sales()
        .revoke_access("FO8TXN-dvxYabdavG97Y-Q==")
        .await
        .unwrap();
    assert!(revoked.is_none(), "no sale in the answer");
    let restored = c
        .sales()
        .undo_revoke_access("FO8TXN-dvxYabdavG97Y-Q==")
        .await
        .unwrap();
    assert!(restored.is_none());
    let reqs = requests(&server).await;
    assert_eq!(
        reqs.iter()
            .map(|r| (r.method.as_str(), r.path.as_str()))
            .collect::<Vec<_>>(),
        [
            ("PUT", "/v2/sales/FO8TXN-dvxYabdavG97Y-Q==/revoke_access"),
            (
                "PUT",
                "/v2/sales/FO8TXN-dvxYabdavG97Y-Q==/undo_revoke_access"
            ),
        ]
    );
}

#[tokio::test]
async fn a_refused_revoke_is_an_api_refusal_with_its_message_not_a_login_problem() {
    let server = server().await;
    serve_access(&server, "s1", "revoke_access", refused_401()).await;
    // The sale still has access (a refunded or subscription sale, say).
    serve(&server, "GET", "/v2/sales/s1", "sale.json").await;
    let err = client(&server)
        .sales()
        .revoke_access("s1")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 401, code: Some(c), message, .. } if c == "refused" && message == "Not authorized"),
        "{err:?}"
    );
    assert!(!matches!(err, Error::Unauthorized { .. }));
    assert_eq!(
        err.raw_body().unwrap().as_bytes(),
        fixture("sale_access_refused_401.json")
    );
    let paths: Vec<_> = requests(&server)
        .await
        .into_iter()
        .map(|r| (r.method, r.path))
        .collect();
    assert_eq!(
        paths,
        [
            ("PUT".to_owned(), "/v2/sales/s1/revoke_access".to_owned()),
            ("GET".to_owned(), "/v2/sales/s1".to_owned())
        ],
        "the refusal is checked against the sale once, never resent"
    );
}

#[tokio::test]
async fn a_revoke_whose_answer_was_lost_and_is_refused_on_the_retry_reports_the_revoked_sale() {
    let server = server().await;
    // The first PUT is applied but its answer never arrives in time; the
    // retry is refused because access is already revoked.
    Mock::given(method("PUT"))
        .and(path("/v2/sales/FO8TXN-dvxYabdavG97Y-Q==/revoke_access"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("resend_receipt.json"), "application/json")
                .set_delay(Duration::from_secs(3)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    serve_access(
        &server,
        "FO8TXN-dvxYabdavG97Y-Q==",
        "revoke_access",
        refused_401(),
    )
    .await;
    serve(
        &server,
        "GET",
        "/v2/sales/FO8TXN-dvxYabdavG97Y-Q==",
        "sale_access_revoked.json",
    )
    .await;
    let clock = clock();
    let c = gumroad_api::GumroadClient::builder(TOKEN)
        .base_url(server.uri())
        .options(
            ClientOptions::new()
                .timeout(Duration::from_millis(300))
                .retry(
                    creator_core::RetryPolicy::default()
                        .with_jitter(creator_core::retry::Jitter::None),
                )
                .clock(std::sync::Arc::new(clock.clone())),
        )
        .build()
        .unwrap();
    let sale = c
        .sales()
        .revoke_access("FO8TXN-dvxYabdavG97Y-Q==")
        .await
        .unwrap()
        .expect("the sale read back");
    assert_eq!(sale.access_revoked, Some(true));
    let steps: Vec<_> = creator_testkit::MockServerExt::recorded(&server)
        .await
        .into_iter()
        .map(|r| r.method)
        .collect();
    assert_eq!(
        steps,
        ["PUT", "PUT", "GET"],
        "sent, resent after the timeout, read back"
    );
}

#[tokio::test]
async fn undoing_a_revoke_that_is_already_undone_reports_the_sale_and_other_errors_stay() {
    let server = server().await;
    serve_access(&server, "s1", "undo_revoke_access", refused_401()).await;
    serve(&server, "GET", "/v2/sales/s1", "sale_2026_fields.json").await;
    serve_access(&server, "s2", "revoke_access", ResponseTemplate::new(403)).await;
    serve_access(
        &server,
        "s3",
        "revoke_access",
        ResponseTemplate::new(200).set_body_raw(fixture("sale_not_found.json"), "application/json"),
    )
    .await;
    serve_access(&server, "s4", "revoke_access", ResponseTemplate::new(401)).await;
    let c = client(&server);
    let sale = c.sales().undo_revoke_access("s1").await.unwrap().unwrap();
    assert_eq!(
        sale.access_revoked,
        Some(false),
        "access is there: the asked state"
    );
    let forbidden = c.sales().revoke_access("s2").await.unwrap_err();
    assert!(
        matches!(forbidden, Error::Forbidden { status: 403, .. }),
        "{forbidden:?}"
    );
    assert!(
        c.sales()
            .revoke_access("s3")
            .await
            .unwrap_err()
            .is_not_found()
    );
    let unauthorized = c.sales().revoke_access("s4").await.unwrap_err();
    assert!(
        matches!(unauthorized, Error::Unauthorized { status: 401, .. }),
        "an empty 401 is still the token: {unauthorized:?}"
    );
    assert!(matches!(
        c.sales().undo_revoke_access(" ").await.unwrap_err(),
        Error::InvalidInput(_)
    ));
    let reads = requests(&server)
        .await
        .iter()
        .filter(|r| r.method == "GET")
        .count();
    assert_eq!(reads, 1, "only a refusal is checked against the sale");
}
