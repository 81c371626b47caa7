//! The idempotency keys of `creator mcp`'s write tools, kept durably so a
//! retried tool call never acts twice, even across restarts of the server.
//!
//! One JSON file, `mcp-idempotency.json` in the config directory
//! ([`crate::auth::store::config_dir`]), written atomically with mode 0600
//! (a result can hold a new license key). Every change happens under an
//! exclusive `flock` on `mcp-idempotency.lock` beside it, so several servers
//! (one per MCP client) share it safely. It is bounded: at most
//! [`MAX_KEYS`] keys, none older than [`KEEP_DAYS`] days; the oldest go first.
//!
//! A key is recorded as *pending* before its request is sent and as *done*
//! (with the result) after the answer. A retry of a done key returns the
//! stored result; a retry of a pending key, or of one whose request may
//! have been sent but got no readable answer (a timeout), is refused rather
//! than risk a second refund. A key whose request the platform refused, or
//! that never left, is forgotten so the corrected call can use it again.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::CliError;
use crate::auth::store::{read_json, write_private};

/// The most keys kept; the oldest are dropped beyond it.
pub const MAX_KEYS: usize = 1000;
/// Days a key is kept.
pub const KEEP_DAYS: i64 = 30;
/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 200;

/// The file's contents.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Book {
    #[serde(default)]
    keys: BTreeMap<String, Entry>,
}

/// What became of one key.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// The tool and its arguments, hashed (a key is for one call only).
    fingerprint: String,
    tool: String,
    state: State,
    started_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    finished_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum State {
    /// Claimed; the request is (or was) on its way.
    Pending,
    /// Answered; `result` holds the answer.
    Done,
    /// Sent, perhaps; no readable answer came back.
    Unknown,
}

/// What [`Keys::claim`] found.
#[derive(Debug)]
pub enum Claim {
    /// New: claimed for this call, which may now send.
    Fresh,
    /// Already done: the stored result.
    Replay(Value),
}

/// The key store of one config directory.
#[derive(Debug, Clone)]
pub struct Keys {
    file: PathBuf,
    lock: PathBuf,
}

fn now() -> String {
    crate::ledger::timestamp(OffsetDateTime::now_utc())
}

impl Keys {
    /// The store in `dir`.
    pub fn in_dir(dir: PathBuf) -> Self {
        Self {
            file: dir.join("mcp-idempotency.json"),
            lock: dir.join("mcp-idempotency.lock"),
        }
    }

    /// The file the keys live in.
    pub fn path(&self) -> &std::path::Path {
        &self.file
    }

    /// Claims `key` for a call of `tool` whose arguments hash to
    /// `fingerprint`, or returns what an earlier call with it got.
    ///
    /// # Errors
    /// [`CliError::Usage`] for a key used for another call;
    /// [`CliError::Refused`] for a key whose call is in flight or ended
    /// without a readable answer; an unreadable or unwritable file.
    pub async fn claim(&self, key: &str, tool: &str, fingerprint: &str) -> Result<Claim, CliError> {
        let (key, tool, fingerprint) = (key.to_owned(), tool.to_owned(), fingerprint.to_owned());
        self.change(move |book| {
            if let Some(entry) = book.keys.get(&key) {
                if entry.fingerprint != fingerprint {
                    return Err(CliError::Usage(format!(
                        "idempotency_key `{key}` was already used for another call ({} with other arguments, at {}): use a new key for a new call",
                        entry.tool, entry.started_at
                    )));
                }
                return match entry.state {
                    State::Done => Ok(Claim::Replay(entry.result.clone().unwrap_or(Value::Null))),
                    State::Pending => Err(CliError::Refused(format!(
                        "a call with idempotency_key `{key}` started at {} and has not finished (or its server stopped mid-request): nothing was sent again; check the sale or license before retrying with a new key",
                        entry.started_at
                    ))),
                    State::Unknown => Err(CliError::Refused(format!(
                        "the call with idempotency_key `{key}` at {} may have reached the platform but got no readable answer ({}): nothing was sent again; check the sale or license before retrying with a new key",
                        entry.started_at,
                        entry.error.as_deref().unwrap_or("no answer")
                    ))),
                };
            }
            book.keys.insert(
                key,
                Entry {
                    fingerprint,
                    tool,
                    state: State::Pending,
                    started_at: now(),
                    finished_at: None,
                    result: None,
                    error: None,
                },
            );
            Ok(Claim::Fresh)
        })
        .await
    }

    /// Records the answer of `key`'s call.
    ///
    /// # Errors
    /// An unreadable or unwritable file.
    pub async fn done(&self, key: &str, result: &Value) -> Result<(), CliError> {
        self.finish(key, State::Done, Some(result.clone()), None)
            .await
    }

    /// Records that `key`'s call may have been sent but got no readable answer.
    ///
    /// # Errors
    /// An unreadable or unwritable file.
    pub async fn unknown(&self, key: &str, error: &str) -> Result<(), CliError> {
        self.finish(key, State::Unknown, None, Some(error.to_owned()))
            .await
    }

    async fn finish(
        &self,
        key: &str,
        state: State,
        result: Option<Value>,
        error: Option<String>,
    ) -> Result<(), CliError> {
        let key = key.to_owned();
        self.change(move |book| {
            if let Some(entry) = book.keys.get_mut(&key) {
                entry.state = state;
                entry.finished_at = Some(now());
                entry.result = result;
                entry.error = error;
            }
            Ok(())
        })
        .await
    }

    /// Forgets `key`: its request was refused or never left.
    ///
    /// # Errors
    /// An unreadable or unwritable file.
    pub async fn forget(&self, key: &str) -> Result<(), CliError> {
        let key = key.to_owned();
        self.change(move |book| {
            book.keys.remove(&key);
            Ok(())
        })
        .await
    }

    /// Reads the book, applies `f` and writes it back (bounded), all under
    /// the lock, on a blocking thread.
    async fn change<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Book) -> Result<T, CliError> + Send + 'static,
    ) -> Result<T, CliError> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let _lock = this.lock()?;
            let mut book: Book = read_json(&this.file)?;
            let out = f(&mut book)?;
            prune(&mut book, OffsetDateTime::now_utc());
            write_private(&this.file, &book)?;
            Ok(out)
        })
        .await
        .map_err(|e| CliError::Usage(format!("the idempotency key store failed: {e}")))?
    }

    fn lock(&self) -> Result<std::fs::File, CliError> {
        let fail = |e: &dyn std::fmt::Display| {
            CliError::Usage(format!("could not lock {}: {e}", self.lock.display()))
        };
        // An empty file made 0600 like the book; the lock is held while
        // the returned file is open.
        write_private_if_missing(&self.lock).map_err(|e| fail(&e))?;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .open(&self.lock)
            .map_err(|e| fail(&e))?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| fail(&e))?;
        Ok(file)
    }
}

fn write_private_if_missing(path: &std::path::Path) -> std::io::Result<()> {
    if path.exists() {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop)
}

/// Drops keys older than [`KEEP_DAYS`], then the oldest beyond [`MAX_KEYS`].
fn prune(book: &mut Book, now: OffsetDateTime) {
    let cutoff = crate::ledger::timestamp(now - time::Duration::days(KEEP_DAYS));
    book.keys.retain(|_, e| e.started_at >= cutoff);
    if book.keys.len() > MAX_KEYS {
        let mut ages: Vec<(String, String)> = book
            .keys
            .iter()
            .map(|(k, e)| (e.started_at.clone(), k.clone()))
            .collect();
        ages.sort();
        let excess = book.keys.len() - MAX_KEYS;
        for (_, key) in ages.into_iter().take(excess) {
            book.keys.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(label: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("creator-mcp-keys-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[tokio::test]
    async fn a_done_key_replays_a_pending_one_is_refused_a_reused_one_is_an_error() {
        let keys = Keys::in_dir(temp("states"));
        assert!(matches!(
            keys.claim("k1", "sale_refund", "f1").await.unwrap(),
            Claim::Fresh
        ));
        let err = keys.claim("k1", "sale_refund", "f1").await.unwrap_err();
        assert!(matches!(err, CliError::Refused(_)), "{err}");
        keys.done("k1", &serde_json::json!({"id": "s1"}))
            .await
            .unwrap();
        match keys.claim("k1", "sale_refund", "f1").await.unwrap() {
            Claim::Replay(v) => assert_eq!(v["id"], "s1"),
            other => panic!("{other:?}"),
        }
        let err = keys.claim("k1", "sale_refund", "f2").await.unwrap_err();
        assert!(matches!(err, CliError::Usage(_)), "{err}");
        keys.claim("k2", "license_rotate", "f3").await.unwrap();
        keys.unknown("k2", "timed out").await.unwrap();
        let err = keys.claim("k2", "license_rotate", "f3").await.unwrap_err();
        assert!(err.to_string().contains("timed out"), "{err}");
        keys.claim("k3", "license_rotate", "f4").await.unwrap();
        keys.forget("k3").await.unwrap();
        assert!(matches!(
            keys.claim("k3", "license_rotate", "f4").await.unwrap(),
            Claim::Fresh
        ));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(keys.path()).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn the_book_keeps_at_most_max_keys_and_none_older_than_keep_days() {
        let now = OffsetDateTime::now_utc();
        let mut book = Book::default();
        let entry = |at: OffsetDateTime| Entry {
            fingerprint: String::new(),
            tool: "t".into(),
            state: State::Done,
            started_at: crate::ledger::timestamp(at),
            finished_at: None,
            result: None,
            error: None,
        };
        book.keys.insert(
            "old".into(),
            entry(now - time::Duration::days(KEEP_DAYS + 1)),
        );
        for i in 0..MAX_KEYS + 5 {
            book.keys.insert(
                format!("k{i:05}"),
                entry(now - time::Duration::seconds(10_000 - i as i64)),
            );
        }
        prune(&mut book, now);
        assert_eq!(book.keys.len(), MAX_KEYS);
        assert!(!book.keys.contains_key("old"));
        assert!(!book.keys.contains_key("k00004"), "the oldest go first");
        assert!(book.keys.contains_key("k00005"));
    }
}
