//! Reading request bodies within a size limit and a deadline, and the
//! bounded summary kept of a body that is not stored.

use std::time::Duration;

use axum::body::Body;
use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use sha2::{Digest, Sha256};

/// How many leading bytes of a rejected delivery are kept.
pub const PREFIX_BYTES: usize = 256;

/// A bounded summary of a body that is not stored whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    /// The first [`PREFIX_BYTES`] bytes.
    pub prefix: Bytes,
    /// Bytes the body has (received, or declared by `Content-Length` when
    /// the rest was not read).
    pub size: u64,
    /// SHA-256 of the bytes read, hex.
    pub sha256: String,
    /// True when `prefix` is not the whole body.
    pub truncated: bool,
}

impl Summary {
    /// The summary of a body read whole.
    pub fn of(body: &[u8]) -> Self {
        let cut = body.len().min(PREFIX_BYTES);
        Self {
            prefix: Bytes::copy_from_slice(&body[..cut]),
            size: body.len() as u64,
            sha256: crate::hex::lower(&Sha256::digest(body)),
            truncated: cut < body.len(),
        }
    }
}

/// What reading a body produced.
#[derive(Debug)]
pub(crate) enum BodyRead {
    /// The whole body, within the limit.
    Complete(Bytes),
    /// More than the limit: reading stopped there.
    TooLarge(Summary),
    /// The body did not arrive whole (deadline, broken connection).
    Incomplete(Summary, String),
}

/// Reads `body` up to `limit` bytes within `timeout`; `declared` is the
/// request's `Content-Length`, which a body over the limit is measured by.
pub(crate) async fn read(
    body: Body,
    limit: usize,
    timeout: Duration,
    declared: Option<u64>,
) -> BodyRead {
    if declared.is_some_and(|n| n > limit as u64) {
        // The sender says it is too large: read no more than the limit.
        let mut s = drain(body, limit, timeout).await;
        s.size = s.size.max(declared.unwrap_or(0));
        s.truncated = true;
        return BodyRead::TooLarge(s);
    }
    let mut stream = body.into_data_stream();
    let mut buf = BytesMut::new();
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let next = match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(next) => next,
            Err(_) => {
                let mut s = Summary::of(&buf);
                s.size = s.size.max(declared.unwrap_or(0));
                s.truncated = true;
                return BodyRead::Incomplete(
                    s,
                    format!("the body was not received within {timeout:?}"),
                );
            }
        };
        match next {
            None => return BodyRead::Complete(buf.freeze()),
            Some(Ok(chunk)) => {
                if buf.len() + chunk.len() > limit {
                    buf.extend_from_slice(&chunk[..(limit - buf.len()).min(chunk.len())]);
                    let mut s = Summary::of(&buf);
                    s.size = (buf.len() as u64 + 1).max(declared.unwrap_or(0));
                    s.truncated = true;
                    return BodyRead::TooLarge(s);
                }
                buf.extend_from_slice(&chunk);
            }
            Some(Err(e)) => {
                let mut s = Summary::of(&buf);
                s.size = s.size.max(declared.unwrap_or(0));
                s.truncated = true;
                return BodyRead::Incomplete(s, format!("reading the body failed: {e}"));
            }
        }
    }
}

/// Reads and discards `body` up to `limit` bytes within `timeout`, for a
/// delivery refused before its body mattered: the sender gets its answer
/// instead of a reset connection, and the summary hashes what was sent.
/// Past the limit or the deadline reading stops (the connection then closes).
pub(crate) async fn drain(body: Body, limit: usize, timeout: Duration) -> Summary {
    let mut stream = body.into_data_stream();
    let mut hasher = Sha256::new();
    let mut prefix = BytesMut::new();
    let mut size = 0u64;
    let mut ended = false;
    let deadline = tokio::time::Instant::now() + timeout;
    while size <= limit as u64 {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(Ok(chunk))) => {
                size += chunk.len() as u64;
                hasher.update(&chunk);
                let room = PREFIX_BYTES.saturating_sub(prefix.len());
                prefix.extend_from_slice(&chunk[..room.min(chunk.len())]);
            }
            Ok(None) => {
                ended = true;
                break;
            }
            _ => break,
        }
    }
    Summary {
        truncated: !ended || size > prefix.len() as u64,
        prefix: prefix.freeze(),
        size,
        sha256: crate::hex::lower(&hasher.finalize()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bodies_over_the_limit_stop_at_the_limit() {
        let body = Body::from(vec![b'a'; 10_000]);
        match read(body, 1_000, Duration::from_secs(1), None).await {
            BodyRead::TooLarge(s) => {
                assert_eq!(s.prefix.len(), PREFIX_BYTES);
                assert!(s.size > 1_000 && s.truncated);
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
        match read(Body::from("abc"), 1_000, Duration::from_secs(1), None).await {
            BodyRead::Complete(b) => assert_eq!(&b[..], b"abc"),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_is_not_read() {
        let body = Body::from(vec![b'a'; 5_000]);
        match read(body, 1_000, Duration::from_secs(1), Some(5_000)).await {
            BodyRead::TooLarge(s) => assert_eq!(s.size, 5_000),
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn draining_hashes_everything_read_and_keeps_a_prefix() {
        let s = drain(
            Body::from(vec![b'z'; 5_000]),
            10_000,
            Duration::from_secs(1),
        )
        .await;
        assert_eq!(
            (s.size, s.prefix.len(), s.truncated),
            (5_000, PREFIX_BYTES, true)
        );
        assert_eq!(s.sha256, Summary::of(&[b'z'; 5_000]).sha256);
        let s = drain(Body::from("ab"), 10_000, Duration::from_secs(1)).await;
        assert_eq!((s.size, s.truncated), (2, false));
    }

    #[test]
    fn summaries_hash_what_was_read_and_keep_a_short_prefix() {
        let s = Summary::of(b"abc");
        assert_eq!(
            s.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(!s.truncated);
        let long = vec![b'x'; 1000];
        let s = Summary::of(&long);
        assert_eq!(
            (s.prefix.len(), s.size, s.truncated),
            (PREFIX_BYTES, 1000, true)
        );
    }
}
