//! Keeping credentials out of what errors show: secret field names, and the
//! redaction of their values in JSON, form and plain-text previews.

/// The placeholder written instead of a secret value.
pub(crate) const REDACTED: &str = "<redacted>";

/// True for a field whose value is a credential: `access_token`,
/// `refresh_token`, `id_token`, `token`, `creator_token`, `key`, `secret`,
/// `client_secret`, `password`, `api_key`, `authorization`, `license_key`,
/// and any name ending in `token`, `secret`, `password` or `api_key`.
/// Case, `_` and `-` do not matter (`accessToken`, `Client-Secret`), and a
/// form key's last bracket segment is what counts (`user[password]`).
///
/// ```
/// use creator_core::is_secret_field;
///
/// for name in ["access_token", "refreshToken", "KEY", "user[password]", "session_token"] {
///     assert!(is_secret_field(name), "{name}");
/// }
/// for name in ["human_id", "next_page_key", "message", "keyword"] {
///     assert!(!is_secret_field(name), "{name}");
/// }
/// ```
pub fn is_secret_field(name: &str) -> bool {
    let last = name
        .trim_end_matches(']')
        .rsplit(['[', ']'])
        .next()
        .unwrap_or(name);
    let folded: String = last
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    matches!(
        folded.as_str(),
        "key" | "authorization" | "licensekey" | "privatekey" | "signingkey"
    ) || ["token", "secret", "password", "apikey"]
        .iter()
        .any(|suffix| folded.ends_with(suffix))
}

/// `text` with the value of every secret field replaced by `<redacted>`:
/// in JSON (nested too, keeping everything else byte for byte, and also in
/// JSON that is cut short), and in `key=value` pairs (form bodies, or text
/// that quotes one). Never panics, whatever the text.
///
/// ```
/// use creator_core::redact_secrets;
///
/// assert_eq!(redact_secrets("license_key=ABC-123&increment=false"), "license_key=<redacted>&increment=false");
/// assert_eq!(redact_secrets(r#"{"key":"k1","events":[]}"#), r#"{"key":"<redacted>","events":[]}"#);
/// ```
pub fn redact_secrets(text: &str) -> String {
    let first = text.trim_start().chars().next();
    if matches!(first, Some('{' | '[')) {
        redact_json(text)
    } else {
        redact_pairs(text)
    }
}

/// Replaces the contents of every `"…"` and `` `…` `` in a message, for
/// serde messages about a secret field (`invalid type: string "tok_…"`).
pub(crate) fn redact_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut open: Option<char> = None;
    for c in message.chars() {
        match open {
            Some(q) if c == q => {
                out.push_str(REDACTED);
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None => {
                out.push(c);
                if c == '"' || c == '`' {
                    open = Some(c);
                }
            }
        }
    }
    if open.is_some() {
        out.push_str(REDACTED);
    }
    out
}

fn redact_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(offset) = text[at..].find('"') {
        let start = at + offset;
        out.push_str(&text[at..start]);
        let end = end_of_string(text, start);
        out.push_str(&text[start..end]);
        at = end;
        let after = skip_whitespace(text, end);
        if text[after..].starts_with(':') && is_secret_field(unquoted(&text[start..end])) {
            let value = skip_whitespace(text, after + 1);
            out.push_str(&text[end..value]);
            out.push('"');
            out.push_str(REDACTED);
            out.push('"');
            at = end_of_value(text, value);
        }
    }
    out.push_str(&text[at..]);
    out
}

/// The index just past the string starting at `start` (a `"`), or the end
/// of a text cut inside it.
fn end_of_string(text: &str, start: usize) -> usize {
    let mut escaped = false;
    for (i, c) in text[start + 1..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return start + 1 + i + 1,
            _ => {}
        }
    }
    text.len()
}

/// The index just past the JSON value starting at `start`: a string, a
/// whole object or list, or a bare scalar.
fn end_of_value(text: &str, start: usize) -> usize {
    match text[start..].chars().next() {
        Some('"') => end_of_string(text, start),
        Some('{' | '[') => {
            let mut depth = 0usize;
            let mut i = start;
            while let Some(c) = text[i..].chars().next() {
                match c {
                    '"' => {
                        i = end_of_string(text, i);
                        continue;
                    }
                    '{' | '[' => depth += 1,
                    '}' | ']' => {
                        depth -= 1;
                        if depth == 0 {
                            return i + 1;
                        }
                    }
                    _ => {}
                }
                i += c.len_utf8();
            }
            text.len()
        }
        _ => text[start..]
            .find(|c: char| matches!(c, ',' | '}' | ']') || c.is_whitespace())
            .map_or(text.len(), |n| start + n),
    }
}

fn skip_whitespace(text: &str, from: usize) -> usize {
    text[from..]
        .find(|c: char| !c.is_whitespace())
        .map_or(text.len(), |n| from + n)
}

fn unquoted(quoted: &str) -> &str {
    let inner = quoted.strip_prefix('"').unwrap_or(quoted);
    inner.strip_suffix('"').unwrap_or(inner)
}

/// `key=value` pairs anywhere in the text (`a=1&token=…`, or `… api_key=… …`):
/// the value of a secret key, up to the next `&` or white space, is replaced.
fn redact_pairs(text: &str) -> String {
    let is_key_char =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']' | '%');
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while let Some(offset) = text[at..].find('=') {
        let eq = at + offset;
        let key_start = text[..eq].rfind(|c: char| !is_key_char(c)).map_or(0, |i| {
            i + text[i..].chars().next().map_or(1, char::len_utf8)
        });
        let key = decode_brackets(&text[key_start.max(at)..eq]);
        out.push_str(&text[at..=eq]);
        at = eq + 1;
        if !key.is_empty() && is_secret_field(&key) {
            let end = text[at..]
                .find(|c: char| c == '&' || c.is_whitespace())
                .map_or(text.len(), |n| at + n);
            if end > at {
                out.push_str(REDACTED);
            }
            at = end;
        }
    }
    out.push_str(&text[at..]);
    out
}

/// A form key with its percent-encoded brackets restored (`user%5Bpassword%5D`).
fn decode_brackets(key: &str) -> String {
    key.replace("%5B", "[")
        .replace("%5b", "[")
        .replace("%5D", "]")
        .replace("%5d", "]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_values_of_secret_keys_are_redacted_nested_and_cut_short() {
        let body = r#"{"access_token":"at_s3cr3t","token_type":"bearer","nested":{"Refresh_Token": "rt_s3cr3t", "list":[{"key":{"a":"k_s3cr3t"}}]},"n":1,"password":12345,"ok":"fine"}"#;
        let shown = redact_secrets(body);
        assert!(
            !shown.contains("s3cr3t") && !shown.contains("12345"),
            "{shown}"
        );
        assert_eq!(
            shown,
            r#"{"access_token":"<redacted>","token_type":"bearer","nested":{"Refresh_Token": "<redacted>", "list":[{"key":"<redacted>"}]},"n":1,"password":"<redacted>","ok":"fine"}"#
        );
        let cut = &body[..30];
        assert!(
            !redact_secrets(cut).contains("s3cr3t"),
            "{}",
            redact_secrets(cut)
        );
        // A string value that looks like a key is only a value.
        assert_eq!(
            redact_secrets(r#"{"message":"token: abc","b":"\"key\": x"}"#),
            r#"{"message":"token: abc","b":"\"key\": x"}"#
        );
    }

    #[test]
    fn form_and_text_pairs_are_redacted() {
        assert_eq!(
            redact_secrets(
                "grant_type=refresh_token&refresh_token=rt_s3cr3t&client_secret=cs_s3cr3t&x=1"
            ),
            "grant_type=refresh_token&refresh_token=<redacted>&client_secret=<redacted>&x=1"
        );
        assert_eq!(
            redact_secrets("user%5Bpassword%5D=hunter2&user%5Bname%5D=ada"),
            "user%5Bpassword%5D=<redacted>&user%5Bname%5D=ada"
        );
        assert_eq!(
            redact_secrets("upstream said: api_key=k_s3cr3t is revoked"),
            "upstream said: api_key=<redacted> is revoked"
        );
        assert_eq!(
            redact_secrets("plain error, no pairs"),
            "plain error, no pairs"
        );
    }

    #[test]
    fn never_panics_on_odd_text() {
        for text in [
            "{\"",
            "{\"key\":",
            "{\"key\":\"é",
            "[{\"token\":[1,",
            "=",
            "é=é&token=",
            "\"\\",
        ] {
            let shown = redact_secrets(text);
            assert!(!shown.contains("é=é&token=x"), "{shown}");
        }
    }

    #[test]
    fn quoted_parts_of_a_message_are_redacted() {
        assert_eq!(
            redact_quoted(r#"invalid type: string "tok_s3cr3t", expected u64"#),
            r#"invalid type: string "<redacted>", expected u64"#
        );
        assert_eq!(
            redact_quoted("unknown variant `k_s3cr3t"),
            "unknown variant `<redacted>"
        );
    }
}
