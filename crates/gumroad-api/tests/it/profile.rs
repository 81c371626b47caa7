//! `PUT /v2/user` and the profile landing page (`/v2/user/custom_html`).

use creator_core::Error;
use gumroad_api::UserUpdate;
use wiremock::{MockServer, ResponseTemplate};

use crate::common::*;

#[tokio::test]
async fn update_user_puts_only_the_fields_set_form_encoded() {
    let server = server().await;
    serve(&server, "PUT", "/v2/user", "user_updated.json").await;
    let user = client(&server)
        .user()
        .update(&UserUpdate::new().name("Sahil").bio(""))
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "PUT");
    assert_eq!(req.body, "name=Sahil&bio=");
    assert_eq!(
        req.headers.get("content-type").map(String::as_str),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        user.bio.as_deref(),
        Some(""),
        "an empty bio stays an empty string"
    );
    insta::assert_json_snapshot!(exchange(&req, &user));
}

#[tokio::test]
async fn update_user_with_nothing_set_sends_nothing() {
    let server = server().await;
    let err = client(&server)
        .user()
        .update(&UserUpdate::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(requests(&server).await.is_empty());
}

#[tokio::test]
async fn update_user_unconfirmed_email_is_http_200_success_false() {
    let server = server().await;
    serve(&server, "PUT", "/v2/user", "user_unconfirmed_email.json").await;
    let err = client(&server)
        .user()
        .update(&UserUpdate::new().name("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message.starts_with("You have to confirm your email")),
        "{err:?}"
    );
}

#[tokio::test]
async fn get_custom_html_without_a_page_has_the_default_storefront_render() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/user/custom_html",
        "profile_custom_html.json",
    )
    .await;
    let page = client(&server).user().custom_html().get().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "GET");
    assert!(req.query.is_empty());
    assert_eq!(page.custom_html, None);
    assert_eq!(page.has_landing_page, Some(false));
    assert!(
        page.rendered_html
            .as_deref()
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    insta::assert_json_snapshot!(exchange(&req, &page));
}

#[tokio::test]
async fn publish_custom_html_is_a_form_put_and_returns_the_sanitization_report() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/user/custom_html",
        "profile_custom_html_published.json",
    )
    .await;
    let html = r#"<main><h1 data-gumroad-field="name"></h1><button onclick="steal()">Shop</button></main>"#;
    let published = client(&server)
        .user()
        .custom_html()
        .publish(html)
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "PUT");
    assert_eq!(pairs(&req.form), [("custom_html", html)]);
    let report = published.sanitization_report.as_ref().unwrap();
    assert_eq!(report.total_removed, Some(2));
    assert_eq!(
        report.removed_attributes[0].attribute.as_deref(),
        Some("onclick")
    );
    assert_eq!(published.previous_custom_html, None);
    insta::assert_json_snapshot!(exchange(&req, &published));
}

#[tokio::test]
async fn clear_custom_html_sends_an_empty_value_and_publish_refuses_empty_html() {
    let server = server().await;
    serve(
        &server,
        "PUT",
        "/v2/user/custom_html",
        "profile_custom_html_cleared.json",
    )
    .await;
    let api = client(&server);
    let err = api.user().custom_html().publish("  ").await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let cleared = api.user().custom_html().clear().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.body, "custom_html=");
    assert_eq!(cleared.custom_html, None);
    assert_eq!(cleared.profile_url, None, "no username, no profile URL");
    assert!(cleared.previous_custom_html.is_some());
}

#[tokio::test]
async fn publish_and_clear_are_sent_once_after_a_503_so_previous_custom_html_is_not_lost() {
    let server = server().await;
    serve_raw(
        &server,
        "PUT",
        "/v2/user/custom_html",
        ResponseTemplate::new(503),
    )
    .await;
    let api = client(&server);
    let err = api
        .user()
        .custom_html()
        .publish("<main>x</main>")
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    api.user().custom_html().clear().await.unwrap_err();
    assert_eq!(
        requests(&server).await.len(),
        2,
        "one attempt each: a repeat after a lost answer would report the new page as the previous one"
    );
}

#[tokio::test]
async fn preview_custom_html_is_a_post_that_saves_nothing() {
    let server = server().await;
    serve(
        &server,
        "POST",
        "/v2/user/preview_custom_html",
        "profile_custom_html_preview.json",
    )
    .await;
    let preview = client(&server)
        .user()
        .custom_html()
        .preview("<main><h1>Moonwalk Records</h1></main>")
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/v2/user/preview_custom_html");
    assert_eq!(
        req.form_value("custom_html"),
        Some("<main><h1>Moonwalk Records</h1></main>")
    );
    insta::assert_json_snapshot!(exchange(&req, &preview));
}

#[tokio::test]
async fn preview_is_a_dry_run_so_it_is_retried_after_a_503() {
    let server = server().await;
    serve_raw(
        &server,
        "POST",
        "/v2/user/preview_custom_html",
        ResponseTemplate::new(503),
    )
    .await;
    let err = failed_preview(&server).await;
    assert_eq!(err.status(), Some(503));
    assert_eq!(requests(&server).await.len(), 3, "three attempts");
}

#[tokio::test]
async fn preview_rejected_page_keeps_the_report_in_the_raw_body() {
    let server = server().await;
    serve(
        &server,
        "POST",
        "/v2/user/preview_custom_html",
        "profile_custom_html_preview_rejected.json",
    )
    .await;
    let err = failed_preview(&server).await;
    assert!(matches!(&err, Error::Api { status: 200, .. }), "{err:?}");
    let body = String::from_utf8_lossy(err.raw_body().unwrap().as_bytes()).into_owned();
    assert!(body.contains("sanitization_report"), "{body}");
}

#[tokio::test]
async fn custom_html_without_the_feature_is_http_200_success_false() {
    let server = server().await;
    serve(
        &server,
        "GET",
        "/v2/user/custom_html",
        "custom_html_pages_not_enabled.json",
    )
    .await;
    let err = client(&server)
        .user()
        .custom_html()
        .get()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message == "You do not have access to custom HTML pages."),
        "{err:?}"
    );
}

#[tokio::test]
async fn custom_html_write_without_edit_profile_is_an_empty_403() {
    let server = server().await;
    serve_raw(
        &server,
        "PUT",
        "/v2/user/custom_html",
        ResponseTemplate::new(403),
    )
    .await;
    let err = client(&server)
        .user()
        .custom_html()
        .publish("<p>x</p>")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden { status: 403, .. }),
        "{err:?}"
    );
    assert_eq!(requests(&server).await.len(), 1, "a 403 is not retried");
}

/// Previews a small page against `server` and expects it to fail.
async fn failed_preview(server: &MockServer) -> Error {
    client(server)
        .user()
        .custom_html()
        .preview("<p>x</p>")
        .await
        .unwrap_err()
}
