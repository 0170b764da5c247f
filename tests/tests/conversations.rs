//! The Developer API's conversations: create from a text or from segments, process, read,
//! list, patch, delete; what processing adds to the user's action items and memories; and
//! the answers to mistakes, other users' ids and missing scopes.

use std::time::Duration;

use omi_api::{DeveloperActionItems, DeveloperConversations, DeveloperMemories, WaitError};
use omi_model::{
    ConversationCategory, ConversationSource, ConversationStatus, ConversationTextSource,
    CreateConversationFromSegmentsRequest, CreateConversationRequest, DevScope,
    GetConversationQuery, ListActionItemsQuery, ListDevConversationsQuery, ListDevMemoriesQuery,
    TranscriptSegmentRequest, UpdateActionItemRequest, UpdateConversationRequest,
};
use serde_json::Value;

use crate::common::{Ctx, Record, Transport, api_error, contracts};

contracts!(
    a_text_is_processed_into_a_conversation_its_items_and_memories,
    segments_are_kept_as_given,
    patch_and_delete,
    mistakes_other_users_and_scopes,
    its_action_items_and_the_list_agree,
    waiting_until_processed,
);

/// The README's walk-through text.
const MILK: &str = "Mom: Don't forget to pick up milk\n\nMe: Will do. I love whole grain bread.";

fn expect_ok<T, E: omi_api::CallError>(result: Result<T, E>) -> T {
    result
        .map_err(|e| api_error(&e))
        .expect("the call succeeds")
}

/// Created, answered `processing`, then completed; listed and read in the developer shape;
/// its action items and memories are the user's.
async fn a_text_is_processed_into_a_conversation_its_items_and_memories<T: Transport>(
    ctx: &Ctx<T>,
) -> Value {
    let mut rec = Record::new();
    let created = rec.ok(
        "create: a message thread",
        ctx.dev
            .create_conversation(CreateConversationRequest {
                text_source: Some(ConversationTextSource::Message),
                ..CreateConversationRequest::from_text(MILK)
            })
            .await,
    );
    let done = ctx.completed_dev_conversation(&created.id).await;
    rec.note("get: completed, with its transcript", &done);
    rec.ok(
        "get: without its transcript",
        ctx.dev
            .get_conversation(&created.id, GetConversationQuery::default())
            .await,
    );
    rec.ok(
        "list: the default",
        ctx.dev
            .list_conversations(ListDevConversationsQuery::default())
            .await,
    );
    let category = done.structured.category;
    let other = if category == ConversationCategory::Sports {
        ConversationCategory::Music
    } else {
        ConversationCategory::Sports
    };
    let of = |categories: Vec<ConversationCategory>| ListDevConversationsQuery {
        categories,
        ..ListDevConversationsQuery::default()
    };
    let count = |list: Vec<omi_model::Conversation>| list.len();
    rec.note(
        "list: its own category",
        count(expect_ok(
            ctx.dev.list_conversations(of(vec![category])).await,
        )),
    );
    rec.note(
        "list: another category",
        count(expect_ok(ctx.dev.list_conversations(of(vec![other])).await)),
    );
    rec.note(
        "stream: with transcripts",
        T::dev_conversations_stream(
            &ctx.dev,
            ListDevConversationsQuery {
                limit: Some(1),
                include_transcript: Some(true),
                ..ListDevConversationsQuery::default()
            },
        )
        .await
        .expect("the stream"),
    );
    rec.ok(
        "action items of the conversation",
        ctx.dev
            .list_action_items(ListActionItemsQuery {
                conversation_id: Some(created.id.clone()),
                ..ListActionItemsQuery::default()
            })
            .await,
    );
    let memories = expect_ok(ctx.dev.list_memories(ListDevMemoriesQuery::default()).await);
    let of_it: Vec<&str> = memories
        .iter()
        .filter(|m| m.conversation_id.as_deref() == Some(created.id.as_str()))
        .map(|m| m.content.as_str())
        .collect();
    rec.note("memories of the conversation", of_it);
    rec.finish()
}

/// A transcript with speakers and times is stored as given and finishes after its span.
async fn segments_are_kept_as_given<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let mut user = TranscriptSegmentRequest::new("Hey, how are you doing?", 0.0, 2.5);
    user.is_user = Some(true);
    let mut other = TranscriptSegmentRequest::new(
        "Great, thanks! Can you send me the slides tomorrow?",
        2.8,
        12.0,
    );
    other.speaker = Some("SPEAKER_01".into());
    other.speaker_id = Some(1);
    let created = rec.ok(
        "create from segments",
        ctx.dev
            .create_conversation_from_segments(CreateConversationFromSegmentsRequest {
                source: Some(ConversationSource::Phone),
                started_at: Some("2024-05-01T09:00:00Z".parse().expect("a time")),
                ..CreateConversationFromSegmentsRequest::new(vec![user, other])
            })
            .await,
    );
    let done = ctx.completed_dev_conversation(&created.id).await;
    rec.note(
        "finished_at: started_at plus the span",
        done.finished_at.map(|t| t.to_rfc3339()),
    );
    rec.note("transcript", &done.transcript_segments);
    rec.note("source", done.source);
    rec.finish()
}

/// PATCH renames and discards (a discarded conversation leaves the list); DELETE removes.
async fn patch_and_delete<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let created = expect_ok(
        ctx.dev
            .create_conversation(CreateConversationRequest::from_text(MILK))
            .await,
    );
    ctx.completed_dev_conversation(&created.id).await;
    let patched = rec.ok(
        "patch: a title",
        ctx.dev
            .update_conversation(
                &created.id,
                UpdateConversationRequest {
                    title: Some(" Groceries ".into()),
                    ..UpdateConversationRequest::default()
                },
            )
            .await,
    );
    assert_eq!(patched.structured.title, "Groceries");
    rec.err(
        "patch: nothing",
        422,
        ctx.dev
            .update_conversation(&created.id, UpdateConversationRequest::default())
            .await,
    );
    rec.ok(
        "patch: discard",
        ctx.dev
            .update_conversation(
                &created.id,
                UpdateConversationRequest {
                    discarded: Some(true),
                    ..UpdateConversationRequest::default()
                },
            )
            .await,
    );
    rec.ok(
        "list: without the discarded one",
        ctx.dev
            .list_conversations(ListDevConversationsQuery::default())
            .await,
    );
    rec.ok("delete", ctx.dev.delete_conversation(&created.id).await);
    rec.err(
        "get: deleted",
        404,
        ctx.dev
            .get_conversation(&created.id, GetConversationQuery::default())
            .await,
    );
    rec.err(
        "delete: again",
        404,
        ctx.dev.delete_conversation(&created.id).await,
    );
    rec.finish()
}

/// Validation, another user's ids, and keys without the scopes.
async fn mistakes_other_users_and_scopes<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    rec.err(
        "create: blank text",
        422,
        ctx.dev
            .create_conversation(CreateConversationRequest::from_text("  "))
            .await,
    );
    rec.err(
        "create: 100 001 characters",
        422,
        ctx.dev
            .create_conversation(CreateConversationRequest::from_text("a".repeat(100_001)))
            .await,
    );
    rec.err(
        "create: finished before started",
        422,
        ctx.dev
            .create_conversation(CreateConversationRequest {
                started_at: Some("2024-03-10T15:00:00Z".parse().expect("a time")),
                finished_at: Some("2024-03-10T14:59:59Z".parse().expect("a time")),
                ..CreateConversationRequest::from_text(MILK)
            })
            .await,
    );
    rec.err(
        "from segments: none",
        422,
        ctx.dev
            .create_conversation_from_segments(CreateConversationFromSegmentsRequest::default())
            .await,
    );
    rec.err(
        "from segments: end before start",
        422,
        ctx.dev
            .create_conversation_from_segments(CreateConversationFromSegmentsRequest::new(vec![
                TranscriptSegmentRequest::new("Hello", 3.0, 1.0),
            ]))
            .await,
    );
    rec.err(
        "list: limit 0",
        422,
        ctx.dev
            .list_conversations(ListDevConversationsQuery {
                limit: Some(0),
                ..ListDevConversationsQuery::default()
            })
            .await,
    );
    let created = expect_ok(
        ctx.dev
            .create_conversation(CreateConversationRequest::from_text(MILK))
            .await,
    );
    let stranger = ctx.user("stranger", DevScope::ALL).await;
    rec.err(
        "another user's: get",
        404,
        stranger
            .get_conversation(&created.id, GetConversationQuery::default())
            .await,
    );
    rec.err(
        "another user's: patch",
        404,
        stranger
            .update_conversation(
                &created.id,
                UpdateConversationRequest {
                    title: Some("Mine".into()),
                    ..UpdateConversationRequest::default()
                },
            )
            .await,
    );
    rec.err(
        "another user's: delete",
        404,
        stranger.delete_conversation(&created.id).await,
    );
    rec.err(
        "an id no URL can carry",
        404,
        ctx.dev
            .get_conversation("..", GetConversationQuery::default())
            .await,
    );
    let reader = ctx.user("reader", &[DevScope::ConversationsRead]).await;
    rec.err(
        "conversations:read only: create",
        403,
        reader
            .create_conversation(CreateConversationRequest::from_text(MILK))
            .await,
    );
    let writer = ctx.user("writer", &[DevScope::ConversationsWrite]).await;
    rec.err(
        "conversations:write only: list",
        403,
        writer
            .list_conversations(ListDevConversationsQuery::default())
            .await,
    );
    rec.err(
        "no key: list",
        401,
        ctx.developer(None)
            .list_conversations(ListDevConversationsQuery::default())
            .await,
    );
    rec.finish()
}

/// A conversation's `structured.action_items` and its items in the action item list are one
/// thing seen twice: completing, renaming or deleting an item changes both.
async fn its_action_items_and_the_list_agree<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let created = expect_ok(
        ctx.dev
            .create_conversation(CreateConversationRequest::from_text(MILK))
            .await,
    );
    let done = ctx.completed_dev_conversation(&created.id).await;
    rec.note("conversation: as processed", &done.structured.action_items);
    let of_conversation = ListActionItemsQuery {
        conversation_id: Some(created.id.clone()),
        ..ListActionItemsQuery::default()
    };
    let items = rec.ok(
        "list: its items",
        ctx.dev.list_action_items(of_conversation.clone()).await,
    );
    let first = &items.first().expect("processing found an item").id;
    let change = UpdateActionItemRequest {
        description: Some("Pick up oat milk 🥛 (牛乳)".into()),
        completed: Some(true),
        due_at: None,
    };
    expect_ok(ctx.dev.update_action_item(first, change).await);
    let read = || {
        ctx.dev
            .get_conversation(&created.id, GetConversationQuery::default())
    };
    let after = expect_ok(read().await);
    rec.note(
        "conversation: after completing and renaming",
        &after.structured.action_items,
    );
    expect_ok(ctx.dev.delete_action_item(first).await);
    let after = expect_ok(read().await);
    rec.note(
        "conversation: after deleting",
        &after.structured.action_items,
    );
    rec.ok(
        "list: after deleting",
        ctx.dev.list_action_items(of_conversation).await,
    );
    rec.finish()
}

/// How long a contract waits for processing before it fails.
const PROCESSING_DEADLINE: Duration = Duration::from_secs(30);

/// A wait that reached an answer: the call's own error otherwise (a time-out fails the
/// contract, naming the conversation).
fn waited<E>(
    result: Result<omi_model::Conversation, WaitError<E>>,
) -> Result<omi_model::Conversation, E> {
    result.map_err(|e| match e {
        WaitError::Call(e) => e,
        WaitError::TimedOut {
            conversation_id,
            waited,
            last_status,
        } => panic!("{conversation_id} still {last_status:?} after {waited:?}"),
    })
}

/// `wait_until_processed` (the trait's one polling loop, on every transport) answers a new
/// conversation once completed, as `get` then shows it; an unknown id, another user's and a
/// key without `conversations:read` end the wait with that read's error.
async fn waiting_until_processed<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let created = expect_ok(
        ctx.dev
            .create_conversation(CreateConversationRequest::from_text(MILK))
            .await,
    );
    let done = rec.ok(
        "wait: a new conversation",
        waited(
            ctx.dev
                .wait_until_processed(&created.id, PROCESSING_DEADLINE)
                .await,
        ),
    );
    assert_eq!(done.status, Some(ConversationStatus::Completed));
    let read = expect_ok(
        ctx.dev
            .get_conversation(&created.id, GetConversationQuery::default())
            .await,
    );
    assert_eq!(done, read, "the wait answers what get answers");
    rec.ok(
        "wait: already processed, no timeout",
        waited(
            ctx.dev
                .wait_until_processed(&created.id, Duration::ZERO)
                .await,
        ),
    );
    rec.err(
        "wait: an unknown id",
        404,
        waited(
            ctx.dev
                .wait_until_processed("no-such-conversation", PROCESSING_DEADLINE)
                .await,
        ),
    );
    let stranger = ctx.user("stranger", DevScope::ALL).await;
    rec.err(
        "wait: another user's",
        404,
        waited(
            stranger
                .wait_until_processed(&created.id, PROCESSING_DEADLINE)
                .await,
        ),
    );
    let writer = ctx.user("writer", &[DevScope::ConversationsWrite]).await;
    rec.err(
        "wait: without conversations:read",
        403,
        waited(
            writer
                .wait_until_processed(&created.id, PROCESSING_DEADLINE)
                .await,
        ),
    );
    rec.finish()
}
