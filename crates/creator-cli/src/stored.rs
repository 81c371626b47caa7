//! Deliveries kept in the ledger, parsed again with this build's parsers:
//! by the schema 3 migration (to give old events their identity) and by
//! `creator quarantine replay` (to store an authentic delivery that an
//! older build, or a missing setting, could not read).

use creator_core::verify::Unverified;
use creator_core::{WebhookDelivery, WebhookEvent, Webhooks};
use gank_api::GankWebhooks;
use gumroad_api::webhook::GumroadWebhooks;

/// The parser of the relay endpoint (= provider) `name`, when this build has one.
fn parser(name: &str) -> Option<Box<dyn Webhooks>> {
    match name {
        "gumroad" => GumroadWebhooks::builder()
            .accept_unverified()
            .build()
            .ok()
            .map(|w| Box::new(w) as Box<dyn Webhooks>),
        "gank" => GankWebhooks::builder()
            .verifier(Unverified)
            .build()
            .ok()
            .map(|c| Box::new(c) as Box<dyn Webhooks>),
        _ => None,
    }
}

/// Parses a stored body of endpoint `name` (no verification: it was
/// verified when it arrived). `None` when this build has no parser for it.
pub(crate) fn parse(
    name: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Option<creator_core::Result<WebhookEvent>> {
    let parser = parser(name)?;
    let delivery = WebhookDelivery::with_content_type(content_type.unwrap_or(""), body.to_vec());
    Some(parser.parse(&delivery).map_err(Into::into))
}
