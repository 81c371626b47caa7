//! `/v2/workflows` and their email steps.

use creator_core::http::Path;
use creator_core::retry::Idempotency;
use creator_core::{Error, Result};

use crate::api::resource::{Collection, object_envelope, one};
use crate::client::{envelope, require};
use crate::{DelayUnit, GumroadClient, Workflow, WorkflowEmail};

object_envelope!(WorkflowEnvelope { workflow: Workflow });
envelope!(WorkflowsEnvelope {
    workflows: [Workflow]
});
object_envelope!(StepEnvelope {
    email: WorkflowEmail
});

/// Email workflows. Get it with [`GumroadClient::workflows`]; the steps
/// of one workflow are [`GumroadClient::workflow_emails`].
/// Scope `edit_emails`.
#[derive(Debug, Clone, Copy)]
pub struct WorkflowsApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl WorkflowsApi<'_> {
    fn collection(&self) -> Collection<'_> {
        Collection::new(
            self.client,
            "/v2/workflows",
            "/v2/workflows/{}",
            "workflow id",
        )
    }

    /// `GET /v2/workflows`: every live workflow, newest first (not paginated).
    ///
    /// # Errors
    /// Any request error.
    pub async fn list(&self) -> Result<Vec<Workflow>> {
        self.collection().list::<WorkflowsEnvelope>().await
    }

    /// `GET /v2/workflows/:id`: the workflow with its email steps and their
    /// delivery statistics.
    ///
    /// # Errors
    /// [`Error::NotFound`] ("The workflow was not found.", HTTP 200), or any request error.
    pub async fn get(&self, id: &str) -> Result<Workflow> {
        self.collection().get::<WorkflowEnvelope>(id).await
    }
}

/// A new email step: all four fields are required.
///
/// ```
/// use gumroad_api::{DelayUnit, NewWorkflowEmail};
///
/// let step = NewWorkflowEmail::new("Week four", "<p>Keep going.</p>", 4, DelayUnit::Week);
/// # let _ = step;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewWorkflowEmail {
    subject: String,
    body: String,
    delay_amount: u32,
    delay_unit: DelayUnit,
}

impl NewWorkflowEmail {
    /// A step sent `delay_amount` `delay_unit`s after the trigger.
    pub fn new(
        subject: impl Into<String>,
        body_html: impl Into<String>,
        delay_amount: u32,
        delay_unit: DelayUnit,
    ) -> Self {
        Self {
            subject: subject.into(),
            body: body_html.into(),
            delay_amount,
            delay_unit,
        }
    }
}

/// Changes to an email step; unset fields keep their value.
///
/// ```
/// use gumroad_api::{DelayUnit, WorkflowEmailUpdate};
///
/// let later = WorkflowEmailUpdate::new().delay(2, DelayUnit::Day);
/// # let _ = later;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkflowEmailUpdate {
    subject: Option<String>,
    body: Option<String>,
    delay: Option<(u32, DelayUnit)>,
}

impl WorkflowEmailUpdate {
    /// Nothing set.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new subject (not empty).
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// A new HTML body.
    pub fn body(mut self, body_html: impl Into<String>) -> Self {
        self.body = Some(body_html.into());
        self
    }

    /// A new delay; on a published workflow this can reschedule recipients.
    pub fn delay(mut self, amount: u32, unit: DelayUnit) -> Self {
        self.delay = Some((amount, unit));
        self
    }
}

/// The email steps of one workflow. Get it with [`GumroadClient::workflow_emails`].
///
/// Both writes are never retried automatically: a step added to a
/// published workflow, or a changed delay, can schedule recipients, and a
/// lost answer does not say whether the first attempt took effect (the
/// official CLI refuses to retry them too). Their errors are HTTP 400
/// `{"status": 400, "error": …}`, reported as [`Error::Api`].
#[derive(Debug, Clone, Copy)]
pub struct WorkflowEmailsApi<'a> {
    pub(crate) client: &'a GumroadClient,
    pub(crate) workflow_id: &'a str,
}

impl WorkflowEmailsApi<'_> {
    /// `POST /v2/workflows/:workflow_id/emails`: adds a step (it inherits
    /// the workflow's state). Not allowed on abandoned-cart workflows.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty subject; [`Error::Api`] (HTTP
    /// 400) when Gumroad refuses the step; or any request error.
    pub async fn create(&self, email: &NewWorkflowEmail) -> Result<WorkflowEmail> {
        require("workflow id", self.workflow_id)?;
        require("workflow email subject", &email.subject)?;
        let amount = email.delay_amount.to_string();
        let form = [
            ("subject", email.subject.as_str()),
            ("body", email.body.as_str()),
            ("delay_amount", amount.as_str()),
            ("delay_unit", email.delay_unit.as_str()),
        ];
        let path = Path::new("/v2/workflows/{}/emails", &[self.workflow_id]);
        let t = self.client.transport();
        one::<StepEnvelope>(self.client, t.post(path).form(form)).await
    }

    /// `PUT /v2/workflows/:workflow_id/emails/:email_id`: changes the fields
    /// set in `update`; the workflow's state is unchanged.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when nothing (or an empty subject) is set;
    /// [`Error::Api`] (HTTP 400) when Gumroad refuses the change;
    /// [`Error::NotFound`] (HTTP 200) for an unknown workflow or step; or
    /// any request error.
    pub async fn update(
        &self,
        email_id: &str,
        update: &WorkflowEmailUpdate,
    ) -> Result<WorkflowEmail> {
        require("workflow id", self.workflow_id)?;
        require("workflow email id", email_id)?;
        let mut form: Vec<(&str, String)> = Vec::with_capacity(4);
        if let Some(subject) = &update.subject {
            require("workflow email subject", subject)?;
            form.push(("subject", subject.clone()));
        }
        if let Some(body) = &update.body {
            form.push(("body", body.clone()));
        }
        if let Some((amount, unit)) = &update.delay {
            form.push(("delay_amount", amount.to_string()));
            form.push(("delay_unit", unit.as_str().to_owned()));
        }
        if form.is_empty() {
            return Err(Error::InvalidInput(
                "a workflow email update needs a subject, a body or a delay".into(),
            ));
        }
        let path = Path::new("/v2/workflows/{}/emails/{}", &[self.workflow_id, email_id]);
        let t = self.client.transport();
        let request = t.put(path).form(form).idempotency(Idempotency::Unsafe);
        one::<StepEnvelope>(self.client, request).await
    }
}
