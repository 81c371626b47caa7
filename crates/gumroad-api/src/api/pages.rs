//! `/v2/pages`: storefront pages, addressed by slug.

use creator_core::{Error, Result};

use crate::api::resource::{Collection, Flat, object_envelope, one};
use crate::client::envelope;
use crate::{GumroadClient, PageDetail, StorefrontPage};

object_envelope!(PageEnvelope {
    page: StorefrontPage
});
envelope!(PagesEnvelope {
    pages: [StorefrontPage]
});

/// `{"page": …, "rendered_html": …}`.
#[derive(serde::Deserialize)]
struct DetailBody {
    page: StorefrontPage,
    #[serde(default, deserialize_with = "crate::de::opt_string")]
    rendered_html: Option<String>,
}

/// What a page shows: rich text or a custom HTML takeover. Writing one
/// clears the other.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PageContent {
    /// Rich text HTML, as the dashboard editor writes it (`content`).
    RichText(String),
    /// A full custom HTML page (`custom_html`; needs the account's
    /// `custom_html_pages` feature).
    CustomHtml(String),
}

impl PageContent {
    fn pair(&self) -> (&'static str, &str) {
        match self {
            PageContent::RichText(html) => ("content", html),
            PageContent::CustomHtml(html) => ("custom_html", html),
        }
    }
}

/// A new storefront page.
///
/// ```
/// use gumroad_api::{NewPage, PageContent};
///
/// let about = NewPage::new("About")
///     .slug("about")
///     .content(PageContent::CustomHtml("<main><h1>About</h1></main>".into()));
/// # let _ = about;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NewPage {
    title: String,
    slug: Option<String>,
    content: Option<PageContent>,
}

impl NewPage {
    /// A page called `title`, empty until edited; the slug defaults to the
    /// title made URL-safe (numbered when taken).
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            slug: None,
            content: None,
        }
    }

    /// The slug: lower-case letters, digits and hyphens.
    pub fn slug(mut self, slug: impl Into<String>) -> Self {
        self.slug = Some(slug.into());
        self
    }

    /// The page's content.
    pub fn content(mut self, content: PageContent) -> Self {
        self.content = Some(content);
        self
    }
}

/// Changes to a page; unset fields keep their value.
///
/// ```
/// use gumroad_api::{PageContent, PageUpdate};
///
/// let update = PageUpdate::new().content(PageContent::CustomHtml("<main>v2</main>".into()));
/// # let _ = update;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PageUpdate {
    title: Option<String>,
    content: Option<PageContent>,
}

impl PageUpdate {
    /// Nothing set.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// New content (replacing the page's rich text or custom HTML).
    pub fn content(mut self, content: PageContent) -> Self {
        self.content = Some(content);
        self
    }
}

/// Storefront pages. Get it with [`GumroadClient::pages`].
///
/// Not in the API reference; the official CLI uses these endpoints
/// (`gumroad pages list/create/pull/push`). The profile's own landing page
/// is not a page here: see [`crate::ProfileHtmlApi`].
#[derive(Debug, Clone, Copy)]
pub struct PagesApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl PagesApi<'_> {
    fn collection(&self) -> Collection<'_> {
        Collection::new(self.client, "/v2/pages", "/v2/pages/{}", "page slug")
    }

    /// `GET /v2/pages` (any read scope): every page (not paginated).
    ///
    /// # Errors
    /// Any request error.
    pub async fn list(&self) -> Result<Vec<StorefrontPage>> {
        self.collection().list::<PagesEnvelope>().await
    }

    /// `GET /v2/pages/:slug` (any read scope).
    ///
    /// # Errors
    /// [`Error::NotFound`] ("The page was not found.", HTTP 200), or any request error.
    pub async fn get(&self, slug: &str) -> Result<PageDetail> {
        let body = self.collection().get::<Flat<DetailBody>>(slug).await?;
        Ok(PageDetail {
            page: body.page,
            rendered_html: body.rendered_html,
        })
    }

    /// `POST /v2/pages` (scope `edit_profile`). Never retried.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty title; [`Error::Api`] (HTTP 200)
    /// for a taken or invalid slug, an unconfirmed email or custom HTML
    /// without the feature; or any request error.
    pub async fn create(&self, page: &NewPage) -> Result<StorefrontPage> {
        if page.title.trim().is_empty() {
            return Err(Error::InvalidInput("a page needs a title".into()));
        }
        let mut form = vec![("title", page.title.as_str())];
        if let Some(slug) = &page.slug {
            form.push(("slug", slug));
        }
        if let Some(content) = &page.content {
            form.push(content.pair());
        }
        let t = self.client.transport();
        one::<PageEnvelope>(self.client, t.post("/v2/pages").form(form)).await
    }

    /// `PUT /v2/pages/:slug` (scope `edit_profile`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when nothing is set; [`Error::NotFound`]; or
    /// any request error.
    pub async fn update(&self, slug: &str, update: &PageUpdate) -> Result<StorefrontPage> {
        let path = self.collection().path(slug)?;
        let mut form = Vec::with_capacity(2);
        if let Some(title) = &update.title {
            form.push(("title", title.as_str()));
        }
        if let Some(content) = &update.content {
            form.push(content.pair());
        }
        if form.is_empty() {
            return Err(Error::InvalidInput(
                "a page update needs a title or content".into(),
            ));
        }
        let t = self.client.transport();
        one::<PageEnvelope>(self.client, t.put(path).form(form)).await
    }
}
