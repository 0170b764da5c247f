//! Lists as streams: limit/offset pages until a short page.

use std::future::Future;

use futures::{Stream, StreamExt, TryStreamExt, stream};

use crate::Error;

/// Items of every page from `offset` on, `limit` per page (`default_limit` when none), asking
/// `fetch(limit, offset)` for each page until one comes back shorter than `limit`.
pub(crate) fn pages<'a, T, F, Fut>(
    limit: Option<i64>,
    offset: Option<i64>,
    default_limit: i64,
    fetch: F,
) -> impl Stream<Item = Result<T, Error>> + Send + 'a
where
    T: Send + 'a,
    F: Fn(i64, i64) -> Fut + Send + Sync + 'a,
    Fut: Future<Output = Result<Vec<T>, Error>> + Send + 'a,
{
    let limit = limit.unwrap_or(default_limit);
    let start = offset.unwrap_or(0);
    stream::try_unfold(Some(start), move |next| {
        let page = next.map(|offset| (offset, fetch(limit, offset)));
        async move {
            let Some((offset, page)) = page else {
                return Ok::<_, Error>(None);
            };
            let items = page.await?;
            let count = i64::try_from(items.len()).unwrap_or(i64::MAX);
            let next = (count >= limit && limit > 0).then(|| offset + count);
            Ok(Some((stream::iter(items.into_iter().map(Ok)), next)))
        }
    })
    .try_flatten()
    .boxed()
}
