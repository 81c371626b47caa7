//! `/v2/files/*` (multipart uploads), `/v2/direct_uploads` and `/v2/media`.

use creator_core::http::Path;
use creator_core::retry::Idempotency;
use creator_core::{Error, RawBody, Result};

use crate::api::resource::{Flat, one};
use crate::client::{MessageEnvelope, envelope, require};
use crate::{
    AbortStatus, CompletedPart, DirectUpload, GumroadClient, ImageSource, MediaFile, Presigned,
    UploadedFile,
};

/// The server's multipart part size (`PART_SIZE` in Gumroad's files controller).
pub const PART_SIZE: u64 = 100 * 1024 * 1024;

/// The largest file `POST /v2/files/presign` accepts (20 GB).
pub const MAX_FILE_SIZE: u64 = 20 * 1024 * 1024 * 1024;

/// The answer of `POST /v2/files/abort`, next to `success`.
#[derive(serde::Deserialize)]
struct AbortReply {
    #[serde(default)]
    status: Option<AbortStatus>,
}

envelope!(MediaListEnvelope { media: [MediaFile] });
envelope!(MediaEnvelope { media: MediaFile });

/// What [`FilesApi::direct_upload`] reserves: the blob's name, size,
/// base64 MD5 and content type (JPEG, PNG, GIF or a video type).
///
/// ```
/// use gumroad_api::DirectUploadRequest;
///
/// let req = DirectUploadRequest::new("cover.png", 18422, "q2hpY2tlbg==", "image/png").for_media();
/// # let _ = req;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DirectUploadRequest {
    /// File name.
    pub filename: String,
    /// Size in bytes.
    pub byte_size: u64,
    /// Base64 of the MD5 digest of the bytes.
    pub checksum: String,
    /// Content type.
    pub content_type: String,
    /// `purpose=media` for a media-library upload.
    pub purpose: Option<String>,
}

impl DirectUploadRequest {
    /// A blob reservation.
    pub fn new(
        filename: impl Into<String>,
        byte_size: u64,
        checksum: impl Into<String>,
        content_type: impl Into<String>,
    ) -> Self {
        Self {
            filename: filename.into(),
            byte_size,
            checksum: checksum.into(),
            content_type: content_type.into(),
            purpose: None,
        }
    }

    /// Reserves it for the media library (`purpose=media`).
    pub fn for_media(mut self) -> Self {
        self.purpose = Some("media".into());
        self
    }

    fn form(&self) -> Result<Vec<(&'static str, String)>> {
        require("filename", &self.filename)?;
        require("checksum", &self.checksum)?;
        require("content_type", &self.content_type)?;
        let mut form = Vec::with_capacity(5);
        if let Some(p) = &self.purpose {
            form.push(("purpose", p.clone()));
        }
        form.push(("blob[filename]", self.filename.clone()));
        form.push(("blob[byte_size]", self.byte_size.to_string()));
        form.push(("blob[checksum]", self.checksum.clone()));
        form.push(("blob[content_type]", self.content_type.clone()));
        Ok(form)
    }
}

/// Multipart and direct uploads. Get it with [`GumroadClient::files`]; the
/// whole multipart flow from a file on disk is [`crate::upload::Uploader`].
#[derive(Debug, Clone, Copy)]
pub struct FilesApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl FilesApi<'_> {
    /// `POST /v2/files/presign` (`edit_products`): starts a multipart upload
    /// of `file_size` bytes (at most 20 GB) and returns one presigned URL
    /// per 100 MiB part. Never retried (each call opens a new upload).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty name or a size of 0 or above
    /// [`MAX_FILE_SIZE`]; [`Error::Api`] with HTTP 400 (`{status, error}`:
    /// "filename is required", S3 errors), or any request error.
    pub async fn presign(&self, filename: &str, file_size: u64) -> Result<Presigned> {
        require("filename", filename)?;
        if file_size == 0 || file_size > MAX_FILE_SIZE {
            return Err(Error::InvalidInput(format!(
                "file size {file_size} is outside 1..={MAX_FILE_SIZE} bytes"
            )));
        }
        let t = self.client.transport();
        let request = t
            .post("/v2/files/presign")
            .form([
                ("filename", filename.to_owned()),
                ("file_size", file_size.to_string()),
            ])
            .idempotency(Idempotency::Unsafe);
        one::<Flat<Presigned>>(self.client, request)
            .await
            .map_err(without_signed_urls)
    }

    /// `POST /v2/files/complete`: finishes the upload with every part's
    /// `ETag`, sent as JSON (`parts` must arrive as an array of objects).
    /// Never retried: an upload id completes once; after a lost answer,
    /// check before starting again.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] without parts; [`Error::Api`] with HTTP 400
    /// ("invalid key", S3 errors), or any request error.
    pub async fn complete(
        &self,
        upload_id: &str,
        key: &str,
        parts: &[CompletedPart],
    ) -> Result<UploadedFile> {
        require("upload_id", upload_id)?;
        require("key", key)?;
        if parts.is_empty() {
            return Err(Error::InvalidInput(
                "completing an upload needs its parts".into(),
            ));
        }
        let t = self.client.transport();
        let body = serde_json::json!({ "upload_id": upload_id, "key": key, "parts": parts });
        let request = t
            .post("/v2/files/complete")
            .json_body(&body)
            .idempotency(Idempotency::Unsafe);
        one::<Flat<UploadedFile>>(self.client, request).await
    }

    /// `POST /v2/files/abort`: cancels a multipart upload. Safe to repeat
    /// (Gumroad's docs say to call it again while it answers `accepted`),
    /// so it is retried like an idempotent request.
    ///
    /// # Errors
    /// [`Error::Api`] with HTTP 400 ("invalid key"), or any request error.
    pub async fn abort(&self, upload_id: &str, key: &str) -> Result<AbortStatus> {
        require("upload_id", upload_id)?;
        require("key", key)?;
        let t = self.client.transport();
        let request = t
            .post("/v2/files/abort")
            .form([("upload_id", upload_id), ("key", key)])
            .idempotency(Idempotency::Safe);
        let reply = one::<Flat<AbortReply>>(self.client, request).await?;
        Ok(reply.status.unwrap_or(AbortStatus::Accepted))
    }

    /// `POST /v2/direct_uploads` (`edit_products`): reserves a signed
    /// direct upload for an image or video (covers, thumbnails, media).
    /// Never retried.
    ///
    /// # Errors
    /// [`Error::Api`] with HTTP 400 ("content_type must be JPEG, PNG, GIF,
    /// or video."), or any request error.
    pub async fn direct_upload(&self, request: &DirectUploadRequest) -> Result<DirectUpload> {
        let form = request.form()?;
        let t = self.client.transport();
        one::<Flat<DirectUpload>>(self.client, t.post("/v2/direct_uploads").form(form))
            .await
            .map_err(without_signed_urls)
    }
}

/// A decode error of an answer that carries signed storage URLs (presign
/// parts, a direct-upload target) keeps its body with every `url` and
/// `presigned_url` replaced, so neither `Debug` nor
/// [`Error::raw_body`] hands out write access to storage. A body that is not
/// JSON is not kept.
fn without_signed_urls(error: Error) -> Error {
    fn redact(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if matches!(key.as_str(), "url" | "presigned_url") && v.is_string() {
                        *v = "[redacted]".into();
                    } else {
                        redact(v);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(redact),
            _ => {}
        }
    }
    match error {
        Error::Decode {
            provider,
            path,
            message,
            body,
        } => {
            let kept = serde_json::from_slice::<serde_json::Value>(body.as_bytes())
                .ok()
                .and_then(|mut doc| {
                    redact(&mut doc);
                    serde_json::to_vec(&doc).ok()
                })
                .unwrap_or_default();
            Error::Decode {
                provider,
                path,
                message,
                body: RawBody::new(kept),
            }
        }
        other => other,
    }
}

/// The seller's public media library. Get it with [`GumroadClient::media`].
#[derive(Debug, Clone, Copy)]
pub struct MediaApi<'a> {
    pub(crate) client: &'a GumroadClient,
}

impl MediaApi<'_> {
    /// `GET /v2/media` (`view_profile` itself; the `account` scope is not
    /// enough): every file, newest first.
    ///
    /// # Errors
    /// [`Error::Forbidden`] (empty 403) without `view_profile`, or any request error.
    pub async fn list(&self) -> Result<Vec<MediaFile>> {
        self.client
            .all_pages::<MediaListEnvelope>(Path::fixed("/v2/media"), &[])
            .await
    }

    /// `POST /v2/media` (`edit_profile`): adds an image from a public URL
    /// (downloaded by Gumroad) or a direct upload made with
    /// [`DirectUploadRequest::for_media`]. At most 10 MB, no SVG, 20 uploads
    /// per 10 minutes. Never retried.
    ///
    /// # Errors
    /// [`Error::Api`] with the reason (HTTP 200 `success: false`);
    /// [`Error::Forbidden`] with the message "Your account is not active."
    /// (HTTP 403 for a suspended account) or an empty one (no
    /// `edit_profile` scope); or any request error.
    pub async fn create(&self, source: &ImageSource, name: Option<&str>) -> Result<MediaFile> {
        let (key, value) = source.pair()?;
        let mut form: Vec<(&str, &str)> = vec![(key, value)];
        if let Some(n) = name {
            form.push(("name", n));
        }
        let t = self.client.transport();
        let env: MediaEnvelope = self.client.call(t.post("/v2/media").form(form)).await?;
        Ok(env.media)
    }

    /// `DELETE /v2/media/:id`: removes the file; pages embedding its URL
    /// show a broken image once the purge runs.
    ///
    /// # Errors
    /// [`Error::NotFound`] ("The media was not found."), or any request error.
    pub async fn delete(&self, id: &str) -> Result<()> {
        require("media id", id)?;
        let t = self.client.transport();
        let _: MessageEnvelope = self
            .client
            .call(t.delete(Path::new("/v2/media/{}", &[id])))
            .await?;
        Ok(())
    }
}
