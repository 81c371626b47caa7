//! Deliveries on demand: the bodies Gumroad and Gank post, built the way
//! their code builds them, for `creator simulate` and the project's own
//! end-to-end tests (one builder for both).
//!
//! Gumroad's are form bodies with Rails bracket keys (`card[visual]=…`,
//! `purchase_ids[]=…`), encoded as HTTParty's `to_params` does, unsigned;
//! Gank's are JSON, signed with the registration key by the
//! [`Hmac`] the relay verifies with. Built from [`Values::fixture`], each
//! body is byte for byte the recorded fixture of `fixtures/gumroad/webhooks/`
//! (which `generate.py` there builds from the same source), so the two can
//! never drift apart silently.
//!
//! ```
//! use creator_cli::simulate::{Event, Provider, Simulation, Values};
//!
//! let delivery = Simulation::new(Provider::Gumroad, Event::Refund)?
//!     .values(Values::from_seed(7, time::OffsetDateTime::UNIX_EPOCH))
//!     .set("price", "999")?
//!     .retry_count(1)?
//!     .delivery()?;
//! assert_eq!(delivery.content_type, "application/x-www-form-urlencoded");
//! let body = String::from_utf8(delivery.body).unwrap();
//! assert!(body.contains("&price=999&") && body.ends_with("&retry_count=1"));
//! # Ok::<(), creator_cli::CliError>(())
//! ```

mod payload;
pub mod tree;
mod values;

use clap::ValueEnum;
use creator_core::verify::Hmac;

pub use tree::{Fields, Value};
pub use values::Values;

use crate::CliError;

/// The platform whose delivery is simulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Provider {
    /// Gumroad (Ping and resource subscriptions).
    Gumroad,
    /// Gank (payment webhooks).
    Gank,
}

/// The event a simulated delivery reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Event {
    /// Gumroad `sale`.
    Sale,
    /// Gumroad `refund`.
    Refund,
    /// Gumroad `dispute` (a chargeback opened).
    Dispute,
    /// Gumroad `dispute_won`.
    DisputeWon,
    /// Gumroad `cancellation`.
    Cancellation,
    /// Gumroad `subscription_updated` (a plan change).
    SubscriptionUpdated,
    /// Gumroad `subscription_ended`.
    SubscriptionEnded,
    /// Gumroad `subscription_restarted`.
    SubscriptionRestarted,
    /// Gank `USER_MEMBERSHIP.TX_SUCCEED`.
    Membership,
    /// Gank `DIGITAL_GOODS.TX_SUCCEED`.
    DigitalGoods,
}

impl Event {
    /// Every event, in the order of `--help`.
    pub const ALL: [Event; 10] = [
        Event::Sale,
        Event::Refund,
        Event::Dispute,
        Event::DisputeWon,
        Event::Cancellation,
        Event::SubscriptionUpdated,
        Event::SubscriptionEnded,
        Event::SubscriptionRestarted,
        Event::Membership,
        Event::DigitalGoods,
    ];

    /// The name on the command line (Gumroad's `resource_name` for its events).
    ///
    /// ```
    /// use clap::ValueEnum as _;
    /// use creator_cli::simulate::Event;
    /// for e in Event::ALL {
    ///     assert_eq!(e.to_possible_value().unwrap().get_name(), e.name());
    /// }
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Event::Sale => "sale",
            Event::Refund => "refund",
            Event::Dispute => "dispute",
            Event::DisputeWon => "dispute_won",
            Event::Cancellation => "cancellation",
            Event::SubscriptionUpdated => "subscription_updated",
            Event::SubscriptionEnded => "subscription_ended",
            Event::SubscriptionRestarted => "subscription_restarted",
            Event::Membership => "membership",
            Event::DigitalGoods => "digital_goods",
        }
    }

    /// The platform that sends it.
    pub fn provider(self) -> Provider {
        match self {
            Event::Membership | Event::DigitalGoods => Provider::Gank,
            _ => Provider::Gumroad,
        }
    }

    /// The events `provider` sends.
    pub fn of(provider: Provider) -> impl Iterator<Item = Event> {
        Self::ALL
            .into_iter()
            .filter(move |e| e.provider() == provider)
    }
}

fn names(provider: Provider) -> String {
    Event::of(provider)
        .map(Event::name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Provider {
    /// Its name on the command line and in the ledger.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Gumroad => "gumroad",
            Provider::Gank => "gank",
        }
    }
}

/// One simulated delivery, before it is built.
#[derive(Debug, Clone)]
pub struct Simulation {
    event: Event,
    values: Values,
    retry_count: Option<u32>,
    test: bool,
    sets: Vec<(String, Value)>,
    signer: Option<Hmac>,
}

/// A built delivery: what is POSTed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulatedDelivery {
    /// The `Content-Type` header.
    pub content_type: &'static str,
    /// Other headers (Gank's signature).
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

impl SimulatedDelivery {
    /// The same as a [`creator_core::WebhookDelivery`] to `path` (for a
    /// parser or a verifier; a path that does not parse becomes `/`).
    pub fn to_webhook_delivery(&self, path: &str) -> creator_core::WebhookDelivery {
        let mut d =
            creator_core::WebhookDelivery::with_content_type(self.content_type, self.body.clone());
        d.uri = path.parse().unwrap_or_else(|_| http::Uri::from_static("/"));
        for (name, value) in &self.headers {
            if let (Ok(n), Ok(v)) = (
                http::HeaderName::try_from(name.as_str()),
                http::HeaderValue::try_from(value.as_str()),
            ) {
                d.headers.insert(n, v);
            }
        }
        d
    }
}

impl Simulation {
    /// A delivery of `event` as `provider` sends it, with the fixtures' values.
    ///
    /// # Errors
    /// [`CliError::Usage`] when `provider` does not send `event` (Gumroad has
    /// no `membership`, Gank no `refund`).
    pub fn new(provider: Provider, event: Event) -> Result<Self, CliError> {
        if event.provider() != provider {
            return Err(CliError::Usage(format!(
                "{} sends no `{}` event: its events are {} ({} sends {})",
                provider.name(),
                event.name(),
                names(provider),
                event.provider().name(),
                names(event.provider()),
            )));
        }
        Ok(Self {
            event,
            values: Values::fixture(),
            retry_count: None,
            test: false,
            sets: Vec::new(),
            signer: None,
        })
    }

    /// The ids, keys and times to use ([`Values::from_seed`] for new ones).
    pub fn values(mut self, values: Values) -> Self {
        self.values = values;
        self
    }

    /// Marks the delivery as Gumroad's `n`th retry (`retry_count=n`).
    ///
    /// # Errors
    /// [`CliError::Usage`] for Gank (its deliveries carry no retry count) or `n` = 0.
    pub fn retry_count(mut self, n: u32) -> Result<Self, CliError> {
        self.gumroad_only("--retry-count", "carry no retry count")?;
        if n == 0 {
            return Err(CliError::Usage(
                "--retry-count starts at 1 (Gumroad sends 1, 2 or 3 on its retries; the first delivery has none)".into(),
            ));
        }
        self.retry_count = Some(n);
        Ok(self)
    }

    /// Marks the delivery as a test (`test=true`: the seller's own
    /// purchase, or "Send test ping").
    ///
    /// # Errors
    /// [`CliError::Usage`] for Gank (it marks no test deliveries).
    pub fn test(mut self, test: bool) -> Result<Self, CliError> {
        if test {
            self.gumroad_only("--test", "are never marked as tests")?;
        }
        self.test = test;
        Ok(self)
    }

    /// Sets one field: `price`, `card[type]`, `data[usecase_data][data][billing_period]`.
    /// Gumroad's values are form strings; a Gank value that reads as JSON
    /// (`3`, `true`, `null`, `{…}`) goes in as such, anything else as a string.
    ///
    /// # Errors
    /// [`CliError::Usage`] for a key that is not `name` or `name[sub]…`.
    pub fn set(mut self, key: &str, value: &str) -> Result<Self, CliError> {
        let value = match self.event.provider() {
            Provider::Gumroad => Value::Str(value.to_owned()),
            Provider::Gank => serde_json::from_str::<serde_json::Value>(value)
                .map(from_json)
                .unwrap_or_else(|_| Value::Str(value.to_owned())),
        };
        // Checked now, so the error names the option.
        let mut probe = Fields::new();
        probe
            .set_path(key, Value::Nil)
            .map_err(|e| CliError::Usage(format!("--set {e}")))?;
        self.sets.push((key.to_owned(), value));
        Ok(self)
    }

    /// Signs Gank deliveries with `signer` (the verifier the relay is configured with).
    pub fn sign_with(mut self, signer: Hmac) -> Self {
        self.signer = Some(signer);
        self
    }

    fn gumroad_only(&self, option: &str, why: &str) -> Result<(), CliError> {
        if self.event.provider() == Provider::Gank {
            return Err(CliError::Usage(format!(
                "{option} is for Gumroad deliveries: Gank's {why}"
            )));
        }
        Ok(())
    }

    /// The payload, with the options and `--set` fields applied.
    ///
    /// # Errors
    /// [`CliError::Usage`] for a `--set` path through a field that is not a hash.
    pub fn payload(&self) -> Result<Fields, CliError> {
        let v = &self.values;
        let name = self.event.name();
        let mut p = match self.event {
            Event::Sale | Event::Refund | Event::Dispute | Event::DisputeWon => {
                payload::gumroad_sale(v, name)
            }
            Event::Cancellation
            | Event::SubscriptionUpdated
            | Event::SubscriptionEnded
            | Event::SubscriptionRestarted => payload::gumroad_subscription(v, name),
            Event::Membership => payload::gank_membership(v),
            Event::DigitalGoods => payload::gank_digital_goods(v),
        };
        if self.test {
            p.set("test", true);
        }
        for (key, value) in &self.sets {
            p.set_path(key, value.clone())
                .map_err(|e| CliError::Usage(format!("--set {e}")))?;
        }
        // Gumroad's worker merges the retry count into the payload it sends.
        if let Some(n) = self.retry_count {
            p.set("retry_count", i64::from(n));
        }
        Ok(p)
    }

    /// The delivery: content type, headers and body.
    ///
    /// # Errors
    /// As [`Simulation::payload`].
    pub fn delivery(&self) -> Result<SimulatedDelivery, CliError> {
        let payload = self.payload()?;
        Ok(match self.event.provider() {
            Provider::Gumroad => SimulatedDelivery {
                content_type: "application/x-www-form-urlencoded",
                headers: Vec::new(),
                body: tree::to_form(&payload).into_bytes(),
            },
            Provider::Gank => {
                let body = tree::to_json(&payload).into_bytes();
                let headers = self
                    .signer
                    .iter()
                    .map(|s| (s.header().as_str().to_owned(), s.sign(&body)))
                    .collect();
                SimulatedDelivery {
                    content_type: "application/json",
                    headers,
                    body,
                }
            }
        })
    }
}

fn from_json(v: serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Str(n.to_string()),
        },
        serde_json::Value::String(s) => Value::Str(s),
        serde_json::Value::Array(items) => Value::List(items.into_iter().map(from_json).collect()),
        serde_json::Value::Object(map) => {
            let mut f = Fields::new();
            for (k, v) in map {
                f.set(&k, from_json(v));
            }
            Value::Map(f)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(relative: &str) -> Vec<u8> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(relative);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn body(sim: &Simulation) -> String {
        String::from_utf8(sim.delivery().unwrap().body).unwrap()
    }

    #[test]
    fn with_the_fixture_values_each_gumroad_body_is_the_recorded_fixture_byte_for_byte() {
        for event in Event::of(Provider::Gumroad) {
            let sim = Simulation::new(Provider::Gumroad, event).unwrap();
            let want = fixture(&format!("gumroad/webhooks/{}.form", event.name()));
            assert_eq!(body(&sim), String::from_utf8(want).unwrap(), "{event:?}");
        }
        let retried = Simulation::new(Provider::Gumroad, Event::Sale)
            .unwrap()
            .retry_count(2)
            .unwrap();
        assert_eq!(
            body(&retried).into_bytes(),
            fixture("gumroad/webhooks/quirk_retry_count.form")
        );
        let test = Simulation::new(Provider::Gumroad, Event::Sale)
            .unwrap()
            .test(true)
            .unwrap();
        assert_eq!(
            body(&test).into_bytes(),
            fixture("gumroad/webhooks/quirk_test_sale.form")
        );
    }

    #[test]
    fn with_the_fixture_values_each_gank_body_is_the_documented_sample() {
        for (event, file) in [
            (Event::Membership, "gank/webhook_user_membership.json"),
            (Event::DigitalGoods, "gank/webhook_digital_goods.json"),
        ] {
            let got: serde_json::Value = serde_json::from_slice(
                &Simulation::new(Provider::Gank, event)
                    .unwrap()
                    .delivery()
                    .unwrap()
                    .body,
            )
            .unwrap();
            let want: serde_json::Value = serde_json::from_slice(&fixture(file)).unwrap();
            assert_eq!(got, want, "{event:?}");
        }
    }

    #[test]
    fn an_event_of_the_other_platform_and_options_it_lacks_are_refused_clearly() {
        let e = Simulation::new(Provider::Gumroad, Event::Membership).unwrap_err();
        assert_eq!(
            e.to_string(),
            "gumroad sends no `membership` event: its events are sale, refund, dispute, dispute_won, cancellation, subscription_updated, subscription_ended, subscription_restarted (gank sends membership, digital_goods)"
        );
        assert!(Simulation::new(Provider::Gank, Event::Refund).is_err());
        let gank = Simulation::new(Provider::Gank, Event::Membership).unwrap();
        assert!(
            gank.clone()
                .retry_count(1)
                .unwrap_err()
                .to_string()
                .contains("Gumroad")
        );
        assert!(gank.clone().test(true).is_err());
        assert!(gank.set("data[", "x").is_err());
    }

    #[test]
    fn set_changes_nested_fields_and_types_gank_values() {
        let sim = Simulation::new(Provider::Gank, Event::Membership)
            .unwrap()
            .set("data[usecase_data][data][billing_period]", "3")
            .unwrap()
            .set("data[human_id]", "UM-260101-ABCDEFGHI")
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&sim.delivery().unwrap().body).unwrap();
        assert_eq!(v["data"]["usecase_data"]["data"]["billing_period"], 3);
        assert_eq!(v["data"]["human_id"], "UM-260101-ABCDEFGHI");
        let gumroad = Simulation::new(Provider::Gumroad, Event::Sale)
            .unwrap()
            .set("card[type]", "amex")
            .unwrap();
        assert!(body(&gumroad).contains("&card%5Btype%5D=amex&"));
    }
}
