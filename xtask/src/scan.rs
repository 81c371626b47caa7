//! Finds unredacted secrets, emails and tokens in fixture files.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::redact::{
    Kind, is_placeholder, is_placeholder_email, kind_for_key, looks_like_email, looks_like_jwt,
    looks_like_token,
};

/// One suspicious value in a fixture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file.
    pub file: PathBuf,
    /// Where in the file (a JSON path, a form key, or a byte offset).
    pub location: String,
    /// What it looks like.
    pub what: &'static str,
}

/// Every file under `dir`, recursively, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Scans one fixture's bytes.
pub fn scan(file: &Path, bytes: &[u8]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let text = String::from_utf8_lossy(bytes);
    if let Ok(doc) = serde_json::from_slice::<Value>(bytes) {
        scan_json(file, "$", None, &doc, &mut findings);
    } else if looks_like_form(&text) {
        for pair in text.trim_end().split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = crate::redact::percent_decode(k);
            let value = crate::redact::percent_decode(v);
            let leaf = key
                .rsplit('[')
                .next()
                .unwrap_or(&key)
                .trim_end_matches(']')
                .to_owned();
            check_string(file, &key, kind_for_key(&leaf), &value, &mut findings);
        }
    } else {
        for (i, word) in text
            .split(|c: char| c.is_whitespace() || "\"'<>(),;".contains(c))
            .enumerate()
        {
            check_string(file, &format!("word {i}"), None, word, &mut findings);
        }
    }
    findings
}

fn looks_like_form(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && !t.contains(char::is_whitespace) && t.contains('=')
}

fn scan_json(file: &Path, path: &str, kind: Option<Kind>, value: &Value, out: &mut Vec<Finding>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                scan_json(file, &format!("{path}.{k}"), kind_for_key(k), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                scan_json(file, &format!("{path}[{i}]"), kind, v, out);
            }
        }
        Value::String(s) => check_string(file, path, kind, s, out),
        _ => {}
    }
}

fn check_string(file: &Path, location: &str, kind: Option<Kind>, s: &str, out: &mut Vec<Finding>) {
    let mut flag = |what| {
        out.push(Finding {
            file: file.to_path_buf(),
            location: location.to_owned(),
            what,
        })
    };
    if s.is_empty() {
        return;
    }
    if looks_like_email(s) && !is_placeholder_email(s) {
        flag("an email address outside example.com/.org/.net");
    } else if looks_like_jwt(s) && !is_placeholder(s) {
        flag("a JWT");
    } else if kind == Some(Kind::Token) && !is_placeholder(s) && s.len() >= 8 {
        flag("a secret under a token/key field (use a `redacted-…` placeholder)");
    } else if kind == Some(Kind::License) && !is_placeholder(s) {
        flag("a license key that is not a placeholder (`00000000-…`)");
    } else if kind != Some(Kind::Id) && looks_like_token(s) {
        flag("a token-looking string");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whats(body: &str) -> Vec<&'static str> {
        scan(Path::new("f"), body.as_bytes())
            .into_iter()
            .map(|f| f.what)
            .collect()
    }

    #[test]
    fn flags_real_emails_jwts_and_keys_but_not_placeholders_or_ids() {
        assert_eq!(whats(r#"{"email":"someone@gmail.com"}"#).len(), 1);
        assert!(
            whats(r#"{"email":"user-1a2b3c4d@example.com","id":"A-m3CDDC5dlrSdKZp0RFhA=="}"#)
                .is_empty()
        );
        assert_eq!(
            whats(r#"{"token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}"#).len(),
            1
        );
        assert_eq!(whats(r#"{"key":"whsec_live_abcdef"}"#).len(), 1);
        assert!(whats(r#"{"key":"redacted-token-0badc0de"}"#).is_empty());
        assert!(whats(r#"{"id":"2f0f05c6-1b2c-4d5e-8f90-a1b2c3d4e5f6"}"#).is_empty());
        assert!(whats(r#"{"id":"c3Vic2NyaXB0aW9uX3VwZGF0ZWRfc3ViMQ","sale_id":"c3Vic2NyaXB0aW9uX3VwZGF0ZWRfc3ViMQ"}"#).is_empty());
        assert_eq!(
            whats(r#"{"note":"c3Vic2NyaXB0aW9uX3VwZGF0ZWRfc3ViMQ"}"#).len(),
            1
        );
        assert_eq!(whats("email=a%40corp.io&price=100").len(), 1);
        assert!(whats("email=user-1%40example.com&card%5Bvisual%5D=%2A%2A%2A%2A").is_empty());
        assert_eq!(whats("<html>mail me: boss@company.org</html>").len(), 1);
    }
}
