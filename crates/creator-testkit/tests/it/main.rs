//! The conformance suite run against FakeProvider, object safety, and the mock helpers.

mod access_checker;
mod conformance_can_fail;
mod conformance_fake;
mod mock_helpers;
mod object_safety;
