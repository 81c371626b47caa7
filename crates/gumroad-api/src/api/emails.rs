//! `/v2/emails`: audience emails (broadcasts).

use creator_core::futures::stream::BoxStream;
use creator_core::{Error, Result};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

use crate::api::resource::{self, Collection, Flat, object_envelope, one};
use crate::client::envelope;
use crate::{Deleted, Email, EmailPreview, GumroadClient, ListPage, PostState};

object_envelope!(EmailEnvelope { email: Email });
envelope!(EmailsPage { emails: [Email] });

/// Filters for [`EmailsApi::list`]; sent on every page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct EmailsQuery {
    /// Only drafts, scheduled or published emails (`type`).
    pub state: Option<PostState>,
    /// Stop after this many pages (10 emails each), when set.
    pub max_pages: Option<u32>,
}

impl EmailsQuery {
    /// Every email.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only emails in `state`.
    pub fn state(mut self, state: PostState) -> Self {
        self.state = Some(state);
        self
    }

    /// Stops after `pages` pages.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages);
        self
    }

    fn pairs(&self) -> Vec<(&'static str, String)> {
        self.state
            .iter()
            .map(|s| ("type", s.as_str().to_owned()))
            .collect()
    }
}

/// Who a new email goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EmailAudience {
    /// Customers and followers (`audience`, the default).
    Everyone,
    /// Customers (`seller`).
    Customers,
    /// Followers (`follower`).
    Followers,
    /// Buyers of one product (`product` with `product_id`, an id or permalink).
    Product(String),
}

/// A new audience email, created as a draft unless [`NewEmail::send_now`].
///
/// ```
/// use gumroad_api::{EmailAudience, NewEmail};
///
/// let draft = NewEmail::new("New release", "<p>Version 2 is out.</p>")
///     .audience(EmailAudience::Product("A-m3CDDC5dlrSdKZp0RFhA==".into()));
/// # let _ = draft;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewEmail {
    subject: String,
    body: String,
    audience: EmailAudience,
    send_now: bool,
}

impl NewEmail {
    /// A draft to everyone with this subject and HTML body.
    pub fn new(subject: impl Into<String>, body_html: impl Into<String>) -> Self {
        Self {
            subject: subject.into(),
            body: body_html.into(),
            audience: EmailAudience::Everyone,
            send_now: false,
        }
    }

    /// The audience (default [`EmailAudience::Everyone`]).
    pub fn audience(mut self, audience: EmailAudience) -> Self {
        self.audience = audience;
        self
    }

    /// Publishes and sends it on creation (`publish=true`) instead of
    /// saving a draft. Irreversible.
    pub fn send_now(mut self, send_now: bool) -> Self {
        self.send_now = send_now;
        self
    }

    fn form(&self) -> Vec<(&'static str, &str)> {
        let audience = match &self.audience {
            EmailAudience::Everyone => "audience",
            EmailAudience::Customers => "seller",
            EmailAudience::Followers => "follower",
            EmailAudience::Product(_) => "product",
        };
        let mut form = vec![
            ("subject", self.subject.as_str()),
            ("body", self.body.as_str()),
            ("audience", audience),
        ];
        if let EmailAudience::Product(id) = &self.audience {
            form.push(("product_id", id));
        }
        if self.send_now {
            form.push(("publish", "true"));
        }
        form
    }
}

/// When a scheduled email goes out (`to_be_published_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendAt {
    /// An instant, sent as RFC 3339 (`2026-06-18T14:00:00Z`).
    Instant(OffsetDateTime),
    /// A wall-clock time the server reads in the seller's time zone
    /// (sent as `2026-06-18 14:00`).
    SellerLocal(PrimitiveDateTime),
}

impl SendAt {
    fn param(&self) -> Result<String> {
        let formatted = match self {
            SendAt::Instant(t) => t.format(&Rfc3339),
            SendAt::SellerLocal(t) => {
                t.format(format_description!("[year]-[month]-[day] [hour]:[minute]"))
            }
        };
        formatted.map_err(|e| Error::InvalidInput(format!("send time cannot be formatted: {e}")))
    }
}

/// Audience emails. Get it with [`GumroadClient::emails`].
///
/// Every endpoint needs the `edit_emails` scope, reads included. Sending,
/// scheduling and previews are POSTs and never retried automatically.
#[derive(Debug, Clone, Copy)]
pub struct EmailsApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl EmailsApi<'_> {
    fn collection(&self) -> Collection<'_> {
        Collection::new(self.client, "/v2/emails", "/v2/emails/{}", "email id")
    }

    /// Every email matching `query`, newest first, as a lazy stream that
    /// follows `next_page_key` (10 per page) and keeps the filter.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// use gumroad_api::{EmailsQuery, PostState};
    /// # async fn run(client: gumroad_api::GumroadClient) -> creator_core::Result<()> {
    /// let drafts: Vec<_> = client.emails().list(&EmailsQuery::new().state(PostState::Draft)).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list(&self, query: &EmailsQuery) -> BoxStream<'static, Result<Email>> {
        resource::stream::<EmailsPage>(
            self.client,
            Ok("/v2/emails".into()),
            query.pairs(),
            query.max_pages,
        )
    }

    /// One page of `GET /v2/emails`.
    ///
    /// # Errors
    /// [`Error::Api`] with HTTP 400 for a bad `page_key` or filter, or any request error.
    pub async fn page(
        &self,
        query: &EmailsQuery,
        page_key: Option<&str>,
    ) -> Result<ListPage<Email>> {
        resource::page::<EmailsPage>(self.client, "/v2/emails", query.pairs(), page_key).await
    }

    /// `GET /v2/emails/:id`.
    ///
    /// # Errors
    /// [`Error::NotFound`] ("The email was not found.", HTTP 200), or any request error.
    pub async fn get(&self, id: &str) -> Result<Email> {
        self.collection().get::<EmailEnvelope>(id).await
    }

    /// `POST /v2/emails`: creates a draft, or sends at once with
    /// [`NewEmail::send_now`]. Never retried.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty subject; [`Error::Api`] (HTTP
    /// 200) for an unknown product or a refused email; or any request error.
    pub async fn create(&self, email: &NewEmail) -> Result<Email> {
        if email.subject.trim().is_empty() {
            return Err(Error::InvalidInput("an email needs a subject".into()));
        }
        let t = self.client.transport();
        one::<EmailEnvelope>(self.client, t.post("/v2/emails").form(email.form())).await
    }

    /// `POST /v2/emails/:id/preview`: emails a preview to the seller.
    ///
    /// # Errors
    /// [`Error::NotFound`], [`Error::Api`] when the preview cannot be sent, or any request error.
    pub async fn preview(&self, id: &str) -> Result<EmailPreview> {
        let path = self.collection().action("/v2/emails/{}/preview", id)?;
        one::<Flat<EmailPreview>>(self.client, self.client.transport().post(path)).await
    }

    /// `POST /v2/emails/:id/send`: publishes the email and sends it to its
    /// audience. Irreversible; never retried.
    ///
    /// # Errors
    /// [`Error::Api`] (HTTP 200) "The email has already been sent." or "…
    /// scheduled to be sent at its scheduled time."; or any request error.
    pub async fn send(&self, id: &str) -> Result<Email> {
        self.act("/v2/emails/{}/send", id, Vec::new()).await
    }

    /// `POST /v2/emails/:id/schedule`: sends it at `at` (again: reschedules).
    ///
    /// # Errors
    /// [`Error::Api`] (HTTP 200) for an email already sent or a time the
    /// server refuses; or any request error.
    pub async fn schedule(&self, id: &str, at: SendAt) -> Result<Email> {
        let form = vec![("to_be_published_at", at.param()?)];
        self.act("/v2/emails/{}/schedule", id, form).await
    }

    /// `POST /v2/emails/:id/unschedule`: back to a draft.
    ///
    /// # Errors
    /// [`Error::Api`] (HTTP 200) "This email is not scheduled."; or any request error.
    pub async fn unschedule(&self, id: &str) -> Result<Email> {
        self.act("/v2/emails/{}/unschedule", id, Vec::new()).await
    }

    /// `DELETE /v2/emails/:id`.
    ///
    /// # Errors
    /// [`Error::NotFound`], or any request error.
    pub async fn delete(&self, id: &str) -> Result<Deleted> {
        self.collection().delete(id).await
    }

    async fn act(
        &self,
        template: &'static str,
        id: &str,
        form: Vec<(&'static str, String)>,
    ) -> Result<Email> {
        let path = self.collection().action(template, id)?;
        let mut request = self.client.transport().post(path);
        if !form.is_empty() {
            request = request.form(form);
        }
        one::<EmailEnvelope>(self.client, request).await
    }
}
