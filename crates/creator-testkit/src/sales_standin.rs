//! A stand-in for Gumroad's `GET /v2/sales` at scale (the windowed-listing
//! tests and benchmark): N sales spread over a year, filtered by `after`
//! (inclusive) and `before` (exclusive) days on their UTC `created_at`,
//! ordered `created_at desc`, ten per page with a `page_key` cursor, each
//! sale the shape of `fixtures/gumroad/sale.json` (a recorded sale). It can
//! answer after a fixed latency and refuse requests above a rate with 429
//! and `Retry-After: 1`, as an edge limit would.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::format_description::well_known::Rfc3339;
use time::macros::datetime;
use time::{Date, OffsetDateTime};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const PER_PAGE: usize = 10;

/// The stand-in's settings and counters.
#[derive(Debug)]
pub struct SalesStandIn {
    /// `(created_at, id)`, newest first.
    sales: Vec<(OffsetDateTime, String)>,
    /// The recorded sale split around its `created_at` and its id.
    parts: [String; 3],
    latency: Duration,
    cap_per_second: Option<usize>,
    arrivals: Mutex<VecDeque<Instant>>,
    /// Requests answered with sales.
    pub served: AtomicU64,
    /// Requests refused with 429.
    pub refused: AtomicU64,
}

impl SalesStandIn {
    /// `n` sales over 2025, more towards the end of the year (a growing
    /// shop: the last month holds about twice the first month's sales).
    ///
    /// # Panics
    /// When `fixtures/gumroad/sale.json` is missing or not a sale.
    pub fn year(n: usize) -> Self {
        let start = datetime!(2025-01-01 00:00 UTC);
        let year = 365.0 * 86_400.0;
        let mut sales: Vec<(OffsetDateTime, String)> = (0..n)
            .map(|i| {
                // Inverse of a density rising linearly from 1 to 2.
                let u = (i as f64 + 0.5) / n as f64;
                let x = ((1.0 + 3.0 * u).sqrt() - 1.0) * year;
                let at = start + time::Duration::seconds(x as i64);
                (at, format!("sale-{i:07}=="))
            })
            .collect();
        sales.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
        let raw = crate::fixture_bytes("gumroad/sale.json");
        let doc: serde_json::Value = serde_json::from_slice(&raw).expect("sale.json is JSON");
        let mut sale = doc["sale"].clone();
        sale["id"] = "@@ID@@".into();
        sale["created_at"] = "@@AT@@".into();
        let text = serde_json::to_string(&sale).expect("serializes");
        // Keys serialize in alphabetical order: `created_at` before `id`.
        let (a, rest) = text.split_once("@@AT@@").expect("created_at placeholder");
        let (b, c) = rest.split_once("@@ID@@").expect("id after created_at");
        Self {
            sales,
            parts: [a.to_owned(), b.to_owned(), c.to_owned()],
            latency: Duration::ZERO,
            cap_per_second: None,
            arrivals: Mutex::new(VecDeque::new()),
            served: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        }
    }

    /// Answers each page after `latency`.
    pub fn latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Refuses requests beyond `per_second` in any second with 429.
    pub fn cap(mut self, per_second: usize) -> Self {
        self.cap_per_second = Some(per_second);
        self
    }

    /// Serves `GET /v2/sales` on `server`; the returned handle reads the
    /// counters while it serves.
    pub async fn mount(self, server: &MockServer) -> Arc<Self> {
        let standin = Arc::new(self);
        Mock::given(method("GET"))
            .and(path("/v2/sales"))
            .respond_with(Shared(standin.clone()))
            .mount(server)
            .await;
        standin
    }

    /// Every sale id, newest first.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.sales.iter().map(|s| s.1.as_str())
    }

    fn over_cap(&self) -> bool {
        let Some(cap) = self.cap_per_second else {
            return false;
        };
        let now = Instant::now();
        let mut arrivals = self.arrivals.lock().unwrap();
        while arrivals
            .front()
            .is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1))
        {
            arrivals.pop_front();
        }
        if arrivals.len() >= cap {
            return true;
        }
        arrivals.push_back(now);
        false
    }

    /// The sales on the days `[after, before)`, newest first.
    fn within(&self, after: Option<Date>, before: Option<Date>) -> &[(OffsetDateTime, String)] {
        let midnight = |d: Date| d.midnight().assume_utc();
        // Newest first: the slice starts at the first sale before `before`.
        let start = before.map_or(0, |b| self.sales.partition_point(|s| s.0 >= midnight(b)));
        let end = after.map_or(self.sales.len(), |a| {
            self.sales.partition_point(|s| s.0 >= midnight(a))
        });
        &self.sales[start..end.max(start)]
    }
}

fn day(value: Option<&str>) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    value.and_then(|v| Date::parse(v, &format).ok())
}

/// The stand-in as wiremock holds it, shared with the test.
struct Shared(Arc<SalesStandIn>);

impl Respond for Shared {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.respond(request)
    }
}

impl Respond for SalesStandIn {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if self.over_cap() {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return ResponseTemplate::new(429)
                .insert_header("retry-after", "1")
                .set_body_string("Retry later\n");
        }
        self.served.fetch_add(1, Ordering::Relaxed);
        let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let get = |k: &str| query.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        let sales = self.within(day(get("after")), day(get("before")));
        let offset: usize = get("page_key").and_then(|k| k.parse().ok()).unwrap_or(0);
        let page = sales.iter().skip(offset).take(PER_PAGE);
        let mut body = String::with_capacity(16 * 1024);
        body.push_str(r#"{"success":true,"sales":["#);
        for (i, (at, id)) in page.enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&self.parts[0]);
            body.push_str(&at.format(&Rfc3339).expect("formats"));
            body.push_str(&self.parts[1]);
            body.push_str(id);
            body.push_str(&self.parts[2]);
        }
        body.push(']');
        if offset + PER_PAGE < sales.len() {
            let next = offset + PER_PAGE;
            body.push_str(&format!(
                r#","next_page_key":"{next}","next_page_url":"/v2/sales?page_key={next}""#
            ));
        }
        body.push('}');
        ResponseTemplate::new(200)
            .set_body_raw(body.into_bytes(), "application/json")
            .set_delay(self.latency)
    }
}
