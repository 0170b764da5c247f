//! Who may call what: every endpoint under every credential problem, in OMI's order of
//! checks (key present 401, key of this app 403, app enabled 403, capability 403 on the
//! integration routes; key known 401, scope 403 on the developer routes).

use omi_api::{DeveloperMemories, IntegrationImports};
use omi_model::{
    BatchCreateMemoriesRequest, Capability, CreateConversationRequest, CreateMemoriesRequest,
    CreateMemoryRequest, DevScope, ExplicitMemoryRequest, ListConversationsQuery,
    ListDevMemoriesQuery, ListMemoriesQuery, UpdateMemoryRequest, Visibility,
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
    }
    rec.finish()
}

/// Reads need `memories:read`, writes `memories:write`; the scope is checked before the
/// memory is looked up.
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
            "memories:read and memories:write",
            key(&[DevScope::MemoriesRead, DevScope::MemoriesWrite]).await,
        ),
    ];
    for (label, key) in &cases {
        every_developer_route(&mut rec, label, &ctx.developer(Some(key)), &memory.id).await;
    }
    rec.finish()
}
