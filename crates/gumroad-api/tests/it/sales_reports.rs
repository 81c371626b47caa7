//! 2026 sales endpoints: name/license-key filters, `/v2/sales/summary`,
//! `/v2/sales/exports`, revoke and restore access.

use creator_core::Error;
use futures::TryStreamExt;
use gumroad_api::{ExportState, SalesExport, SalesQuery, SalesSummaryQuery, SummaryGroup};
use time::macros::date;
use wiremock::ResponseTemplate;

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
        req.query,
        [
            ("from".to_owned(), "2026-01-01".to_owned()),
            ("to".to_owned(), "2026-03-31".to_owned()),
            ("group_by".to_owned(), "month".to_owned()),
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
        req.form,
        [
            ("from".to_owned(), "2026-01-01".to_owned()),
            ("to".to_owned(), "2026-05-21".to_owned()),
            (
                "product_id".to_owned(),
                "A-m3CDDC5dlrSdKZp0RFhA==".to_owned()
            ),
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

#[tokio::test]
async fn revoke_and_undo_revoke_access_are_puts_and_parse_the_sale_when_sent() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/sales/FO8TXN-dvxYabdavG97Y-Q==/revoke_access",
        "sale.json",
    )
    .await;
    serve(
        &server,
        "PUT",
        "/v2/sales/FO8TXN-dvxYabdavG97Y-Q==/undo_revoke_access",
        "resend_receipt.json",
    )
    .await;
    let sales = client(&server);
    let revoked = sales
        .sales()
        .revoke_access("FO8TXN-dvxYabdavG97Y-Q==")
        .await
        .unwrap();
    assert!(revoked.is_some());
    let restored = sales
        .sales()
        .undo_revoke_access("FO8TXN-dvxYabdavG97Y-Q==")
        .await
        .unwrap();
    assert!(restored.is_none(), "a bare {{success: true}} is accepted");
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
async fn revoke_access_refused_missing_scope_and_unknown_sale() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/sales/s1/revoke_access",
        "sale_access_refused.json",
    )
    .await;
    serve_raw(
        &server,
        "PUT",
        "/v2/sales/s2/revoke_access",
        ResponseTemplate::new(403),
    )
    .await;
    serve(
        &server,
        "PUT",
        "/v2/sales/s3/revoke_access",
        "sale_not_found.json",
    )
    .await;
    let c = client(&server);
    let refused = c.sales().revoke_access("s1").await.unwrap_err();
    assert!(
        matches!(&refused, Error::Api { status: 200, message, .. } if message == "Not authorized")
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
    assert!(matches!(
        c.sales().undo_revoke_access(" ").await.unwrap_err(),
        Error::InvalidInput(_)
    ));
}
