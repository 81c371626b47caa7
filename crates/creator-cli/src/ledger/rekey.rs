//! Schema 3 gave events an identity that includes a fingerprint of the body
//! (see [`super::identity`]). Events stored before it only have the old key,
//! `provider:name:subject`; this recomputes the identity of such a row from
//! the raw body it kept, with today's parser, so a retry of an old event
//! still finds it.

/// The identity and fingerprint of a stored row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rekeyed {
    /// [`creator_core::WebhookEvent::identity`].
    pub identity: String,
    /// [`creator_core::WebhookEvent::fingerprint`].
    pub fingerprint: Option<String>,
}

/// The identity of a stored delivery of `provider`, parsed again from its
/// raw body; `None` when this build cannot parse it (the row then keeps its
/// old key as its identity).
pub(crate) fn rekey(provider: &str, content_type: Option<&str>, body: &[u8]) -> Option<Rekeyed> {
    let event = crate::stored::parse(provider, content_type, body)?.ok()?;
    Some(Rekeyed {
        identity: event.identity(),
        fingerprint: event.fingerprint.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gumroad_rows_get_their_fingerprint_and_gank_rows_keep_their_key() {
        let sale = creator_testkit::fixture_bytes("gumroad/webhooks/sale.form");
        let r = rekey("gumroad", Some("application/x-www-form-urlencoded"), &sale).unwrap();
        assert!(
            r.identity
                .starts_with("gumroad:sale:FO8TXN-dvxYabdavG97Y-Q==:")
        );
        assert_eq!(r.fingerprint.as_ref().map(String::len), Some(32));
        let body = br#"{"event":"DIGITAL_GOODS.TX_SUCCEED","data":{"human_id":"DG-1"}}"#;
        let r = rekey("gank", Some("application/json"), body).unwrap();
        assert_eq!(r.identity, "gank:DIGITAL_GOODS.TX_SUCCEED:DG-1");
        assert_eq!(rekey("fake", None, b"{}"), None);
        assert_eq!(rekey("gumroad", None, b"not a ping"), None);
    }
}
