//! Product content: rich-content pages, cover images, thumbnails, and the
//! file entries sent to attach uploads (2026 API).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::de::{opt_i64, opt_string};

/// One page of a product's or variant's content (`rich_content`): a title
/// and a ProseMirror document. Used both as read and as sent; sending a
/// list replaces all pages (pages keep their identity by `id`).
///
/// ```
/// use gumroad_api::RichContentPage;
///
/// let page = RichContentPage::with_file_embeds("Downloads", &["K7QmZw==".to_owned()]);
/// assert_eq!(page.file_embed_ids(), ["K7QmZw=="]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RichContentPage {
    /// Page id; `None` for a new page.
    #[serde(
        default,
        deserialize_with = "opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    /// Page title.
    #[serde(default, deserialize_with = "opt_string")]
    pub title: Option<String>,
    /// The ProseMirror document (`{"type": "doc", "content": [...]}`), or a
    /// bare node list as some endpoints return it; kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Value>,
}

impl RichContentPage {
    /// A new page with a ProseMirror document.
    pub fn new(title: impl Into<String>, document: Value) -> Self {
        Self {
            id: None,
            title: Some(title.into()),
            description: Some(document),
        }
    }

    /// A new page embedding the given product files, in order, followed by an
    /// empty paragraph (the shape the official CLI writes).
    pub fn with_file_embeds(title: impl Into<String>, file_ids: &[String]) -> Self {
        let mut page = Self::new(title, json!({"type": "doc", "content": []}));
        page.push_file_embeds(file_ids);
        page
    }

    /// Appends file-embed nodes for `file_ids` where the official CLI puts
    /// them (`richcontent.AppendFileEmbeds`): inside the page's file-embed
    /// group when one `fileEmbedGroup` holds every embed of the page, else
    /// at the end of the document, before a trailing paragraph (kept last,
    /// or an empty one added).
    pub fn push_file_embeds(&mut self, file_ids: &[String]) {
        let doc = self
            .description
            .get_or_insert_with(|| json!({"type": "doc", "content": []}));
        if doc.is_array() {
            *doc = json!({"type": "doc", "content": doc.take()});
        }
        if !doc.is_object() {
            *doc = json!({"type": "doc", "content": []});
        }
        doc["type"] = json!("doc");
        if !doc["content"].is_array() {
            doc["content"] = json!([]);
        }
        let Some(content) = doc["content"].as_array_mut() else {
            return;
        };
        let nodes = file_ids.iter().map(|id| {
            json!({
                "type": "fileEmbed",
                "attrs": {"id": id, "uid": uuid_v4(), "collapsed": false}
            })
        });
        if let Some(group) = embed_group_for_append(content) {
            if !group["content"].is_array() {
                group["content"] = json!([]);
            }
            if let Some(members) = group["content"].as_array_mut() {
                members.extend(nodes);
            }
            return;
        }
        let trailing = content
            .last()
            .is_some_and(|n| n["type"] == "paragraph")
            .then(|| content.pop())
            .flatten();
        content.extend(nodes);
        content.push(trailing.unwrap_or_else(|| json!({"type": "paragraph"})));
    }

    /// The ids of the files embedded in this page, in document order.
    pub fn file_embed_ids(&self) -> Vec<String> {
        let mut ids = Vec::new();
        if let Some(d) = &self.description {
            collect_embeds(d, &mut ids);
        }
        ids
    }
}

/// Embeds `new` file ids in `pages` as the official CLI does
/// (`richcontent.AppendFileEmbeds`): on the last page that already embeds
/// files, else on the last page; with no page at all, one new page
/// embedding the `kept` files first, then the new ones (so the kept files
/// do not vanish from the content).
pub(crate) fn append_file_embeds(
    pages: &mut Vec<RichContentPage>,
    kept: &[String],
    new: &[String],
) {
    let target = pages
        .iter()
        .rposition(|p| !p.file_embed_ids().is_empty())
        .or_else(|| pages.len().checked_sub(1));
    match target.and_then(|i| pages.get_mut(i)) {
        Some(page) => page.push_file_embeds(new),
        None => {
            let all: Vec<String> = kept.iter().chain(new).cloned().collect();
            pages.push(RichContentPage::with_file_embeds(DEFAULT_PAGE_TITLE, &all));
        }
    }
}

/// Title of the content page created when there is none (the CLI's).
const DEFAULT_PAGE_TITLE: &str = "Page 1";

/// The `fileEmbedGroup` new embeds join: the one top-level node holding
/// embeds, when it is a group and no embed stands loose in the document.
fn embed_group_for_append(content: &mut [Value]) -> Option<&mut Value> {
    let mut target = None;
    for (i, node) in content.iter().enumerate() {
        if node["type"] == "fileEmbed" {
            return None;
        }
        let mut ids = Vec::new();
        collect_embeds(node, &mut ids);
        if ids.is_empty() {
            continue;
        }
        if node["type"] != "fileEmbedGroup" || target.is_some() {
            return None;
        }
        target = Some(i);
    }
    content.get_mut(target?)
}

/// The ids of the `fileEmbed` nodes under `node`, in document order.
fn collect_embeds(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Array(items) => items.iter().for_each(|n| collect_embeds(n, out)),
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("fileEmbed")
                && let Some(id) = map
                    .get("attrs")
                    .and_then(|a| a.get("id"))
                    .and_then(Value::as_str)
                    .filter(|id| !id.is_empty())
            {
                out.push(id.to_owned());
            }
            if let Some(content) = map.get("content") {
                collect_embeds(content, out);
            }
        }
        _ => {}
    }
}

/// A random version-4 UUID, as the editor uses for embed `uid`s.
pub(crate) fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    // Embed uids only need to be unique within a page; fall back to the
    // clock if the OS source is unavailable rather than failing the write.
    if getrandom::fill(&mut b).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        b = nanos.to_le_bytes();
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// One entry of the `files` list sent on product create or update.
/// `files` is a **full replacement**: keep an existing file with
/// [`FileEntry::keep`], add an upload with [`FileEntry::new`] and the
/// canonical `file_url` that `POST /v2/files/complete` returned.
///
/// A new file's [`placeholder_id`](FileEntry::placeholder_id) is sent the
/// way each action reads it, as the official CLI does: as the entry's `id`
/// on create (Gumroad's create permits `files: [:id, :url, :display_name,
/// …]` and drops other keys), as `external_id` on update (answered with
/// `file_id_mappings`).
///
/// ```
/// use gumroad_api::FileEntry;
///
/// let files = [
///     FileEntry::keep("K7QmZw=="),
///     FileEntry::new("https://files.example/attachments/me/abc/original/v2.zip")
///         .display_name("Build 2")
///         .placeholder_id("upload-1"),
/// ];
/// # let _ = files;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FileEntry {
    /// An existing file's id (alone: keep it unchanged).
    pub id: Option<String>,
    /// The canonical URL of an uploaded file.
    pub url: Option<String>,
    /// A client-chosen id for a new file that rich content may already
    /// embed: the server creates the file and resolves the embeds to its
    /// id; an update answers with `file_id_mappings` from it to the
    /// created file's id (the mechanism the official CLI uses).
    pub placeholder_id: Option<String>,
    /// Display name.
    pub display_name: Option<String>,
    /// Description.
    pub description: Option<String>,
}

/// Which product write a [`FileEntry`] is sent with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileWrite {
    /// `POST /v2/products`: a placeholder is the entry's `id`.
    Create,
    /// `PUT /v2/products/:id`: a placeholder is `external_id`.
    Update,
}

/// A [`FileEntry`] as the wire carries it.
#[derive(Serialize)]
struct WireFile<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

impl FileEntry {
    /// A new file from its canonical upload URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: Some(url.into()),
            ..Self::default()
        }
    }

    /// Keeps an existing file unchanged.
    pub fn keep(id: impl Into<String>) -> Self {
        Self {
            id: Some(id.into()),
            ..Self::default()
        }
    }

    /// Display name.
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// Description.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// A placeholder id for a new file (see the field).
    pub fn placeholder_id(mut self, id: impl Into<String>) -> Self {
        self.placeholder_id = Some(id.into());
        self
    }

    /// The entry as `write` sends it.
    ///
    /// # Errors
    /// [`creator_core::Error::InvalidInput`] for a create entry with both an
    /// id and a placeholder (a new product has no file to keep).
    pub(crate) fn to_wire(&self, write: FileWrite) -> creator_core::Result<Value> {
        let placeholder = self.placeholder_id.as_deref();
        let (id, external_id) = match (write, self.id.as_deref(), placeholder) {
            (FileWrite::Create, Some(_), Some(_)) => {
                return Err(creator_core::Error::InvalidInput(
                    "a new product has no files to keep: give a file entry a placeholder id or \
                     an id, not both"
                        .into(),
                ));
            }
            (FileWrite::Create, id, placeholder) => (id.or(placeholder), None),
            (FileWrite::Update, id, placeholder) => (id, placeholder),
        };
        crate::api::products::to_json(&WireFile {
            id,
            url: self.url.as_deref(),
            external_id,
            display_name: self.display_name.as_deref(),
            description: self.description.as_deref(),
        })
    }
}

/// A product cover image or video (`covers`, and the answer of the cover
/// endpoints).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cover {
    /// Cover id (a GUID); pass it to remove or reorder.
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// Display URL.
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    /// Full-size URL.
    #[serde(default, deserialize_with = "opt_string")]
    pub original_url: Option<String>,
    /// Embed thumbnail (videos).
    #[serde(default, deserialize_with = "opt_string")]
    pub thumbnail: Option<String>,
    /// `image`, `video`, `oembed`, … as sent.
    #[serde(default, rename = "type", deserialize_with = "opt_string")]
    pub kind: Option<String>,
    /// File type, e.g. `png`.
    #[serde(default, deserialize_with = "opt_string")]
    pub filetype: Option<String>,
    /// Display width in pixels.
    #[serde(default, deserialize_with = "opt_i64")]
    pub width: Option<i64>,
    /// Display height in pixels.
    #[serde(default, deserialize_with = "opt_i64")]
    pub height: Option<i64>,
    /// Original width.
    #[serde(default, deserialize_with = "opt_i64")]
    pub native_width: Option<i64>,
    /// Original height.
    #[serde(default, deserialize_with = "opt_i64")]
    pub native_height: Option<i64>,
}

/// A product's covers after adding or removing one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Covers {
    /// All covers, in display order.
    #[serde(default, deserialize_with = "crate::de::nullable")]
    pub covers: Vec<Cover>,
    /// The first (main) cover's id.
    #[serde(default, deserialize_with = "opt_string")]
    pub main_cover_id: Option<String>,
}

/// A product thumbnail (`{url, guid}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Thumbnail {
    /// Image URL.
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    /// Thumbnail id.
    #[serde(default, deserialize_with = "opt_string")]
    pub guid: Option<String>,
}

/// Where a cover or thumbnail image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImageSource {
    /// A public URL Gumroad downloads (`url`).
    Url(String),
    /// A blob uploaded with a direct upload (`signed_blob_id`).
    SignedBlobId(String),
}

impl ImageSource {
    pub(crate) fn pair(&self) -> creator_core::Result<(&'static str, &str)> {
        let (key, value) = match self {
            ImageSource::Url(u) => ("url", u.as_str()),
            ImageSource::SignedBlobId(b) => ("signed_blob_id", b.as_str()),
        };
        crate::client::require(key, value)?;
        Ok((key, value))
    }
}
