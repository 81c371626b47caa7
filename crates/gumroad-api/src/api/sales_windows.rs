//! `/v2/sales` walked as concurrent day windows ([`creator_core::window`]).
//!
//! The sales list takes `after` (inclusive) and `before` (exclusive) days
//! and is ordered `created_at desc`, so disjoint day windows are independent
//! cursor chains. Every request still goes through the client's transport:
//! its retries, its rate limiter, and the hold a 429 puts on every window.

use creator_core::futures::FutureExt;
use creator_core::futures::stream::{self, BoxStream, StreamExt};
use creator_core::window::{self, DayWindow, WindowEvent, Windowing};
use creator_core::{DateRange, Page, Result};
use time::macros::date;
use time::{Date, Duration, OffsetDateTime};

use super::sales::{SalesApi, SalesPage, SalesQuery};
use crate::Sale;

/// The first day a Gumroad sale can have (the platform opened in April 2011):
/// the start of a listing that names no `after` day.
pub const FIRST_SALE_DAY: Date = date!(2011 - 04 - 01);

impl SalesApi<'_> {
    /// Every sale matching `query`, like [`list`](Self::list), fetched as
    /// concurrent day windows: `windows.concurrency` requests at once, at
    /// most `windows.rate` a second, each sale once. Newest first unless
    /// `windows.order` says otherwise.
    ///
    /// A query for one order id or one license key names at most a sale or
    /// two, so it is walked as one cursor.
    ///
    /// ```no_run
    /// use creator_core::futures::TryStreamExt;
    /// use creator_core::window::{Windowing, WindowOrder};
    /// use gumroad_api::SalesQuery;
    /// # async fn run(client: gumroad_api::GumroadClient) -> creator_core::Result<()> {
    /// let export = Windowing::default().order(WindowOrder::AsCompleted);
    /// let sales: Vec<_> = client.sales().list_windowed(&SalesQuery::new(), &export).try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_windowed(
        &self,
        query: &SalesQuery,
        windows: &Windowing,
    ) -> BoxStream<'static, Result<Sale>> {
        if query.order_id.is_some() || query.license_key.is_some() {
            return self.list(query);
        }
        window::items(self.list_windowed_events(query, windows))
    }

    /// Like [`list_windowed`](Self::list_windowed), and also says when each
    /// day window is finished, so an export can record its progress and
    /// resume with [`Windowing::done`].
    pub fn list_windowed_events(
        &self,
        query: &SalesQuery,
        windows: &Windowing,
    ) -> BoxStream<'static, Result<WindowEvent<Sale>>> {
        let within = match days_of(query) {
            Ok(within) => within,
            Err(e) => return stream::once(async { Err(e) }).boxed(),
        };
        let mut windows = windows.clone();
        if windows.max_pages.is_none() {
            windows.max_pages = query.max_pages;
        }
        let client = self.client.clone();
        let query = query.clone();
        // One limiter for every window of this listing.
        let limiter = windows.limiter();
        let fetch = move |range: DateRange, cursor: Option<String>| {
            let client = client.clone();
            let limiter = limiter.clone();
            let mut query = query.clone();
            query.after = range.after;
            query.before = range.before;
            async move {
                let mut request = client
                    .transport()
                    .get("/v2/sales")
                    .query_pairs(query.pairs())
                    .query_opt("page_key", cursor);
                if let Some(limiter) = limiter {
                    request = request.rate_limiter(limiter);
                }
                let page = client.page::<SalesPage>(request).await?;
                Ok(Page::new(page.items, page.next_page_key))
            }
            .boxed()
        };
        window::windowed_events(within, &windows, fetch, |sale: &Sale| sale.created_at)
    }
}

/// The days a query asks for: its own `after` and `before`, else from the
/// first possible sale to the day after tomorrow (UTC), which holds every
/// sale made while the listing runs in any time zone.
fn days_of(query: &SalesQuery) -> Result<DayWindow> {
    let after = query.after.unwrap_or(FIRST_SALE_DAY);
    let before = query
        .before
        .unwrap_or_else(|| OffsetDateTime::now_utc().date() + Duration::days(2));
    DayWindow::new(after, before)
}
