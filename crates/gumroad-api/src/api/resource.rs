//! What the plain resources share: one-object envelopes, flat envelopes,
//! get / list / delete by id, and cursor-paginated lists as streams.

use creator_core::futures::stream::BoxStream;
use creator_core::http::{Path, Request};
use creator_core::{Page, Result, paginate};
use futures::{StreamExt as _, TryStreamExt as _};
use serde::de::DeserializeOwned;

use crate::client::{Envelope, MessageEnvelope, Paged, require};
use crate::{Deleted, GumroadClient, ListPage};

/// An envelope around one object: `{"success": true, "<key>": {…}}`.
pub(crate) trait Object: Envelope + DeserializeOwned {
    /// The object's type.
    type Item;
    /// The object.
    fn into_item(self) -> Self::Item;
}

/// Declares a one-object envelope (as `envelope!`) that also implements [`Object`].
macro_rules! object_envelope {
    ($name:ident { $key:ident : $ty:ty }) => {
        $crate::client::envelope!($name { $key: $ty });
        impl $crate::api::resource::Object for $name {
            type Item = $ty;
            fn into_item(self) -> $ty {
                self.$key
            }
        }
    };
}
pub(crate) use object_envelope;

/// An answer whose fields sit next to `success` instead of under a key
/// (`{"success": true, "custom_html": …, "profile_url": …}`).
#[derive(serde::Deserialize)]
pub(crate) struct Flat<T> {
    #[serde(default)]
    success: Option<bool>,
    #[serde(flatten)]
    body: T,
}

impl<T> Envelope for Flat<T> {
    fn success(&self) -> Option<bool> {
        self.success
    }
}

impl<T: DeserializeOwned> Object for Flat<T> {
    type Item = T;
    fn into_item(self) -> T {
        self.body
    }
}

/// Sends `request` and returns the object inside the answer.
pub(crate) async fn one<E: Object>(
    client: &GumroadClient,
    request: Request<'_>,
) -> Result<E::Item> {
    let envelope: E = client.call(request).await?;
    Ok(envelope.into_item())
}

/// A collection addressed as `collection` and `member` (`/v2/x`, `/v2/x/{}`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Collection<'a> {
    client: &'a GumroadClient,
    /// `/v2/upsells`.
    collection: &'static str,
    /// `/v2/upsells/{}`.
    member: &'static str,
    /// What the id is called in errors (`"upsell id"`).
    id_name: &'static str,
}

impl<'a> Collection<'a> {
    /// The collection at `collection`, members at `member` (`/v2/x/{}`).
    pub(crate) fn new(
        client: &'a GumroadClient,
        collection: &'static str,
        member: &'static str,
        id_name: &'static str,
    ) -> Self {
        Self {
            client,
            collection,
            member,
            id_name,
        }
    }

    /// The member path for `id`, rejecting an empty id.
    pub(crate) fn path(&self, id: &str) -> Result<Path> {
        require(self.id_name, id)?;
        Ok(Path::new(self.member, &[id]))
    }

    /// A sub-path of a member (`/v2/emails/{}/send`), rejecting an empty id.
    pub(crate) fn action(&self, template: &'static str, id: &str) -> Result<Path> {
        require(self.id_name, id)?;
        Ok(Path::new(template, &[id]))
    }

    /// Every item of the (unpaginated today) list, following `next_page_key`
    /// should the server start paginating.
    pub(crate) async fn list<E>(&self) -> Result<Vec<E::Item>>
    where
        E: Paged + 'static,
        E::Item: Send + 'static,
    {
        self.client
            .all_pages::<E>(Path::fixed(self.collection), &[])
            .await
    }

    /// `GET member`.
    pub(crate) async fn get<E: Object>(&self, id: &str) -> Result<E::Item> {
        let path = self.path(id)?;
        one::<E>(self.client, self.client.transport().get(path)).await
    }

    /// `DELETE member`: `{"success": true, "message": "The … was deleted successfully."}`.
    pub(crate) async fn delete(&self, id: &str) -> Result<Deleted> {
        let path = self.path(id)?;
        let env: MessageEnvelope = self
            .client
            .call(self.client.transport().delete(path))
            .await?;
        Ok(Deleted {
            message: env.message,
        })
    }
}

/// One page of a cursor-paginated `GET path` with `query` and `page_key`.
pub(crate) async fn page<E: Paged>(
    client: &GumroadClient,
    path: impl Into<Path>,
    query: Vec<(&'static str, String)>,
    page_key: Option<&str>,
) -> Result<ListPage<E::Item>> {
    let request = client
        .transport()
        .get(path)
        .query_pairs(query)
        .query_opt("page_key", page_key);
    client.page::<E>(request).await
}

/// Every item of a cursor-paginated `GET path`, lazily, with `query` sent
/// again on every page, stopping after `max_pages` when set (the one
/// cursor loop of every paginated list). A `path` that could not be built
/// (an empty id) is the stream's one error.
pub(crate) fn stream<E>(
    client: &GumroadClient,
    path: Result<Path>,
    query: Vec<(&'static str, String)>,
    max_pages: Option<u32>,
) -> BoxStream<'static, Result<E::Item>>
where
    E: Paged + 'static,
    E::Item: Send + 'static,
{
    let path = match path {
        Ok(path) => path,
        Err(e) => return futures::stream::once(futures::future::ready(Err(e))).boxed(),
    };
    let client = client.clone();
    paginate(max_pages, move |cursor: Option<String>| {
        let client = client.clone();
        let path = path.clone();
        let query = query.clone();
        async move {
            let page = page::<E>(&client, path, query, cursor.as_deref()).await?;
            Ok(Page::new(page.items, page.next_page_key))
        }
    })
}

impl GumroadClient {
    /// Every item of a list that Gumroad answers in one response today,
    /// following `next_page_key` should it start paginating (as products
    /// did in 2026), so nothing is silently cut off: [`stream`] read to the end.
    pub(crate) async fn all_pages<E>(
        &self,
        path: Path,
        query: &[(&'static str, String)],
    ) -> Result<Vec<E::Item>>
    where
        E: Paged + 'static,
        E::Item: Send + 'static,
    {
        stream::<E>(self, Ok(path), query.to_vec(), None)
            .try_collect()
            .await
    }
}
