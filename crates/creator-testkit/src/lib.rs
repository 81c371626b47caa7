//! # creator-testkit
//!
//! Test support shared by every creator-commerce crate (not published):
//!
//! - [`mock`]: wiremock helpers — fixtures served as raw bytes, a fallback
//!   mock that names any unmatched request, and recorded outgoing requests.
//! - [`FakeProvider`]: an in-memory implementation of all the core traits,
//!   [`Access`](creator_core::Access) and [`SaleActions`](creator_core::SaleActions) included.
//! - [`conformance`]: a suite generic over any implementation of the traits,
//!   run by each provider crate against its own client over wiremock.
//! - [`gumroad`]: a small Gumroad served from the fixtures, shared by the
//!   Gumroad client's and the Maton gateway's conformance runs.
//! - [`assert_same_sale`]: two normalized sales are equal, provider model included.

pub mod conformance;
mod fake;
mod fake_access;
pub mod gumroad;
pub mod mock;
pub mod sales_standin;
mod same;

pub use fake::{FAKE, FakeProvider, SIGNATURE_HEADER, sample as fake_sample};
pub use fake_access::{FakePurchase, FakePurchases, FakeSubscription, sample_access_cases};
pub use mock::{
    Counted, MockServerExt, PageCounter, RecordedRequest, fixture_bytes, fixture_changed,
    fixture_path, mount_fallback, respond_json,
};
pub use same::assert_same_sale;
