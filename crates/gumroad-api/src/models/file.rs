//! Uploads: multipart presigns (`/v2/files/*`), direct uploads
//! (`/v2/direct_uploads`) and the public media library (`/v2/media`).

use std::collections::BTreeMap;
use std::fmt;

use creator_core::Secret;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::de::{nullable, opt_i64, opt_string, ts};

/// A started multipart upload (`POST /v2/files/presign`): one presigned
/// S3 URL per 100 MiB part. The URLs grant write access for 15 minutes, so
/// `Debug` never prints them.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Presigned {
    /// The S3 multipart upload id.
    #[serde(default, deserialize_with = "opt_string")]
    pub upload_id: Option<String>,
    /// The S3 object key (`attachments/<seller>/<guid>/original/<name>`).
    #[serde(default, deserialize_with = "opt_string")]
    pub key: Option<String>,
    /// The canonical URL the file will have once completed.
    #[serde(default, deserialize_with = "opt_string")]
    pub file_url: Option<String>,
    /// The parts, numbered from 1.
    #[serde(default, deserialize_with = "nullable")]
    pub parts: Vec<PresignedPart>,
}

/// One part's upload target.
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct PresignedPart {
    /// Part number, from 1.
    pub part_number: u32,
    /// Where to `PUT` the part's bytes.
    pub presigned_url: Secret,
}

impl fmt::Debug for PresignedPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresignedPart")
            .field("part_number", &self.part_number)
            .field("presigned_url", &self.presigned_url)
            .finish()
    }
}

/// A part that reached S3: its number and the `ETag` S3 answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CompletedPart {
    /// Part number.
    pub part_number: u32,
    /// The part's `ETag` (quotes removed).
    pub etag: String,
}

impl CompletedPart {
    /// A part from its number and `ETag`.
    pub fn new(part_number: u32, etag: impl Into<String>) -> Self {
        Self {
            part_number,
            etag: etag.into(),
        }
    }
}

/// A finished upload: pass `file_url` as a product's file
/// ([`FileEntry::new`](crate::FileEntry::new)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UploadedFile {
    /// The canonical file URL (store it: product reads return signed URLs instead).
    #[serde(default, deserialize_with = "opt_string")]
    pub file_url: Option<String>,
}

creator_core::string_enum! {
    /// What `POST /v2/files/abort` did.
    pub enum AbortStatus {
        /// S3 took the cancellation; parts in flight may still finish, so
        /// abort again until it says `already_gone`.
        Accepted = "accepted",
        /// S3 has no such multipart upload (cancelled, or completed).
        AlreadyGone = "already_gone",
    }
}

/// A reserved direct upload (`POST /v2/direct_uploads`): `PUT` the bytes to
/// `direct_upload.url` with its headers, then pass `signed_id` as a
/// `signed_blob_id` (covers, thumbnails, media).
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct DirectUpload {
    /// The blob's signed id.
    #[serde(default, deserialize_with = "opt_string")]
    pub signed_id: Option<String>,
    /// The storage key.
    #[serde(default, deserialize_with = "opt_string")]
    pub key: Option<String>,
    /// File name.
    #[serde(default, deserialize_with = "opt_string")]
    pub filename: Option<String>,
    /// Content type.
    #[serde(default, deserialize_with = "opt_string")]
    pub content_type: Option<String>,
    /// Size in bytes.
    #[serde(default, deserialize_with = "opt_i64")]
    pub byte_size: Option<i64>,
    /// Base64 MD5 of the bytes.
    #[serde(default, deserialize_with = "opt_string")]
    pub checksum: Option<String>,
    /// Where and how to send the bytes.
    #[serde(default)]
    pub direct_upload: Option<DirectUploadTarget>,
}

/// The storage URL and headers of a direct upload. The URL is signed, so
/// `Debug` never prints it.
#[derive(Clone, Deserialize)]
#[non_exhaustive]
pub struct DirectUploadTarget {
    /// The signed storage URL to `PUT` to.
    pub url: Secret,
    /// Headers the `PUT` must carry (`Content-Type`, `Content-MD5`, …).
    #[serde(default, deserialize_with = "nullable")]
    pub headers: BTreeMap<String, String>,
}

impl fmt::Debug for DirectUploadTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DirectUploadTarget")
            .field("url", &self.url)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A file in the seller's public media library (`/v2/media`): images
/// hosted on Gumroad's CDN, the only ones custom pages may display.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MediaFile {
    /// Id (pass to delete).
    #[serde(default, deserialize_with = "opt_string")]
    pub id: Option<String>,
    /// Display name.
    #[serde(default, deserialize_with = "opt_string")]
    pub name: Option<String>,
    /// Upper-case extension, e.g. `PNG`.
    #[serde(default, deserialize_with = "opt_string")]
    pub extension: Option<String>,
    /// Size in bytes.
    #[serde(default, deserialize_with = "opt_i64")]
    pub file_size: Option<i64>,
    /// The public CDN URL to embed.
    #[serde(default, deserialize_with = "opt_string")]
    pub url: Option<String>,
    /// Upload status, `{"type": "saved"}` for a stored file; kept as sent.
    #[serde(default)]
    pub status: Option<serde_json::Value>,
    /// Broad kind, e.g. `image`.
    #[serde(default, deserialize_with = "opt_string")]
    pub file_group: Option<String>,
    /// When it was uploaded.
    #[serde(default, with = "ts")]
    pub created_at: Option<OffsetDateTime>,
}
