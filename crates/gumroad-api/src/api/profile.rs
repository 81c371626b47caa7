//! `PUT /v2/user` and the profile landing page, `/v2/user/custom_html`.

use creator_core::http::Path;
use creator_core::retry::Idempotency;
use creator_core::{Error, Result};

use crate::api::resource::{Flat, one};
use crate::api::user::UserApi;
use crate::{CustomHtmlPreview, CustomHtmlPublished, GumroadClient, ProfileHtml, User};

crate::api::resource::object_envelope!(UpdatedUser { user: User });

/// The profile fields [`UserApi::update`] can change. A field left unset
/// is not sent (and keeps its value); an empty string clears it.
///
/// ```
/// use gumroad_api::UserUpdate;
///
/// let update = UserUpdate::new().name("Jane Doe").bio("I make pencils.");
/// # let _ = update;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UserUpdate {
    name: Option<String>,
    bio: Option<String>,
}

impl UserUpdate {
    /// Nothing set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The seller name (`""` clears it).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The profile bio (`""` clears it).
    pub fn bio(mut self, bio: impl Into<String>) -> Self {
        self.bio = Some(bio.into());
        self
    }

    fn form(&self) -> Vec<(&'static str, &str)> {
        let mut form = Vec::with_capacity(2);
        if let Some(name) = &self.name {
            form.push(("name", name.as_str()));
        }
        if let Some(bio) = &self.bio {
            form.push(("bio", bio.as_str()));
        }
        form
    }
}

impl<'a> UserApi<'a> {
    /// `PUT /v2/user` (scope `edit_profile`): changes the seller name and
    /// bio. Undocumented in the API reference; the official CLI uses it
    /// (`gumroad user update`).
    ///
    /// ```no_run
    /// use gumroad_api::UserUpdate;
    /// # async fn run(client: gumroad_api::GumroadClient) -> creator_core::Result<()> {
    /// let me = client.user().update(&UserUpdate::new().bio("I make pencils.")).await?;
    /// println!("{:?}", me.bio);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when nothing is set; [`Error::Api`] (HTTP 200)
    /// for an account whose email is not confirmed; or any request error.
    pub async fn update(&self, update: &UserUpdate) -> Result<User> {
        let form = update.form();
        if form.is_empty() {
            return Err(Error::InvalidInput(
                "a user update needs a name or a bio".into(),
            ));
        }
        let t = self.client.transport();
        one::<UpdatedUser>(self.client, t.put("/v2/user").form(form)).await
    }

    /// The profile landing page: `/v2/user/custom_html` and
    /// `/v2/user/preview_custom_html`.
    pub fn custom_html(&self) -> ProfileHtmlApi<'a> {
        ProfileHtmlApi {
            client: self.client,
        }
    }
}

/// The profile's custom HTML landing page. Get it with
/// `client.user().custom_html()`.
///
/// These endpoints need the account's `custom_html_pages` feature; without
/// it every call fails with [`Error::Api`] (HTTP 200) "You do not have
/// access to custom HTML pages." The official CLI uses all of them
/// (`gumroad user page …`). Rate limits per token: 30 publishes and 60
/// previews a minute.
#[derive(Debug, Clone, Copy)]
pub struct ProfileHtmlApi<'a> {
    client: &'a GumroadClient,
}

impl ProfileHtmlApi<'_> {
    /// `GET /v2/user/custom_html` (any read scope): the published HTML and a
    /// render of the profile as it serves today.
    ///
    /// # Errors
    /// [`Error::Api`] without the feature, or any request error.
    pub async fn get(&self) -> Result<ProfileHtml> {
        let t = self.client.transport();
        one::<Flat<ProfileHtml>>(self.client, t.get("/v2/user/custom_html")).await
    }

    /// `PUT /v2/user/custom_html` (scope `edit_profile`): replaces the whole
    /// landing page with `html` (sanitized by the server, at most 500,000
    /// characters). Never retried: the answer's `previous_custom_html` is
    /// the page before *this* write, and a repeat after a lost answer would
    /// report the new page as the previous one.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for empty HTML (use [`ProfileHtmlApi::clear`]);
    /// [`Error::Api`] (HTTP 200) when the server refuses the page; or any
    /// request error.
    pub async fn publish(&self, html: &str) -> Result<CustomHtmlPublished> {
        if html.trim().is_empty() {
            return Err(Error::InvalidInput(
                "the page HTML is empty; use clear() to go back to the default profile".into(),
            ));
        }
        self.put(html).await
    }

    /// `PUT /v2/user/custom_html` with an empty value: removes the landing
    /// page, so visitors see the default profile again. Never retried, as
    /// [`ProfileHtmlApi::publish`].
    ///
    /// # Errors
    /// As [`ProfileHtmlApi::publish`].
    pub async fn clear(&self) -> Result<CustomHtmlPublished> {
        self.put("").await
    }

    async fn put(&self, html: &str) -> Result<CustomHtmlPublished> {
        let t = self.client.transport();
        let request = t
            .put("/v2/user/custom_html")
            .form([("custom_html", html)])
            .idempotency(Idempotency::Unsafe);
        one::<Flat<CustomHtmlPublished>>(self.client, request).await
    }

    /// `POST /v2/user/preview_custom_html` (scope `edit_profile`): what
    /// `html` becomes after sanitizing, without saving anything. A dry run,
    /// so it is retried like a read.
    ///
    /// # Errors
    /// [`Error::Api`] (HTTP 200) with the validation message when the page
    /// would be rejected (the raw body keeps the `sanitization_report`); or
    /// any request error.
    pub async fn preview(&self, html: &str) -> Result<CustomHtmlPreview> {
        preview_custom_html(self.client, "/v2/user/preview_custom_html", html).await
    }
}

/// A dry-run sanitize of `html` at `path` (the profile's or a product's
/// `preview_custom_html`): nothing is saved, so it is retried like a read.
pub(crate) async fn preview_custom_html(
    client: &GumroadClient,
    path: impl Into<Path>,
    html: &str,
) -> Result<CustomHtmlPreview> {
    let request = client
        .transport()
        .post(path)
        .form([("custom_html", html)])
        .idempotency(Idempotency::Safe);
    one::<Flat<CustomHtmlPreview>>(client, request).await
}
