//! The console's sign-in: the admin token is typed once into the login form
//! and traded for a random session id kept in a `Secure; HttpOnly;
//! SameSite=Strict` cookie (the token itself is never stored in the
//! browser). Each session carries its own CSRF token, which every form
//! sends back and every state-changing request must match.
//!
//! Sessions are kept in memory under the SHA-256 of their id, so a lookup's
//! timing says nothing about the ids; the token and CSRF values are
//! compared in constant time ([`Secret::matches`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use axum::http::header::{COOKIE, HOST, ORIGIN};
use creator_core::Secret;
use sha2::{Digest, Sha256};

use super::ConsoleError;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "creator_console";

/// How long a session lasts after it was made.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// Most sessions kept at once; a new one past it ends the oldest.
const MAX_SESSIONS: usize = 64;

/// One signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    /// The token every form of this session carries.
    pub csrf: Secret,
    made: Instant,
}

impl Session {
    /// Checks a state-changing request of this session: the browser's
    /// `Sec-Fetch-Site` and `Origin` (when sent) must say it came from the
    /// console's own pages, and the form's `csrf` field must be this
    /// session's token.
    ///
    /// # Errors
    /// [`ConsoleError::Forbidden`] naming what was wrong.
    pub fn check_csrf(&self, headers: &HeaderMap, given: Option<&str>) -> Result<(), ConsoleError> {
        same_origin(headers)?;
        match given {
            None | Some("") => Err(ConsoleError::Forbidden(
                "this form carried no CSRF token: reload the page and try again".into(),
            )),
            Some(token) if self.csrf.matches(token.as_bytes()) => Ok(()),
            Some(_) => Err(ConsoleError::Forbidden(
                "this form's CSRF token is not this session's: reload the page and try again"
                    .into(),
            )),
        }
    }
}

/// Refuses a request a browser says came from another site.
///
/// # Errors
/// [`ConsoleError::Forbidden`] for `Sec-Fetch-Site: cross-site` or
/// `same-site`, or an `Origin` whose host is not the request's `Host`.
pub fn same_origin(headers: &HeaderMap) -> Result<(), ConsoleError> {
    let text = |name| {
        headers
            .get(name)
            .and_then(|v: &axum::http::HeaderValue| v.to_str().ok())
    };
    if let Some(site) = text(axum::http::HeaderName::from_static("sec-fetch-site"))
        && !matches!(site, "same-origin" | "none")
    {
        return Err(ConsoleError::Forbidden(format!(
            "the browser says this request came from another site (Sec-Fetch-Site: {site})"
        )));
    }
    if let Some(origin) = text(ORIGIN) {
        let origin_host = origin
            .split_once("://")
            .map_or(origin, |(_, rest)| rest)
            .trim_end_matches('/');
        if text(HOST) != Some(origin_host) {
            return Err(ConsoleError::Forbidden(format!(
                "this request came from {origin}, not from the console's own pages"
            )));
        }
    }
    Ok(())
}

/// The signed-in sessions of one relay.
#[derive(Debug)]
pub struct Sessions {
    token: Secret,
    live: Mutex<HashMap<[u8; 32], Session>>,
}

impl Sessions {
    /// Sessions opened with the admin `token`.
    pub fn new(token: Secret) -> Self {
        Self {
            token,
            live: Mutex::new(HashMap::new()),
        }
    }

    /// Trades a correct admin token for a new session; returns its id (the
    /// cookie's value).
    ///
    /// # Errors
    /// [`ConsoleError::Forbidden`] for a wrong token, [`ConsoleError::Internal`]
    /// when no random bytes could be had.
    pub fn sign_in(&self, token: &str) -> Result<String, ConsoleError> {
        if !self.token.matches(token.as_bytes()) {
            return Err(ConsoleError::Forbidden(
                "that is not the console token (it was shown once on the relay's stderr, or set as CREATOR_CONSOLE_TOKEN)".into(),
            ));
        }
        let id = random_token()?;
        let session = Session {
            csrf: Secret::new(random_token()?),
            made: Instant::now(),
        };
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.retain(|_, s| s.made.elapsed() < SESSION_LIFETIME);
        if live.len() >= MAX_SESSIONS
            && let Some(oldest) = live.iter().min_by_key(|(_, s)| s.made).map(|(k, _)| *k)
        {
            live.remove(&oldest);
        }
        live.insert(digest(&id), session);
        Ok(id)
    }

    /// The session of a request's cookie.
    ///
    /// # Errors
    /// [`ConsoleError::SignedOut`] without a live session.
    pub fn of(&self, headers: &HeaderMap) -> Result<Session, ConsoleError> {
        let id = cookie(headers).ok_or(ConsoleError::SignedOut)?;
        let live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.get(&digest(id))
            .filter(|s| s.made.elapsed() < SESSION_LIFETIME)
            .cloned()
            .ok_or(ConsoleError::SignedOut)
    }

    /// Ends the session of a request's cookie.
    pub fn sign_out(&self, headers: &HeaderMap) {
        if let Some(id) = cookie(headers) {
            let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
            live.remove(&digest(id));
        }
    }
}

/// The `Set-Cookie` value for session `id` (`None`: one that ends it).
pub fn set_cookie(id: Option<&str>) -> String {
    match id {
        Some(id) => format!(
            "{COOKIE_NAME}={id}; Path=/console; Max-Age={}; Secure; HttpOnly; SameSite=Strict",
            SESSION_LIFETIME.as_secs()
        ),
        None => {
            format!("{COOKIE_NAME}=; Path=/console; Max-Age=0; Secure; HttpOnly; SameSite=Strict")
        }
    }
}

/// The session id in a request's `Cookie` headers.
fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value)
}

fn digest(id: &str) -> [u8; 32] {
    Sha256::digest(id.as_bytes()).into()
}

/// 32 random bytes, URL-safe base64.
///
/// # Errors
/// [`ConsoleError::Internal`] when the OS has no random bytes to give.
pub fn random_token() -> Result<String, ConsoleError> {
    crate::random::base64_url(32)
        .map_err(|e| ConsoleError::Internal(format!("no random bytes for a session: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn a_session_is_found_by_its_cookie_only_and_ends_on_sign_out() {
        let sessions = Sessions::new(Secret::new("the-console-token-0123456789"));
        assert!(sessions.sign_in("the-console-token-012345678").is_err());
        let id = sessions.sign_in("the-console-token-0123456789").unwrap();
        let with = headers(&[("cookie", &format!("theme=dark; {COOKIE_NAME}={id}"))]);
        let session = sessions.of(&with).unwrap();
        assert!(session.csrf.expose().len() >= 43);
        let forged = headers(&[("cookie", &format!("{COOKIE_NAME}={id}x"))]);
        assert!(matches!(sessions.of(&forged), Err(ConsoleError::SignedOut)));
        sessions.sign_out(&with);
        assert!(matches!(sessions.of(&with), Err(ConsoleError::SignedOut)));
    }

    #[test]
    fn csrf_needs_the_token_and_a_same_origin_request() {
        let sessions = Sessions::new(Secret::new("the-console-token-0123456789"));
        let id = sessions.sign_in("the-console-token-0123456789").unwrap();
        let session = sessions
            .of(&headers(&[("cookie", &format!("{COOKIE_NAME}={id}"))]))
            .unwrap();
        let own = headers(&[
            ("host", "127.0.0.1:8787"),
            ("origin", "http://127.0.0.1:8787"),
        ]);
        let csrf = session.csrf.expose().to_owned();
        assert!(session.check_csrf(&own, Some(&csrf)).is_ok());
        assert!(session.check_csrf(&own, None).is_err());
        assert!(session.check_csrf(&own, Some("nope")).is_err());
        let other = headers(&[
            ("host", "127.0.0.1:8787"),
            ("origin", "http://evil.example"),
        ]);
        assert!(session.check_csrf(&other, Some(&csrf)).is_err());
        let cross = headers(&[("sec-fetch-site", "cross-site")]);
        assert!(session.check_csrf(&cross, Some(&csrf)).is_err());
    }

    #[test]
    fn the_cookie_is_secure_http_only_and_strict() {
        let c = set_cookie(Some("abc"));
        for part in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/console"] {
            assert!(c.contains(part), "{c}");
        }
    }
}
