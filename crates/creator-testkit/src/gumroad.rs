//! A small Gumroad served from `fixtures/gumroad/`, for conformance runs of
//! the Gumroad client directly (prefix `""`) and through a gateway (prefix
//! `"/gumroad"`): products over two cursor pages, sales filtered and paged
//! like the server does, and a membership's subscribers over three pages
//! (the last one with a cancelled and a failed subscription). Each `mount_*`
//! returns a [`PageCounter`] of the listing pages it served.

use serde_json::{Value, json};
use time::{Date, OffsetDateTime};
use wiremock::matchers::{method, path, path_regex, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::{PageCounter, fixture_bytes};

/// The membership product in the fixtures (it has subscribers).
pub const MEMBERSHIP_PRODUCT_ID: &str = "Qm9vZk1lbWJlcnNoaXA==";
/// A one-off product in the fixtures.
pub const PRODUCT_ID: &str = "A-m3CDDC5dlrSdKZp0RFhA==";
/// The `page_key` that leads from `products_page1.json` to `products_page2.json`.
pub const PRODUCTS_PAGE2_KEY: &str = "20250301120000000000-1804289";
/// The `page_key` that leads from `subscribers_page1.json` to `subscribers_page2.json`.
pub const SUBSCRIBERS_PAGE2_KEY: &str = "20250201083000000000-3849201";
/// The `page_key` that leads from `subscribers_page2.json` to `subscribers_page3.json`
/// (a cancelled and a failed subscription: no access).
pub const SUBSCRIBERS_PAGE3_KEY: &str = "20250115120000000000-5120447";
/// The cancelled subscription of `subscribers_page3.json` (also served by id).
pub const CANCELLED_SUBSCRIBER_ID: &str = "c3ViX2NhbmNlbGxlZDQ=";
/// The subscription of `subscribers_page3.json` that ended on failed payments.
pub const FAILED_SUBSCRIBER_ID: &str = "c3ViX2ZhaWxlZDU=";

/// How the subscribers' listing must report a live subscription and the two
/// without access (for [`SubscribersCase::listed_statuses`](crate::conformance::SubscribersCase)).
pub fn lapsed_subscribers() -> Vec<(String, creator_core::SubscriptionStatus)> {
    use creator_core::SubscriptionStatus as S;
    vec![
        ("c3ViX21lbWJlcjE=".to_owned(), S::Active),
        (CANCELLED_SUBSCRIBER_ID.to_owned(), S::Cancelled),
        (FAILED_SUBSCRIBER_ID.to_owned(), S::Ended),
    ]
}

/// Every sale of `sales_page1..3.json`, newest first.
///
/// # Panics
/// When the fixtures are not the expected JSON (a broken test setup).
pub fn fixture_sales() -> Vec<Value> {
    let mut sales = Vec::new();
    for name in ["sales_page1.json", "sales_page2.json", "sales_page3.json"] {
        let page: Value = serde_json::from_slice(&fixture_bytes(&format!("gumroad/{name}")))
            .unwrap_or_else(|e| panic!("gumroad/{name}: {e}"));
        sales.extend(page["sales"].as_array().cloned().unwrap_or_default());
    }
    sales
}

fn json_response(body: &Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        serde_json::to_vec(body).unwrap_or_default(),
        "application/json",
    )
}

fn fixture_response(name: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(
        fixture_bytes(&format!("gumroad/{name}")),
        "application/json",
    )
}

fn day_of(sale: &Value) -> Option<Date> {
    let ts = sale["created_at"].as_str()?;
    OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(|t| t.date())
}

fn parse_day(s: &str) -> Option<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// `GET /v2/sales` as Gumroad answers it: `after` (inclusive), `before`
/// (exclusive), `product_id` and purchase `email` filters, newest first,
/// `page_size` sales a page with opaque `page_key` cursors and a relative
/// `next_page_url` (without any gateway prefix, as Gumroad sends it).
#[derive(Debug, Clone)]
pub struct SalesServer {
    /// The sales served, newest first.
    pub sales: Vec<Value>,
    /// Sales per page.
    pub page_size: usize,
}

impl SalesServer {
    /// The fixture sales, two a page.
    pub fn from_fixtures() -> Self {
        Self {
            sales: fixture_sales(),
            page_size: 2,
        }
    }
}

impl Respond for SalesServer {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q: Vec<(String, String)> = req.url.query_pairs().into_owned().collect();
        let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
        let on_or_after =
            |s: &Value, d: &str| day_of(s).zip(parse_day(d)).is_some_and(|(a, b)| a >= b);
        let before = |s: &Value, d: &str| day_of(s).zip(parse_day(d)).is_some_and(|(a, b)| a < b);
        let matching: Vec<&Value> = self
            .sales
            .iter()
            .filter(|s| get("after").is_none_or(|d| on_or_after(s, &d)))
            .filter(|s| get("before").is_none_or(|d| before(s, &d)))
            .filter(|s| get("product_id").is_none_or(|p| s["product_id"] == p.as_str()))
            .filter(|s| get("email").is_none_or(|e| s["purchase_email"] == e.as_str()))
            .collect();
        let start: usize = get("page_key")
            .and_then(|k| k.strip_prefix("cursor-").and_then(|n| n.parse().ok()))
            .unwrap_or(0);
        let end = (start + self.page_size.max(1)).min(matching.len());
        let mut body = json!({ "success": true, "sales": matching[start.min(end)..end] });
        if end < matching.len() {
            body["next_page_key"] = json!(format!("cursor-{end}"));
            body["next_page_url"] = json!(format!("/v2/sales?page_key=cursor-{end}"));
        }
        json_response(&body)
    }
}

/// `GET /v2/sales/:id` over the same sales; an unknown id gets Gumroad's
/// HTTP 200 `success: false`.
struct SaleById(Vec<Value>);

impl Respond for SaleById {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let id = req.url.path().rsplit('/').next().unwrap_or("");
        match self.0.iter().find(|s| s["id"] == id) {
            Some(sale) => json_response(&json!({"success": true, "sale": sale})),
            None => fixture_response("sale_not_found.json"),
        }
    }
}

/// Products: two cursor pages, one product by id, and `nope` not found.
/// The counter counts the listing's pages.
pub async fn mount_products(server: &MockServer, prefix: &str) -> PageCounter {
    let pages = PageCounter::new();
    let list = format!("{prefix}/v2/products");
    Mock::given(method("GET"))
        .and(path(list.as_str()))
        .and(query_param_is_missing("page_key"))
        .respond_with(pages.serving(fixture_response("products_page1.json")))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(list.as_str()))
        .and(query_param("page_key", PRODUCTS_PAGE2_KEY))
        .respond_with(pages.serving(fixture_response("products_page2.json")))
        .mount(server)
        .await;
    for (id, file) in [
        (PRODUCT_ID, "product.json"),
        ("nope", "product_not_found.json"),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("{prefix}/v2/products/{id}").as_str()))
            .respond_with(fixture_response(file))
            .mount(server)
            .await;
    }
    pages
}

/// Sales: the filtering, paging [`SalesServer`] and sales by id. The counter
/// counts the listing's pages.
pub async fn mount_sales(server: &MockServer, prefix: &str) -> PageCounter {
    let pages = PageCounter::new();
    let data = SalesServer::from_fixtures();
    let by_id = SaleById(data.sales.clone());
    Mock::given(method("GET"))
        .and(path(format!("{prefix}/v2/sales").as_str()))
        .respond_with(pages.serving(data))
        .mount(server)
        .await;
    let escaped = prefix.replace('/', "\\/");
    Mock::given(method("GET"))
        .and(path_regex(format!("^{escaped}/v2/sales/[^/]+$")))
        .respond_with(by_id)
        .mount(server)
        .await;
    pages
}

/// Subscribers of the membership product: three pages when `paginated=true`,
/// the email search, subscribers by id, and `nope` not found. The counter
/// counts the pages of the paginated listing.
pub async fn mount_subscribers(server: &MockServer, prefix: &str) -> PageCounter {
    let pages = PageCounter::new();
    let route = format!("{prefix}/v2/products/{MEMBERSHIP_PRODUCT_ID}/subscribers");
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .and(query_param("email", "member@example.com"))
        .respond_with(fixture_response("subscribers_by_email.json"))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(route.as_str()))
        .and(query_param_is_missing("email"))
        .and(query_param("paginated", "true"))
        .and(query_param_is_missing("page_key"))
        .respond_with(pages.serving(fixture_response("subscribers_page1.json")))
        .mount(server)
        .await;
    for (key, file) in [
        (SUBSCRIBERS_PAGE2_KEY, "subscribers_page2.json"),
        (SUBSCRIBERS_PAGE3_KEY, "subscribers_page3.json"),
    ] {
        Mock::given(method("GET"))
            .and(path(route.as_str()))
            .and(query_param_is_missing("email"))
            .and(query_param("page_key", key))
            .respond_with(pages.serving(fixture_response(file)))
            .mount(server)
            .await;
    }
    for (id, file) in [
        ("c3ViX21lbWJlcjE=", "subscriber.json"),
        (CANCELLED_SUBSCRIBER_ID, "subscriber_cancelled.json"),
        ("nope", "subscriber_not_found.json"),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("{prefix}/v2/subscribers/{id}").as_str()))
            .respond_with(fixture_response(file))
            .mount(server)
            .await;
    }
    pages
}
