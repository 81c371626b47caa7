//! `/v2/emails`: audience emails.

use creator_core::Error;
use futures::TryStreamExt;
use gumroad_api::{AudienceType, EmailAudience, EmailsQuery, NewEmail, PostState, SendAt};
use time::macros::datetime;
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, ResponseTemplate};

use crate::common::*;

const ID: &str = "bfi_30HLgGWL8H2wo_Gzlg==";
const KEY: &str = "20260620120000000000-7761";

#[tokio::test]
async fn list_emails_follows_page_key_and_keeps_the_type_filter() {
    let server = server().await;
    for (key, name) in [
        (None, "emails_page1.json"),
        (Some(KEY), "emails_page2.json"),
    ] {
        let mock = Mock::given(method("GET")).and(path("/v2/emails"));
        let mock = match key {
            None => mock.and(query_param_is_missing("page_key")),
            Some(k) => mock.and(query_param("page_key", k)),
        };
        mock.respond_with(
            ResponseTemplate::new(200).set_body_raw(fixture(name), "application/json"),
        )
        .mount(&server)
        .await;
    }
    let emails: Vec<_> = client(&server)
        .emails()
        .list(&EmailsQuery::new().state(PostState::Draft))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(emails.len(), 12);
    let reqs = requests(&server).await;
    let queries: Vec<_> = reqs.iter().map(|r| pairs(&r.query)).collect();
    assert_eq!(
        queries,
        [
            vec![("type", "draft")],
            vec![("type", "draft"), ("page_key", KEY)]
        ]
    );
    assert_eq!(emails[0].state, Some(PostState::Published));
    assert_eq!(emails[0].recipients_count, Some(1342));
    assert_eq!(
        emails[1].scheduled_at,
        Some(datetime!(2026-07-04 09:00 UTC))
    );
    assert_eq!(emails[3].subject, None);
    assert_eq!(
        emails[11].audience_type,
        Some(AudienceType::Unknown("abandoned_cart_someday".into())),
        "a new audience type is kept, not an error"
    );
    insta::assert_json_snapshot!(exchange(&reqs[1], &emails[10..].to_vec()));
}

#[tokio::test]
async fn list_emails_stops_after_max_pages() {
    let server = server().await;
    serve(&server, "GET", "/v2/emails", "emails_page1.json").await;
    let emails: Vec<_> = client(&server)
        .emails()
        .list(&EmailsQuery::new().max_pages(1))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(emails.len(), 10);
    let req = only_request(&server).await;
    assert!(req.query.is_empty());
}

#[tokio::test]
async fn get_email_with_millisecond_timestamps() {
    let server = server().await;
    serve(&server, "GET", &format!("/v2/emails/{ID}"), "email.json").await;
    let email = client(&server).emails().get(ID).await.unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.path, format!("/v2/emails/{ID}"));
    assert_eq!(email.created_at, Some(datetime!(2026-06-17 12:00 UTC)));
    insta::assert_json_snapshot!(exchange(&req, &email));
}

#[tokio::test]
async fn create_email_for_a_product_audience_is_a_draft_form_post() {
    let server = server().await;
    serve(&server, "POST", "/v2/emails", "email_created.json").await;
    let api = client(&server);
    let email = api
        .emails()
        .create(
            &NewEmail::new("Launch update", "<p>Hello, world!</p>")
                .audience(EmailAudience::Product("A-m3CDDC5dlrSdKZp0RFhA==".into())),
        )
        .await
        .unwrap();
    api.emails()
        .create(
            &NewEmail::new("Now", "<p>Now.</p>")
                .audience(EmailAudience::Followers)
                .send_now(true),
        )
        .await
        .unwrap();
    let reqs = requests(&server).await;
    assert_eq!(
        pairs(&reqs[0].form),
        [
            ("subject", "Launch update"),
            ("body", "<p>Hello, world!</p>"),
            ("audience", "product"),
            ("product_id", "A-m3CDDC5dlrSdKZp0RFhA=="),
        ]
    );
    assert_eq!(
        pairs(&reqs[1].form),
        [
            ("subject", "Now"),
            ("body", "<p>Now.</p>"),
            ("audience", "follower"),
            ("publish", "true")
        ]
    );
    assert_eq!(email.state, Some(PostState::Draft));
    insta::assert_json_snapshot!(exchange(&reqs[0], &email));
}

#[tokio::test]
async fn preview_send_schedule_unschedule_are_posts_on_the_member() {
    let server = server().await;
    serve(
        &server,
        "POST",
        &format!("/v2/emails/{ID}/preview"),
        "email_preview.json",
    )
    .await;
    serve(
        &server,
        "POST",
        &format!("/v2/emails/{ID}/send"),
        "email_sent.json",
    )
    .await;
    serve(
        &server,
        "POST",
        &format!("/v2/emails/{ID}/schedule"),
        "email_scheduled.json",
    )
    .await;
    serve(
        &server,
        "POST",
        &format!("/v2/emails/{ID}/unschedule"),
        "email_unscheduled.json",
    )
    .await;
    let api = client(&server);
    let preview = api.emails().preview(ID).await.unwrap();
    let sent = api.emails().send(ID).await.unwrap();
    let at = SendAt::Instant(datetime!(2026-06-18 14:00 UTC));
    let scheduled = api.emails().schedule(ID, at).await.unwrap();
    let local = SendAt::SellerLocal(datetime!(2026-06-18 14:00));
    api.emails().schedule(ID, local).await.unwrap();
    let unscheduled = api.emails().unschedule(ID).await.unwrap();
    let reqs = requests(&server).await;
    let summary: Vec<_> = reqs
        .iter()
        .map(|r| {
            (
                r.method.as_str(),
                r.path.rsplit('/').next().unwrap(),
                r.body.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("POST", "preview", ""),
            ("POST", "send", ""),
            (
                "POST",
                "schedule",
                "to_be_published_at=2026-06-18T14%3A00%3A00Z"
            ),
            ("POST", "schedule", "to_be_published_at=2026-06-18+14%3A00"),
            ("POST", "unschedule", ""),
        ]
    );
    assert_eq!(
        preview.preview_url.as_deref(),
        Some("https://gumroad.com/emails/bfi_30HLgGWL8H2wo_Gzlg==/edit?preview_post=true")
    );
    assert_eq!(sent.state, Some(PostState::Published));
    assert_eq!(scheduled.state, Some(PostState::Scheduled));
    assert_eq!(unscheduled.state, Some(PostState::Draft));
    insta::assert_json_snapshot!(serde_json::json!({
        "preview": preview,
        "sent": sent,
        "scheduled": scheduled,
    }));
}

#[tokio::test]
async fn delete_email() {
    let server = server().await;
    serve(
        &server,
        "DELETE",
        &format!("/v2/emails/{ID}"),
        "email_deleted.json",
    )
    .await;
    let deleted = client(&server).emails().delete(ID).await.unwrap();
    assert_eq!(only_request(&server).await.method, "DELETE");
    assert_eq!(
        deleted.message.as_deref(),
        Some("The email was deleted successfully.")
    );
}

#[tokio::test]
async fn sending_is_never_retried() {
    let server = server().await;
    serve_raw(
        &server,
        "POST",
        &format!("/v2/emails/{ID}/send"),
        ResponseTemplate::new(503),
    )
    .await;
    let err = client(&server).emails().send(ID).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(
        requests(&server).await.len(),
        1,
        "a send is never repeated blindly"
    );
}

#[tokio::test]
async fn email_errors_have_each_of_gumroads_shapes() {
    let server = server().await;
    serve_status(
        &server,
        "GET",
        "/v2/emails",
        "error_400_invalid_email_type.json",
        400,
        "application/json",
    )
    .await;
    serve(
        &server,
        "POST",
        &format!("/v2/emails/{ID}/send"),
        "email_already_sent.json",
    )
    .await;
    serve(
        &server,
        "POST",
        &format!("/v2/emails/{ID}/unschedule"),
        "email_not_scheduled.json",
    )
    .await;
    serve(&server, "GET", "/v2/emails/gone", "email_not_found.json").await;
    serve_raw(
        &server,
        "DELETE",
        &format!("/v2/emails/{ID}"),
        ResponseTemplate::new(403),
    )
    .await;
    let api = client(&server);

    let err = api
        .emails()
        .page(&EmailsQuery::new(), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, message, .. } if message.starts_with("Invalid type.")),
        "{err:?}"
    );
    let err = api.emails().send(ID).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 200, message, .. } if message == "The email has already been sent."),
        "{err:?}"
    );
    let err = api.emails().unschedule(ID).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api { message, .. } if message == "This email is not scheduled."),
        "{err:?}"
    );
    assert!(api.emails().get("gone").await.unwrap_err().is_not_found());
    let err = api.emails().delete(ID).await.unwrap_err();
    assert!(
        matches!(&err, Error::Forbidden { status: 403, .. }),
        "missing edit_emails: {err:?}"
    );
}
