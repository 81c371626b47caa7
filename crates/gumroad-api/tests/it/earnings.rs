//! `GET /v2/earnings` (the tax center).

use creator_core::{Currency, Error};
use wiremock::ResponseTemplate;

use crate::common::*;

#[tokio::test]
async fn earnings_for_a_year_are_flat_usd_cents() {
    let server = server().await;
    serve(&server, "GET", "/v2/earnings", "earnings.json").await;
    let earnings = client(&server).earnings().get(2025).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(pairs(&req.query), [("year", "2025")]);
    assert_eq!(earnings.net_cents, Some(1_105_750));
    let net = earnings.money(earnings.net_cents).unwrap();
    assert_eq!(net.currency(), Currency::USD);
    assert_eq!(net.minor_units(), 1_105_750);
    insta::assert_json_snapshot!(exchange(&req, &earnings));
}

#[tokio::test]
async fn earnings_errors_are_real_404_and_403_with_json_messages() {
    let missing = server_with(404, "earnings_year_not_available_404.json").await;
    let err = client(&missing).earnings().get(2019).await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { status: 404, message, .. } if message == "Earnings are not available for 2019."),
        "{err:?}"
    );

    let disabled = server_with(403, "tax_center_not_enabled_403.json").await;
    let err = client(&disabled).earnings().get(2025).await.unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden { status: 403, message, .. } if message == "Tax center is not enabled for this account."),
        "{err:?}"
    );

    let bad_token = server().await;
    serve_raw(
        &bad_token,
        "GET",
        "/v2/earnings",
        ResponseTemplate::new(401),
    )
    .await;
    let err = client(&bad_token).earnings().get(2025).await.unwrap_err();
    assert!(
        matches!(&err, Error::Unauthorized { status: 401, .. }),
        "{err:?}"
    );
}

async fn server_with(status: u16, name: &str) -> wiremock::MockServer {
    let server = server().await;
    serve_status(
        &server,
        "GET",
        "/v2/earnings",
        name,
        status,
        "application/json",
    )
    .await;
    server
}
