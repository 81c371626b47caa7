//! Integration tests for maton-gateway: the control plane, the generic app
//! proxy, Gumroad through the gateway (including the creator-testkit
//! conformance suite), Maton's error kinds, retries, the rate limiter and
//! secret redaction — all against wiremock on loopback.

mod access;
mod common;
mod connections;
mod debug;
mod errors;
mod gumroad;
mod limiter;
mod proxy;
