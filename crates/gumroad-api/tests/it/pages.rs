//! `/v2/pages`: storefront pages by slug.

use creator_core::Error;
use gumroad_api::{NewPage, PageContent, PageUpdate};
use wiremock::ResponseTemplate;

use crate::common::*;

#[tokio::test]
async fn list_pages_rich_text_and_custom_html_pages() {
    let server = server().await;
    serve(&server, "GET", "/v2/pages", "pages.json").await;
    let pages = client(&server).pages().list().await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "GET");
    assert!(req.query.is_empty(), "unpaginated: no page_key");
    assert_eq!(pages.len(), 2);
    assert!(pages[0].is_custom_html());
    assert!(!pages[1].is_custom_html());
    assert_eq!(pages[1].content.as_deref(), Some("<p>Ask away.</p>"));
    insta::assert_json_snapshot!(exchange(&req, &pages));
}

#[tokio::test]
async fn get_page_by_slug_with_and_without_rendered_html() {
    let server = server().await;
    serve(&server, "GET", "/v2/pages/about", "page.json").await;
    serve(
        &server,
        "GET",
        "/v2/pages/faq",
        "page_with_rendered_html.json",
    )
    .await;
    let api = client(&server);
    let about = api.pages().get("about").await.unwrap();
    assert_eq!(about.page.slug, "about");
    assert_eq!(about.rendered_html, None);
    let faq = api.pages().get("faq").await.unwrap();
    assert!(faq.rendered_html.as_deref().unwrap().contains("Ask away."));
    let reqs = requests(&server).await;
    assert_eq!(reqs[1].path, "/v2/pages/faq");
    insta::assert_json_snapshot!(exchange(&reqs[1], &faq));
}

#[tokio::test]
async fn create_page_posts_title_slug_and_custom_html() {
    let server = server().await;
    serve(&server, "POST", "/v2/pages", "page_created.json").await;
    let page = client(&server)
        .pages()
        .create(
            &NewPage::new("About")
                .slug("about")
                .content(PageContent::CustomHtml(
                    "<main><h1>About</h1></main>".into(),
                )),
        )
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "POST");
    assert_eq!(
        pairs(&req.form),
        [
            ("title", "About"),
            ("slug", "about"),
            ("custom_html", "<main><h1>About</h1></main>"),
        ]
    );
    // The server numbered the taken slug; an account without a username has no URL.
    assert_eq!(page.slug, "about-2");
    assert_eq!(page.url, None);
    insta::assert_json_snapshot!(exchange(&req, &page));
}

#[tokio::test]
async fn create_page_needs_a_title_and_is_never_retried() {
    let server = server().await;
    serve_raw(&server, "POST", "/v2/pages", ResponseTemplate::new(503)).await;
    let api = client(&server);
    let err = api.pages().create(&NewPage::new(" ")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let err = api
        .pages()
        .create(&NewPage::new("About"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    let req = only_request(&server).await;
    assert_eq!(req.body, "title=About");
}

#[tokio::test]
async fn update_page_puts_rich_text_content_by_slug() {
    let server = server().await;
    serve(&server, "PUT", "/v2/pages/faq", "page_updated.json").await;
    let page = client(&server)
        .pages()
        .update(
            "faq",
            &PageUpdate::new()
                .title("Questions")
                .content(PageContent::RichText("<p>New</p>".into())),
        )
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "PUT");
    assert_eq!(req.body, "title=Questions&content=%3Cp%3ENew%3C%2Fp%3E");
    assert_eq!(page.title.as_deref(), Some("Questions"));
    let err = client(&server)
        .pages()
        .update("faq", &PageUpdate::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
}

#[tokio::test]
async fn page_not_found_is_http_200_success_false() {
    let server = server().await;
    serve(&server, "GET", "/v2/pages/gone", "page_not_found.json").await;
    let err = client(&server).pages().get("gone").await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { status: 200, message, .. } if message == "The page was not found."),
        "{err:?}"
    );
}

#[tokio::test]
async fn both_contents_refused_by_the_server_is_an_api_error() {
    let server = server().await;
    serve(&server, "PUT", "/v2/pages/faq", "page_both_contents.json").await;
    let err = client(&server)
        .pages()
        .update("faq", &PageUpdate::new().title("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message.starts_with("Send either content or custom_html")),
        "{err:?}"
    );
}

#[tokio::test]
async fn missing_edit_profile_scope_is_forbidden_with_or_without_a_message() {
    let server = server().await;
    serve_status(
        &server,
        "POST",
        "/v2/pages",
        "error_403_requires_edit_profile.json",
        403,
        "application/json",
    )
    .await;
    serve_raw(&server, "PUT", "/v2/pages/faq", ResponseTemplate::new(403)).await;
    let api = client(&server);
    let err = api
        .pages()
        .create(&NewPage::new("About"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden { status: 403, message, .. } if message == "This endpoint requires the edit_profile scope."),
        "{err:?}"
    );
    let err = api
        .pages()
        .update("faq", &PageUpdate::new().title("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden { status: 403, message, .. } if message.is_empty()),
        "{err:?}"
    );
}
