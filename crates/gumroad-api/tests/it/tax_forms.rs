//! `/v2/tax_forms`: the list and the PDF download.

use creator_core::Error;
use gumroad_api::TaxFormType;
use wiremock::ResponseTemplate;

use crate::common::*;

const DOWNLOAD: &str = "/v2/tax_forms/2025/us_1099_k/download";

#[tokio::test]
async fn list_tax_forms_of_every_year_or_one() {
    let server = server().await;
    serve(&server, "GET", "/v2/tax_forms", "tax_forms.json").await;
    let api = client(&server);
    let forms = api.tax_forms().list(None).await.unwrap();
    api.tax_forms().list(Some(2025)).await.unwrap();
    let reqs = requests(&server).await;
    assert!(reqs[0].query.is_empty());
    assert_eq!(pairs(&reqs[1].query), [("year", "2025")]);
    assert_eq!(forms[2].tax_form_type, Some(TaxFormType::Us1099Misc));
    assert_eq!(forms[2].filed_at, None, "not filed yet");
    insta::assert_json_snapshot!(exchange(&reqs[0], &forms));
}

#[tokio::test]
async fn download_returns_the_pdf_bytes_exactly_and_never_parses_them() {
    let server = server().await;
    let pdf = fixture("tax_form_1099_k_2025.pdf");
    serve_raw(
        &server,
        "GET",
        DOWNLOAD,
        ResponseTemplate::new(200)
            .insert_header(
                "content-disposition",
                r#"attachment; filename="1099-K-2025.pdf"; filename*=UTF-8''1099-K-2025.pdf"#,
            )
            .set_body_raw(pdf.clone(), "application/pdf"),
    )
    .await;
    let file = client(&server)
        .tax_forms()
        .download(2025, &TaxFormType::Us1099K)
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "GET");
    assert_eq!(req.path, DOWNLOAD);
    assert_eq!(
        req.headers.get("accept").map(String::as_str),
        Some("application/pdf, application/json")
    );
    assert_eq!(file.bytes, pdf, "byte for byte");
    assert_eq!(file.filename.as_deref(), Some("1099-K-2025.pdf"));
    assert_eq!(file.content_type.as_deref(), Some("application/pdf"));
    assert!(
        !format!("{file:?}").contains("PDF-1.4"),
        "Debug shows the length, not the bytes"
    );
}

#[tokio::test]
async fn download_of_a_missing_form_is_a_json_404() {
    let server = server().await;
    serve_status(
        &server,
        "GET",
        "/v2/tax_forms/2025/us_1099_misc/download",
        "tax_form_not_found_404.json",
        404,
        "application/json",
    )
    .await;
    let err = client(&server)
        .tax_forms()
        .download(2025, &TaxFormType::Us1099Misc)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { status: 404, message, .. } if message == "Tax form not found."),
        "{err:?}"
    );
}

#[tokio::test]
async fn download_answered_with_json_is_a_decode_error_not_a_file() {
    let server = server().await;
    serve(&server, "GET", DOWNLOAD, "tax_forms.json").await;
    let err = client(&server)
        .tax_forms()
        .download(2025, &TaxFormType::Us1099K)
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::Decode { .. }), "{err:?}");
}

#[tokio::test]
async fn tax_center_disabled_is_a_403_with_a_message() {
    let server = server().await;
    serve_status(
        &server,
        "GET",
        "/v2/tax_forms",
        "tax_center_not_enabled_403.json",
        403,
        "application/json",
    )
    .await;
    let err = client(&server).tax_forms().list(None).await.unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden { message, .. } if message == "Tax center is not enabled for this account."),
        "{err:?}"
    );
}
