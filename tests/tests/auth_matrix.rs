//! Who may call what: every endpoint under every credential problem, in OMI's order of
//! checks (key present 401, key of this app 403, app enabled 403, capability 403 on the
//! integration routes; key known 401, scope 403 on the developer routes).

use omi_api::{
    DeveloperActionItems, DeveloperConversations, DeveloperMemories, IntegrationImports,
};
use omi_model::{
    BatchCreateActionItemsRequest, BatchCreateMemoriesRequest, Capability, CreateActionItemRequest,
    CreateConversationFromSegmentsRequest, CreateConversationRequest, CreateMemoriesRequest,
    CreateMemoryRequest, DevScope, ExplicitMemoryRequest, GetConversationQuery,
    ListActionItemsQuery, ListConversationsQuery, ListDevConversationsQuery, ListDevMemoriesQuery,
    ListMemoriesQuery, TranscriptSegmentRequest, UpdateActionItemRequest,
    UpdateConversationRequest, UpdateMemoryRequest, Visibility,
};
use serde_json::Value;

use crate::common::{Ctx, Record, Transport, contracts};

contracts!(
    integration_credentials,
    integration_enablement_and_capabilities,
    developer_credentials,
    developer_scopes,
);

/// A well-formed app key that no app has.
const UNKNOWN_APP_KEY: &str = "sk_00000000000000000000000000000000";
/// A well-formed developer key that no user has.
const UNKNOWN_DEV_KEY: &str = "omi_dev_00000000000000000000000000000000";

fn conversation() -> CreateConversationRequest {
    CreateConversationRequest::from_text("Me: I love hiking. Sarah: Remember to book the cabin.")
}

fn memories() -> CreateMemoriesRequest {
    CreateMemoriesRequest {
        memories: Some(vec![ExplicitMemoryRequest {
            content: "User prefers window seats when flying".into(),
            tags: None,
            ..ExplicitMemoryRequest::default()
        }]),
        ..CreateMemoriesRequest::default()
    }
}

/// Call all four integration routes for `uid` and record each outcome as `{label}: route`.
/// A read records only that it listed: what it lists depends on how far processing got.
async fn every_integration_route<I: IntegrationImports>(
    rec: &mut Record,
    label: &str,
    app: &I,
    uid: &str,
) {
    rec.call(
        &format!("{label}: create conversation"),
        app.create_conversation(uid, conversation()).await,
    );
    rec.call(
        &format!("{label}: create memories"),
        app.create_memories(uid, memories()).await,
    );
    rec.call(
        &format!("{label}: read conversations"),
        app.list_conversations(uid, ListConversationsQuery::default())
            .await
            .map(|_| "listed"),
    );
    rec.call(
        &format!("{label}: read memories"),
        app.list_memories(uid, ListMemoriesQuery::default())
            .await
            .map(|_| "listed"),
    );
}

/// Missing, unknown, malformed and other apps' keys; the key check comes before the app's.
async fn integration_credentials<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let (other_app, other_key) = ctx.server().app(Capability::ALL, &[ctx.uid.as_str()]).await;
    let revoked = ctx
        .server()
        .admin()
        .create_app_key(&ctx.app_id)
        .await
        .expect("key");
    ctx.server()
        .admin()
        .revoke_key(&revoked.id)
        .await
        .expect("revoke");
    let cases: Vec<(&str, T::Integration)> = vec![
        ("no key", ctx.integration(&ctx.app_id, None)),
        (
            "unknown key",
            ctx.integration(&ctx.app_id, Some(UNKNOWN_APP_KEY)),
        ),
        (
            "malformed key",
            ctx.integration(&ctx.app_id, Some("not-a-key")),
        ),
        (
            "the demo user's developer key",
            ctx.integration(&ctx.app_id, Some(&ctx.server().demo().dev_key)),
        ),
        (
            "another app's key",
            ctx.integration(&ctx.app_id, Some(&other_key)),
        ),
        (
            "a revoked key",
            ctx.integration(&ctx.app_id, Some(&revoked.key)),
        ),
        ("no key, unknown app", ctx.integration("no_such_app", None)),
        (
            "a valid key, unknown app in the path",
            ctx.integration("no_such_app", Some(&ctx.app_key)),
        ),
        (
            "the other app's key for the other app",
            ctx.integration(&other_app, Some(&other_key)),
        ),
        (
            "the demo key",
            ctx.integration(&ctx.app_id, Some(&ctx.app_key)),
        ),
    ];
    for (label, app) in &cases {
        every_integration_route(&mut rec, label, app, &ctx.uid).await;
    }
    rec.finish()
}

/// A valid key is not enough: the user must have enabled the app, and the app must have the
/// route's capability.
async fn integration_enablement_and_capabilities<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let admin = ctx.server().admin();
    admin.create_user(Some("stranger")).await.expect("user");
    admin.create_user(Some("leaver")).await.expect("user");
    admin
        .set_app_enabled("leaver", &ctx.app_id, true)
        .await
        .expect("enable");
    admin
        .set_app_enabled("leaver", &ctx.app_id, false)
        .await
        .expect("disable");
    every_integration_route(&mut rec, "user never enabled the app", &ctx.app, "stranger").await;
    every_integration_route(&mut rec, "user disabled the app", &ctx.app, "leaver").await;
    every_integration_route(&mut rec, "no such user", &ctx.app, "nobody").await;

    let (writer, writer_key) = ctx
        .server()
        .app(
            &[Capability::CreateConversation, Capability::CreateMemories],
            &[ctx.uid.as_str()],
        )
        .await;
    let writer = ctx.integration(&writer, Some(&writer_key));
    every_integration_route(&mut rec, "app that only creates", &writer, &ctx.uid).await;

    let (reader, reader_key) = ctx
        .server()
        .app(
            &[Capability::ReadConversations, Capability::ReadMemories],
            &[ctx.uid.as_str()],
        )
        .await;
    let reader = ctx.integration(&reader, Some(&reader_key));
    every_integration_route(&mut rec, "app that only reads", &reader, &ctx.uid).await;

    let (bare, bare_key) = ctx.server().app(&[], &[ctx.uid.as_str()]).await;
    let bare = ctx.integration(&bare, Some(&bare_key));
    every_integration_route(&mut rec, "app without capabilities", &bare, &ctx.uid).await;
    rec.finish()
}

/// Call all six developer routes and record each outcome as `{label}: route`. `id` names an
/// existing memory of the demo user.
async fn every_developer_route<D: DeveloperMemories>(
    rec: &mut Record,
    label: &str,
    dev: &D,
    id: &str,
) {
    rec.call(
        &format!("{label}: list"),
        dev.list_memories(ListDevMemoriesQuery::default())
            .await
            .map(|m| m.len()),
    );
    rec.call(
        &format!("{label}: get"),
        dev.get_memory(id).await.map(|m| m.content),
    );
    rec.call(
        &format!("{label}: create"),
        dev.create_memory(CreateMemoryRequest::new("User is vegetarian"))
            .await
            .map(|m| m.content),
    );
    rec.call(
        &format!("{label}: batch"),
        dev.create_memories_batch(BatchCreateMemoriesRequest {
            memories: vec![CreateMemoryRequest::new("User's dog is named Luna")],
        })
        .await
        .map(|b| b.created_count),
    );
    rec.call(
        &format!("{label}: patch"),
        dev.update_memory(
            id,
            UpdateMemoryRequest {
                visibility: Some(Visibility::Public),
                ..UpdateMemoryRequest::default()
            },
        )
        .await
        .map(|m| m.visibility),
    );
    rec.call(
        &format!("{label}: patch an unknown id"),
        dev.update_memory(
            "mem_xyz789",
            UpdateMemoryRequest {
                visibility: Some(Visibility::Public),
                ..UpdateMemoryRequest::default()
            },
        )
        .await
        .map(|m| m.visibility),
    );
    rec.call(
        &format!("{label}: delete an unknown id"),
        dev.delete_memory("mem_xyz789").await,
    );
}

/// Call every conversation and action item route and record each outcome as
/// `{label}: route`; the ids are unknown, so a call that passes the key and scope checks is
/// a 404 there. The conversations created state no fact about the user, so no memory
/// extracted later changes a memory list of these contracts. Lists record only that they
/// answered: how many conversations have finished
/// processing (and added their action items) by then is a matter of timing.
async fn every_conversation_and_action_item_route<
    D: DeveloperConversations + DeveloperActionItems,
>(
    rec: &mut Record,
    label: &str,
    dev: &D,
) {
    let unknown = "conv_xyz789";
    rec.call(
        &format!("{label}: list conversations"),
        dev.list_conversations(ListDevConversationsQuery::default())
            .await
            .map(|_| "listed"),
    );
    rec.call(
        &format!("{label}: get a conversation"),
        dev.get_conversation(unknown, GetConversationQuery::default())
            .await
            .map(|c| c.id),
    );
    rec.call(
        &format!("{label}: create a conversation"),
        dev.create_conversation(CreateConversationRequest::from_text(
            "Sarah: Remember to book the cabin.",
        ))
        .await
        .map(|c| c.status),
    );
    rec.call(
        &format!("{label}: create a conversation from segments"),
        dev.create_conversation_from_segments(CreateConversationFromSegmentsRequest::new(vec![
            TranscriptSegmentRequest::new("Hello there", 0.0, 1.5),
        ]))
        .await
        .map(|c| c.status),
    );
    rec.call(
        &format!("{label}: patch a conversation"),
        dev.update_conversation(
            unknown,
            UpdateConversationRequest {
                title: Some("Renamed".into()),
                ..UpdateConversationRequest::default()
            },
        )
        .await
        .map(|c| c.id),
    );
    rec.call(
        &format!("{label}: delete a conversation"),
        dev.delete_conversation(unknown).await,
    );
    rec.call(
        &format!("{label}: list action items"),
        dev.list_action_items(ListActionItemsQuery::default())
            .await
            .map(|_| "listed"),
    );
    rec.call(
        &format!("{label}: get an action item"),
        dev.get_action_item(unknown).await.map(|i| i.id),
    );
    rec.call(
        &format!("{label}: create an action item"),
        dev.create_action_item(CreateActionItemRequest::new("Book the cabin"))
            .await
            .map(|i| i.description),
    );
    rec.call(
        &format!("{label}: batch action items"),
        dev.create_action_items_batch(BatchCreateActionItemsRequest {
            action_items: vec![CreateActionItemRequest::new("Pack the car")],
        })
        .await
        .map(|b| b.created_count),
    );
    rec.call(
        &format!("{label}: complete an action item"),
        dev.update_action_item(unknown, UpdateActionItemRequest::completed(true))
            .await
            .map(|i| i.id),
    );
    rec.call(
        &format!("{label}: delete an action item"),
        dev.delete_action_item(unknown).await,
    );
}

/// Missing, unknown, malformed, revoked and app keys: 401 "Invalid API Key" everywhere.
async fn developer_credentials<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let memory = ctx
        .dev
        .create_memory(CreateMemoryRequest::new("User prefers dark mode"))
        .await
        .map_err(|e| crate::common::api_error(&e))
        .expect("create");
    let revoked = ctx
        .server()
        .admin()
        .create_dev_key(&ctx.uid, DevScope::ALL)
        .await
        .expect("key");
    ctx.server()
        .admin()
        .revoke_key(&revoked.id)
        .await
        .expect("revoke");
    let cases: Vec<(&str, T::Developer)> = vec![
        ("no key", ctx.developer(None)),
        ("unknown key", ctx.developer(Some(UNKNOWN_DEV_KEY))),
        ("malformed key", ctx.developer(Some("not-a-key"))),
        ("an app key", ctx.developer(Some(&ctx.app_key))),
        ("a revoked key", ctx.developer(Some(&revoked.key))),
    ];
    for (label, dev) in &cases {
        every_developer_route(&mut rec, label, dev, &memory.id).await;
        every_conversation_and_action_item_route(&mut rec, label, dev).await;
    }
    rec.finish()
}

/// Reads need `memories:read`, writes `memories:write` (and likewise `conversations:*` and
/// `action_items:*`); the scope is checked before the record is looked up.
async fn developer_scopes<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let memory = ctx
        .dev
        .create_memory(CreateMemoryRequest::new("User prefers dark mode"))
        .await
        .map_err(|e| crate::common::api_error(&e))
        .expect("create");
    let admin = ctx.server().admin();
    let key = |scopes: &'static [DevScope]| async move {
        admin
            .create_dev_key(&ctx.uid, scopes)
            .await
            .expect("key")
            .key
    };
    let cases = [
        ("memories:read only", key(&[DevScope::MemoriesRead]).await),
        ("memories:write only", key(&[DevScope::MemoriesWrite]).await),
        (
            "conversation and action item scopes only",
            key(&[
                DevScope::ConversationsRead,
                DevScope::ConversationsWrite,
                DevScope::ActionItemsRead,
                DevScope::ActionItemsWrite,
            ])
            .await,
        ),
        ("no scopes", key(&[]).await),
        (
            "conversations:read only",
            key(&[DevScope::ConversationsRead]).await,
        ),
        (
            "conversations:write only",
            key(&[DevScope::ConversationsWrite]).await,
        ),
        (
            "action_items:read only",
            key(&[DevScope::ActionItemsRead]).await,
        ),
        (
            "action_items:write only",
            key(&[DevScope::ActionItemsWrite]).await,
        ),
        (
            "memories:read and memories:write",
            key(&[DevScope::MemoriesRead, DevScope::MemoriesWrite]).await,
        ),
    ];
    for (label, key) in &cases {
        let dev = ctx.developer(Some(key));
        every_developer_route(&mut rec, label, &dev, &memory.id).await;
        every_conversation_and_action_item_route(&mut rec, label, &dev).await;
    }
    rec.finish()
}
