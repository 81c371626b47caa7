//! The relay under faults: the real `creator relay` binary on loopback,
//! fault by fault, each printing one line of counts (see
//! `docs/reliability.md` for the figures of a run):
//!
//! ```sh
//! cargo test -p creator-cli --test faults -- --nocapture --test-threads 1
//! ```
//!
//! The deliveries are the Gumroad sale Ping generated from Gumroad's payload
//! code (`fixtures/gumroad/webhooks/sale.form`) with a distinct `sale_id`
//! per sale; a client that gets no answer resends the same body with
//! `retry_count` added, as Gumroad does. "Acknowledged" is a 200; "lost" is
//! an acknowledged sale not in the ledger afterwards; "doubled" is a sale
//! stored as more than one event.

mod harness;

mod abuse;
mod crashes;
mod forwarding;
mod storage;
