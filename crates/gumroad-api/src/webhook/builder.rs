//! [`GumroadWebhooksBuilder`]: the one way to configure a [`GumroadWebhooks`],
//! refusing secrets that would verify anything.

use std::fmt;
use std::sync::Arc;

use creator_core::verify::{AllOf, BasicAuth, TokenLocation, Unverified, UrlToken, Verifier};
use creator_core::{Clock, Error, ParseLimits, Result, Secret, SystemClock};

use super::receiver::GumroadWebhooks;
use crate::GumroadClient;

impl GumroadWebhooks {
    /// Starts a receiver: give it a URL token and/or Basic credentials (or
    /// say [`accept_unverified`](GumroadWebhooksBuilder::accept_unverified)),
    /// and a client for [`confirm`](creator_core::Webhooks::confirm).
    pub fn builder() -> GumroadWebhooksBuilder {
        GumroadWebhooksBuilder::default()
    }
}

/// Builds a [`GumroadWebhooks`]; from [`GumroadWebhooks::builder`].
///
/// [`build`](Self::build) refuses (with [`Error::Config`]) an empty URL
/// token, an empty Basic user or password, and a receiver with nothing to
/// check unless [`accept_unverified`](Self::accept_unverified) was said:
/// `Authorization: Basic Og==` (an empty user and password) must never verify.
///
/// ```
/// use gumroad_api::webhook::{GumroadWebhooks, TokenLocation};
///
/// let hooks = GumroadWebhooks::builder()
///     .url_token("4f9c2e7a1b8d")
///     .token_location(TokenLocation::LastPathSegment)
///     .build()?;
/// # let _ = hooks;
/// assert!(GumroadWebhooks::builder().basic_auth("", "").build().is_err());
/// assert!(GumroadWebhooks::builder().url_token("").build().is_err());
/// assert!(GumroadWebhooks::builder().build().is_err());
/// # Ok::<(), creator_core::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct GumroadWebhooksBuilder {
    token: Option<Secret>,
    token_location: TokenLocation,
    basic: Option<(Secret, Secret)>,
    accept_unverified: bool,
    limits: ParseLimits,
    client: Option<GumroadClient>,
    clock: Option<Arc<dyn Clock>>,
}

impl fmt::Debug for GumroadWebhooksBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GumroadWebhooksBuilder")
            .field("token", &self.token)
            .field("token_location", &self.token_location)
            .field("basic_auth", &self.basic.as_ref().map(|_| "<redacted>"))
            .field("accept_unverified", &self.accept_unverified)
            .field("limits", &self.limits)
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl GumroadWebhooksBuilder {
    /// Expects this secret in the callback URL, where
    /// [`token_location`](Self::token_location) says (default: a `token`
    /// query parameter, else the last path segment). Compared in constant time.
    pub fn url_token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// Where the token sits in the URL.
    pub fn token_location(mut self, location: TokenLocation) -> Self {
        self.token_location = location;
        self
    }

    /// Expects HTTP Basic credentials (register the URL as
    /// `https://user:password@host/…`). Compared in constant time.
    pub fn basic_auth(mut self, user: impl Into<Secret>, password: impl Into<Secret>) -> Self {
        self.basic = Some((user.into(), password.into()));
        self
    }

    /// Lets a receiver without a token or Basic credentials be built, whose
    /// `verify` then succeeds with [`Verified::Unverified`](creator_core::Verified::Unverified).
    /// Only for tests or a receiver on a trusted network that confirms every
    /// event through the API.
    pub fn accept_unverified(mut self) -> Self {
        self.accept_unverified = true;
        self
    }

    /// Limits on body size, field count and nesting (see [`ParseLimits`]).
    pub fn limits(mut self, limits: ParseLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The client [`confirm`](creator_core::Webhooks::confirm) reads through
    /// (`GET /v2/sales/:id`, `GET /v2/subscribers/:id`).
    pub fn client(mut self, client: GumroadClient) -> Self {
        self.client = Some(client);
        self
    }

    /// The clock that decides whether a cancellation is still pending
    /// (its `cancelled_at` in the future) when normalizing (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Builds the receiver.
    ///
    /// # Errors
    /// [`Error::Config`] for an empty URL token, an empty Basic user or
    /// password, an empty query parameter name, or nothing to check without
    /// [`accept_unverified`](Self::accept_unverified).
    pub fn build(self) -> Result<GumroadWebhooks> {
        if let TokenLocation::Query(name) | TokenLocation::QueryOrLastPathSegment(name) =
            &self.token_location
            && name.is_empty()
        {
            return Err(Error::Config(
                "the Gumroad webhook token's query parameter name is empty".into(),
            ));
        }
        let url_token = self
            .token
            .map(|token| UrlToken::new(self.token_location, token))
            .transpose()?;
        let basic = self
            .basic
            .map(|(user, password)| BasicAuth::new(user, password))
            .transpose()?;
        let verifier: Arc<dyn Verifier> = match (&url_token, &basic) {
            (None, None) if !self.accept_unverified => {
                return Err(Error::Config(
                    "a Gumroad webhook receiver needs a URL token or Basic credentials (Gumroad \
                     does not sign deliveries); set one, or call accept_unverified()"
                        .into(),
                ));
            }
            (None, None) => Arc::new(Unverified),
            _ => {
                let mut all = AllOf::new();
                if let Some(token) = &url_token {
                    all = all.with(token.clone());
                }
                if let Some(basic) = &basic {
                    all = all.with(basic.clone());
                }
                Arc::new(all)
            }
        };
        Ok(GumroadWebhooks {
            url_token,
            basic,
            verifier,
            limits: self.limits,
            client: self.client,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
        })
    }
}
