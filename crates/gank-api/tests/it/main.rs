//! Integration tests for gank-api: every endpoint against two wiremock hosts
//! (V1 and V2), webhook parsing and verification, and the creator-core traits.

mod common;

mod access;

mod client;
mod conformance;
mod listings;
mod memberships;
mod registration;
mod subscribers;
mod tokens;
mod traits;
mod transactions;
mod users;
mod verifier;
mod webhooks;
