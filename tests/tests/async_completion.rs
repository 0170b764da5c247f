//! Creation answers once the request is durably stored; processing runs afterwards and ends
//! `completed`, with the memories it found visible on both APIs.

use omi_api::{DeveloperMemories, IntegrationImports};
use omi_model::{
    ConversationStatus, CreateConversationRequest, ListConversationsQuery, ListDevMemoriesQuery,
};
use serde_json::Value;

use crate::common::{Ctx, Record, Transport, api_error, contracts};

contracts!(a_conversation_completes_and_yields_memories);

/// "I love hiking." becomes a completed conversation and the memory "User loves hiking",
/// linked to the conversation and the app.
async fn a_conversation_completes_and_yields_memories<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    rec.ok(
        "create",
        ctx.app
            .create_conversation(
                &ctx.uid,
                CreateConversationRequest::from_text(
                    "Me: I love hiking. Sarah: Remember to book the cabin.",
                ),
            )
            .await,
    );
    let done = ctx.completed_conversations(&ctx.uid, 1).await;
    let conversation = &done[0];
    assert_eq!(conversation.status, Some(ConversationStatus::Completed));
    rec.ok(
        "list: completed",
        ctx.app
            .list_conversations(
                &ctx.uid,
                ListConversationsQuery {
                    statuses: vec![ConversationStatus::Completed],
                    ..ListConversationsQuery::default()
                },
            )
            .await,
    );
    rec.ok(
        "list: still processing (none)",
        ctx.app
            .list_conversations(
                &ctx.uid,
                ListConversationsQuery {
                    statuses: vec![ConversationStatus::Processing],
                    ..ListConversationsQuery::default()
                },
            )
            .await,
    );
    // The memories are stored in the transaction that completes the conversation.
    let memories = rec.ok(
        "dev list: the memory found",
        ctx.dev.list_memories(ListDevMemoriesQuery::default()).await,
    );
    assert!(
        memories.iter().any(|m| m.content == "User loves hiking"),
        "{memories:#?}"
    );
    for m in &memories {
        assert_eq!(m.conversation_id.as_deref(), Some(conversation.id.as_str()));
        assert_eq!(m.app_id.as_deref(), Some(ctx.app_id.as_str()));
    }
    let listed = ctx
        .app
        .list_memories(&ctx.uid, omi_model::ListMemoriesQuery::default())
        .await
        .map_err(|e| api_error(&e))
        .expect("list");
    assert_eq!(
        listed.memories, memories,
        "both APIs show the same memories"
    );
    rec.finish()
}
