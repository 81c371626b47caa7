//! Payouts (2026 API).

use creator_core::Currency;
use futures::TryStreamExt;
use gumroad_api::{PaymentProcessor, PayoutDetail, PayoutStatus, PayoutsQuery};
use time::macros::date;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

use crate::common::*;

const KEY: &str = "20250228000000000000-99812";

#[tokio::test]
async fn list_payouts_upcoming_payout_has_a_null_id_and_filters_are_kept() {
    let server = server().await;
    Mock::given(method("GET"))
        .and(path("/v2/payouts"))
        .and(query_param_is_missing("page_key"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("payouts_page1.json"), "application/json"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v2/payouts"))
        .and(query_param("page_key", KEY))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(fixture("payouts_page2.json"), "application/json"),
        )
        .mount(&server)
        .await;
    let query = PayoutsQuery::new()
        .after(date!(2025 - 01 - 01))
        .include_upcoming(true);
    let payouts: Vec<_> = client(&server)
        .payouts()
        .list(&query)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(payouts.len(), 4);
    assert!(payouts[0].is_upcoming());
    assert_eq!(payouts[0].id, None);
    assert_eq!(payouts[0].status, Some(PayoutStatus::Payable));
    assert!(payouts[1..].iter().all(|p| p.id.is_some()));
    let reqs = requests(&server).await;
    let queries: Vec<_> = reqs.iter().map(|r| r.query.clone()).collect();
    let f = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        queries,
        [
            vec![f("after", "2025-01-01"), f("include_upcoming", "true")],
            vec![
                f("after", "2025-01-01"),
                f("include_upcoming", "true"),
                f("page_key", KEY)
            ],
        ]
    );
    insta::assert_json_snapshot!(exchange(&reqs[0], &payouts));
}

#[tokio::test]
async fn payout_amount_is_a_decimal_string_with_upper_case_currency() {
    let server = server().await;
    serve(&server, "GET", "/v2/payouts", "payouts_page2.json").await;
    let page = client(&server)
        .payouts()
        .page(&PayoutsQuery::new(), None)
        .await
        .unwrap();
    let money = page.items[0].amount_money().unwrap().unwrap();
    assert_eq!(money.currency(), Currency::USD);
    assert_eq!(money.minor_units(), 99);
    assert_eq!(
        page.items[0].payment_processor,
        Some(PaymentProcessor::Stripe)
    );
}

#[tokio::test]
async fn get_payout_with_sales_and_transactions_where_numbers_may_be_empty_strings() {
    let server = server().await;
    serve(&server, "GET", "/v2/payouts/cGF5b3V0MQ==", "payout.json").await;
    let payout = client(&server)
        .payouts()
        .get(
            "cGF5b3V0MQ==",
            PayoutDetail::new()
                .include_sales(true)
                .include_transactions(true),
        )
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(
        pairs(&req.query),
        [("include_sales", "true"), ("include_transactions", "true")]
    );
    let rows = payout.transactions.as_ref().unwrap();
    assert_eq!(rows[0].sale_price.as_deref(), Some("9.6"));
    assert_eq!(rows[2].taxes, None, "\"\" becomes None");
    assert_eq!(rows[2].net_total.as_deref(), Some("1234.56"));
    assert_eq!(
        payout.amount_money().unwrap().unwrap().minor_units(),
        123_456
    );
    insta::assert_json_snapshot!(exchange(&req, &payout));
}

#[tokio::test]
async fn upcoming_payouts_have_null_ids() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/payouts/upcoming",
        "payouts_upcoming.json",
    )
    .await;
    let upcoming = client(&server)
        .payouts()
        .upcoming(PayoutDetail::new())
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert!(req.query.is_empty());
    assert_eq!(upcoming.len(), 2);
    assert!(upcoming.iter().all(|p| p.id.is_none()));
    insta::assert_json_snapshot!(exchange(&req, &upcoming));
}
