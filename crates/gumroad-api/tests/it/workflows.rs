//! `/v2/workflows` and their email steps.

use creator_core::Error;
use gumroad_api::{
    AudienceType, DelayUnit, NewWorkflowEmail, PostState, WorkflowEmailUpdate, WorkflowTrigger,
};
use wiremock::ResponseTemplate;

use crate::common::*;

const WF: &str = "0ssD7B0cF6B5XQd3J7lY2A==";
const STEP: &str = "wfe2_9Kq8Zx7Cv6Bn5Mm4Ll3Kk2==";

#[tokio::test]
async fn list_workflows_with_filters_and_trigger() {
    let server = server().await;
    serve(&server, "GET", "/v2/workflows", "workflows.json").await;
    let workflows = client(&server).workflows().list().await.unwrap();
    let req = only_request(&server).await;
    assert!(req.query.is_empty());
    assert_eq!(workflows[0].audience_type, Some(AudienceType::Product));
    let filters = workflows[0].filters.as_ref().unwrap();
    assert_eq!(filters.paid_more_than.as_deref(), Some("20"));
    assert_eq!(filters.bought_products, ["pencil"]);
    assert_eq!(
        workflows[1].trigger,
        Some(WorkflowTrigger::MemberCancellation)
    );
    assert_eq!(workflows[1].state, Some(PostState::Draft));
    assert!(workflows[0].emails.is_none(), "the list has no steps");
    insta::assert_json_snapshot!(exchange(&req, &workflows));
}

#[tokio::test]
async fn get_workflow_has_steps_with_delays_and_rates() {
    let server = server().await;
    serve(
        &server,
        "GET",
        &format!("/v2/workflows/{WF}"),
        "workflow.json",
    )
    .await;
    let workflow = client(&server).workflows().get(WF).await.unwrap();
    let req = only_request(&server).await;
    let steps = workflow.emails.as_ref().unwrap();
    assert_eq!(steps[0].delay.as_ref().unwrap().unit, Some(DelayUnit::Day));
    assert_eq!(steps[0].open_rate, Some(42.0));
    assert_eq!(steps[1].open_rate, None, "no rate before anything is sent");
    insta::assert_json_snapshot!(exchange(&req, &workflow));
}

#[tokio::test]
async fn add_a_step_posts_all_four_fields_and_is_never_retried() {
    let server = server().await;
    serve(
        &server,
        "POST",
        &format!("/v2/workflows/{WF}/emails"),
        "workflow_email_created.json",
    )
    .await;
    let step = client(&server)
        .workflow_emails(WF)
        .create(&NewWorkflowEmail::new(
            "Week four",
            "<p>Keep going.</p>",
            4,
            DelayUnit::Week,
        ))
        .await
        .unwrap();
    let req = only_request(&server).await;
    assert_eq!(req.method, "POST");
    assert_eq!(
        pairs(&req.form),
        [
            ("subject", "Week four"),
            ("body", "<p>Keep going.</p>"),
            ("delay_amount", "4"),
            ("delay_unit", "week"),
        ]
    );
    assert_eq!(step.open_count, None, "write answers carry no analytics");
    insta::assert_json_snapshot!(exchange(&req, &step));
}

#[tokio::test]
async fn update_a_step_puts_only_the_fields_set_and_is_never_retried() {
    let ok = server().await;
    serve(
        &ok,
        "PUT",
        &format!("/v2/workflows/{WF}/emails/{STEP}"),
        "workflow_email_updated.json",
    )
    .await;
    let api = client(&ok);
    let step = api
        .workflow_emails(WF)
        .update(
            STEP,
            &WorkflowEmailUpdate::new()
                .subject("Week two, revised")
                .delay(10, DelayUnit::Day),
        )
        .await
        .unwrap();
    let req = only_request(&ok).await;
    assert_eq!(req.method, "PUT");
    assert_eq!(
        req.body,
        "subject=Week+two%2C+revised&delay_amount=10&delay_unit=day"
    );
    assert_eq!(step.delay.as_ref().unwrap().amount, Some(10));
    let err = api
        .workflow_emails(WF)
        .update(STEP, &WorkflowEmailUpdate::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");

    let flaky = server().await;
    serve_raw(
        &flaky,
        "PUT",
        &format!("/v2/workflows/{WF}/emails/{STEP}"),
        ResponseTemplate::new(503),
    )
    .await;
    client(&flaky)
        .workflow_emails(WF)
        .update(STEP, &WorkflowEmailUpdate::new().body("<p>x</p>"))
        .await
        .unwrap_err();
    assert_eq!(
        requests(&flaky).await.len(),
        1,
        "a step write is never repeated blindly"
    );
}

#[tokio::test]
async fn step_validation_errors_are_http_400_status_error() {
    let server = server().await;
    serve_status(
        &server,
        "PUT",
        &format!("/v2/workflows/{WF}/emails/{STEP}"),
        "workflow_email_delay_pair_400.json",
        400,
        "application/json",
    )
    .await;
    serve_status(
        &server,
        "POST",
        &format!("/v2/workflows/{WF}/emails"),
        "workflow_email_abandoned_cart_400.json",
        400,
        "application/json",
    )
    .await;
    serve(
        &server,
        "GET",
        "/v2/workflows/gone",
        "workflow_not_found.json",
    )
    .await;
    let api = client(&server);
    let err = api
        .workflow_emails(WF)
        .update(STEP, &WorkflowEmailUpdate::new().body("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, message, .. } if message == "delay_amount and delay_unit must be provided together."),
        "{err:?}"
    );
    let err = api
        .workflow_emails(WF)
        .create(&NewWorkflowEmail::new("Hi", "x", 0, DelayUnit::Hour))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status: 400, message, .. } if message.contains("abandoned cart")),
        "{err:?}"
    );
    let err = api.workflows().get("gone").await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { status: 200, .. }),
        "{err:?}"
    );
}
