//! Custom fields, addressed by name.

use gumroad_api::{CustomFieldType, NewCustomField};

use crate::common::*;

const P: &str = "A-m3CDDC5dlrSdKZp0RFhA==";

#[tokio::test]
async fn list_custom_fields_code_shape() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{P}/custom_fields"),
        "custom_fields.json",
    )
    .await;
    let fields = client(&server).custom_fields(P).list().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(fields[1].kind, Some(CustomFieldType::Checkbox));
    assert_eq!(fields[2].kind, Some(CustomFieldType::LongText));
    insta::assert_json_snapshot!(exchange(&req, &fields));
}

#[tokio::test]
async fn custom_field_required_documented_as_string_false_is_accepted() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/products/{P}/custom_fields"),
        "custom_fields_docs_shape.json",
    )
    .await;
    let fields = client(&server).custom_fields(P).list().await.unwrap();
    assert_eq!(fields.len(), 1);
    assert_eq!(fields[0].required, Some(false));
    assert_eq!(fields[0].id, None);
    assert_eq!(fields[0].name.as_deref(), Some("phone number"));
}

#[tokio::test]
async fn create_custom_field_with_required_as_string_true_and_type() {
    let server = server().await;
    serve(
        &server,
        "POST",
        &format!("/v2/products/{P}/custom_fields"),
        "custom_field_created.json",
    )
    .await;
    let field = client(&server)
        .custom_fields(P)
        .create(
            &NewCustomField::new("Company name")
                .required(true)
                .kind(CustomFieldType::Text),
        )
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "POST");
    assert_eq!(req.body, "name=Company+name&required=true&type=text");
    insta::assert_json_snapshot!(exchange(&req, &field));
}

#[tokio::test]
async fn update_custom_field_addressed_by_url_encoded_name() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        &format!("/v2/products/{P}/custom_fields/phone%20number"),
        "custom_field_updated.json",
    )
    .await;
    let field = client(&server)
        .custom_fields(P)
        .update("phone number", true)
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "PUT");
    assert_eq!(
        req.path,
        format!("/v2/products/{P}/custom_fields/phone%20number")
    );
    assert_eq!(req.body, "required=true");
    insta::assert_json_snapshot!(exchange(&req, &field));
}

#[tokio::test]
async fn delete_custom_field_by_name_with_slashes_stays_one_segment() {
    let server = server().await;
    serve(
        &server,
        "DELETE",
        &format!("/v2/products/{P}/custom_fields/https:%2F%2Fexample.com%2Fterms"),
        "custom_field_deleted.json",
    )
    .await;
    let deleted = client(&server)
        .custom_fields(P)
        .delete("https://example.com/terms")
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "DELETE");
    insta::assert_json_snapshot!(exchange(&req, &deleted));
}
