//! Page-number pagination with a `total` count, as Gank does it.
//!
//! Gank lists take `page`/`per_page` and answer `{data, total}`. Pages are
//! treated as **1-based**, as every third-party client does (the docs do not
//! say). The stream ends:
//! - when the distinct rows received reach the latest `total`,
//! - without a `total`, on a page shorter than the `per_page` that was sent,
//! - on an empty page, or a page that brings nothing new (a server ignoring
//!   `page` would otherwise loop forever),
//! - after `max_pages` pages, when set, or after the first error.
//!
//! Rows seen on an earlier page are skipped (by a key per row): when new rows
//! arrive while paging, offsets shift and a row can appear twice.

use std::collections::HashSet;
use std::future::Future;

use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};

use creator_core::{Error, Result};

/// One fetched page.
pub(crate) struct Fetched<T> {
    pub(crate) items: Vec<T>,
    pub(crate) total: Option<u64>,
    /// The page size that was asked for, if one was sent.
    pub(crate) per_page: Option<u32>,
}

struct State<T, K, F> {
    fetch: F,
    key: K,
    phases: usize,
    phase: usize,
    start_page: u32,
    page: u32,
    rows: u64,
    pages: u32,
    max_pages: Option<u32>,
    seen: HashSet<String>,
    phase_seen: HashSet<String>,
    done: bool,
    _t: std::marker::PhantomData<fn() -> T>,
}

/// Streams the rows of `phases` consecutive paginated lists (the same list
/// with different filters), de-duplicated across all of them by `key`.
///
/// `fetch(phase, page)` fetches one page.
pub(crate) fn paged<T, K, F, Fut>(
    phases: usize,
    start_page: u32,
    max_pages: Option<u32>,
    key: K,
    fetch: F,
) -> BoxStream<'static, Result<T>>
where
    T: Send + 'static,
    K: Fn(&T) -> Option<String> + Send + 'static,
    F: FnMut(usize, u32) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Fetched<T>>> + Send + 'static,
{
    let start_page = start_page.max(1);
    let state: State<T, K, F> = State {
        fetch,
        key,
        phases,
        phase: 0,
        start_page,
        page: start_page,
        rows: 0,
        pages: 0,
        max_pages,
        seen: HashSet::new(),
        phase_seen: HashSet::new(),
        done: phases == 0,
        _t: std::marker::PhantomData,
    };
    stream::try_unfold(state, |mut st| async move {
        if st.done || st.max_pages.is_some_and(|max| st.pages >= max) {
            return Ok::<_, Error>(None);
        }
        let fetched = (st.fetch)(st.phase, st.page).await?;
        st.pages += 1;
        let received = fetched.items.len();
        let mut fresh = Vec::with_capacity(received);
        let mut new_in_phase = 0u64;
        for item in fetched.items {
            let key = (st.key)(&item);
            // Only rows new to this list count towards its `total`: a row
            // repeated because the pages shifted is not progress.
            if key.as_ref().is_none_or(|k| st.phase_seen.insert(k.clone())) {
                new_in_phase += 1;
            }
            // Rows already yielded (by this list or an earlier phase) are skipped.
            if key.is_none_or(|k| st.seen.insert(k)) {
                fresh.push(item);
            }
        }
        st.rows += new_in_phase;
        let last_page = received == 0
            || new_in_phase == 0
            || match (fetched.total, fetched.per_page) {
                (Some(total), _) => st.rows >= total,
                (None, Some(per_page)) => received < per_page as usize,
                (None, None) => false,
            };
        if last_page {
            st.phase += 1;
            st.page = st.start_page;
            st.rows = 0;
            st.phase_seen.clear();
            st.done = st.phase >= st.phases;
        } else {
            st.page = st.page.saturating_add(1);
        }
        Ok(Some((
            stream::iter(fresh.into_iter().map(Ok::<T, Error>)),
            st,
        )))
    })
    .try_flatten()
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    type Log = Arc<Mutex<Vec<(usize, u32)>>>;

    async fn run(
        phases: usize,
        max: Option<u32>,
        pages: fn(usize, u32) -> Fetched<u32>,
    ) -> (Vec<u32>, Vec<(usize, u32)>) {
        let log: Log = Arc::default();
        let l = log.clone();
        let s = paged(
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

    fn page(items: &[u32], total: Option<u64>, per_page: Option<u32>) -> Fetched<u32> {
        Fetched {
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
