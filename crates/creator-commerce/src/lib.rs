//! # creator-commerce
//!
//! One dependency for the whole workspace: the provider-agnostic
//! [`creator_core`] layer (re-exported at the root: the traits [`Products`],
//! [`Sales`], [`Subscribers`], [`Webhooks`], the domain types and [`Error`]) and
//! the provider clients you enable with features:
//!
//! | feature | module | crate |
//! |---|---|---|
//! | `gumroad` | [`gumroad`] | `gumroad-api` |
//! | `gank` | [`gank`] | `gank-api` |
//! | `maton` | [`maton`] (implies `gumroad`) | `maton-gateway` |
//!
//! All three are on by default; turn the others off to compile less:
//! `creator-commerce = { version = "0.1", default-features = false, features = ["gank"] }`.
//!
//! ```
//! use creator_commerce::{collect, Result, Sale, SaleQuery, Sales};
//!
//! /// Works the same on every provider.
//! async fn last_ten(shop: &dyn Sales) -> Result<Vec<Sale>> {
//!     collect(shop.list_sales(SaleQuery::new()), Some(10)).await
//! }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use creator_core::*;

/// The Gumroad API v2 client and webhooks (the `gumroad-api` crate).
#[cfg(feature = "gumroad")]
#[cfg_attr(docsrs, doc(cfg(feature = "gumroad")))]
pub use gumroad_api as gumroad;

/// The Gank Creator API client and webhooks (the `gank-api` crate).
#[cfg(feature = "gank")]
#[cfg_attr(docsrs, doc(cfg(feature = "gank")))]
pub use gank_api as gank;

/// The Maton API gateway, and Gumroad through it (the `maton-gateway` crate).
#[cfg(feature = "maton")]
#[cfg_attr(docsrs, doc(cfg(feature = "maton")))]
pub use maton_gateway as maton;

/// The guides in `docs/`, compiled and run as doctests so every code block stays correct.
#[cfg(all(doctest, feature = "gumroad", feature = "gank", feature = "maton"))]
pub mod guides {
    /// `README.md`
    #[doc = include_str!("../../../README.md")]
    pub struct Readme;

    /// `crates/maton-gateway/README.md`
    #[doc = include_str!("../../maton-gateway/README.md")]
    pub struct MatonReadme;

    /// `crates/creator-cli/README.md`
    #[doc = include_str!("../../creator-cli/README.md")]
    pub struct CliReadme;

    /// `docs/errors-and-retries.md`
    #[doc = include_str!("../../../docs/errors-and-retries.md")]
    pub struct ErrorsAndRetries;

    /// `docs/getting-started-gumroad.md`
    #[doc = include_str!("../../../docs/getting-started-gumroad.md")]
    pub struct GettingStartedGumroad;

    /// `docs/getting-started-gank.md`
    #[doc = include_str!("../../../docs/getting-started-gank.md")]
    pub struct GettingStartedGank;

    /// `docs/getting-started-maton.md`
    #[doc = include_str!("../../../docs/getting-started-maton.md")]
    pub struct GettingStartedMaton;

    /// `docs/webhooks.md`
    #[doc = include_str!("../../../docs/webhooks.md")]
    pub struct Webhooks;

    /// `docs/writing-against-the-traits.md`
    #[doc = include_str!("../../../docs/writing-against-the-traits.md")]
    pub struct WritingAgainstTheTraits;

    /// `docs/fixtures.md`
    #[doc = include_str!("../../../docs/fixtures.md")]
    pub struct Fixtures;

    /// `docs/mcp.md`
    #[doc = include_str!("../../../docs/mcp.md")]
    pub struct Mcp;
    /// `docs/granting-access.md`
    #[doc = include_str!("../../../docs/granting-access.md")]
    pub struct GrantingAccess;
}
