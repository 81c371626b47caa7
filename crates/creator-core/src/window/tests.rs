use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures::{FutureExt, TryStreamExt};
use time::macros::{date, datetime};
use time::{Duration, OffsetDateTime};

use super::*;

/// One page request: the window's filter and the cursor.
type Call = (DateRange, Option<String>);
/// An item: its id and when it was created.
type Item = (u64, OffsetDateTime);

/// One page, as fetched.
type PageOf<T> = BoxFuture<'static, Result<Page<T>>>;

/// A stand-in for a day-filtered list: `(id, created)` newest first, ten
/// per page, the offset as the cursor (like Gumroad's `/v2/sales`).
#[derive(Clone)]
struct FakeList {
    items: Arc<Vec<Item>>,
    calls: Arc<Mutex<Vec<Call>>>,
    sent_at: Arc<Mutex<Vec<tokio::time::Instant>>>,
    in_flight: Arc<AtomicUsize>,
    most_in_flight: Arc<AtomicUsize>,
    fail_on_call: Option<usize>,
}

impl FakeList {
    /// `per_day(day_index)` items on each day of 2024, none before or after.
    fn year(per_day: impl Fn(i64) -> u64) -> Self {
        let mut items = Vec::new();
        let mut id = 0;
        for day in 0..366 {
            let count = per_day(day);
            for n in 0..count {
                id += 1;
                // Spread over the day, as real sales are.
                let at = datetime!(2024-01-01 00:00 UTC)
                    + Duration::days(day)
                    + Duration::seconds(n as i64 * 86_400 / count as i64);
                items.push((id, at));
            }
        }
        items.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
        Self {
            items: Arc::new(items),
            calls: Arc::default(),
            sent_at: Arc::default(),
            in_flight: Arc::default(),
            most_in_flight: Arc::default(),
            fail_on_call: None,
        }
    }

    fn fetch(&self) -> impl Fn(DateRange, Option<String>) -> PageOf<Item> + Send + Sync + 'static {
        let list = self.clone();
        move |range, cursor| {
            let list = list.clone();
            async move {
                let call = {
                    let mut calls = list.calls.lock().unwrap();
                    calls.push((range, cursor.clone()));
                    list.sent_at
                        .lock()
                        .unwrap()
                        .push(tokio::time::Instant::now());
                    calls.len()
                };
                let now = list.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                list.most_in_flight.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                list.in_flight.fetch_sub(1, Ordering::SeqCst);
                if list.fail_on_call == Some(call) {
                    return Err(Error::InvalidInput("page failed".into()));
                }
                let offset: usize = cursor.as_deref().map_or(0, |c| c.parse().unwrap());
                let matching: Vec<_> = list
                    .items
                    .iter()
                    .filter(|(_, at)| range.contains(at.date()))
                    .copied()
                    .collect();
                let items: Vec<_> = matching.iter().skip(offset).take(10).copied().collect();
                let next = (offset + 10 < matching.len()).then(|| (offset + 10).to_string());
                Ok(Page::new(items, next))
            }
            .boxed()
        }
    }

    fn calls(&self) -> Vec<(DateRange, Option<String>)> {
        self.calls.lock().unwrap().clone()
    }
}

fn created(item: &Item) -> Option<OffsetDateTime> {
    Some(item.1)
}

/// Since 2011 (Gumroad's start) to the end of 2024: thirteen empty years
/// before the one with sales in it.
fn since_2011() -> DayWindow {
    DayWindow::new(date!(2011 - 04 - 01), date!(2025 - 01 - 01)).unwrap()
}

/// Growing sales: a few a day in January, about 60 a day in December.
fn growing(day: i64) -> u64 {
    2 + (day as u64 * 58) / 365
}

async fn all(list: &FakeList, options: &Windowing) -> Vec<Item> {
    windowed(since_2011(), options, list.fetch(), created)
        .try_collect()
        .await
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn every_item_once_newest_first_in_fewer_rounds_than_one_cursor() {
    let list = FakeList::year(growing);
    let got = all(&list, &Windowing::default()).await;
    assert_eq!(got.len(), list.items.len());
    assert_eq!(
        got, *list.items,
        "the same items in the same order as one cursor"
    );
    let pages = list.items.len().div_ceil(10);
    let calls = list.calls();
    // Probes of empty stretches and splits cost a few extra requests, not many.
    assert!(
        calls.len() >= pages,
        "{} calls for {pages} pages",
        calls.len()
    );
    assert!(
        calls.len() < pages + pages / 10,
        "{} calls for {pages} pages",
        calls.len()
    );
    assert_eq!(list.most_in_flight.load(Ordering::SeqCst), 4);
    // Every request is one whole-day window inside the range.
    for (range, _) in &calls {
        let (after, before) = (range.after.unwrap(), range.before.unwrap());
        assert!(
            after < before && after >= date!(2011 - 04 - 01) && before <= date!(2025 - 01 - 01)
        );
    }
}

#[tokio::test(start_paused = true)]
async fn as_completed_yields_the_same_set_each_window_in_order() {
    let list = FakeList::year(growing);
    let got = all(&list, &Windowing::default().order(WindowOrder::AsCompleted)).await;
    let ids: HashSet<u64> = got.iter().map(|i| i.0).collect();
    assert_eq!(got.len(), list.items.len(), "no item twice");
    assert_eq!(ids.len(), list.items.len(), "no item missing");
    assert_ne!(got, *list.items, "windows interleave");
}

#[tokio::test(start_paused = true)]
async fn the_walk_takes_about_as_long_as_pages_divided_by_concurrency() {
    let list = FakeList::year(growing);
    let started = tokio::time::Instant::now();
    let got = all(&list, &Windowing::default().concurrency(8).rate(None)).await;
    let took = started.elapsed();
    let pages = list.items.len().div_ceil(10) as u32;
    let rounds = pages.div_ceil(8);
    assert_eq!(got.len(), list.items.len());
    // Each request takes 100 ms of (paused) time; eight at once.
    assert!(
        took <= std::time::Duration::from_millis(100) * (rounds + rounds / 2),
        "{took:?} for {rounds} rounds of 8"
    );
}

#[tokio::test(start_paused = true)]
async fn finished_windows_are_not_fetched_again_on_resume() {
    let list = FakeList::year(growing);
    let events: Vec<_> =
        windowed_events(since_2011(), &Windowing::default(), list.fetch(), created)
            .try_collect()
            .await
            .unwrap();
    let finished: Vec<DayWindow> = events
        .iter()
        .filter_map(|e| match e {
            WindowEvent::Finished(w) => Some(*w),
            WindowEvent::Item(_) => None,
        })
        .collect();
    // The finished windows tile the whole range exactly.
    let mut tiles = finished.clone();
    tiles.sort_by_key(|w| w.after);
    assert_eq!(tiles.first().unwrap().after, date!(2011 - 04 - 01));
    assert_eq!(tiles.last().unwrap().before, date!(2025 - 01 - 01));
    assert!(tiles.windows(2).all(|p| p[0].before == p[1].after));

    // A run killed after half the windows resumes with the other half only.
    let (done, rest) = finished.split_at(finished.len() / 2);
    let resumed = FakeList::year(growing);
    let again: Vec<_> = windowed(
        since_2011(),
        &Windowing::default().done(done.to_vec()),
        resumed.fetch(),
        created,
    )
    .try_collect()
    .await
    .unwrap();
    let expected: usize = list
        .items
        .iter()
        .filter(|(_, at)| rest.iter().any(|w| w.range().contains(at.date())))
        .count();
    assert_eq!(again.len(), expected);
    for (range, _) in resumed.calls() {
        let day = range.after.unwrap();
        assert!(
            !done.iter().any(|w| w.range().contains(day)),
            "{day} was done"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_first_error_is_yielded_and_ends_the_stream() {
    let mut list = FakeList::year(growing);
    list.fail_on_call = Some(30);
    let results: Vec<Result<_>> =
        windowed(since_2011(), &Windowing::default(), list.fetch(), created)
            .collect()
            .await;
    assert!(matches!(results.last(), Some(Err(Error::InvalidInput(_)))));
    assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1);
}

#[tokio::test(start_paused = true)]
async fn later_windows_stop_at_the_buffer_while_the_newest_is_slow_to_read() {
    let list = FakeList::year(|_| 30);
    let options = Windowing {
        buffer_items: 100,
        ..Windowing::default()
    };
    let mut stream = walk(since_2011(), &options, list.fetch(), created);
    // Read slowly: a sleep per item lets every request finish in between.
    let mut read = 0usize;
    let mut most_held = 0usize;
    while let Some(event) = stream.try_next().await.unwrap() {
        if let WindowEvent::Item(_) = event {
            read += 1;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        most_held = most_held.max(stream.buffered);
    }
    assert_eq!(read, list.items.len());
    // The buffer, plus the pages that were in flight when it filled.
    assert!(most_held >= 100, "the buffer was used: {most_held}");
    assert!(most_held <= 100 + 4 * 10, "{most_held} items held");
}

#[tokio::test(start_paused = true)]
async fn the_page_cap_counts_requests_across_windows() {
    let list = FakeList::year(growing);
    let got = all(&list, &Windowing::default().max_pages(7)).await;
    assert_eq!(list.calls().len(), 7);
    assert!(got.len() <= 70);
}

#[tokio::test(start_paused = true)]
async fn a_cursor_that_points_at_itself_ends_its_window() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let fetch = move |_range: DateRange, _cursor: Option<String>| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Ok(Page::new(vec![1u8], Some("same".to_string()))) }.boxed()
    };
    let one_day = DayWindow::new(date!(2024 - 05 - 01), date!(2024 - 05 - 02)).unwrap();
    let got: Vec<u8> = windowed(one_day, &Windowing::default(), fetch, |_| None)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(got, vec![1, 1]);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[test]
fn day_windows_split_and_subtract_without_gaps_or_overlaps() {
    assert!(DayWindow::new(date!(2024 - 01 - 02), date!(2024 - 01 - 02)).is_err());
    let year = DayWindow::new(date!(2024 - 01 - 01), date!(2025 - 01 - 01)).unwrap();
    let pieces = year.split(7);
    assert_eq!(pieces.len(), 7);
    assert_eq!(pieces[0].before, date!(2025 - 01 - 01));
    assert_eq!(pieces[6].after, date!(2024 - 01 - 01));
    assert!(pieces.windows(2).all(|p| p[0].after == p[1].before));
    assert_eq!(pieces.iter().map(DayWindow::days).sum::<i64>(), 366);
    assert_eq!(
        DayWindow::new(date!(2024 - 01 - 01), date!(2024 - 01 - 03))
            .unwrap()
            .split(9)
            .len(),
        2
    );

    let march = DayWindow::new(date!(2024 - 03 - 01), date!(2024 - 04 - 01)).unwrap();
    let gaps = year.minus(&[march]);
    assert_eq!(
        gaps,
        vec![
            DayWindow::new(date!(2024 - 04 - 01), date!(2025 - 01 - 01)).unwrap(),
            DayWindow::new(date!(2024 - 01 - 01), date!(2024 - 03 - 01)).unwrap(),
        ]
    );
    assert!(march.minus(&[year]).is_empty());
}

#[tokio::test(start_paused = true)]
async fn as_completed_keeps_every_request_slot_busy() {
    let list = FakeList::year(growing);
    let started = tokio::time::Instant::now();
    let options = Windowing::default()
        .concurrency(8)
        .rate(None)
        .order(WindowOrder::AsCompleted);
    let got = all(&list, &options).await;
    let pages = list.items.len().div_ceil(10) as u32;
    let rounds = pages.div_ceil(8);
    assert_eq!(got.len(), list.items.len());
    assert!(
        started.elapsed() <= std::time::Duration::from_millis(100) * (rounds + rounds / 5),
        "{:?} for {rounds} rounds of 8",
        started.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn a_platform_that_ignores_the_day_filter_is_not_split_further() {
    // Every window gets the same three full pages, whatever its days.
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let fetch = move |_range: DateRange, cursor: Option<String>| {
        counter.fetch_add(1, Ordering::SeqCst);
        let page: usize = cursor.as_deref().map_or(0, |c| c.parse().unwrap());
        let items: Vec<Item> = (0..10)
            .map(|i| {
                (
                    page as u64 * 10 + i,
                    datetime!(2024-06-01 12:00 UTC) - Duration::minutes(i as i64),
                )
            })
            .collect();
        let next = (page < 2).then(|| (page + 1).to_string());
        async move { Ok(Page::new(items, next)) }.boxed()
    };
    let got: Vec<Item> = windowed(
        since_2011(),
        &Windowing::default().rate(None),
        fetch,
        created,
    )
    .try_collect()
    .await
    .unwrap();
    // Four windows, each walked once to its end: no split storm.
    assert_eq!(calls.load(Ordering::SeqCst), 4 * 3);
    assert_eq!(got.len(), 4 * 30);
}
