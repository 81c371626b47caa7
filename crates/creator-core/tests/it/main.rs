//! Transport tests against a local wiremock server (feature `http`).
#![cfg(feature = "http")]

mod redaction;
mod transport;
