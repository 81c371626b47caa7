//! `cargo xtask fixtures check`: every fixture parses with the model of the
//! crate it belongs to (or, for a fixture that exists to be rejected, fails
//! to parse with a clear error).

use std::path::Path;

use bytes::Bytes;
use creator_core::http::{Response, ResponseClassifier, default_error};
use creator_core::{Provider, WebhookDelivery};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// What a fixture was found to be.
pub type Outcome = Result<String, String>;

/// Checks one fixture. `rel` is its path under `fixtures/` with `/` separators.
pub fn check(rel: &str, bytes: &[u8]) -> Outcome {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    if name.ends_with(".md") || name.ends_with(".py") {
        return Ok("documentation or generator, not a fixture".into());
    }
    let meant_to_fail = ["malformed", "not_json", "missing_human_id", "bad_amount"]
        .iter()
        .any(|k| name.contains(k));
    let outcome = match rel.split('/').collect::<Vec<_>>().as_slice() {
        ["gumroad", "webhooks", "api", file] => gumroad_rest(file, bytes),
        ["gumroad", "webhooks", file] => gumroad_webhook(file, bytes),
        ["gumroad", file] => gumroad_rest(file, bytes),
        ["gank", file] => gank(file, bytes),
        ["maton", "connections", _] => maton_connections(bytes),
        ["maton", "errors", file] => error_body(
            Provider::Maton,
            &maton_gateway::MatonClassifier::gumroad(),
            file,
            bytes,
        ),
        ["maton", file] => gumroad_rest(file, bytes),
        // The CLI's quick-start and license fixtures are Gumroad bodies.
        ["cli", file] if file.ends_with(".form") => gumroad_webhook(file, bytes),
        ["cli", file] => gumroad_rest(file, bytes),
        _ => Err("no model is known for this location; add it to xtask/src/check.rs".into()),
    };
    match (outcome, meant_to_fail) {
        (Ok(what), false) => Ok(what),
        (Err(e), false) => Err(e),
        (Err(e), true) => Ok(format!("rejected as intended: {e}")),
        (Ok(what), true) => Err(format!("named as a bad input, but it parsed as {what}")),
    }
}

fn json(bytes: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))
}

fn model<T: DeserializeOwned>(value: &Value, what: &str) -> Result<T, String> {
    serde_path_to_error::deserialize(value)
        .map_err(|e| format!("{what}: at `{}`: {}", e.path(), e.inner()))
}

fn one_or_many<T: DeserializeOwned>(value: &Value, what: &str) -> Result<usize, String> {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                model::<T>(item, &format!("{what}[{i}]"))?;
            }
            Ok(items.len())
        }
        other => model::<T>(other, what).map(|_| 1),
    }
}

/// The HTTP status a fixture stands for, from a `_NNN` in its name (else 200).
fn status_from_name(name: &str) -> u16 {
    name.split(['_', '.'])
        .filter_map(|part| part.parse::<u16>().ok())
        .find(|s| (100..600).contains(s))
        .unwrap_or(200)
}

/// An error body: the provider's classifier (or the default mapping) must turn it into an error with a message.
fn error_body(
    provider: Provider,
    classifier: &dyn ResponseClassifier,
    name: &str,
    bytes: &[u8],
) -> Outcome {
    let response = Response {
        status: status_from_name(name),
        headers: http::HeaderMap::new(),
        body: Bytes::copy_from_slice(bytes),
    };
    let error = classifier.classify(provider, &response).or_else(|| {
        (!response.is_success())
            .then(|| default_error(provider, &response, std::time::SystemTime::now()))
    });
    match error {
        Some(e) if e.raw_body().is_none_or(|b| b.as_bytes() == bytes) => {
            Ok(format!("error body → {e}"))
        }
        Some(_) => Err("the error lost the raw body".into()),
        None => Err(format!(
            "classified as a success for HTTP {}",
            response.status
        )),
    }
}

fn gumroad_rest(name: &str, bytes: &[u8]) -> Outcome {
    use gumroad_api as g;
    let classifier = g::GumroadClassifier;
    let Ok(doc) = serde_json::from_slice::<Value>(bytes) else {
        return error_body(Provider::Gumroad, &classifier, name, bytes);
    };
    let is_error = doc.get("success") == Some(&Value::Bool(false))
        || doc.get("error").is_some() && doc.get("success").is_none();
    if is_error {
        return error_body(Provider::Gumroad, &classifier, name, bytes);
    }
    let obj = doc.as_object().ok_or("not a JSON object")?;
    let mut parsed = Vec::new();
    for (key, value) in obj {
        let n = match key.as_str() {
            "user" => one_or_many::<g::User>(value, key)?,
            "product" | "products" => one_or_many::<g::Product>(value, key)?,
            "sale" | "sales" => one_or_many::<g::Sale>(value, key)?,
            "subscriber" | "subscribers" => one_or_many::<g::Subscriber>(value, key)?,
            "offer_code" | "offer_codes" => one_or_many::<g::OfferCode>(value, key)?,
            "variant_category" | "variant_categories" => {
                one_or_many::<g::VariantCategory>(value, key)?
            }
            "variant" | "variants" => one_or_many::<g::Variant>(value, key)?,
            "custom_field" | "custom_fields" => one_or_many::<g::CustomField>(value, key)?,
            "resource_subscription" | "resource_subscriptions" => {
                one_or_many::<g::ResourceSubscription>(value, key)?
            }
            "payout" | "payouts" => one_or_many::<g::Payout>(value, key)?,
            "purchase" => one_or_many::<g::LicensePurchase>(value, key)?,
            "imported_customer" => one_or_many::<g::ImportedCustomer>(value, key)?,
            "access_token" => 1,
            _ => 0,
        };
        if n > 0 || matches!(value, Value::Array(a) if a.is_empty()) {
            parsed.push(format!("{key}×{n}"));
        }
    }
    if parsed.is_empty() && obj.get("success") != Some(&Value::Bool(true)) {
        return Err("no known Gumroad object in this body".into());
    }
    Ok(format!(
        "gumroad {}",
        if parsed.is_empty() {
            "success envelope".into()
        } else {
            parsed.join(", ")
        }
    ))
}

fn gumroad_webhook(name: &str, bytes: &[u8]) -> Outcome {
    let content_type = if name.ends_with(".json") {
        "application/json"
    } else {
        "application/x-www-form-urlencoded"
    };
    let delivery = WebhookDelivery::with_content_type(content_type, Bytes::copy_from_slice(bytes));
    let event =
        gumroad_api::webhook::GumroadEvent::from_delivery(&delivery).map_err(|e| e.to_string())?;
    let what: String = format!("gumroad webhook {event:?}")
        .chars()
        .take(60)
        .collect();
    with_field_errors(name, what, event.field_errors())
}

/// A delivery that parsed: fine, unless some of its fields could not be read
/// and the fixture is not named as a `quirk` (one that exists to show that
/// an authentic delivery with a mistyped field is still accepted).
fn with_field_errors(name: &str, what: String, errors: &[creator_core::FieldError]) -> Outcome {
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    match (fields.is_empty(), name.contains("quirk")) {
        (true, _) => Ok(what),
        (false, true) => Ok(format!(
            "{what} (unreadable, kept raw: {})",
            fields.join(", ")
        )),
        (false, false) => Err(format!(
            "parsed, but these fields could not be read: {} (name the fixture `quirk_…` if that is the point)",
            fields.join(", ")
        )),
    }
}

fn gank(name: &str, bytes: &[u8]) -> Outcome {
    use gank_api as k;
    let doc = json(bytes)?;
    let data = doc.get("data").unwrap_or(&Value::Null);
    let what = |s: &str| Ok(format!("gank {s}"));
    let stem = name.trim_end_matches(".json");
    match stem {
        "auth_creators" => model::<k::CreatorToken>(&doc, stem).and(what("creator token")),
        "webhook_get" | "webhook_register" | "webhook_update_events" => {
            model::<k::WebhookRegistration>(&doc, stem).and(what("webhook registration"))
        }
        "membership_settings" => {
            one_or_many::<k::MembershipSetting>(data, "data").and(what("membership settings"))
        }
        s if s.starts_with("webhook_") => {
            let hook = k::GankEvent::parse(bytes).map_err(|e| e.to_string())?;
            with_field_errors(name, "gank webhook".into(), hook.field_errors())
        }
        s if s.starts_with("listings_") => {
            model::<k::ListingPage>(&doc, stem).and(what("listing page"))
        }
        s if s.starts_with("subscribers_") => {
            model::<k::SubscriberPage>(&doc, stem).and(what("subscriber page"))
        }
        s if s.starts_with("subscription_status_") => {
            model::<k::GankSubscriptionStatus>(&doc, stem).and(what("subscription status"))
        }
        s if s.starts_with("transactions_") => {
            model::<k::TransactionPage>(&doc, stem).and(what("transaction page"))
        }
        s if s.starts_with("transaction_") => match data {
            Value::Null if doc.get("data").is_some() => what("transaction not found (data: null)"),
            Value::Object(_) => model::<k::Transaction>(data, "data").and(what("transaction")),
            _ => model::<k::Transaction>(&doc, stem).and(what("transaction")),
        },
        s if s.starts_with("users_me") => match data {
            Value::Null => what("user not found (data: null)"),
            d => model::<k::GankUser>(d, "data").and(what("user")),
        },
        _ => Err("no Gank model is known for this file name; add it to xtask/src/check.rs".into()),
    }
}

fn maton_connections(bytes: &[u8]) -> Outcome {
    use maton_gateway::Connection;
    let doc = json(bytes)?;
    let n = match (doc.get("connections"), doc.get("connection")) {
        (Some(list), _) => one_or_many::<Connection>(list, "connections")?,
        (None, Some(one)) => one_or_many::<Connection>(one, "connection")?,
        (None, None) => one_or_many::<Connection>(&doc, "connection")?,
    };
    Ok(format!("maton connections×{n}"))
}

/// Checks every file under `dir` (the workspace's `fixtures/`), returning the problems.
pub fn check_all(dir: &Path) -> (usize, Vec<String>) {
    let files = crate::scan::files_under(dir);
    let mut problems = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(dir)
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                problems.push(format!("{rel}: cannot read: {e}"));
                continue;
            }
        };
        if let Err(e) = check(&rel, &bytes) {
            problems.push(format!("{rel}: {e}"));
        }
        for f in crate::scan::scan(file, &bytes) {
            problems.push(format!("{rel}: {}: {}", f.location, f.what));
        }
    }
    (files.len(), problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixture_in_the_repository_passes() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
        let (count, problems) = check_all(&dir);
        assert!(count > 100, "found only {count} fixtures");
        assert!(
            problems.is_empty(),
            "{} problem(s):\n{}",
            problems.len(),
            problems.join("\n")
        );
    }

    #[test]
    fn a_wrong_shape_or_a_leaked_email_is_reported() {
        assert!(check("gumroad/sale.json", br#"{"success":true,"sale":{"id":5}}"#).is_err());
        assert!(check("gumroad/x.json", br#"{"success":true,"mystery":{}}"#).is_ok());
        assert!(check("gumroad/x.json", br#"{"mystery":{}}"#).is_err());
        assert!(check("gank/listings_page1.json", br#"{"data":"nope"}"#).is_err());
        assert!(
            check("gumroad/webhooks/malformed_x.form", b"sale_id=abc&price=12").is_err(),
            "a malformed_ fixture must fail to parse"
        );
        assert!(check("elsewhere/x.json", b"{}").is_err());
        let mistyped = b"sale_id=abc&resource_name=sale&order_number=12a";
        assert!(
            check("gumroad/webhooks/sale_x.form", mistyped).is_err(),
            "an unreadable field outside a quirk_ fixture is reported"
        );
        assert!(check("gumroad/webhooks/quirk_x.form", mistyped).is_ok());
        let tmp = std::env::temp_dir().join(format!("xtask-check-{}", std::process::id()));
        std::fs::create_dir_all(tmp.join("gumroad")).unwrap();
        std::fs::write(
            tmp.join("gumroad/sale.json"),
            br#"{"success":true,"sale":{"id":"x","email":"real@gmail.com"}}"#,
        )
        .unwrap();
        let (_, problems) = check_all(&tmp);
        assert!(problems.iter().any(|p| p.contains("email")), "{problems:?}");
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
