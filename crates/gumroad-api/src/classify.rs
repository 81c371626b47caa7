//! Gumroad's error shapes, turned into [`Error`]s in one place.

use creator_core::http::{Response, ResponseClassifier};
use creator_core::{Error, Provider, RawBody};
use serde::Deserialize;

/// The [`ResponseClassifier`] for Gumroad's API.
///
/// | response | error |
/// |---|---|
/// | HTTP 200 `{"success": false, "message": "The sale was not found."}` | [`Error::NotFound`] (status 200) |
/// | HTTP 200 `{"success": false, "message": …}` (other messages) | [`Error::Api`] with the message |
/// | HTTP 2xx whose body is not JSON (`We'll be right back.`) | [`Error::Api`], code `unexpected_body` |
/// | HTTP 400 `{"status": 400, "error": "Invalid product ID."}` | [`Error::Api`] with the message |
/// | HTTP 400/401 OAuth `{"error": "invalid_grant", "error_description": …}` | [`Error::Api`] / [`Error::Unauthorized`], code = `error` |
/// | HTTP 401 / 403 with an empty body | [`Error::Unauthorized`] / [`Error::Forbidden`] (missing scope) |
/// | HTTP 401 `{"success": false, "message": "Not authorized"}` | [`Error::Api`], code `refused`: the action was refused, the token was not (see below) |
/// | HTTP 404 `{"success": false, "message"/"error": …}` (licenses) | [`Error::NotFound`] with the message |
/// | HTTP 500 `"The 'product_id' parameter is required…"` (license verify) | [`Error::Api`], code `product_id_required` |
/// | HTTP 429 plain text + `Retry-After` | [`Error::RateLimited`] (the default mapping) |
/// | HTML from the edge proxy (Cloudflare block, outage page) | [`Error::Api`] code `edge_html`, or [`Error::NotFound`] for an HTML 404 |
///
/// The response body is always kept ([`Error::raw_body`]).
///
/// A 401 is read by its body. Doorkeeper rejects a missing, invalid or
/// revoked token with an empty 401 (and the token endpoint with OAuth's
/// `{error, error_description}`): that is [`Error::Unauthorized`], "log in
/// again". Gumroad's own controllers also answer 401 with their
/// `{"success": false, "message": …}` envelope when a policy refuses the
/// *action* for the object's state (`fetch_error("Not authorized", status:
/// :unauthorized)` in `Api::Mobile::SalesController#revoke_access` for an
/// already revoked, refunded, physical or subscription sale): a new token
/// would be refused just the same, so it is an [`Error::Api`] with code
/// `refused` and the server's message, never retried.
///
/// A client built with [`GumroadClient::builder`](crate::GumroadClient::builder)
/// uses it already. Another crate building its own
/// [`Transport`](creator_core::http::Transport) for Gumroad (a proxy or the
/// Maton gateway) installs it with `.classifier(Arc::new(GumroadClassifier))`,
/// or calls [`GumroadClassifier::classify_gumroad`] from its own classifier
/// first.
///
/// ```
/// use creator_core::http::{Response, ResponseClassifier};
/// use creator_core::Provider;
/// use gumroad_api::GumroadClassifier;
///
/// let response = Response {
///     status: 200,
///     headers: Default::default(),
///     body: r#"{"success":false,"message":"The sale was not found."}"#.into(),
/// };
/// let err = GumroadClassifier.classify(Provider::Gumroad, &response).unwrap();
/// assert!(err.is_not_found());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct GumroadClassifier;

/// The [`Error::Api`] code of an action refused with a 401 envelope.
pub(crate) const REFUSED: &str = "refused";

/// Just the envelope keys; everything else is skipped without allocating.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    success: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    error_description: Option<serde_json::Value>,
}

fn text(v: &Option<serde_json::Value>) -> Option<String> {
    match v.as_ref()? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Array(items) => {
            let parts: Vec<&str> = items.iter().filter_map(|i| i.as_str()).collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        }
        _ => None,
    }
}

impl Probe {
    fn parse(body: &[u8]) -> Option<Probe> {
        serde_json::from_slice(body).ok()
    }

    fn says_failure(&self) -> bool {
        matches!(self.success, Some(serde_json::Value::Bool(false)))
    }

    /// The human message: `message`, else `error_description`, else `error`.
    fn message(&self) -> Option<String> {
        text(&self.message)
            .or_else(|| text(&self.error_description))
            .or_else(|| text(&self.error))
    }

    /// An OAuth (Doorkeeper) error code, when the body has one.
    fn oauth_code(&self) -> Option<String> {
        self.error_description.as_ref()?;
        text(&self.error)
    }
}

/// True for a message that means "this object does not exist (for you)".
fn is_not_found_message(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("not found") || m.contains("does not exist")
}

/// True when the body is an object whose first key is `"success": true`
/// (how Gumroad renders every successful answer), checked without parsing.
fn starts_with_success_true(body: &[u8]) -> bool {
    fn expect(token: &[u8], rest: &mut &[u8]) -> bool {
        match rest.trim_ascii_start().strip_prefix(token) {
            Some(after) => {
                *rest = after;
                true
            }
            None => false,
        }
    }
    let mut rest = body;
    expect(b"{", &mut rest)
        && expect(b"\"success\"", &mut rest)
        && expect(b":", &mut rest)
        && expect(b"true", &mut rest)
        && matches!(rest.trim_ascii_start().first(), Some(b',' | b'}'))
}

/// True for a 2xx file download (`send_file`/`send_data`): a PDF or
/// octet-stream `Content-Type`, or `Content-Disposition: attachment`.
fn is_file_download(response: &Response) -> bool {
    let content_type = response
        .header("content-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    content_type.starts_with("application/pdf")
        || content_type.starts_with("application/octet-stream")
        || response.header("content-disposition").is_some_and(|d| {
            d.trim_start()
                .to_ascii_lowercase()
                .starts_with("attachment")
        })
}

fn looks_like_html(response: &Response) -> bool {
    let content_type = response.header("content-type").unwrap_or_default();
    if content_type.to_ascii_lowercase().contains("text/html") {
        return true;
    }
    let start = response
        .body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .and_then(|i| response.body.get(i..i + 1));
    start == Some(b"<")
}

impl GumroadClassifier {
    /// The error for a body that says `"success": false`: not-found messages
    /// become [`Error::NotFound`], others [`Error::Api`] with the message.
    pub fn success_false(
        provider: Provider,
        status: u16,
        message: Option<String>,
        body: RawBody,
    ) -> Error {
        let message = message
            .unwrap_or_else(|| "Gumroad reported `success: false` without a message".to_owned());
        if is_not_found_message(&message) {
            Error::NotFound {
                provider,
                status,
                message,
                body,
            }
        } else {
            Error::Api {
                provider,
                status,
                code: None,
                message,
                body,
            }
        }
    }

    /// The Gumroad-specific error for `response`, or `None` when the default
    /// mapping applies (success, or a shape with nothing Gumroad-specific).
    pub fn classify_gumroad(provider: Provider, response: &Response) -> Option<Error> {
        let status = response.status;
        let body = || RawBody::new(response.body.clone());
        if response.is_success() && starts_with_success_true(&response.body) {
            // Gumroad renders `success` first; nothing to classify.
            return None;
        }
        if response.is_success() && is_file_download(response) {
            // A file (the tax form PDF), not an API envelope.
            return None;
        }
        let probe = Probe::parse(&response.body);

        if response.is_success() {
            return match probe {
                Some(p) if p.says_failure() => {
                    Some(Self::success_false(provider, status, p.message(), body()))
                }
                Some(_) => None,
                None if response.body.iter().all(u8::is_ascii_whitespace) => None,
                None => Some(Error::Api {
                    provider,
                    status,
                    code: Some("unexpected_body".into()),
                    message: format!(
                        "Gumroad answered HTTP {status} with a body that is not JSON ({}); \
                         the raw body is kept",
                        if looks_like_html(response) {
                            "an HTML page"
                        } else {
                            "plain text, perhaps a maintenance page"
                        }
                    ),
                    body: body(),
                }),
            };
        }

        if let Some(p) = &probe {
            let message = p.message();
            return match status {
                401 if p.says_failure() && message.is_some() => Some(Error::Api {
                    provider,
                    status,
                    code: Some(REFUSED.to_owned()),
                    message: message.unwrap_or_default(),
                    body: body(),
                }),
                401 => Some(Error::Unauthorized {
                    provider,
                    status,
                    message: message.unwrap_or_default(),
                    body: body(),
                }),
                403 => Some(Error::Forbidden {
                    provider,
                    status,
                    message: message.unwrap_or_default(),
                    body: body(),
                }),
                404 => Some(Error::NotFound {
                    provider,
                    status,
                    message: message.unwrap_or_else(|| "Not found".into()),
                    body: body(),
                }),
                429 => None,
                _ => {
                    let message = message?;
                    let code = p.oauth_code().or_else(|| {
                        message
                            .contains("'product_id' parameter is required")
                            .then(|| "product_id_required".to_owned())
                    });
                    Some(Error::Api {
                        provider,
                        status,
                        code,
                        message,
                        body: body(),
                    })
                }
            };
        }

        if looks_like_html(response) && status != 429 {
            if status == 404 {
                return Some(Error::NotFound {
                    provider,
                    status,
                    message: "Gumroad answered with an HTML 404 page: this server does not \
                              route the endpoint (product create/update exist since 2026; some \
                              endpoints, such as /v2/meta, may not be routed at all)"
                        .into(),
                    body: body(),
                });
            }
            return Some(Error::Api {
                provider,
                status,
                code: Some("edge_html".into()),
                message: format!(
                    "Gumroad's edge proxy answered HTTP {status} with an HTML page instead of the \
                     API (a Cloudflare block or an outage page); slow down and retry later"
                ),
                body: body(),
            });
        }
        None
    }
}

impl ResponseClassifier for GumroadClassifier {
    fn classify(&self, provider: Provider, response: &Response) -> Option<Error> {
        Self::classify_gumroad(provider, response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_true_fast_path_only_for_a_leading_success_true_key() {
        for yes in [
            &br#"{"success":true,"sales":[]}"#[..],
            br#" { "success" : true }"#,
            b"{\n  \"success\": true,\n  \"user\": {}}",
        ] {
            assert!(
                starts_with_success_true(yes),
                "{}",
                String::from_utf8_lossy(yes)
            );
        }
        for no in [
            &br#"{"success":false,"message":"The sale was not found."}"#[..],
            br#"{"sales":[],"success":true}"#,
            br#"{"success":trueish}"#,
            br#"{"success_flag":true}"#,
            b"We'll be right back.",
            b"",
        ] {
            assert!(
                !starts_with_success_true(no),
                "{}",
                String::from_utf8_lossy(no)
            );
        }
    }

    #[test]
    fn a_2xx_file_download_is_not_an_unexpected_body_but_a_maintenance_page_still_is() {
        let response = |content_type: &str, disposition: Option<&str>, body: &'static [u8]| {
            let mut headers = http::HeaderMap::new();
            headers.insert("content-type", content_type.parse().unwrap());
            if let Some(d) = disposition {
                headers.insert("content-disposition", d.parse().unwrap());
            }
            Response {
                status: 200,
                headers,
                body: body.into(),
            }
        };
        let pdf = response(
            "application/pdf",
            Some("attachment; filename=\"1099-K-2025.pdf\""),
            b"%PDF-1.7\n",
        );
        assert!(GumroadClassifier::classify_gumroad(Provider::Gumroad, &pdf).is_none());
        let attachment = response("binary/octet-stream", Some("attachment"), b"\x00\x01");
        assert!(GumroadClassifier::classify_gumroad(Provider::Gumroad, &attachment).is_none());
        let maintenance = response("text/plain", None, b"We'll be right back.");
        assert!(GumroadClassifier::classify_gumroad(Provider::Gumroad, &maintenance).is_some());
    }

    #[test]
    fn a_401_envelope_is_a_refused_action_and_an_empty_or_oauth_401_is_the_token() {
        let response = |body: &'static str| Response {
            status: 401,
            headers: Default::default(),
            body: body.into(),
        };
        let refused = GumroadClassifier::classify_gumroad(
            Provider::Gumroad,
            &response(r#"{"success":false,"message":"Not authorized"}"#),
        );
        assert!(
            matches!(&refused, Some(Error::Api { status: 401, code: Some(c), message, .. }) if c == REFUSED && message == "Not authorized"),
            "{refused:?}"
        );
        for token in [
            "",
            r#"{"error":"invalid_client","error_description":"Client authentication failed."}"#,
            r#"{"success":false}"#,
        ] {
            let response = response(token);
            // `None` leaves the transport's default mapping, which is what runs then.
            let err = GumroadClassifier::classify_gumroad(Provider::Gumroad, &response)
                .unwrap_or_else(|| {
                    creator_core::http::default_error(
                        Provider::Gumroad,
                        &response,
                        std::time::SystemTime::UNIX_EPOCH,
                    )
                });
            assert!(
                matches!(err, Error::Unauthorized { status: 401, .. }),
                "{token}: {err:?}"
            );
        }
    }

    #[test]
    fn success_false_anywhere_in_order_is_still_classified() {
        let response = Response {
            status: 200,
            headers: Default::default(),
            body: r#"{"message":"The subscriber was not found.","success":false}"#.into(),
        };
        let err = GumroadClassifier::classify_gumroad(Provider::Gumroad, &response).unwrap();
        assert!(err.is_not_found());
    }
}
