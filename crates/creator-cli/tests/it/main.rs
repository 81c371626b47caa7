//! Integration tests of the `creator` binary and the `creator_cli` library
//! (one test binary, modules by area). No test touches the internet: the
//! relay listens on loopback and the platforms are wiremock servers.

mod receiver;
mod support;

mod auth;
mod binary;
mod console;
mod docs;
mod doctor;
mod entitlements;
mod event_schema;
mod forward;
mod forward_binary;
mod forward_python;
mod intake;
mod license;
mod lists;
mod load;
mod mcp;
#[cfg(feature = "postgres")]
mod postgres;
mod reconcile;
mod relay;
mod relay_binary;
mod relay_config;
mod sales_writes;
mod simulate;
mod sync;
mod writes;
