//! Redaction of recorded responses: sensitive values are replaced with stable
//! placeholders (the same input always gives the same placeholder), while the
//! document's shape and value types are kept exactly.

use serde_json::Value;

/// What kind of sensitive value a placeholder stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An email address.
    Email,
    /// A person's name or nickname.
    Name,
    /// A token, key, secret or JWT.
    Token,
    /// A license key.
    License,
    /// A country from IP geolocation.
    Country,
    /// An IP address.
    Ip,
    /// An identifier (`id`, `*_id`): never a secret, even when it looks random.
    Id,
}

/// FNV-1a, 64 bit: a stable hash with no dependency (not for security).
fn fnv1a(text: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// How every placeholder license key starts.
pub const LICENSE_PLACEHOLDER_PREFIX: &str = "00000000-";

/// How every placeholder JWT starts: `{"alg":"none"}.{"redacted":true}.` in
/// base64url, so a redacted token keeps the shape of a JWT.
pub const JWT_PLACEHOLDER_PREFIX: &str = "eyJhbGciOiJub25lIn0.eyJyZWRhY3RlZCI6dHJ1ZX0.redacted-";

/// True for a value this module produced (so redaction is idempotent).
pub fn is_placeholder(s: &str) -> bool {
    s.starts_with("redacted-")
        || s.starts_with(JWT_PLACEHOLDER_PREFIX)
        || s.starts_with("Person ")
        || s.starts_with(LICENSE_PLACEHOLDER_PREFIX)
        || s == "Redactedland"
}

/// The placeholder for `value` of `kind`; stable across runs and machines.
pub fn placeholder(kind: Kind, value: &str) -> String {
    let h = fnv1a(value);
    let short = format!("{:08x}", h as u32);
    match kind {
        Kind::Email => format!("user-{short}@example.com"),
        Kind::Name => format!("Person {short}"),
        Kind::Token if looks_like_jwt(value) => format!("{JWT_PLACEHOLDER_PREFIX}{short}"),
        Kind::Token => format!("redacted-token-{short}"),
        Kind::License => {
            // Keep the 4x8 upper-hex shape of Gumroad license keys; the first
            // group of zeros marks a placeholder.
            let hex = format!("{:016X}{:016X}", h, fnv1a(&format!("{value}#2")));
            format!(
                "{LICENSE_PLACEHOLDER_PREFIX}{}-{}-{}",
                &hex[0..8],
                &hex[8..16],
                &hex[16..24]
            )
        }
        Kind::Country => "Redactedland".to_owned(),
        Kind::Ip => format!("192.0.2.{}", h % 250 + 1),
        Kind::Id => value.to_owned(),
    }
}

/// Which kind of sensitive value a JSON key holds, by its name.
pub fn kind_for_key(key: &str) -> Option<Kind> {
    let k = key.to_ascii_lowercase();
    let k = k.as_str();
    if k == "id" || k.ends_with("_id") || k.ends_with("_ids") {
        return Some(Kind::Id);
    }
    if k.contains("email") {
        return Some(Kind::Email);
    }
    if k == "license_key" || k == "serial" {
        return Some(Kind::License);
    }
    if matches!(
        k,
        "ip_country" | "country" | "state" | "city" | "street_address" | "zip_code"
    ) {
        return Some(Kind::Country);
    }
    if k == "ip" || k.ends_with("_ip") || k == "ip_address" {
        return Some(Kind::Ip);
    }
    if matches!(
        k,
        "full_name"
            | "buyer_name"
            | "nickname"
            | "supporter_nickname"
            | "creator_user_nickname"
            | "subscriber_user_nickname"
            | "donor_name"
            | "first_name"
            | "last_name"
            | "name_on_card"
    ) || k.ends_with("_nickname")
    {
        return Some(Kind::Name);
    }
    // The same names creator-core redacts from error previews.
    if creator_core::is_secret_field(k) {
        return Some(Kind::Token);
    }
    None
}

/// True when a string looks like an email address.
pub fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(char::is_whitespace)
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.contains(char::is_whitespace)
}

/// True for an email at a domain reserved for documentation (RFC 2606).
pub fn is_placeholder_email(s: &str) -> bool {
    let domain = s.rsplit('@').next().unwrap_or("").to_ascii_lowercase();
    ["example.com", "example.org", "example.net"]
        .iter()
        .any(|d| domain == *d || domain.ends_with(&format!(".{d}")))
}

/// True when a string looks like a JWT (three base64url parts, the first a JSON header).
pub fn looks_like_jwt(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3
        && s.starts_with("eyJ")
        && parts.iter().all(|p| {
            p.len() >= 4
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
}

/// True for a UUID (`8-4-4-4-12` hex digits): ids, not secrets.
pub fn looks_like_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// True for long high-entropy strings that look like bearer tokens or API keys
/// (at least 32 characters of letters/digits/`-_`, mixing digits and letters).
pub fn looks_like_token(s: &str) -> bool {
    s.len() >= 32
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes().any(|b| b.is_ascii_alphabetic())
        && !is_placeholder(s)
        && !looks_like_uuid(s)
}

/// Redacts a JSON document in place: values under sensitive keys, and any
/// string value that looks like an email, JWT or token, wherever it is.
/// Only strings are replaced (numbers, booleans and nulls keep their type).
pub fn redact_json(value: &mut Value) {
    redact_value(None, value);
}

fn redact_value(key_kind: Option<Kind>, value: &mut Value) {
    redact_in(None, key_kind, value);
}

/// Objects that describe a person: their `name` is a person's name (a
/// product's `name` is not).
const PERSON_OBJECTS: &[&str] = &[
    "user",
    "buyer",
    "supporter",
    "subscriber",
    "affiliate",
    "gifter",
    "customer",
    "imported_customer",
];

fn redact_in(parent: Option<&str>, key_kind: Option<Kind>, value: &mut Value) {
    match value {
        Value::Object(map) => {
            let person = parent.is_some_and(|p| PERSON_OBJECTS.contains(&p));
            for (k, v) in map.iter_mut() {
                let kind = kind_for_key(k).or((person && k == "name").then_some(Kind::Name));
                redact_in(Some(k), kind, v);
            }
        }
        Value::Array(items) => {
            for v in items {
                redact_in(parent, key_kind, v);
            }
        }
        Value::String(s) => {
            if let Some(new) = redact_string(key_kind, s) {
                *s = new;
            }
        }
        _ => {}
    }
}

/// The redacted form of a string value, or `None` to keep it.
pub fn redact_string(key_kind: Option<Kind>, s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    let kind = match key_kind {
        Some(Kind::Id) => None,
        Some(Kind::Email) if !looks_like_email(s) => None,
        Some(kind) => Some(kind),
        None if looks_like_email(s) => Some(Kind::Email),
        None if looks_like_jwt(s) || looks_like_token(s) => Some(Kind::Token),
        None => None,
    }?;
    if kind == Kind::Email && is_placeholder_email(s) {
        return None;
    }
    if is_placeholder(s) {
        return None;
    }
    Some(placeholder(kind, s))
}

/// Redacts a JSON body while keeping its bytes (formatting, key order,
/// escapes) wherever nothing needs to change: each sensitive string is
/// replaced where it appears. If a value cannot be found in its textual form
/// (an unusual escape), the document is re-serialized instead.
///
/// # Errors
/// When the body is not JSON.
pub fn redact_json_bytes(body: &[u8]) -> Result<Vec<u8>, serde_json::Error> {
    let original: Value = serde_json::from_slice(body)?;
    let mut redacted = original.clone();
    redact_json(&mut redacted);
    let mut pairs = Vec::new();
    collect_changes(&original, &redacted, &mut pairs);
    let mut text = String::from_utf8_lossy(body).into_owned();
    for (from, to) in &pairs {
        let from = serde_json::to_string(from)?;
        let to = serde_json::to_string(to)?;
        text = text.replace(&from, &to);
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(v) if v == redacted => Ok(text.into_bytes()),
        _ => serde_json::to_vec_pretty(&redacted),
    }
}

fn collect_changes(before: &Value, after: &Value, out: &mut Vec<(String, String)>) {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                if let Some(w) = b.get(k) {
                    collect_changes(v, w, out);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (v, w) in a.iter().zip(b) {
                collect_changes(v, w, out);
            }
        }
        (Value::String(a), Value::String(b)) if a != b => out.push((a.clone(), b.clone())),
        _ => {}
    }
}

/// Redacts an `application/x-www-form-urlencoded` body (a webhook delivery):
/// pair by pair, with the same rules as JSON, keys kept byte for byte.
pub fn redact_form(body: &str) -> String {
    body.split('&')
        .map(|pair| {
            let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(raw_key);
            let value = percent_decode(raw_value);
            // The innermost bracket name decides the kind: `card[visual]` → `visual`.
            let leaf = key.rsplit('[').next().unwrap_or(&key).trim_end_matches(']');
            match redact_string(kind_for_key(leaf), &value) {
                Some(new) => format!("{raw_key}={}", encode(&new)),
                None => pair.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-decodes a form key or value (`+` is a space).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(b)) => {
                out.push(b);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn placeholders_are_stable_and_distinct() {
        assert_eq!(
            placeholder(Kind::Email, "a@b.co"),
            placeholder(Kind::Email, "a@b.co")
        );
        assert_ne!(
            placeholder(Kind::Email, "a@b.co"),
            placeholder(Kind::Email, "c@b.co")
        );
        let lic = placeholder(Kind::License, "85DB562A-C11D4B06-A2335A6B-8C079166");
        assert_eq!(lic.len(), 35);
        assert_eq!(lic.matches('-').count(), 3);
    }

    #[test]
    fn json_redaction_keeps_shape_and_types() {
        let mut doc = json!({
            "success": true,
            "sale": {
                "email": "real.buyer@gmail.com",
                "full_name": "Jane Real",
                "price": 1000,
                "purchaser_id": null,
                "license_key": "85DB562A-C11D4B06-A2335A6B-8C079166",
                "ip_country": "Germany",
                "note": "contact jane@corp.io",
                "custom_fields": {"Email": "x@y.org"},
                "token_like": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX3ZhbHVl",
                "product_name": "Pencil",
            },
            "list": ["someone@mail.net", 5],
        });
        redact_json(&mut doc);
        let sale = &doc["sale"];
        assert!(is_placeholder_email(sale["email"].as_str().unwrap()));
        assert!(sale["full_name"].as_str().unwrap().starts_with("Person "));
        assert_eq!(sale["price"], 1000);
        assert!(sale["purchaser_id"].is_null());
        assert_ne!(sale["license_key"], "85DB562A-C11D4B06-A2335A6B-8C079166");
        assert_eq!(sale["ip_country"], "Redactedland");
        assert_eq!(
            sale["note"], "contact jane@corp.io",
            "free text is not an email value"
        );
        assert!(is_placeholder_email(
            sale["custom_fields"]["Email"].as_str().unwrap()
        ));
        let jwt = sale["token_like"].as_str().unwrap();
        assert!(
            jwt.starts_with(JWT_PLACEHOLDER_PREFIX) && looks_like_jwt(jwt),
            "{jwt}"
        );
        assert_eq!(sale["product_name"], "Pencil");
        assert!(is_placeholder_email(doc["list"][0].as_str().unwrap()));
        assert_eq!(doc["list"][1], 5);
        // Idempotent: redacting again changes nothing.
        let once = doc.clone();
        redact_json(&mut doc);
        assert_eq!(doc, once);
    }

    #[test]
    fn json_byte_redaction_keeps_formatting_and_key_order() {
        let body = b"{\n  \"zeta\": 1,\n  \"email\": \"real@gmail.com\",\n  \"alpha\": {\"full_name\": \"Jane\"}\n}\n";
        let out = String::from_utf8(redact_json_bytes(body).unwrap()).unwrap();
        assert!(
            out.starts_with("{\n  \"zeta\": 1,\n  \"email\": \"user-"),
            "{out}"
        );
        assert!(
            out.contains("\"alpha\": {\"full_name\": \"Person "),
            "{out}"
        );
        assert!(out.ends_with("}\n"));
        // An escaped form that the textual replacement cannot find falls back to re-serialization.
        let escaped = br#"{"email":"real\u0040gmail.com"}"#;
        let out = String::from_utf8(redact_json_bytes(escaped).unwrap()).unwrap();
        assert!(!out.contains("gmail"), "{out}");
        assert!(redact_json_bytes(b"{nope").is_err());
    }

    #[test]
    fn form_redaction_keeps_keys_and_other_pairs_byte_for_byte() {
        let body = "email=buyer%40gmail.com&card%5Bvisual%5D=%2A%2A%2A%2A&full_name=Jane%20Real&price=1000&license_key=85DB562A-C11D4B06-A2335A6B-8C079166";
        let out = redact_form(body);
        assert!(out.contains("card%5Bvisual%5D=%2A%2A%2A%2A&"));
        assert!(out.contains("&price=1000&"));
        assert!(
            !out.contains("gmail") && !out.contains("Jane") && !out.contains("85DB562A"),
            "{out}"
        );
        assert!(out.contains("example.com"));
        assert_eq!(redact_form(&out), out);
    }

    #[test]
    fn detectors() {
        assert!(looks_like_email("a.b+c@sub.example.com"));
        assert!(
            !looks_like_email("@x.com") && !looks_like_email("a@b") && !looks_like_email("a b@c.d")
        );
        assert!(looks_like_jwt(
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
        ));
        assert!(!looks_like_jwt("A-m3CDDC5dlrSdKZp0RFhA=="));
        assert!(looks_like_token("ghp_1234567890abcdefghijABCDEFGHIJ0987"));
        assert!(
            !looks_like_token("A-m3CDDC5dlrSdKZp0RFhA=="),
            "Gumroad ids are not tokens"
        );
        assert!(
            !looks_like_token("2f0f05c6-1b2c-4d5e-8f90-a1b2c3d4e5f6"),
            "UUIDs are 36 chars with dashes"
        );
    }
}
