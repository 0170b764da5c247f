//! Conversation folders and stars: the folder list with its counts, moving and starring by
//! PATCH, the `folder_id` and `starred` filters, `folder_id` / `folder_name` on every
//! conversation, deleting a folder, mistakes, other users and scopes.

use omi_api::DeveloperConversations;
use omi_model::{
    CreateConversationRequest, CreateFolderRequest, DevScope, Folder, GetConversationQuery,
    ListDevConversationsQuery, UpdateConversationRequest,
};
use serde_json::{Value, json};

use crate::common::{Ctx, Record, Transport, api_error, contracts};

contracts!(folders_hold_conversations, moves_are_checked_and_scoped);

/// A folder made by the admin for the demo user.
async fn folder<T: Transport>(ctx: &Ctx<T>, request: CreateFolderRequest) -> Folder {
    ctx.server()
        .admin()
        .create_folder(&ctx.uid, &request)
        .await
        .expect("the admin makes a folder")
}

/// A completed conversation of the demo user, made through the Developer API.
async fn conversation<T: Transport>(ctx: &Ctx<T>, text: &str) -> String {
    let created = ctx
        .dev
        .create_conversation(CreateConversationRequest::from_text(text))
        .await
        .map_err(|e| api_error(&e))
        .expect("a conversation is made");
    ctx.completed_dev_conversation(&created.id).await;
    created.id
}

fn in_folder(id: &str) -> ListDevConversationsQuery {
    ListDevConversationsQuery {
        folder_id: Some(id.to_owned()),
        ..ListDevConversationsQuery::default()
    }
}

fn starred(value: bool) -> ListDevConversationsQuery {
    ListDevConversationsQuery {
        starred: Some(value),
        ..ListDevConversationsQuery::default()
    }
}

fn patch(body: Value) -> UpdateConversationRequest {
    serde_json::from_value(body).expect("a PATCH body")
}

/// Folders in their order with their counts; a conversation moved, starred, listed by folder
/// and by star, taken out, discarded (not counted) and left in none when its folder goes.
async fn folders_hold_conversations<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let dev = &ctx.dev;
    rec.ok("list: none yet", dev.list_folders().await);
    let work = folder(
        ctx,
        CreateFolderRequest {
            description: Some("Work meetings".into()),
            color: Some("#EF4444".into()),
            icon: Some("💼".into()),
            ..CreateFolderRequest::new("Work")
        },
    )
    .await;
    let japanese = folder(ctx, CreateFolderRequest::new("  旅行 ✈️ ")).await;
    rec.note(
        "admin: made, the second after the first",
        [&work, &japanese],
    );
    let meeting = conversation(ctx, "Me: Remember to send the budget to Anna by Friday.").await;
    let trip = conversation(
        ctx,
        "Me: I love Kyoto in autumn. We should book the ryokan.",
    )
    .await;
    rec.ok(
        "patch: into Work and starred",
        dev.update_conversation(
            &meeting,
            patch(json!({"folder_id": work.id, "starred": true})),
        )
        .await,
    );
    rec.ok(
        "patch: into 旅行",
        dev.update_conversation(&trip, patch(json!({"folder_id": japanese.id})))
            .await,
    );
    rec.ok("list: each holds one", dev.list_folders().await);
    rec.ok(
        "get: its folder's id and name",
        dev.get_conversation(&meeting, GetConversationQuery::default())
            .await,
    );
    let listed = rec.ok(
        "conversations: in Work",
        dev.list_conversations(in_folder(&work.id)).await,
    );
    assert_eq!(listed.len(), 1);
    let stars = rec.ok(
        "conversations: starred",
        dev.list_conversations(starred(true)).await,
    );
    assert_eq!(stars.len(), 1);
    rec.ok(
        "conversations: not starred",
        dev.list_conversations(starred(false)).await,
    );
    rec.ok(
        "conversations: in Work and not starred",
        dev.list_conversations(ListDevConversationsQuery {
            starred: Some(false),
            ..in_folder(&work.id)
        })
        .await,
    );
    rec.ok(
        "patch: out of its folder, star taken away",
        dev.update_conversation(
            &meeting,
            patch(json!({"folder_id": null, "starred": false})),
        )
        .await,
    );
    rec.ok(
        "patch: discarded, in its folder",
        dev.update_conversation(&trip, patch(json!({"discarded": true})))
            .await,
    );
    rec.ok(
        "list: a discarded conversation is not counted",
        dev.list_folders().await,
    );
    let deleted = ctx
        .server()
        .admin()
        .delete_folder(&ctx.uid, &japanese.id)
        .await
        .expect("the admin deletes a folder");
    rec.note("admin: delete", deleted.conversations_moved);
    rec.ok("list: one left", dev.list_folders().await);
    let trip_now = rec.ok(
        "get: in no folder once its folder is gone",
        dev.get_conversation(&trip, GetConversationQuery::default())
            .await,
    );
    assert_eq!(trip_now.folder_id, None);
    rec.finish()
}

/// A move into a folder that is not the caller's, empty ids, another user's conversation,
/// and the scopes of the folder list.
async fn moves_are_checked_and_scoped<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let dev = &ctx.dev;
    let mine = folder(ctx, CreateFolderRequest::new("Mine")).await;
    let talk = conversation(ctx, "Me: I play the cello every Sunday.").await;
    rec.err(
        "patch: a folder id no folder has",
        404,
        dev.update_conversation(&talk, patch(json!({"folder_id": "f-unknown"})))
            .await,
    );
    rec.err(
        "patch: an empty folder id",
        422,
        dev.update_conversation(&talk, patch(json!({"folder_id": ""})))
            .await,
    );
    rec.err(
        "list: an empty folder filter",
        422,
        dev.list_conversations(in_folder("")).await,
    );
    rec.err(
        "patch: nothing to change",
        422,
        dev.update_conversation(&talk, UpdateConversationRequest::default())
            .await,
    );
    let other = ctx
        .user(
            "folder_other",
            &[DevScope::ConversationsRead, DevScope::ConversationsWrite],
        )
        .await;
    rec.ok("another user: no folders", other.list_folders().await);
    rec.err(
        "another user: my conversation into my folder",
        404,
        other
            .update_conversation(&talk, patch(json!({"folder_id": mine.id})))
            .await,
    );
    let theirs = other
        .create_conversation(CreateConversationRequest::from_text("Me: I like tea."))
        .await
        .map_err(|e| api_error(&e))
        .expect("their conversation");
    rec.err(
        "another user: their conversation into my folder",
        404,
        other
            .update_conversation(&theirs.id, patch(json!({"folder_id": mine.id})))
            .await,
    );
    rec.ok(
        "another user: my folder filter finds nothing of theirs",
        other.list_conversations(in_folder(&mine.id)).await,
    );
    rec.ok(
        "mine: still empty",
        dev.list_folders().await.map(|folders| {
            folders
                .iter()
                .map(|f| f.conversation_count)
                .collect::<Vec<_>>()
        }),
    );
    let memories = ctx.user("folder_memories", &[DevScope::MemoriesRead]).await;
    rec.err(
        "memories:read cannot list folders",
        403,
        memories.list_folders().await,
    );
    let reader = ctx
        .user("folder_reader", &[DevScope::ConversationsRead])
        .await;
    rec.ok(
        "conversations:read lists folders",
        reader.list_folders().await,
    );
    rec.err(
        "conversations:read cannot move",
        403,
        reader
            .update_conversation(&talk, patch(json!({"folder_id": mine.id})))
            .await,
    );
    rec.finish()
}
