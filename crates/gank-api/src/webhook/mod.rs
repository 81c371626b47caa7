//! Gank webhooks: [`GankEvent`] (the parsed delivery) and [`GankWebhooks`]
//! (the receiver: verify, parse, confirm).
//!
//! **What is known.** Registering a webhook returns a `key`, which Gank
//! describes as "a secret key that you can use to check the signature of the
//! webhook payload".
//!
//! **What is not known.** Gank does not publicly document the header that
//! carries the signature, the algorithm, the encoding, what exactly is signed
//! (the raw body, or a timestamp and the body), any replay window, or how key
//! bytes are derived from `key`. So nothing here is a default you can trust
//! blindly: creator-core's [`Hmac`](creator_core::verify::Hmac) makes every
//! one of those choices explicit (HMAC-SHA256 or -SHA512, hex or base64, a
//! header name you must give, an optional timestamp header) so you can match
//! it to what a real delivery carries, and
//! [`AnyOf`](creator_core::verify::AnyOf) lets you try several candidates
//! while you find out.
//!
//! Whatever the verifier, call
//! [`Webhooks::confirm`](creator_core::Webhooks::confirm) on the receiver
//! before granting anything: it re-reads the transaction through the API.

mod payload;
mod receiver;

pub use payload::{GankEvent, TxEvent};
pub use receiver::{GankWebhooks, GankWebhooksBuilder};
