//! The searches of conversations and action items: the Integration API's page of
//! conversations (newest first, with how many match) and the Developer API's rankings (best
//! first).

use omi_extract::search::query_phrases;
use omi_model::{ActionItem, ConversationSearch, PageParams, RankedSearch, SpeakerFilter, Uid};
use sqlx::QueryBuilder;

use super::conversations::conversation_from_row;
use super::parts::{NEWEST_FIRST, push_date_range, push_page};
use super::{Dialect, PushArg, conversation_columns, read};
use crate::store::rows::{RankedActionItemRow, RankedConversationRow, map_err};
use crate::store::{ConversationSearchPage, RankedConversation, StoreResult};

/// A page of `uid`'s conversations that `search` finds, and how many it finds in all.
pub(super) async fn search_page<DB: Dialect>(
    pool: &sqlx::Pool<DB>,
    uid: &Uid,
    search: &ConversationSearch,
) -> StoreResult<ConversationSearchPage> {
    if search.finds_nothing() {
        return Ok(ConversationSearchPage::default());
    }
    let phrases = query_phrases(&search.query);
    if !search.query.is_empty() && phrases.is_empty() {
        // Only punctuation: no word to find.
        return Ok(ConversationSearchPage::default());
    }
    let matching = (!phrases.is_empty()).then(|| DB::match_query(&phrases));
    let mut count = QueryBuilder::<DB>::new("SELECT COUNT(*) FROM conversations WHERE uid = ");
    push_filters(&mut count, uid, search, matching.as_deref());
    let (found,) = read::<DB, (i64,)>(
        &count
            .build()
            .fetch_one(DB::on_pool(pool))
            .await
            .map_err(map_err)?,
    )?;
    let mut page = QueryBuilder::<DB>::new(concat!(
        "SELECT ",
        conversation_columns!(),
        " FROM conversations WHERE uid = "
    ));
    push_filters(&mut page, uid, search, matching.as_deref());
    page.push(format_args!(" {NEWEST_FIRST} LIMIT "))
        .push_arg(i64::try_from(search.per_page).unwrap_or(i64::MAX))
        .push(" OFFSET ")
        .push_arg(i64::try_from(search.offset()).unwrap_or(i64::MAX));
    let rows = page
        .build()
        .fetch_all(DB::on_pool(pool))
        .await
        .map_err(map_err)?;
    Ok(ConversationSearchPage {
        conversations: rows
            .iter()
            .map(conversation_from_row::<DB>)
            .collect::<StoreResult<_>>()?,
        found: u64::try_from(found).unwrap_or(0),
    })
}

/// Push the user (whose `uid = ` the statement ends with) and the filters of `search`.
fn push_filters<DB: Dialect>(
    q: &mut QueryBuilder<DB>,
    uid: &Uid,
    search: &ConversationSearch,
    matching: Option<&str>,
) {
    q.push_arg(uid.as_str());
    if !search.include_discarded {
        q.push(" AND discarded = FALSE");
    }
    if let Some(matching) = matching {
        let [before, after] = DB::CONVERSATION_MATCHES;
        q.push(before).push_arg(matching.to_owned()).push(after);
    }
    push_date_range(q, "created_at", search.start_date, search.end_date);
    match &search.speaker {
        None => {}
        Some(SpeakerFilter::User) => {
            q.push(DB::USER_SPEAKS);
        }
        Some(SpeakerFilter::Person(person)) => {
            let [before, after] = DB::PERSON_SPEAKS;
            q.push(before).push_arg(person.clone()).push(after);
        }
    }
}

/// `uid`'s completed, kept conversations that `search` finds, best first.
pub(super) async fn ranked_conversations<DB: Dialect>(
    pool: &sqlx::Pool<DB>,
    uid: &Uid,
    search: &RankedSearch,
) -> StoreResult<Vec<RankedConversation>> {
    let sql = (DB::RANKED_CONVERSATIONS, DB::RANKED_CONVERSATIONS_ORDER);
    let rows = ranked::<DB>(pool, uid, search, sql).await?;
    rows.iter()
        .map(|row| read::<DB, RankedConversationRow>(row)?.into_ranked())
        .collect()
}

/// `uid`'s action items that `search` finds, best first, with their relevance.
pub(super) async fn ranked_action_items<DB: Dialect>(
    pool: &sqlx::Pool<DB>,
    uid: &Uid,
    search: &RankedSearch,
) -> StoreResult<Vec<(ActionItem, f64)>> {
    let sql = (DB::RANKED_ACTION_ITEMS, DB::RANKED_ACTION_ITEMS_ORDER);
    let rows = ranked::<DB>(pool, uid, search, sql).await?;
    rows.iter()
        .map(|row| read::<DB, RankedActionItemRow>(row)?.into_ranked())
        .collect()
}

/// The rows of a ranked search: `parts` around the match query and the user's id, the
/// date filters, then `order` and the page. None when the query has no word.
async fn ranked<DB: Dialect>(
    pool: &sqlx::Pool<DB>,
    uid: &Uid,
    search: &RankedSearch,
    (parts, order): ([&'static str; 2], &'static str),
) -> StoreResult<Vec<DB::Row>> {
    let phrases = query_phrases(&search.query);
    if phrases.is_empty() {
        return Ok(Vec::new());
    }
    let [before, after] = parts;
    let mut q = QueryBuilder::<DB>::new(before);
    q.push_arg(DB::match_query(&phrases))
        .push(after)
        .push_arg(uid.as_str());
    push_date_range(&mut q, "created_at", search.start_date, search.end_date);
    let page = PageParams {
        limit: search.limit,
        offset: search.offset,
    };
    push_page(&mut q, order, &page);
    q.build()
        .fetch_all(DB::on_pool(pool))
        .await
        .map_err(map_err)
}
