//! Integration tests for gumroad-api: every endpoint against wiremock on
//! loopback, with fixtures served as raw bytes from `fixtures/gumroad/`.

mod access;
mod catalog;
mod client;
mod common;
mod conformance;
mod custom_fields;
mod earnings;
mod emails;
mod errors;
mod files;
mod licenses;
mod login;
mod oauth;
mod offer_codes;
mod pages;
mod payouts;
mod products;
mod profile;
mod refund_policy;
mod resource_subscriptions;
mod sales;
mod sales_reports;
mod sales_windows;
mod subscribers;
mod tax_forms;
mod upsells;
mod user;
mod variants;
mod webhooks;
mod workflows;
