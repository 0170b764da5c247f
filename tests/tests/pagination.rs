//! Order and bounds of every list, and the streams that page through everything.

use chrono::{Duration, TimeZone, Utc};
use omi_api::{DeveloperMemories, IntegrationImports};
use omi_model::{
    CreateConversationRequest, CreateMemoryRequest, ListConversationsQuery, ListDevMemoriesQuery,
    ListMemoriesQuery, MemoryCategory,
};
use serde_json::Value;

use crate::common::{Ctx, Record, Transport, api_error, contents, contracts};

contracts!(memories_page_newest_first, conversations_page_newest_first);

const MEMORIES: usize = 30;
const CONVERSATIONS: usize = 12;

/// 30 memories created one after another: pages of the developer and integration lists
/// follow score, then creation, newest first; the streams return all 30 in the same order.
async fn memories_page_newest_first<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    for i in 0..MEMORIES {
        ctx.dev
            .create_memory(CreateMemoryRequest {
                category: Some(MemoryCategory::System),
                ..CreateMemoryRequest::new(format!("User fact number {i:02}"))
            })
            .await
            .map_err(|e| api_error(&e))
            .expect("create");
    }
    let dev_page = |limit: Option<i64>, offset: Option<i64>| {
        ctx.dev.list_memories(ListDevMemoriesQuery {
            limit,
            offset,
            categories: vec![],
        })
    };
    let everything = dev_page(Some(1000), None)
        .await
        .map_err(|e| api_error(&e))
        .expect("list");
    assert_eq!(everything.len(), MEMORIES);
    for (label, limit, offset) in [
        ("dev: default limit (25)", None, None),
        ("dev: limit 10, offset 0", Some(10), Some(0)),
        ("dev: limit 10, offset 10", Some(10), Some(10)),
        ("dev: limit 10, offset 20", Some(10), Some(20)),
        ("dev: limit 10, offset 30", Some(10), Some(30)),
        ("dev: offset 29", None, Some(29)),
        ("dev: offset 1000", None, Some(1000)),
    ] {
        rec.ok(
            label,
            dev_page(limit, offset)
                .await
                .map(|m| contents(&m).join(" | ")),
        );
    }
    let mut paged = Vec::new();
    for offset in (0..MEMORIES).step_by(10) {
        paged.extend(
            dev_page(Some(10), Some(offset as i64))
                .await
                .map_err(|e| api_error(&e))
                .expect("page"),
        );
    }
    assert_eq!(paged, everything, "pages of 10 add up to the whole list");

    let streamed = rec.ok(
        "dev stream: limit 7",
        T::dev_memories_stream(
            &ctx.dev,
            ListDevMemoriesQuery {
                limit: Some(7),
                ..ListDevMemoriesQuery::default()
            },
        )
        .await
        .map(|m| m.len()),
    );
    assert_eq!(streamed, MEMORIES);
    let streamed = T::dev_memories_stream(
        &ctx.dev,
        ListDevMemoriesQuery {
            limit: Some(7),
            ..ListDevMemoriesQuery::default()
        },
    )
    .await
    .expect("stream");
    assert_eq!(
        streamed, everything,
        "the stream is the whole list, in order"
    );
    let from_offset = T::dev_memories_stream(
        &ctx.dev,
        ListDevMemoriesQuery {
            limit: Some(10),
            offset: Some(25),
            categories: vec![],
        },
    )
    .await
    .expect("stream");
    assert_eq!(
        from_offset,
        everything[25..],
        "a stream starts at its offset"
    );

    let integration = ctx
        .app
        .list_memories(
            &ctx.uid,
            ListMemoriesQuery {
                limit: Some(1000),
                offset: None,
            },
        )
        .await
        .map_err(|e| api_error(&e))
        .expect("list");
    assert_eq!(
        integration.memories, everything,
        "both APIs list in one order"
    );
    rec.ok(
        "integration: limit 4, offset 26",
        ctx.app
            .list_memories(
                &ctx.uid,
                ListMemoriesQuery {
                    limit: Some(4),
                    offset: Some(26),
                },
            )
            .await
            .map(|r| contents(&r.memories).join(" | ")),
    );
    let streamed = T::integration_memories_stream(
        &ctx.app,
        &ctx.uid,
        ListMemoriesQuery {
            limit: Some(8),
            offset: None,
        },
    )
    .await
    .expect("stream");
    assert_eq!(streamed, everything);
    rec.note("the whole list, in order", contents(&everything));
    rec.finish()
}

/// 12 conversations with distinct start times: pages newest first, and the stream returns
/// all 12 in the same order.
async fn conversations_page_newest_first<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let base = Utc
        .with_ymd_and_hms(2024, 5, 1, 8, 0, 0)
        .single()
        .expect("a time");
    for i in 0..CONVERSATIONS {
        ctx.app
            .create_conversation(
                &ctx.uid,
                CreateConversationRequest {
                    started_at: Some(base + Duration::hours(i as i64)),
                    ..CreateConversationRequest::from_text(format!(
                        "Me: I wrote entry number {i:02} in my journal."
                    ))
                },
            )
            .await
            .map_err(|e| api_error(&e))
            .expect("create");
    }
    let everything = ctx.completed_conversations(&ctx.uid, CONVERSATIONS).await;
    let texts = |r: omi_model::ConversationsResponse| {
        r.conversations
            .into_iter()
            .map(|c| c.text.unwrap_or_default())
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let page = |limit: i64, offset: i64| {
        ctx.app.list_conversations(
            &ctx.uid,
            ListConversationsQuery {
                limit: Some(limit),
                offset: Some(offset),
                ..ListConversationsQuery::default()
            },
        )
    };
    for (label, limit, offset) in [
        ("limit 5, offset 0", 5, 0),
        ("limit 5, offset 5", 5, 5),
        ("limit 5, offset 10", 5, 10),
        ("limit 5, offset 15", 5, 15),
    ] {
        rec.ok(label, page(limit, offset).await.map(texts));
    }
    let streamed = T::conversations_stream(
        &ctx.app,
        &ctx.uid,
        ListConversationsQuery {
            limit: Some(5),
            ..ListConversationsQuery::default()
        },
    )
    .await
    .expect("stream");
    assert_eq!(
        streamed, everything,
        "the stream is the whole list, in order"
    );
    rec.note(
        "stream: limit 5",
        streamed
            .iter()
            .map(|c| c.text.clone().unwrap_or_default())
            .collect::<Vec<_>>(),
    );
    rec.finish()
}
