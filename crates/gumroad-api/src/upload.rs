//! Uploading files from disk: the multipart flow (`presign` → one `PUT` per
//! part to S3 → `complete`, `abort` on failure) and signed direct uploads.
//!
//! Parts are streamed from the file in small chunks, one part at a time, so
//! memory stays flat whatever the file size. A part that fails with a
//! retryable answer (429, 5xx, timeout, connection error) is sent again from
//! disk after a backoff slept on the client's [`Clock`](creator_core::Clock);
//! an expired presigned URL or another 4xx is not. On a failure the upload
//! is aborted, except when `complete` failed ambiguously (the server may have
//! finished it): then nothing is aborted and the failure carries what is
//! needed to check and complete again ([`UploadFailure::pending`]).
//!
//! ```no_run
//! use gumroad_api::upload::Uploader;
//! use gumroad_api::{FileEntry, ProductParams};
//!
//! # async fn run(client: gumroad_api::GumroadClient) -> Result<(), Box<dyn std::error::Error>> {
//! let uploaded = Uploader::new(&client)
//!     .progress(|p| eprintln!("{}/{} bytes", p.uploaded, p.total))
//!     .upload_file("build/app-2.0.zip")
//!     .await?;
//! let url = uploaded.file_url.unwrap_or_default();
//! client.products().update("A-m3CDDC5dlrSdKZp0RFhA==", &ProductParams::new().files(vec![FileEntry::new(url)])).await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::io::SeekFrom;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use creator_core::retry::{Decision, Failure, Idempotency, Method, RetryClass, RetryPolicy};
use creator_core::{Error, Provider, RawBody, Result, Secret};
use md5::{Digest, Md5};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use crate::{
    AbortStatus, CompletedPart, DirectUpload, DirectUploadRequest, GumroadClient, PART_SIZE,
    Presigned, UploadedFile,
};

/// Bytes read from disk per body chunk.
const CHUNK: usize = 64 * 1024;

/// The default timeout of one part `PUT` (a slow link needs a long one).
const DEFAULT_PART_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// How long the default storage client waits for a connection.
const STORAGE_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The most of a storage error body that is read and kept (S3 error
/// documents are small; a peer sending more is cut off).
const MAX_STORAGE_ERROR_BODY: usize = 4 * 1024;

/// How long reading a storage error body may take before it is given up.
const STORAGE_ERROR_READ_TIMEOUT: Duration = Duration::from_millis(500);

/// How many times `abort` is sent while storage answers `accepted`.
const ABORT_ATTEMPTS: u32 = 3;

/// The pause between two aborts, on the client's clock.
const ABORT_PAUSE: Duration = Duration::from_secs(1);

/// S3 error elements that echo the signed request (signature, session
/// token in the canonical query); their text is never kept.
const SIGNED_ELEMENTS: [&str; 5] = [
    "SignatureProvided",
    "StringToSign",
    "StringToSignBytes",
    "CanonicalRequest",
    "CanonicalRequestBytes",
];

/// How far an upload has got; given to the progress callback after each part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadProgress {
    /// Bytes acknowledged by storage so far (never decreases).
    pub uploaded: u64,
    /// The file size.
    pub total: u64,
    /// Parts done.
    pub parts_done: u32,
    /// Parts in all.
    pub parts: u32,
}

/// Where a multipart upload failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UploadStage {
    /// Before any request: the file could not be read or is not uploadable.
    Prepare,
    /// Starting the upload (`/v2/files/presign`).
    Presign,
    /// Sending a part to storage.
    Parts,
    /// Finishing the upload (`/v2/files/complete`).
    Complete,
}

/// What was done about the unfinished upload after a failure.
#[derive(Debug)]
#[non_exhaustive]
pub enum Cleanup {
    /// No multipart upload had been started.
    NotNeeded,
    /// It was aborted.
    Aborted(AbortStatus),
    /// Aborting failed too; abort it later with [`UploadFailure::pending`].
    AbortFailed(Error),
    /// Not aborted: `complete` failed in a way that may have finished the
    /// upload. Check the file URL, then complete again or abort.
    Skipped,
}

/// The handles of an unfinished multipart upload, enough to complete or
/// abort it later with [`FilesApi`](crate::FilesApi).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PendingUpload {
    /// The multipart upload id.
    pub upload_id: String,
    /// The object key.
    pub key: String,
    /// The canonical URL the file will have, from the presign answer.
    pub file_url: Option<String>,
    /// The parts that reached storage, in order.
    pub parts: Vec<CompletedPart>,
}

/// A failed [`Uploader::upload_file`]: the error, where it happened, and
/// what became of the unfinished upload.
#[derive(Debug)]
#[non_exhaustive]
pub struct UploadFailure {
    /// The cause.
    pub error: Error,
    /// Where it happened.
    pub stage: UploadStage,
    /// The unfinished upload, once presign succeeded.
    pub pending: Option<PendingUpload>,
    /// What was done about it.
    pub cleanup: Cleanup,
}

impl fmt::Display for UploadFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "upload failed during {:?}: {}", self.stage, self.error)?;
        match &self.cleanup {
            Cleanup::Skipped => f.write_str(
                " (the upload may have completed: check its file URL before retrying; not aborted)",
            ),
            Cleanup::AbortFailed(e) => write!(f, " (aborting it failed too: {e})"),
            Cleanup::Aborted(_) | Cleanup::NotNeeded => Ok(()),
        }
    }
}

impl std::error::Error for UploadFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<UploadFailure> for Error {
    fn from(failure: UploadFailure) -> Self {
        failure.error
    }
}

type ProgressFn = Arc<dyn Fn(&UploadProgress) + Send + Sync>;

/// Uploads files from disk through a [`GumroadClient`].
///
/// Storage `PUT`s go through their own HTTP client, which never carries the
/// Gumroad token.
#[derive(Clone)]
pub struct Uploader<'a> {
    client: &'a GumroadClient,
    storage: Option<reqwest::Client>,
    part_size: u64,
    part_timeout: Duration,
    retry: RetryPolicy,
    allow_insecure_urls: bool,
    progress: Option<ProgressFn>,
    filename: Option<String>,
}

impl fmt::Debug for Uploader<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Uploader")
            .field("client", self.client)
            .field("part_size", &self.part_size)
            .field("part_timeout", &self.part_timeout)
            .field("retry", &self.retry)
            .field("allow_insecure_urls", &self.allow_insecure_urls)
            .finish_non_exhaustive()
    }
}

impl<'a> Uploader<'a> {
    /// An uploader with the defaults: the server's 100 MiB parts, a one-hour
    /// timeout per part attempt, three attempts per part, HTTPS storage URLs only.
    pub fn new(client: &'a GumroadClient) -> Self {
        Self {
            client,
            storage: None,
            part_size: PART_SIZE,
            part_timeout: DEFAULT_PART_TIMEOUT,
            retry: RetryPolicy::default(),
            allow_insecure_urls: false,
            progress: None,
            filename: None,
        }
    }

    /// The part size the server cuts the file into (it must match the
    /// server's; change it only for a server that differs, or in tests).
    pub fn part_size(mut self, bytes: u64) -> Self {
        self.part_size = bytes.max(1);
        self
    }

    /// Timeout of one part attempt.
    pub fn part_timeout(mut self, timeout: Duration) -> Self {
        self.part_timeout = timeout;
        self
    }

    /// Retry policy for part `PUT`s (sleeps go through the client's clock).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The HTTP client for storage requests. The default one follows no
    /// redirect (a `303` would turn a part `PUT` into a body-less `GET`)
    /// and gives up connecting after 30 s; a client given here should do
    /// the same.
    pub fn storage_client(mut self, client: reqwest::Client) -> Self {
        self.storage = Some(client);
        self
    }

    /// Accepts `http://` storage URLs (a local test server); never for real uploads.
    pub fn allow_insecure_urls(mut self, allow: bool) -> Self {
        self.allow_insecure_urls = allow;
        self
    }

    /// The file name sent to presign (default: the path's file name).
    pub fn filename(mut self, name: impl Into<String>) -> Self {
        self.filename = Some(name.into());
        self
    }

    /// Called after every part with the bytes done so far.
    pub fn progress(mut self, callback: impl Fn(&UploadProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(callback));
        self
    }

    fn storage(&self) -> Result<reqwest::Client> {
        match &self.storage {
            Some(c) => Ok(c.clone()),
            None => reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(STORAGE_CONNECT_TIMEOUT)
                .build()
                .map_err(|e| {
                    Error::Config(format!("could not build the storage HTTP client: {e}"))
                }),
        }
    }

    /// Uploads `path` with the multipart flow and returns the canonical
    /// file URL to attach to a product.
    ///
    /// # Errors
    /// An [`UploadFailure`] naming the stage, the cause (an
    /// [`Error::Api`] with code `presign_expired` when a part URL expired,
    /// `storage_rejected` for another storage refusal) and the cleanup done.
    pub async fn upload_file(
        &self,
        path: impl AsRef<Path>,
    ) -> std::result::Result<UploadedFile, UploadFailure> {
        let path = path.as_ref();
        let fail = |stage, error, pending, cleanup| UploadFailure {
            error,
            stage,
            pending,
            cleanup,
        };
        let prepare = |e: Error| fail(UploadStage::Prepare, e, None, Cleanup::NotNeeded);
        let (size, filename) = self.inspect(path).await.map_err(prepare)?;
        let storage = self.storage().map_err(prepare)?;

        let presigned = match self.client.files().presign(&filename, size).await {
            Ok(presigned) => presigned,
            Err(e) => {
                // An answer that did not decode may still name the upload it
                // opened; abort that one rather than leave it behind.
                let Some(pending) = opened_upload(&e) else {
                    return Err(fail(UploadStage::Presign, e, None, Cleanup::NotNeeded));
                };
                let cleanup = self.abort(&pending).await;
                return Err(fail(UploadStage::Presign, e, Some(pending), cleanup));
            }
        };
        let (upload_id, key) = match (presigned.upload_id.clone(), presigned.key.clone()) {
            (Some(u), Some(k)) if !u.is_empty() && !k.is_empty() => (u, k),
            _ => {
                let e = invalid_answer("the presign answer has no upload_id or key");
                return Err(fail(UploadStage::Presign, e, None, Cleanup::NotNeeded));
            }
        };
        let mut pending = PendingUpload {
            upload_id,
            key,
            file_url: presigned.file_url.clone(),
            parts: Vec::with_capacity(presigned.parts.len()),
        };

        if let Err(e) = self.validate(&presigned, size) {
            let cleanup = self.abort(&pending).await;
            return Err(fail(UploadStage::Presign, e, Some(pending), cleanup));
        }

        let parts = u32::try_from(presigned.parts.len()).unwrap_or(u32::MAX);
        let mut uploaded = 0u64;
        for part in &presigned.parts {
            let offset = u64::from(part.part_number - 1) * self.part_size;
            let len = self.part_size.min(size - offset);
            match self
                .put_part(
                    &storage,
                    path,
                    part.part_number,
                    &part.presigned_url,
                    offset,
                    len,
                )
                .await
            {
                Ok(etag) => {
                    pending
                        .parts
                        .push(CompletedPart::new(part.part_number, etag));
                    uploaded += len;
                    if let Some(cb) = &self.progress {
                        cb(&UploadProgress {
                            uploaded,
                            total: size,
                            parts_done: u32::try_from(pending.parts.len()).unwrap_or(u32::MAX),
                            parts,
                        });
                    }
                }
                Err(e) => {
                    let cleanup = self.abort(&pending).await;
                    return Err(fail(UploadStage::Parts, e, Some(pending), cleanup));
                }
            }
        }

        match self
            .client
            .files()
            .complete(&pending.upload_id, &pending.key, &pending.parts)
            .await
        {
            Ok(file) if file.file_url.as_deref().is_some_and(|u| !u.is_empty()) => Ok(file),
            Ok(_) => Err(fail(
                UploadStage::Complete,
                invalid_answer("the complete answer has no file_url"),
                Some(pending),
                Cleanup::Skipped,
            )),
            Err(e) if rejected_for_sure(&e) => {
                let cleanup = self.abort(&pending).await;
                Err(fail(UploadStage::Complete, e, Some(pending), cleanup))
            }
            Err(e) => Err(fail(
                UploadStage::Complete,
                e,
                Some(pending),
                Cleanup::Skipped,
            )),
        }
    }

    /// The file's size and upload name, checked before any request.
    async fn inspect(&self, path: &Path) -> Result<(u64, String)> {
        let meta = tokio::fs::metadata(path)
            .await
            .map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", path.display())))?;
        if !meta.is_file() {
            return Err(Error::InvalidInput(format!(
                "{} is not a regular file",
                path.display()
            )));
        }
        let size = meta.len();
        if size == 0 || size > crate::MAX_FILE_SIZE {
            return Err(Error::InvalidInput(format!(
                "{} has {size} bytes; uploads take 1 byte to 20 GB",
                path.display()
            )));
        }
        let filename = self
            .filename
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| path.file_name().map(|n| n.to_string_lossy().into_owned()))
            .ok_or_else(|| Error::InvalidInput(format!("{} has no file name", path.display())))?;
        Ok((size, filename))
    }

    /// Parts numbered 1..=n without gaps, as many as the size needs, each
    /// with an acceptable URL (part numbers decide the byte ranges).
    fn validate(&self, presigned: &Presigned, size: u64) -> Result<()> {
        let expected = size.div_ceil(self.part_size);
        if presigned.parts.len() as u64 != expected {
            return Err(invalid_answer(&format!(
                "presign returned {} parts for {size} bytes; {expected} expected with {}-byte parts",
                presigned.parts.len(),
                self.part_size
            )));
        }
        for (i, part) in presigned.parts.iter().enumerate() {
            if part.part_number as usize != i + 1 {
                return Err(invalid_answer(&format!(
                    "presign returned part number {} at position {}",
                    part.part_number,
                    i + 1
                )));
            }
            self.check_url(&part.presigned_url)?;
        }
        Ok(())
    }

    fn check_url(&self, url: &Secret) -> Result<()> {
        let parsed = url::Url::parse(url.expose())
            .map_err(|_| invalid_answer("a storage URL is not a valid URL"))?;
        match parsed.scheme() {
            "https" => Ok(()),
            "http" if self.allow_insecure_urls => Ok(()),
            _ => Err(invalid_answer(
                "a storage URL is not https; file bytes are never sent in clear text",
            )),
        }
    }

    /// Sends one part and returns the `ETag` storage answered.
    async fn put_part(
        &self,
        storage: &reqwest::Client,
        path: &Path,
        part_number: u32,
        url: &Secret,
        offset: u64,
        len: u64,
    ) -> Result<String> {
        let target = StorageTarget::Part(part_number);
        let bytes = FileRange { path, offset, len };
        let headers = self
            .put_to_storage(storage, target, url, HeaderMap::new(), bytes)
            .await?;
        headers
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim().trim_matches('"').to_owned())
            .filter(|tag| !tag.is_empty())
            .ok_or_else(|| {
                invalid_answer(&format!(
                    "storage accepted part {part_number} without an ETag"
                ))
            })
    }

    /// One storage `PUT` of `bytes` with `headers` (plus `Content-Length`,
    /// so the body is never chunked), re-read from disk and sent again after
    /// a retryable answer (429, 5xx, a timeout, a connection error),
    /// sleeping the storage's `Retry-After` or the policy's backoff on the
    /// client's clock. An expired URL or another refusal is not retried.
    /// The one storage loop of parts and direct uploads. Returns the
    /// answer's headers.
    async fn put_to_storage(
        &self,
        storage: &reqwest::Client,
        target: StorageTarget,
        url: &Secret,
        mut headers: HeaderMap,
        bytes: FileRange<'_>,
    ) -> Result<HeaderMap> {
        headers.insert(CONTENT_LENGTH, HeaderValue::from(bytes.len));
        let clock = self.client.transport().clock().clone();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let body = file_body(bytes.path, bytes.offset, bytes.len).await?;
            let sent = storage
                .put(url.expose())
                .timeout(self.part_timeout)
                .headers(headers.clone())
                .body(body)
                .send()
                .await;
            let (failure, error) = match sent {
                Ok(resp) if resp.status().is_success() => return Ok(resp.headers().clone()),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let retry_after = resp
                        .headers()
                        .get(reqwest::header::RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| creator_core::retry::parse_retry_after(v, clock.now()));
                    let error = storage_error(target, status, bounded_body(resp).await);
                    // Storage's own classification: an expired URL or another
                    // refusal is permanent, a 429 or 502-504 transient, and S3
                    // asks clients to retry its 500 InternalError like a 503.
                    let class = if status == 500 {
                        RetryClass::Transient
                    } else {
                        error.retry_class()
                    };
                    (Failure { class, retry_after }, error)
                }
                Err(e) if e.is_timeout() => {
                    let error = Error::Timeout {
                        provider: Provider::Gumroad,
                        after: self.part_timeout,
                        attempts: attempt,
                    };
                    (Failure::of(&error), error)
                }
                Err(e) => {
                    let error = Error::Transport {
                        provider: Provider::Gumroad,
                        source: Box::new(e.without_url()),
                    };
                    (Failure::of(&error), error)
                }
            };
            match self
                .retry
                .decide(attempt, failure, &Method::PUT, Idempotency::ByMethod)
            {
                Decision::RetryAfter(delay) => clock.sleep(delay).await,
                Decision::Stop => return Err(error),
            }
        }
    }

    /// Aborts the upload, again (after a pause on the clock) while storage
    /// answers `accepted`: parts still in flight may land after the first
    /// abort, as Gumroad's docs warn. At most [`ABORT_ATTEMPTS`] calls.
    async fn abort(&self, pending: &PendingUpload) -> Cleanup {
        let clock = self.client.transport().clock().clone();
        let mut calls = 0;
        loop {
            calls += 1;
            match self
                .client
                .files()
                .abort(&pending.upload_id, &pending.key)
                .await
            {
                Ok(AbortStatus::Accepted) if calls < ABORT_ATTEMPTS => {
                    clock.sleep(ABORT_PAUSE).await;
                }
                Ok(status) => return Cleanup::Aborted(status),
                Err(e) => return Cleanup::AbortFailed(e),
            }
        }
    }

    /// Reserves a direct upload for `path` (size and base64 MD5 computed by
    /// reading the file once, in chunks) and sends the bytes to the signed
    /// storage URL with the headers the reservation asked for. Pass the
    /// answer's `signed_id` as a `signed_blob_id`. The storage `PUT`
    /// carries the reservation's headers once each (defaults for
    /// `Content-Type` and `Content-MD5` only where it sent none) and is
    /// retried like a part.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an unreadable file; the reservation's
    /// errors ([`crate::FilesApi::direct_upload`]); or a storage error.
    pub async fn upload_direct(
        &self,
        path: impl AsRef<Path>,
        content_type: &str,
        for_media: bool,
    ) -> Result<DirectUpload> {
        let path = path.as_ref();
        let (size, filename) = self.inspect(path).await?;
        let checksum = md5_base64(path).await?;
        let mut request = DirectUploadRequest::new(filename, size, checksum.clone(), content_type);
        if for_media {
            request = request.for_media();
        }
        let reserved = self.client.files().direct_upload(&request).await?;
        let target = reserved
            .direct_upload
            .as_ref()
            .ok_or_else(|| invalid_answer("the direct upload answer has no upload URL"))?;
        self.check_url(&target.url)?;
        let headers = direct_upload_headers(&target.headers, content_type, &checksum)?;
        let storage = self.storage()?;
        let bytes = FileRange {
            path,
            offset: 0,
            len: size,
        };
        self.put_to_storage(&storage, StorageTarget::Direct, &target.url, headers, bytes)
            .await?;
        Ok(reserved)
    }
}

/// The bytes of a storage `PUT`: `len` bytes of the file at `path` from `offset`.
#[derive(Debug, Clone, Copy)]
struct FileRange<'p> {
    path: &'p Path,
    offset: u64,
    len: u64,
}

/// What a storage `PUT` carries, for error messages.
#[derive(Debug, Clone, Copy)]
enum StorageTarget {
    /// One part of a multipart upload.
    Part(u32),
    /// A direct upload.
    Direct,
}

impl fmt::Display for StorageTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StorageTarget::Part(n) => write!(f, "part {n}"),
            StorageTarget::Direct => f.write_str("the direct upload"),
        }
    }
}

/// The headers of a direct upload's storage `PUT`: the reservation's
/// `direct_upload.headers` as the server sent them (each set once; S3 signs
/// `Content-Type` and `Content-MD5`, so a second copy breaks the
/// signature), then `Content-Type` and `Content-MD5` only where the server
/// sent none, as the official CLI does (`Header.Set`).
fn direct_upload_headers(
    server: &std::collections::BTreeMap<String, String>,
    content_type: &str,
    checksum: &str,
) -> Result<HeaderMap> {
    let unsendable = |name: &str| {
        invalid_answer(&format!(
            "the direct upload answer asks for a header that cannot be sent: `{name}`"
        ))
    };
    let mut headers = HeaderMap::new();
    for (name, value) in server {
        let header =
            HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| unsendable(name))?;
        let value = HeaderValue::from_str(value).map_err(|_| unsendable(name))?;
        headers.insert(header, value);
    }
    let defaults = [
        (CONTENT_TYPE, content_type),
        (HeaderName::from_static("content-md5"), checksum),
    ];
    for (name, value) in defaults {
        if !headers.contains_key(&name) {
            let value = HeaderValue::from_str(value)
                .map_err(|_| Error::InvalidInput(format!("`{value}` cannot be sent as {name}")))?;
            headers.insert(name, value);
        }
    }
    Ok(headers)
}

/// The handles of the multipart upload a presign answer opened, read from
/// the body of an answer that did not decode.
fn opened_upload(error: &Error) -> Option<PendingUpload> {
    let Error::Decode { body, .. } = error else {
        return None;
    };
    let doc: serde_json::Value = serde_json::from_slice(body.as_bytes()).ok()?;
    let text = |key: &str| {
        doc.get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|v| !v.trim().is_empty())
            .map(str::to_owned)
    };
    Some(PendingUpload {
        upload_id: text("upload_id")?,
        key: text("key")?,
        file_url: text("file_url"),
        parts: Vec::new(),
    })
}

/// At most [`MAX_STORAGE_ERROR_BODY`] bytes of an error answer, read for at
/// most [`STORAGE_ERROR_READ_TIMEOUT`], with the signed parts of an S3
/// error document removed.
async fn bounded_body(mut resp: reqwest::Response) -> Bytes {
    let mut kept = Vec::new();
    let read = async {
        while kept.len() < MAX_STORAGE_ERROR_BODY {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    let room = MAX_STORAGE_ERROR_BODY - kept.len();
                    kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Ok(None) | Err(_) => break,
            }
        }
    };
    // A bound, not a sleep: a peer trickling its error body cannot hold the upload.
    let _ = tokio::time::timeout(STORAGE_ERROR_READ_TIMEOUT, read).await;
    Bytes::from(redact_signed_elements(&kept))
}

/// `body` with the text of every [`SIGNED_ELEMENTS`] element replaced by
/// `[redacted]` (an element cut off by the size bound loses its tail).
fn redact_signed_elements(body: &[u8]) -> Vec<u8> {
    let mut out = body.to_vec();
    for name in SIGNED_ELEMENTS {
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        let mut from = 0;
        while let Some(start) = find(&out[from..], open.as_bytes()).map(|i| from + i + open.len()) {
            let end = find(&out[start..], close.as_bytes()).map_or(out.len(), |i| start + i);
            out.splice(start..end, b"[redacted]".iter().copied());
            from = start + b"[redacted]".len();
        }
    }
    out
}

/// Where `needle` (not empty) first stands in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `len` bytes of `path` from `offset`, streamed in [`CHUNK`]-sized pieces.
async fn file_body(path: &Path, offset: u64, len: u64) -> Result<reqwest::Body> {
    let unreadable =
        |e: std::io::Error| Error::InvalidInput(format!("cannot read {}: {e}", path.display()));
    let mut file = tokio::fs::File::open(path).await.map_err(unreadable)?;
    file.seek(SeekFrom::Start(offset))
        .await
        .map_err(unreadable)?;
    let reader = Some(file.take(len));
    let stream = futures::stream::unfold(reader, |state| async move {
        let mut reader = state?;
        let mut buf = vec![0u8; CHUNK];
        match reader.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), Some(reader)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    Ok(reqwest::Body::wrap_stream(stream))
}

/// Base64 of the MD5 of a file, read in chunks.
async fn md5_base64(path: &Path) -> Result<String> {
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", path.display())))?;
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = file
            .read(&mut buf)
            .await
            .map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", path.display())))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(STANDARD.encode(hasher.finalize()))
}

/// True when `complete` was refused outright (nothing was finished), so the
/// upload can be aborted: an answer below 500 other than 408, 409 and 429,
/// including Gumroad's HTTP 200 `success: false`.
fn rejected_for_sure(error: &Error) -> bool {
    match error {
        Error::RateLimited { .. } | Error::Transport { .. } | Error::Timeout { .. } => false,
        Error::Decode { .. } => false,
        other => other
            .status()
            .is_some_and(|s| s < 500 && !matches!(s, 408 | 409 | 429)),
    }
}

fn storage_error(target: StorageTarget, status: u16, body: Bytes) -> Error {
    let expired = status == 403 && find(&body, b"Request has expired").is_some();
    let (code, message) = if expired {
        (
            "presign_expired",
            format!(
                "the storage URL of {target} expired (they last 15 minutes); start the upload again"
            ),
        )
    } else {
        (
            "storage_rejected",
            format!("storage answered HTTP {status} to {target}"),
        )
    };
    Error::Api {
        provider: Provider::Gumroad,
        status,
        code: Some(code.to_owned()),
        message,
        body: RawBody::new(body),
    }
}

fn invalid_answer(message: &str) -> Error {
    Error::Decode {
        provider: Provider::Gumroad,
        path: ".".into(),
        message: message.to_owned(),
        body: RawBody::new(Vec::new()),
    }
}
