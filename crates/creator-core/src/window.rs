//! Windowed listing: a list the platform filters by day, walked as disjoint
//! day windows a few at a time, each item yielded exactly once.
//!
//! A list fetched as a whole is one cursor chain: every page waits for the
//! one before it, so 100,000 Gumroad sales (10 per page) are 10,000 round
//! trips in a row. When the platform filters by day (`after` inclusive,
//! `before` exclusive), disjoint day windows are independent chains and can
//! be walked side by side. Each window belongs to the platform's own filter,
//! never to a client-side cut of a cursor, so an item is in exactly one
//! window whatever time zone the platform compares days in.
//!
//! Windows adapt to the data: the first page of a window says how much of
//! the window ten items cover, and a window whose first page predicts more
//! than [`Windowing::dense_pages`] pages is split (its first page is fetched
//! again by the newest piece: one extra request per split) and each piece is
//! probed the same way. Empty stretches cost one request each and are never
//! split.
//!
//! ```
//! use creator_core::window::{DayWindow, Windowing, windowed};
//! use creator_core::{Page, Result};
//! use futures::{FutureExt, TryStreamExt};
//! use time::macros::{date, datetime};
//! use time::OffsetDateTime;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<()> {
//! // A stand-in list: one item per day of January, newest first.
//! let days: Vec<OffsetDateTime> = (0..31)
//!     .map(|d| datetime!(2025-01-01 12:00 UTC) + time::Duration::days(d))
//!     .rev()
//!     .collect();
//! let fetch = move |range: creator_core::DateRange, _cursor: Option<String>| {
//!     let items: Vec<_> = days
//!         .iter()
//!         .copied()
//!         .filter(|t| range.contains(t.date()))
//!         .collect();
//!     async move { Ok(Page::last(items)) }.boxed()
//! };
//! let january = DayWindow::new(date!(2025-01-01), date!(2025-02-01))?;
//! let all: Vec<OffsetDateTime> =
//!     windowed(january, &Windowing::default(), fetch, |t| Some(*t)).try_collect().await?;
//! assert_eq!(all.len(), 31);
//! assert!(all.windows(2).all(|w| w[0] > w[1]), "newest first by default");
//! # Ok(()) }
//! ```

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::stream::{BoxStream, FuturesUnordered, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::limiter::{RateLimiter, SpacedLimiter};
use crate::{DateRange, Error, Page, Result};

/// A range of whole days (UTC): `after` inclusive, `before` exclusive, with
/// at least one day in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DayWindow {
    /// The first day in the window.
    pub after: Date,
    /// The first day after the window.
    pub before: Date,
}

impl DayWindow {
    /// The days from `after` up to, not including, `before`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `before` is not after `after`.
    pub fn new(after: Date, before: Date) -> Result<Self> {
        if before <= after {
            return Err(Error::InvalidInput(format!(
                "a day window needs `before` ({before}) after `after` ({after})"
            )));
        }
        Ok(Self { after, before })
    }

    /// How many days the window holds.
    pub fn days(&self) -> i64 {
        (self.before - self.after).whole_days()
    }

    /// The window as the filter a list query takes.
    pub fn range(&self) -> DateRange {
        DateRange {
            after: Some(self.after),
            before: Some(self.before),
        }
    }

    /// `pieces` contiguous windows of near-equal length, newest first.
    fn split(&self, pieces: i64) -> Vec<DayWindow> {
        let days = self.days();
        let pieces = pieces.clamp(1, days);
        let mut out = Vec::with_capacity(pieces as usize);
        let mut before = self.before;
        for i in 0..pieces {
            // The first (newest) pieces take the remainder's extra days.
            let len = days / pieces + i64::from(i < days % pieces);
            let after = before - time::Duration::days(len);
            out.push(DayWindow { after, before });
            before = after;
        }
        out
    }

    /// This window without the days in `done`, newest first.
    fn minus(&self, done: &[DayWindow]) -> Vec<DayWindow> {
        let mut gaps = vec![*self];
        for d in done {
            gaps = gaps
                .into_iter()
                .flat_map(|g| {
                    let mut left = Vec::new();
                    if d.before <= g.after || d.after >= g.before {
                        left.push(g);
                    } else {
                        if d.before < g.before {
                            left.push(DayWindow {
                                after: d.before,
                                before: g.before,
                            });
                        }
                        if d.after > g.after {
                            left.push(DayWindow {
                                after: g.after,
                                before: d.after,
                            });
                        }
                    }
                    left
                })
                .collect();
        }
        gaps.sort_by_key(|g| std::cmp::Reverse(g.before));
        gaps
    }
}

/// The order in which a windowed listing yields items.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WindowOrder {
    /// Newest window first, each window in the platform's order: the same
    /// order as one cursor walked from the start, so switching to windows
    /// changes nothing a reader can see. Later windows wait in a bounded
    /// buffer ([`Windowing::buffer_items`]) until their turn. The default.
    #[default]
    NewestFirst,
    /// Each page as soon as it arrives; a window's items stay in the
    /// platform's order, windows interleave. Nothing waits in a buffer: the
    /// fastest for exports and syncs that store items by id.
    AsCompleted,
}

/// How a windowed listing walks its windows.
///
/// ```
/// use creator_core::window::{Windowing, WindowOrder};
///
/// let export = Windowing::default().concurrency(4).order(WindowOrder::AsCompleted);
/// assert_eq!(export.concurrency, 4);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Windowing {
    /// Page requests in flight at once, across all windows (at least 1).
    /// Each request still waits on the client's rate limiter, which is
    /// shared by every window.
    pub concurrency: usize,
    /// The order of the items.
    pub order: WindowOrder,
    /// A window whose first page predicts more pages than this is split.
    pub dense_pages: u32,
    /// The most pieces one split makes (at least 2).
    pub split_into: u32,
    /// With [`WindowOrder::NewestFirst`], how many items later windows may
    /// hold ahead of the newest; further pages of them wait.
    pub buffer_items: usize,
    /// Windows already walked to the end (by an earlier, interrupted run):
    /// their days are not fetched again.
    pub done: Vec<DayWindow>,
    /// Stop after this many page requests in all, when set (a safety cap).
    pub max_pages: Option<u32>,
    /// At most this many page requests per second across every window,
    /// evenly spaced, when set: the provider sends every page request of
    /// the listing through one [`limiter`](Self::limiter), on top of any
    /// rate limiter of the client.
    pub rate: Option<u32>,
}

impl Default for Windowing {
    /// Four requests at once and at most eight a second (Gumroad's edge
    /// blocks clients that send thousands a minute: this stays far below),
    /// windows split above 25 pages into at most 8 pieces, 2,000 items
    /// buffered, newest first.
    fn default() -> Self {
        Self {
            concurrency: 4,
            order: WindowOrder::NewestFirst,
            dense_pages: 25,
            split_into: 8,
            buffer_items: 2_000,
            done: Vec::new(),
            max_pages: None,
            rate: Some(8),
        }
    }
}

impl Windowing {
    /// Sets the number of page requests in flight at once.
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests;
        self
    }

    /// Sets the order of the items.
    pub fn order(mut self, order: WindowOrder) -> Self {
        self.order = order;
        self
    }

    /// Sets the page count above which a window is split.
    pub fn dense_pages(mut self, pages: u32) -> Self {
        self.dense_pages = pages;
        self
    }

    /// Skips windows an earlier run already walked to the end.
    pub fn done(mut self, windows: Vec<DayWindow>) -> Self {
        self.done = windows;
        self
    }

    /// Stops after `pages` page requests in all.
    pub fn max_pages(mut self, pages: u32) -> Self {
        self.max_pages = Some(pages);
        self
    }

    /// Sets (or with `None`, removes) the cap on page requests per second.
    pub fn rate(mut self, per_second: Option<u32>) -> Self {
        self.rate = per_second;
        self
    }

    /// A limiter for one listing's page requests at [`rate`](Self::rate),
    /// which 429s slow down ([`SpacedLimiter`]).
    pub fn limiter(&self) -> Option<Arc<dyn RateLimiter>> {
        self.rate.map(|per_second| {
            Arc::new(SpacedLimiter::per_second(per_second)) as Arc<dyn RateLimiter>
        })
    }
}

/// What a windowed listing yields, with [`windowed_events`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowEvent<T> {
    /// One item.
    Item(T),
    /// Every item of this window has been yielded: a resumed run can pass it
    /// in [`Windowing::done`].
    Finished(DayWindow),
}

/// Fetches one page of a window: the window's filter and the cursor of the
/// page (`None` for the first).
pub type FetchWindowPage<'a, T> =
    Box<dyn Fn(DateRange, Option<String>) -> BoxFuture<'a, Result<Page<T>>> + Send + Sync + 'a>;

/// Every item in `within`, walking day windows as `options` says.
///
/// `fetch` fetches one page of a window (it should capture the other
/// filters); `created` tells when an item was created, which is how a first
/// page says how dense its window is (an item without a time never causes a
/// split). The stream ends after the last window or after the first error,
/// which is yielded.
pub fn windowed<'a, T, F, C>(
    within: DayWindow,
    options: &Windowing,
    fetch: F,
    created: C,
) -> BoxStream<'a, Result<T>>
where
    T: Send + 'a,
    F: Fn(DateRange, Option<String>) -> BoxFuture<'a, Result<Page<T>>> + Send + Sync + 'a,
    C: Fn(&T) -> Option<OffsetDateTime> + Send + Sync + 'a,
{
    items(windowed_events(within, options, fetch, created))
}

/// The items of a windowed listing's events (the errors kept, the
/// finished windows left out).
pub fn items<'a, T: Send + 'a>(
    events: BoxStream<'a, Result<WindowEvent<T>>>,
) -> BoxStream<'a, Result<T>> {
    events
        .filter_map(|event| async move {
            match event {
                Ok(WindowEvent::Item(item)) => Some(Ok(item)),
                Ok(WindowEvent::Finished(_)) => None,
                Err(e) => Some(Err(e)),
            }
        })
        .boxed()
}

/// Like [`windowed`], and also says when each window is finished, so a run
/// can record its progress and resume without fetching those days again.
pub fn windowed_events<'a, T, F, C>(
    within: DayWindow,
    options: &Windowing,
    fetch: F,
    created: C,
) -> BoxStream<'a, Result<WindowEvent<T>>>
where
    T: Send + 'a,
    F: Fn(DateRange, Option<String>) -> BoxFuture<'a, Result<Page<T>>> + Send + Sync + 'a,
    C: Fn(&T) -> Option<OffsetDateTime> + Send + Sync + 'a,
{
    walk(within, options, fetch, created).boxed()
}

/// The walk behind [`windowed_events`], unboxed.
fn walk<'a, T, F, C>(within: DayWindow, options: &Windowing, fetch: F, created: C) -> Walk<'a, T>
where
    T: Send + 'a,
    F: Fn(DateRange, Option<String>) -> BoxFuture<'a, Result<Page<T>>> + Send + Sync + 'a,
    C: Fn(&T) -> Option<OffsetDateTime> + Send + Sync + 'a,
{
    let concurrency = options.concurrency.max(1);
    let mut walk = Walk {
        options: options.clone(),
        fetch: Box::new(fetch),
        created: Box::new(created),
        windows: VecDeque::new(),
        in_flight: FuturesUnordered::new(),
        ready: VecDeque::new(),
        buffered: 0,
        next_id: 0,
        requests: 0,
        failed: false,
    };
    for gap in within.minus(&options.done) {
        // Enough pieces to start `concurrency` chains at once.
        for piece in gap.split(concurrency as i64) {
            walk.push_back(piece);
        }
    }
    walk
}

/// One window being walked.
struct Window<T> {
    id: u64,
    days: DayWindow,
    /// The cursor of the next page; `None` before the first page.
    cursor: Option<String>,
    /// No page fetched yet.
    first: bool,
    /// The last page has arrived.
    complete: bool,
    in_flight: bool,
    /// Items waiting for the windows before this one (newest first order).
    items: VecDeque<T>,
}

/// When an item was created.
type CreatedAt<'a, T> = Box<dyn Fn(&T) -> Option<OffsetDateTime> + Send + Sync + 'a>;

type PageFuture<'a, T> = BoxFuture<'a, (u64, Result<Page<T>>)>;

/// The state of a windowed listing between polls.
struct Walk<'a, T> {
    options: Windowing,
    fetch: FetchWindowPage<'a, T>,
    created: CreatedAt<'a, T>,
    /// Windows not yet yielded to the end, newest first.
    windows: VecDeque<Window<T>>,
    in_flight: FuturesUnordered<PageFuture<'a, T>>,
    /// What is ready to yield (items in [`WindowOrder::AsCompleted`], and
    /// finished windows).
    ready: VecDeque<WindowEvent<T>>,
    /// Items held in windows' buffers.
    buffered: usize,
    next_id: u64,
    requests: u32,
    failed: bool,
}

impl<'a, T: Send + 'a> Walk<'a, T> {
    fn window(&mut self, days: DayWindow) -> Window<T> {
        self.next_id += 1;
        Window {
            id: self.next_id,
            days,
            cursor: None,
            first: true,
            complete: false,
            in_flight: false,
            items: VecDeque::new(),
        }
    }

    fn push_back(&mut self, days: DayWindow) {
        let window = self.window(days);
        self.windows.push_back(window);
    }

    /// The next thing to yield, if any.
    fn pop(&mut self) -> Option<WindowEvent<T>> {
        if let Some(event) = self.ready.pop_front() {
            return Some(event);
        }
        if self.options.order == WindowOrder::NewestFirst {
            let head = self.windows.front_mut()?;
            if let Some(item) = head.items.pop_front() {
                self.buffered -= 1;
                return Some(WindowEvent::Item(item));
            }
            if head.complete {
                let days = head.days;
                self.windows.pop_front();
                return Some(WindowEvent::Finished(days));
            }
        }
        None
    }

    /// Starts page requests until `concurrency` are in flight.
    fn schedule(&mut self) {
        let limit = self.options.concurrency.max(1);
        let newest_first = self.options.order == WindowOrder::NewestFirst;
        for (position, window) in self.windows.iter_mut().enumerate() {
            if self.in_flight.len() >= limit
                || self
                    .options
                    .max_pages
                    .is_some_and(|max| self.requests >= max)
            {
                return;
            }
            if window.in_flight || window.complete {
                continue;
            }
            // Later windows wait while the buffer is full; the newest never
            // does, so the walk always moves.
            if newest_first && position > 0 && self.buffered >= self.options.buffer_items {
                continue;
            }
            window.in_flight = true;
            self.requests += 1;
            let id = window.id;
            let page = (self.fetch)(window.days.range(), window.cursor.clone());
            self.in_flight
                .push(Box::pin(async move { (id, page.await) }));
        }
    }

    /// How many pieces a window should become, judged by its first page.
    fn pieces(&self, days: DayWindow, page: &Page<T>) -> i64 {
        if page.next.is_none() || days.days() < 2 {
            return 1;
        }
        let Some(oldest) = page.items.iter().filter_map(|i| (self.created)(i)).min() else {
            return 1;
        };
        let end = days.before.midnight().assume_utc();
        // An item outside the window (give or take a day for the platform's
        // time zone) means the platform does not filter as expected: a
        // split would not make the pages fewer, only the requests more.
        let slack = time::Duration::days(1);
        let start = days.after.midnight().assume_utc();
        let outside = page
            .items
            .iter()
            .filter_map(|i| (self.created)(i))
            .any(|t| t < start - slack || t >= end + slack);
        if outside {
            return 1;
        }
        let window = (end - days.after.midnight().assume_utc()).as_seconds_f64();
        // Ten items that span a few minutes still count as an hour, so one
        // busy hour does not split a year into days at once.
        let covered = (end - oldest).as_seconds_f64().max(3_600.0);
        let predicted = window / covered;
        let mut dense = f64::from(self.options.dense_pages.max(1));
        if self.options.order == WindowOrder::NewestFirst {
            // In order, a window is walked while the later ones wait in the
            // buffer: windows no longer than the buffer shared by every
            // request in flight keep all of them busy.
            let per_page = page.items.len().max(1);
            let fits = self.options.buffer_items / per_page / self.options.concurrency.max(1);
            dense = dense.min(fits.max(1) as f64);
        }
        if predicted <= dense {
            return 1;
        }
        let max = i64::from(self.options.split_into.max(2));
        ((predicted / dense).ceil() as i64).clamp(2, max)
    }

    /// Takes in one page of window `id`.
    fn accept(&mut self, id: u64, mut page: Page<T>) {
        let Some(position) = self.windows.iter().position(|w| w.id == id) else {
            return;
        };
        let days = self.windows[position].days;
        if self.windows[position].first {
            let pieces = self.pieces(days, &page);
            if pieces > 1 {
                self.windows.remove(position);
                for (offset, piece) in days.split(pieces).into_iter().enumerate() {
                    let window = self.window(piece);
                    self.windows.insert(position + offset, window);
                }
                return;
            }
        }
        let window = &mut self.windows[position];
        window.first = false;
        window.in_flight = false;
        // A cursor that points at itself would loop forever: the window ends.
        if page.next.is_some() && page.next == window.cursor {
            page.next = None;
        }
        window.cursor = page.next.take();
        window.complete = window.cursor.is_none();
        match self.options.order {
            WindowOrder::NewestFirst => {
                self.buffered += page.items.len();
                window.items.extend(page.items);
            }
            WindowOrder::AsCompleted => {
                self.ready
                    .extend(page.items.into_iter().map(WindowEvent::Item));
                if window.complete {
                    self.windows.remove(position);
                    self.ready.push_back(WindowEvent::Finished(days));
                }
            }
        }
    }
}

// Nothing is pinned in place: the futures are boxed.
impl<T> Unpin for Walk<'_, T> {}

impl<'a, T: Send + 'a> Stream for Walk<'a, T> {
    type Item = Result<WindowEvent<T>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.failed {
            return Poll::Ready(None);
        }
        // Keep every request moving on each poll, also while buffered items
        // are being read, so the reader never waits on a request that could
        // have been under way.
        loop {
            this.schedule();
            match this.in_flight.poll_next_unpin(cx) {
                Poll::Ready(Some((id, Ok(page)))) => this.accept(id, page),
                Poll::Ready(Some((_, Err(error)))) => {
                    this.failed = true;
                    this.in_flight = FuturesUnordered::new();
                    return Poll::Ready(Some(Err(error)));
                }
                Poll::Ready(None) | Poll::Pending => break,
            }
        }
        if let Some(event) = this.pop() {
            return Poll::Ready(Some(Ok(event)));
        }
        if this.in_flight.is_empty() {
            // Nothing in flight and nothing could start: every window is
            // yielded, or the page cap is reached.
            return Poll::Ready(None);
        }
        Poll::Pending
    }
}

#[cfg(test)]
mod tests;
