//! Page-number pagination with a `total` count (Gank's `page`/`per_page`
//! lists answering `{data, total}`), on top of the one cursor loop
//! [`paginate`]: the cursor is `(list, page)`.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use futures::stream::{self, BoxStream, FuturesOrdered, StreamExt};

use super::{Page, paginate};
use crate::Result;

/// One fetched page of a page-numbered list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberedPage<T> {
    /// The rows on this page.
    pub items: Vec<T>,
    /// The list's `total` row count, when the server sent one.
    pub total: Option<u64>,
    /// The page size that was asked for, if one was sent.
    pub per_page: Option<u32>,
}

/// What the stream has counted so far (shared by the fetch futures).
#[derive(Default)]
struct Tally {
    /// Distinct rows of the current list.
    rows: u64,
    /// Keys of every row yielded so far, across all lists.
    seen: HashSet<String>,
    /// Keys of the rows of the current list.
    list_seen: HashSet<String>,
}

/// Streams the rows of `lists` consecutive page-numbered lists (the same
/// list with different filters), de-duplicated across all of them by `key`.
///
/// `fetch(list, page)` fetches one page; pages start at `first_page`
/// (at least 1). Each list ends:
/// - when the distinct rows received reach the latest `total`,
/// - without a `total`, on a page shorter than the `per_page` that was sent,
/// - on an empty page, or a page that brings nothing new (a server ignoring
///   `page` would otherwise loop forever);
///
/// and the stream ends after the last list, after `max_pages` pages in all
/// when set, or after the first error, which is yielded. Rows seen on an
/// earlier page are skipped (by `key`; a row without a key is always kept):
/// when new rows arrive while paging, offsets shift and a row can appear twice.
///
/// ```
/// use creator_core::{paginate_numbered, NumberedPage};
/// use futures::TryStreamExt;
///
/// # futures::executor::block_on(async {
/// let rows: Vec<u32> = paginate_numbered(1, 1, None, |n: &u32| Some(n.to_string()), |_list, page| async move {
///     let items = if page == 1 { vec![1, 2] } else { vec![2, 3] }; // row 2 shifted onto page 2
///     Ok(NumberedPage { items, total: Some(3), per_page: Some(2) })
/// })
/// .try_collect()
/// .await?;
/// assert_eq!(rows, [1, 2, 3]);
/// # Ok::<(), creator_core::Error>(())
/// # });
/// ```
pub fn paginate_numbered<T, K, F, Fut>(
    lists: usize,
    first_page: u32,
    max_pages: Option<u32>,
    key: K,
    mut fetch: F,
) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    K: Fn(&T) -> Option<String> + Send + Sync + 'static,
    F: FnMut(usize, u32) -> Fut + Send + 'static,
    Fut: Future<Output = Result<NumberedPage<T>>> + Send + 'static,
{
    if lists == 0 {
        return stream::empty().boxed();
    }
    let first_page = first_page.max(1);
    let key = Arc::new(key);
    let tally = Arc::new(Mutex::new(Tally::default()));
    paginate(max_pages, move |cursor: Option<(usize, u32)>| {
        let (list, page) = cursor.unwrap_or((0, first_page));
        let fetched = fetch(list, page);
        let (key, tally) = (key.clone(), tally.clone());
        async move {
            let fetched = fetched.await?;
            let mut tally = tally.lock().unwrap_or_else(PoisonError::into_inner);
            let (fresh, last_page) = tally.take(fetched, &*key);
            let next = if last_page {
                (list + 1 < lists).then_some((list + 1, first_page))
            } else {
                Some((list, page.saturating_add(1)))
            };
            Ok(Page::new(fresh, next))
        }
    })
}

impl Tally {
    /// Counts a fetched page of the current list: returns its rows not
    /// yielded before, and whether it is the list's last page (then the
    /// list's counts are reset for the next one).
    fn take<T, K>(&mut self, fetched: NumberedPage<T>, key: &K) -> (Vec<T>, bool)
    where
        K: Fn(&T) -> Option<String>,
    {
        let received = fetched.items.len();
        let mut fresh = Vec::with_capacity(received);
        let mut new_in_list = 0u64;
        for item in fetched.items {
            let k = key(&item);
            // Only rows new to this list count towards its `total`: a row
            // repeated because the pages shifted is not progress.
            if k.as_ref().is_none_or(|k| self.list_seen.insert(k.clone())) {
                new_in_list += 1;
            }
            // Rows already yielded (by this list or an earlier one) are skipped.
            if k.is_none_or(|k| self.seen.insert(k)) {
                fresh.push(item);
            }
        }
        self.rows += new_in_list;
        let last_page = received == 0
            || new_in_list == 0
            || match (fetched.total, fetched.per_page) {
                (Some(total), _) => self.rows >= total,
                (None, Some(per_page)) => received < per_page as usize,
                (None, None) => false,
            };
        if last_page {
            self.rows = 0;
            self.list_seen.clear();
        }
        (fresh, last_page)
    }
}

/// [`paginate_numbered`] with up to `concurrency` page requests in flight.
///
/// Each list's first page is fetched alone; its `total` and page size (the
/// `per_page` sent, else the rows it brought) say how many pages the list
/// has, and those are fetched `concurrency` at a time, yielded in page order
/// (memory: at most `concurrency` pages). Every row still comes once, by the
/// same rules as [`paginate_numbered`]; should the list hold more rows than
/// its `total` said by the last planned page (rows added while paging), the
/// next pages are read one at a time until a rule ends the list. Without a
/// `total` the pages are read one at a time. `concurrency` of 0 or 1 is
/// [`paginate_numbered`]. A rate limiter in `fetch` (the transport's) still
/// spaces the requests: concurrency only hides the latency of each.
///
/// ```
/// use creator_core::{paginate_numbered_concurrent, NumberedPage};
/// use futures::TryStreamExt;
///
/// # futures::executor::block_on(async {
/// let rows: Vec<u32> = paginate_numbered_concurrent(1, 1, None, 4, |n: &u32| Some(n.to_string()), |_list, page| async move {
///     let items = if page <= 3 { vec![page * 2 - 1, page * 2] } else { vec![] };
///     Ok(NumberedPage { items, total: Some(6), per_page: Some(2) })
/// })
/// .try_collect()
/// .await?;
/// assert_eq!(rows, [1, 2, 3, 4, 5, 6]);
/// # Ok::<(), creator_core::Error>(())
/// # });
/// ```
pub fn paginate_numbered_concurrent<T, K, F, Fut>(
    lists: usize,
    first_page: u32,
    max_pages: Option<u32>,
    concurrency: usize,
    key: K,
    fetch: F,
) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    K: Fn(&T) -> Option<String> + Send + Sync + 'static,
    F: FnMut(usize, u32) -> Fut + Send + 'static,
    Fut: Future<Output = Result<NumberedPage<T>>> + Send + 'static,
{
    if concurrency <= 1 || lists == 0 {
        return paginate_numbered(lists, first_page, max_pages, key, fetch);
    }
    let first_page = first_page.max(1);
    let state = Planned {
        fetch,
        key,
        lists,
        first_page,
        concurrency,
        pages_left: max_pages,
        list: 0,
        next: first_page,
        end: None,
        pending: FuturesOrdered::new(),
        tally: Tally::default(),
        done: false,
    };
    stream::unfold(state, Planned::step)
        .flat_map(|page| match page {
            Ok(rows) => stream::iter(rows.into_iter().map(Ok)).left_stream(),
            Err(e) => stream::once(std::future::ready(Err(e))).right_stream(),
        })
        .boxed()
}

/// Where a [`paginate_numbered_concurrent`] stream stands.
struct Planned<F, K, Fut: Future> {
    fetch: F,
    key: K,
    lists: usize,
    first_page: u32,
    concurrency: usize,
    /// Pages that may still be requested (`max_pages`).
    pages_left: Option<u32>,
    /// The list being read, and its next page to request.
    list: usize,
    next: u32,
    /// The list's last page by its first page's `total` (`None` before it
    /// arrived, or without a `total`).
    end: Option<u32>,
    /// Pages requested and not yet taken, in page order.
    pending: FuturesOrdered<Fut>,
    tally: Tally,
    done: bool,
}

impl<T, F, K, Fut> Planned<F, K, Fut>
where
    K: Fn(&T) -> Option<String>,
    F: FnMut(usize, u32) -> Fut,
    Fut: Future<Output = Result<NumberedPage<T>>>,
{
    /// The rows of the next page (or its error, which ends the stream).
    async fn step(mut self) -> Option<(Result<Vec<T>>, Self)> {
        if self.done {
            return None;
        }
        // Ahead of the current page: up to `concurrency` within the planned
        // pages, else one at a time.
        let planned = self.end.is_some_and(|end| self.next <= end);
        let ahead = if planned { self.concurrency } else { 1 };
        while self.pending.len() < ahead
            && self.pages_left != Some(0)
            && (self.pending.is_empty() || self.end.is_some_and(|end| self.next <= end))
        {
            self.pending.push_back((self.fetch)(self.list, self.next));
            self.next = self.next.saturating_add(1);
            self.pages_left = self.pages_left.map(|n| n - 1);
        }
        // Nothing in flight: `max_pages` reached.
        let fetched = match self.pending.next().await? {
            Ok(fetched) => fetched,
            Err(e) => {
                self.done = true;
                return Some((Err(e), self));
            }
        };
        if self.end.is_none() && self.next == self.first_page.saturating_add(1) {
            self.end = plan(&fetched, self.first_page);
        }
        let (rows, last_page) = self.tally.take(fetched, &self.key);
        if last_page {
            // Pages requested beyond the list's end are dropped unread.
            self.pending = FuturesOrdered::new();
            self.list += 1;
            self.next = self.first_page;
            self.end = None;
            self.done = self.list >= self.lists;
        }
        Some((Ok(rows), self))
    }
}

/// The last page of a list whose first page (`first_page`) is `fetched`:
/// from its `total` and page size.
fn plan<T>(fetched: &NumberedPage<T>, first_page: u32) -> Option<u32> {
    let total = fetched.total?;
    let size = fetched
        .per_page
        .map(u64::from)
        .unwrap_or(fetched.items.len() as u64);
    if size == 0 {
        return None;
    }
    // `first_page` > 1 skips the rows before it.
    let pages = total
        .div_ceil(size)
        .saturating_sub(u64::from(first_page - 1));
    let last = u64::from(first_page) + pages.saturating_sub(1);
    Some(u32::try_from(last).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::TryStreamExt;
    use std::sync::{Arc, Mutex};

    type Log = Arc<Mutex<Vec<(usize, u32)>>>;

    async fn run(
        phases: usize,
        max: Option<u32>,
        pages: fn(usize, u32) -> NumberedPage<u32>,
    ) -> (Vec<u32>, Vec<(usize, u32)>) {
        let log: Log = Arc::default();
        let l = log.clone();
        let s = paginate_numbered(
            phases,
            1,
            max,
            |n: &u32| Some(n.to_string()),
            move |phase, page| {
                l.lock().unwrap().push((phase, page));
                let f = pages(phase, page);
                async move { Ok(f) }
            },
        );
        let items = s.try_collect().await.unwrap();
        let calls = log.lock().unwrap().clone();
        (items, calls)
    }

    fn page(items: &[u32], total: Option<u64>, per_page: Option<u32>) -> NumberedPage<u32> {
        NumberedPage {
            items: items.to_vec(),
            total,
            per_page,
        }
    }

    #[tokio::test]
    async fn stops_when_total_is_reached_without_an_extra_request() {
        let (items, calls) = run(1, None, |_, p| match p {
            1 => page(&[1, 2], Some(3), Some(2)),
            2 => page(&[3], Some(3), Some(2)),
            _ => panic!("fetched page {p}"),
        })
        .await;
        assert_eq!(items, [1, 2, 3]);
        assert_eq!(calls, [(0, 1), (0, 2)]);
    }

    #[tokio::test]
    async fn without_total_a_short_page_is_the_last() {
        let (items, calls) = run(1, None, |_, p| match p {
            1 => page(&[1, 2], None, Some(2)),
            2 => page(&[3], None, Some(2)),
            _ => panic!("fetched page {p}"),
        })
        .await;
        assert_eq!(items, [1, 2, 3]);
        assert_eq!(calls.len(), 2);
    }

    #[tokio::test]
    async fn duplicates_across_pages_are_skipped_and_a_page_of_only_repeats_ends_it() {
        let (items, calls) = run(1, None, |_, p| match p {
            1 => page(&[1, 2], Some(10), Some(2)),
            2 => page(&[2, 3], Some(10), Some(2)),
            3 => page(&[2, 3], Some(10), Some(2)),
            _ => panic!("fetched page {p}"),
        })
        .await;
        assert_eq!(items, [1, 2, 3]);
        assert_eq!(calls.len(), 3);
    }

    #[tokio::test]
    async fn phases_run_in_order_and_share_the_dedup_set() {
        let (items, calls) = run(2, None, |phase, p| match (phase, p) {
            (0, 1) => page(&[1, 2], Some(2), None),
            (1, 1) => page(&[2, 3], Some(3), None),
            (1, 2) => page(&[4], Some(3), None),
            other => panic!("fetched {other:?}"),
        })
        .await;
        assert_eq!(items, [1, 2, 3, 4]);
        assert_eq!(calls, [(0, 1), (1, 1), (1, 2)]);
    }

    #[tokio::test]
    async fn page_cap_and_empty_pages() {
        let (items, calls) = run(1, Some(2), |_, p| page(&[p * 10, p * 10 + 1], None, None)).await;
        assert_eq!(items, [10, 11, 20, 21]);
        assert_eq!(calls.len(), 2);
        let (items, calls) = run(1, None, |_, _| page(&[], Some(5), Some(2))).await;
        assert!(items.is_empty());
        assert_eq!(calls.len(), 1);
    }

    #[tokio::test]
    async fn concurrent_pages_keep_their_order_and_rows_added_meanwhile_are_read_after_the_plan() {
        let log: Log = Arc::default();
        let run = |max: Option<u32>| {
            let l = log.clone();
            paginate_numbered_concurrent(
                1,
                1,
                max,
                3,
                |n: &u32| Some(n.to_string()),
                move |_, p| {
                    l.lock().unwrap().push((0, p));
                    // Page 1 says 4 rows (2 pages); a 5th arrives meanwhile.
                    let f = match p {
                        1 => page(&[1, 2], Some(4), Some(2)),
                        2 => page(&[3, 4], Some(5), Some(2)),
                        3 => page(&[5], Some(5), Some(2)),
                        _ => panic!("fetched page {p}"),
                    };
                    async move { Ok(f) }
                },
            )
            .try_collect::<Vec<u32>>()
        };
        assert_eq!(run(None).await.unwrap(), [1, 2, 3, 4, 5]);
        assert_eq!(*log.lock().unwrap(), [(0, 1), (0, 2), (0, 3)]);
        log.lock().unwrap().clear();
        assert_eq!(run(Some(2)).await.unwrap(), [1, 2, 3, 4]);
        assert_eq!(log.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn concurrent_listing_stops_at_the_first_error() {
        let rows: Vec<Result<u32>> = paginate_numbered_concurrent(
            2,
            1,
            None,
            4,
            |n: &u32| Some(n.to_string()),
            |_, p| async move {
                match p {
                    1 => Ok(page(&[1, 2], Some(6), Some(2))),
                    2 => Err(crate::Error::InvalidInput("page 2".into())),
                    _ => Ok(page(&[9], Some(6), Some(2))),
                }
            },
        )
        .collect()
        .await;
        assert_eq!(rows.len(), 3, "two rows, then the error, then nothing");
        assert!(rows[2].is_err());
    }
}
