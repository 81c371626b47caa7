//! Lazy pagination: turn "fetch one page given a cursor" into a `Stream` of
//! items. The one pagination loop of the workspace: cursor lists
//! ([`paginate`]), page-numbered lists ([`paginate_numbered`]) and
//! read-everything helpers are all built on it.

use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::hash::Hash;

use futures::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};

use crate::{Error, Result};

mod numbered;

pub use numbered::{NumberedPage, paginate_numbered, paginate_numbered_concurrent};

/// One page of a list: its items and the cursor of the next page, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, C = String> {
    /// The items on this page.
    pub items: Vec<T>,
    /// The cursor for the next page; `None` on the last page.
    pub next: Option<C>,
}

impl<T, C> Page<T, C> {
    /// A page with a next cursor.
    pub fn new(items: Vec<T>, next: Option<C>) -> Self {
        Self { items, next }
    }

    /// The last page.
    pub fn last(items: Vec<T>) -> Self {
        Self { items, next: None }
    }
}

/// How many recent cursors are remembered to detect a server loop. A loop
/// longer than this many pages is not detected; memory stays constant however
/// long the list.
const SEEN_WINDOW: usize = 1024;

/// Where a pagination stream stands between pages.
struct State<C, F> {
    fetch: F,
    cursor: Option<C>,
    /// The most recent cursors followed (at most [`SEEN_WINDOW`]), so memory stays flat on long lists.
    seen: HashSet<C>,
    order: VecDeque<C>,
    pages: u32,
    max_pages: Option<u32>,
    done: bool,
}

/// Streams every item of a paginated list, fetching pages only as they are needed.
///
/// `fetch` is called with `None` for the first page and then with each page's
/// `next` cursor; it should capture the query so filters are kept on every
/// page. The stream ends:
/// - after a page whose `next` is `None` (the last page),
/// - when a page returns a cursor that was already used (a server loop;
///   the last 1,024 cursors are remembered),
/// - after `max_pages` pages, when set,
/// - after the first error, which is yielded.
///
/// ```
/// use creator_core::{paginate, Page};
/// use futures::TryStreamExt;
///
/// # tokio_test_block_on(async {
/// let items: Vec<u32> = paginate(None, |cursor: Option<u32>| async move {
///     let page = cursor.unwrap_or(0);
///     Ok(Page::new(vec![page * 10, page * 10 + 1], (page < 2).then_some(page + 1)))
/// })
/// .try_collect()
/// .await?;
/// assert_eq!(items, [0, 1, 10, 11, 20, 21]);
/// # Ok::<(), creator_core::Error>(())
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output { futures::executor::block_on(f) }
/// ```
pub fn paginate<'a, T, C, F, Fut>(max_pages: Option<u32>, fetch: F) -> BoxStream<'a, Result<T>>
where
    T: Send + 'a,
    C: Clone + Eq + Hash + Send + 'a,
    F: FnMut(Option<C>) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T, C>>> + Send + 'a,
{
    let state = State {
        fetch,
        cursor: None,
        seen: HashSet::new(),
        order: VecDeque::new(),
        pages: 0,
        max_pages,
        done: false,
    };
    stream::try_unfold(state, |mut st| async move {
        if st.done || st.max_pages.is_some_and(|max| st.pages >= max) {
            return Ok::<_, Error>(None);
        }
        let page = (st.fetch)(st.cursor.take()).await?;
        st.pages += 1;
        match page.next {
            Some(next) if st.seen.insert(next.clone()) => {
                st.order.push_back(next.clone());
                if st.order.len() > SEEN_WINDOW
                    && let Some(old) = st.order.pop_front()
                {
                    st.seen.remove(&old);
                }
                st.cursor = Some(next);
            }
            // Last page, or a cursor we have already followed: stop after this page.
            _ => st.done = true,
        }
        Ok(Some((
            stream::iter(page.items.into_iter().map(Ok::<T, Error>)),
            st,
        )))
    })
    .try_flatten()
    .boxed()
}

/// Collects a stream of results into a `Vec`, stopping at the first error or
/// after `limit` items (pages beyond the limit are never fetched).
///
/// # Errors
/// The first error the stream yields.
pub async fn collect<T, S>(stream: S, limit: Option<usize>) -> Result<Vec<T>>
where
    S: Stream<Item = Result<T>>,
{
    let stream = std::pin::pin!(stream);
    match limit {
        Some(n) => stream.take(n).try_collect().await,
        None => stream.try_collect().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Provider;
    use std::sync::{Arc, Mutex};

    type Calls = Arc<Mutex<Vec<Option<String>>>>;

    fn pager(
        pages: Vec<(Vec<u32>, Option<&'static str>)>,
        max: Option<u32>,
    ) -> (BoxStream<'static, Result<u32>>, Calls) {
        let calls: Calls = Arc::default();
        let log = calls.clone();
        let s = paginate(max, move |cursor: Option<String>| {
            let idx = log.lock().unwrap().len();
            log.lock().unwrap().push(cursor);
            let page = pages.get(idx).cloned();
            async move {
                let (items, next) = page.expect("fetched past the last page");
                Ok(Page::new(items, next.map(str::to_owned)))
            }
        });
        (s, calls)
    }

    #[tokio::test]
    async fn stops_on_the_last_page() {
        let (s, calls) = pager(
            vec![
                (vec![1, 2], Some("a")),
                (vec![3], Some("b")),
                (vec![4], None),
            ],
            None,
        );
        assert_eq!(collect(s, None).await.unwrap(), [1, 2, 3, 4]);
        assert_eq!(
            *calls.lock().unwrap(),
            [None, Some("a".into()), Some("b".into())]
        );
    }

    #[tokio::test]
    async fn stops_on_a_repeated_cursor() {
        let (s, calls) = pager(
            vec![
                (vec![1], Some("a")),
                (vec![2], Some("b")),
                (vec![3], Some("a")),
                (vec![99], None),
            ],
            None,
        );
        assert_eq!(collect(s, None).await.unwrap(), [1, 2, 3]);
        assert_eq!(calls.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn remembers_a_bounded_window_of_cursors_on_long_lists() {
        // 3,000 pages with distinct cursors: all are followed, and the loop guard stays bounded.
        let s = paginate(None, |cursor: Option<u32>| async move {
            let page = cursor.unwrap_or(0);
            Ok(Page::new(vec![page], (page < 2_999).then_some(page + 1)))
        });
        let items = collect(s, None).await.unwrap();
        assert_eq!(items.len(), 3_000);
        assert_eq!(items[2_999], 2_999);
    }

    #[tokio::test]
    async fn stops_at_the_page_cap() {
        let (s, calls) = pager(
            vec![(vec![1], Some("a")), (vec![2], Some("b")), (vec![3], None)],
            Some(2),
        );
        assert_eq!(collect(s, None).await.unwrap(), [1, 2]);
        assert_eq!(calls.lock().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn empty_pages_with_a_cursor_keep_going() {
        let (s, _) = pager(vec![(vec![], Some("a")), (vec![5], None)], None);
        assert_eq!(collect(s, None).await.unwrap(), [5]);
    }

    #[tokio::test]
    async fn collect_limit_does_not_fetch_further_pages() {
        let (s, calls) = pager(vec![(vec![1, 2], Some("a")), (vec![3], None)], None);
        assert_eq!(collect(s, Some(2)).await.unwrap(), [1, 2]);
        assert_eq!(calls.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn an_error_is_yielded_and_ends_the_stream() {
        let mut n = 0;
        let s = paginate(None, move |_c: Option<u32>| {
            n += 1;
            let this = n;
            async move {
                if this == 2 {
                    Err(Error::Config("boom".into()))
                } else {
                    Ok(Page::new(vec![this], Some(this)))
                }
            }
        });
        let items: Vec<_> = s.collect().await;
        assert_eq!(items.len(), 2);
        assert!(matches!(items[1], Err(Error::Config(_))));
        let _ = Provider::Gumroad;
    }
}
