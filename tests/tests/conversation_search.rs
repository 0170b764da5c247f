//! Conversation search: the Integration API's `POST /v2/integrations/{app_id}/search/conversations`
//! (OMI's paged answer, newest first, its filters and its 400) and the Developer API's
//! `GET /v1/dev/user/conversations/search` (ranked hits with a highlighted snippet).

use chrono::{DateTime, Utc};
use omi_api::{CallError, DeveloperConversations, IntegrationImports};
use omi_model::{
    ConversationSearchResponse, CreateConversationFromSegmentsRequest, CreateConversationRequest,
    DevScope, SearchConversationsQuery, SearchConversationsRequest, SearchConversationsResponse,
    SearchDevConversationsQuery, TranscriptSegmentRequest, UpdateConversationRequest,
};
use serde_json::Value;

use crate::common::{Ctx, Record, Transport, contracts};

contracts!(
    the_integration_search_pages_newest_first,
    the_integration_search_filters_by_date_and_speaker,
    the_developer_search_ranks_and_highlights,
);

const HIKE: &str = "Sarah: How was your weekend?\nMe: I went hiking at Mount Rainier with Tom.";
const CELLO: &str =
    "Anna: Are you coming to the concert?\nMe: Yes, I play the cello in the second half.";
const TOKYO: &str = "Ken: 来週は東京の渋谷で会いましょう。\nMe: いいですね！🍣 を食べに行こう。";
const HIKE_AGAIN: &str =
    "Tom: Shall we hike the Alps next summer?\nMe: Only if we train on weekends.";

fn at(raw: &str) -> DateTime<Utc> {
    omi_model::timestamp::parse_datetime(raw).expect("a timestamp")
}

/// Import `texts` for the context's user, one a day from 2024-03-01, and wait until every
/// one is processed.
async fn import<T: Transport>(ctx: &Ctx<T>, texts: &[&str]) {
    for (day, text) in texts.iter().enumerate() {
        let request = CreateConversationRequest {
            started_at: Some(at(&format!("2024-03-{:02}T10:00:00Z", day + 1))),
            ..CreateConversationRequest::from_text(*text)
        };
        ctx.app
            .create_conversation(&ctx.uid, request)
            .await
            .map_err(|e| crate::common::api_error(&e))
            .expect("import");
    }
    ctx.completed_conversations(&ctx.uid, texts.len()).await;
}

/// Record a page as its texts with the page numbers: the compact view of what was found.
fn page<E: CallError>(
    label: &str,
    rec: &mut Record,
    answer: Result<SearchConversationsResponse, E>,
) {
    let answer = answer.map(|a| {
        let texts: Vec<String> = a
            .conversations
            .into_iter()
            .map(|c| c.text.unwrap_or_default())
            .collect();
        (texts, a.current_page, a.per_page, a.total_pages)
    });
    rec.call(label, answer);
}

fn search(query: &str) -> SearchConversationsRequest {
    SearchConversationsRequest::new(query)
}

/// Words of the text (any form, any case), of the title and in Japanese are found; the page
/// is newest first, `per_page`/`page` walk it and `total_pages` counts it; an empty search
/// finds nothing; a bad date is OMI's 400; another user's conversations are never found.
async fn the_integration_search_pages_newest_first<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let other = ctx.user("other_user", DevScope::ALL).await;
    other
        .create_conversation(CreateConversationRequest::from_text(HIKE))
        .await
        .expect("the other user's conversation");
    import(ctx, &[HIKE, CELLO, TOKYO, HIKE_AGAIN]).await;
    let none = SearchConversationsQuery::default();
    page(
        "hiking: both, newest first",
        &mut rec,
        ctx.app
            .search_conversations(&ctx.uid, search("HIKING"), none)
            .await,
    );
    page(
        "渋谷",
        &mut rec,
        ctx.app
            .search_conversations(&ctx.uid, search("渋谷"), none)
            .await,
    );
    page(
        "🍣",
        &mut rec,
        ctx.app
            .search_conversations(&ctx.uid, search("🍣"), none)
            .await,
    );
    page(
        "cello",
        &mut rec,
        ctx.app
            .search_conversations(&ctx.uid, search("cello"), none)
            .await,
    );
    page(
        "a word nobody said",
        &mut rec,
        ctx.app
            .search_conversations(&ctx.uid, search("saxophone"), none)
            .await,
    );
    page(
        "punctuation only",
        &mut rec,
        ctx.app
            .search_conversations(&ctx.uid, search("?!…"), none)
            .await,
    );
    page(
        "empty: nothing to look for",
        &mut rec,
        ctx.app
            .search_conversations(&ctx.uid, search(""), none)
            .await,
    );
    for (label, n) in [
        ("page 1 of 2", 1),
        ("page 2 of 2", 2),
        ("page 3: past the end", 3),
    ] {
        let request = SearchConversationsRequest {
            page: Some(n),
            per_page: Some(1),
            ..search("hike")
        };
        page(
            label,
            &mut rec,
            ctx.app.search_conversations(&ctx.uid, request, none).await,
        );
    }
    let out_of_range = SearchConversationsRequest {
        page: Some(-5),
        per_page: Some(10_000),
        ..search("hike")
    };
    page(
        "page and per_page brought into range",
        &mut rec,
        ctx.app
            .search_conversations(&ctx.uid, out_of_range, none)
            .await,
    );
    let bad_date = SearchConversationsRequest {
        start_date: Some("last tuesday".into()),
        ..search("hike")
    };
    rec.err(
        "an unreadable date",
        400,
        ctx.app.search_conversations(&ctx.uid, bad_date, none).await,
    );
    let too_many = SearchConversationsQuery {
        max_transcript_segments: Some(1001),
    };
    rec.err(
        "max_transcript_segments 1001",
        422,
        ctx.app
            .search_conversations(&ctx.uid, search("hike"), too_many)
            .await,
    );
    rec.finish()
}

/// Dates bound `created_at` (a day is all of it); with an empty query the filters alone
/// choose; `speaker_id` keeps conversations where the user (`user`) or a person speaks;
/// `max_transcript_segments` cuts the transcripts; a title set by PATCH is found at once.
async fn the_integration_search_filters_by_date_and_speaker<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    import(ctx, &[HIKE, CELLO, TOKYO]).await;
    let mut mine = TranscriptSegmentRequest::new("Let's plan the hiking trip.", 0.0, 2.0);
    mine.is_user = Some(true);
    let mut anna =
        TranscriptSegmentRequest::new("I'll bring the tent for the hiking trip.", 2.0, 4.0);
    anna.person_id = Some("person_anna".into());
    let spoken = ctx
        .dev
        .create_conversation_from_segments(CreateConversationFromSegmentsRequest {
            started_at: Some(at("2024-04-01T08:00:00Z")),
            ..CreateConversationFromSegmentsRequest::new(vec![mine, anna])
        })
        .await
        .expect("from segments");
    ctx.completed_dev_conversation(&spoken.id).await;
    let none = SearchConversationsQuery::default();
    let days = SearchConversationsRequest {
        start_date: Some("2024-03-02".into()),
        end_date: Some("2024-03-03".into()),
        ..search("")
    };
    page(
        "empty query, 2 to 3 March: the filters alone",
        &mut rec,
        ctx.app.search_conversations(&ctx.uid, days, none).await,
    );
    let instant = SearchConversationsRequest {
        end_date: Some("2024-03-01T10:00:00Z".into()),
        ..search("hiking")
    };
    page(
        "hiking, until an instant",
        &mut rec,
        ctx.app.search_conversations(&ctx.uid, instant, none).await,
    );
    for (label, speaker) in [
        ("speaker user", "user"),
        ("speaker person_anna", "person_anna"),
        ("speaker nobody", "person_nobody"),
    ] {
        let request = SearchConversationsRequest {
            speaker_id: Some(speaker.into()),
            ..search("hiking")
        };
        let found = ctx.app.search_conversations(&ctx.uid, request, none).await;
        let ids: Result<Vec<bool>, _> =
            found.map(|a| a.conversations.iter().map(|c| c.id == spoken.id).collect());
        rec.call(label, ids);
    }
    let one_segment = SearchConversationsQuery {
        max_transcript_segments: Some(1),
    };
    let request = SearchConversationsRequest {
        speaker_id: Some("user".into()),
        ..search("")
    };
    let cut = ctx
        .app
        .search_conversations(&ctx.uid, request, one_segment)
        .await;
    let lengths: Result<Vec<usize>, _> = cut.map(|a| {
        a.conversations
            .iter()
            .map(|c| c.transcript_segments.as_ref().map_or(0, Vec::len))
            .collect()
    });
    rec.call("max_transcript_segments 1", lengths);
    ctx.dev
        .update_conversation(
            &spoken.id,
            UpdateConversationRequest {
                title: Some("Kilimanjaro expedition".into()),
                ..UpdateConversationRequest::default()
            },
        )
        .await
        .expect("patch");
    let renamed = ctx
        .app
        .search_conversations(&ctx.uid, search("kilimanjaro"), none)
        .await;
    rec.call(
        "a new title is found at once",
        renamed.map(|a| a.conversations.len()),
    );
    rec.finish()
}

fn dev_search(query: &str) -> SearchDevConversationsQuery {
    SearchDevConversationsQuery::new(query)
}

/// The Developer API's search: hits best first with a snippet of where the words are
/// (`**` around them, any script), a limit and an offset, only the caller's completed
/// conversations, its 422s and its scope.
async fn the_developer_search_ranks_and_highlights<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    import(ctx, &[HIKE, CELLO, TOKYO, HIKE_AGAIN]).await;
    let snippets = |a: ConversationSearchResponse| -> Vec<Option<String>> {
        a.items.into_iter().map(|i| i.snippet).collect()
    };
    let hiking = ctx.dev.search_conversations(dev_search("hiking")).await;
    rec.call("hiking: two hits with snippets", hiking.map(snippets));
    let tokyo = ctx.dev.search_conversations(dev_search("東京 🍣")).await;
    rec.call("東京 🍣", tokyo.map(snippets));
    let first = rec.ok(
        "hike, limit 1",
        ctx.dev
            .search_conversations(SearchDevConversationsQuery {
                limit: Some(1),
                ..dev_search("hike")
            })
            .await,
    );
    let second = rec.ok(
        "hike, limit 1, offset 1",
        ctx.dev
            .search_conversations(SearchDevConversationsQuery {
                limit: Some(1),
                offset: Some(1),
                ..dev_search("hike")
            })
            .await,
    );
    assert_ne!(
        first.items[0].conversation.id,
        second.items[0].conversation.id
    );
    let dated = ctx
        .dev
        .search_conversations(SearchDevConversationsQuery {
            start_date: Some(at("2024-03-02T00:00:00Z")),
            ..dev_search("hike")
        })
        .await;
    rec.call("hike, from 2 March", dated.map(|a| a.returned_count));
    for (label, query) in [
        ("no query", SearchDevConversationsQuery::default()),
        ("empty query", dev_search("")),
        (
            "limit 0",
            SearchDevConversationsQuery {
                limit: Some(0),
                ..dev_search("hike")
            },
        ),
        (
            "offset -1",
            SearchDevConversationsQuery {
                offset: Some(-1),
                ..dev_search("hike")
            },
        ),
    ] {
        rec.err(label, 422, ctx.dev.search_conversations(query).await);
    }
    let writer = ctx
        .user("writer_only", &[DevScope::ConversationsWrite])
        .await;
    rec.err(
        "a key without conversations:read",
        403,
        writer.search_conversations(dev_search("hike")).await,
    );
    rec.finish()
}
