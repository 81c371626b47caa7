//! Integration tests for gumroad-api: every endpoint against wiremock on
//! loopback, with fixtures served as raw bytes from `fixtures/gumroad/`.

mod client;
mod common;
mod errors;
mod products;
mod sales;
mod user;
