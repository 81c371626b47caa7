//! Integration tests of the `creator` binary and the `creator_cli` library
//! (one test binary, modules by area). No test touches the internet: the
//! relay listens on loopback and the platforms are wiremock servers.

mod support;

mod binary;
mod entitlements;
mod intake;
mod license;
mod lists;
mod load;
#[cfg(feature = "postgres")]
mod postgres;
mod relay;
mod relay_binary;
mod sync;
