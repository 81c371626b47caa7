//! Page-number pagination with a `total` count (Gank's `page`/`per_page`
//! lists answering `{data, total}`), on top of the one cursor loop
//! [`paginate`]: the cursor is `(list, page)`.

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use futures::stream::{self, BoxStream, StreamExt};

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
            let received = fetched.items.len();
            let mut fresh = Vec::with_capacity(received);
            let mut new_in_list = 0u64;
            for item in fetched.items {
                let k = key(&item);
                // Only rows new to this list count towards its `total`: a row
                // repeated because the pages shifted is not progress.
                if k.as_ref().is_none_or(|k| tally.list_seen.insert(k.clone())) {
                    new_in_list += 1;
                }
                // Rows already yielded (by this list or an earlier one) are skipped.
                if k.is_none_or(|k| tally.seen.insert(k)) {
                    fresh.push(item);
                }
            }
            tally.rows += new_in_list;
            let last_page = received == 0
                || new_in_list == 0
                || match (fetched.total, fetched.per_page) {
                    (Some(total), _) => tally.rows >= total,
                    (None, Some(per_page)) => received < per_page as usize,
                    (None, None) => false,
                };
            let next = if last_page {
                tally.rows = 0;
                tally.list_seen.clear();
                (list + 1 < lists).then_some((list + 1, first_page))
            } else {
                Some((list, page.saturating_add(1)))
            };
            Ok(Page::new(fresh, next))
        }
    })
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
}
