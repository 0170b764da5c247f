//! The import of an export (`POST /v1/dev/user/import`): the round trip into an empty
//! database gives the same bytes, a second import creates nothing, bad lines are reported by
//! number with their batch left out, and the key's scopes and other users' ids are kept.

use futures::TryStreamExt;
use omi_api::{
    CallError, DeveloperActionItems, DeveloperConversations, DeveloperExport, DeveloperGoals,
    DeveloperImport, DeveloperMemories, import_body,
};
use omi_model::{
    CreateActionItemRequest, CreateConversationRequest, CreateFolderRequest, CreateGoalRequest,
    CreateMemoryRequest, DevScope, ExportLine, GoalProgressQuery, IMPORT_BATCH_RECORDS,
    UpdateActionItemRequest, UpdateConversationRequest, UpdateMemoryRequest,
};
use serde_json::{Value, json};

use crate::common::{Ctx, Record, Transport, api_error, contracts};

contracts!(
    an_export_imported_into_an_empty_database_exports_the_same_bytes,
    bad_lines_are_reported_by_number_and_their_batch_is_left_out,
    the_key_and_other_users_records_are_respected,
    the_limits_of_a_user_hold
);

/// The bytes of an export by `dev`: each line as JSON and a newline, as the route sends it.
async fn export_bytes<D: DeveloperExport>(dev: &D) -> Vec<u8>
where
    D::Error: CallError,
{
    let lines: Vec<ExportLine> = dev
        .export()
        .await
        .map_err(|e| api_error(&e))
        .expect("an export")
        .try_collect()
        .await
        .map_err(|e| api_error(&e))
        .expect("the export's lines");
    let mut bytes = Vec::new();
    for line in lines {
        bytes.extend(serde_json::to_vec(&line).expect("a line serializes"));
        bytes.push(b'\n');
    }
    bytes
}

/// A write of the fill that failed.
fn fail<T>(e: impl std::fmt::Debug) -> T {
    panic!("a write of the fill failed: {e:?}")
}

/// One record of every kind, every field a user can set set, in Japanese and with emoji.
async fn fill<T: Transport>(ctx: &Ctx<T>) {
    let dev = &ctx.dev;
    let memory = dev
        .create_memory(CreateMemoryRequest {
            tags: Some(vec!["食べ物".into(), "tea 🍵".into()]),
            ..CreateMemoryRequest::new("User loves 抹茶 🍵")
        })
        .await
        .unwrap_or_else(|e| fail(api_error(&e)));
    dev.update_memory(
        &memory.id,
        UpdateMemoryRequest {
            content: Some("User loves 抹茶 and hōjicha 🍵".into()),
            ..UpdateMemoryRequest::default()
        },
    )
    .await
    .unwrap_or_else(|e| fail(api_error(&e)));
    let folder = ctx
        .server()
        .admin()
        .create_folder(&ctx.uid, &CreateFolderRequest::new("旅行 ✈️"))
        .await
        .unwrap_or_else(fail);
    let created = dev
        .create_conversation(CreateConversationRequest::from_text(
            "Me: 来週京都に行きます。 I need to book the ryokan by Friday.",
        ))
        .await
        .unwrap_or_else(|e| fail(api_error(&e)));
    ctx.completed_dev_conversation(&created.id).await;
    dev.update_conversation(
        &created.id,
        UpdateConversationRequest {
            starred: Some(true),
            folder_id: Some(Some(folder.id)),
            ..UpdateConversationRequest::default()
        },
    )
    .await
    .unwrap_or_else(|e| fail(api_error(&e)));
    let item = dev
        .create_action_item(CreateActionItemRequest::new("Buy 八ツ橋 for the team 🎁"))
        .await
        .unwrap_or_else(|e| fail(api_error(&e)));
    dev.update_action_item(
        &item.id,
        UpdateActionItemRequest {
            completed: Some(true),
            ..UpdateActionItemRequest::default()
        },
    )
    .await
    .unwrap_or_else(|e| fail(api_error(&e)));
    let goal = dev
        .create_goal(CreateGoalRequest::new("Read 20 books 📚"))
        .await
        .unwrap_or_else(|e| fail(api_error(&e)));
    dev.update_goal_progress(&goal.id, GoalProgressQuery::new(1.0))
        .await
        .unwrap_or_else(|e| fail(api_error(&e)));
}

/// Export, import into an empty database, export again: the same bytes; importing again
/// creates nothing.
async fn an_export_imported_into_an_empty_database_exports_the_same_bytes<T: Transport>(
    ctx: &Ctx<T>,
) -> Value {
    let mut rec = Record::new();
    fill(ctx).await;
    let exported = export_bytes(&ctx.dev).await;
    let target = ctx.another().await;
    let report = rec.ok(
        "import into an empty database",
        target.dev.import(import_body(exported.clone())).await,
    );
    assert!(report.completed, "the import completes: {report:?}");
    let again = export_bytes(&target.dev).await;
    assert_eq!(
        String::from_utf8_lossy(&again),
        String::from_utf8_lossy(&exported),
        "the export of the imported records is the same bytes"
    );
    rec.note("exports again byte for byte", again == exported);
    rec.ok(
        "the same import again",
        target.dev.import(import_body(exported.clone())).await,
    );
    let after = export_bytes(&target.dev).await;
    rec.note("a second import changes nothing", after == exported);
    rec.ok(
        "the export imported back into its own database",
        ctx.dev.import(import_body(exported)).await,
    );
    target.shutdown().await;
    rec.finish()
}

/// A memory line of id `id` and content `content`.
fn memory_line(id: &str, content: &str) -> String {
    json!({"type": "memory", "record": {
        "id": id, "content": content, "category": "interesting", "tags": ["🏷️"],
        "created_at": "2024-01-15T10:30:00Z", "updated_at": "2024-01-16T08:00:00Z",
        "manually_added": true, "reviewed": true, "user_review": true, "edited": false
    }})
    .to_string()
}

/// A version 1 header (the one that said when), read as well as version 2's.
const V1_HEADER: &str = r#"{"type":"header","format":"omi-export","version":1,"uid":"someone","exported_at":"2024-01-01T00:00:00Z","includes":["memories"]}"#;

/// A first batch of good lines is stored; a bad line keeps its batch (and every batch after
/// it) out; every bad line is reported by number, the first line being 1.
async fn bad_lines_are_reported_by_number_and_their_batch_is_left_out<T: Transport>(
    ctx: &Ctx<T>,
) -> Value {
    let mut rec = Record::new();
    let mut lines = vec![V1_HEADER.to_owned()];
    lines.extend(
        (0..IMPORT_BATCH_RECORDS)
            .map(|n| memory_line(&format!("good-{n:04}"), &format!("User fact {n} 日本 ✨"))),
    );
    lines.push(memory_line("late-good", "User fact after the first batch"));
    lines.push("{not json".to_owned());
    lines.push(memory_line("blank", "   "));
    lines.push(json!({"type": "end", "counts": {"memories": 1, "conversations": 0, "action_items": 0, "goals": 0}}).to_string());
    let text = lines.join("\n");
    let report = rec.ok(
        "an import with bad lines",
        ctx.dev.import(import_body(text)).await,
    );
    rec.note(
        "stored: the first batch, not the one with the bad lines",
        ctx.dev
            .get_memory("good-0499")
            .await
            .map(|m| {
                (
                    m.content,
                    m.tags,
                    m.reviewed,
                    m.user_review,
                    m.updated_at.is_some(),
                )
            })
            .map_err(|e| api_error(&e).status()),
    );
    rec.note(
        "not stored: a good line of the failed batch",
        ctx.dev
            .get_memory("late-good")
            .await
            .map(|m| m.id)
            .map_err(|e| api_error(&e).status()),
    );
    assert_eq!(report.applied_through_line, 1 + IMPORT_BATCH_RECORDS as u64);
    let not_an_export = rec.ok(
        "a file that is not an export",
        ctx.dev.import(import_body("{\"hello\": \"世界\"}\n")).await,
    );
    assert!(!not_an_export.completed);
    rec.ok("an empty file", ctx.dev.import(import_body("")).await);
    rec.ok(
        "a newer version",
        ctx.dev
            .import(import_body(
                r#"{"type":"header","format":"omi-export","version":99,"uid":"u","includes":[]}"#,
            ))
            .await,
    );
    rec.finish()
}

/// Without `memories:write` the import is refused; a kind whose write scope the key lacks is
/// a bad line; an id another user's record has is a bad line, and that record is untouched.
async fn the_key_and_other_users_records_are_respected<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let header = r#"{"type":"header","format":"omi-export","version":2,"uid":"x","includes":[]}"#;
    let reader = ctx.user(&ctx.uid, &[DevScope::MemoriesRead]).await;
    rec.err(
        "a key without memories:write",
        403,
        reader.import(import_body(header)).await,
    );
    let memories_only = ctx.user(&ctx.uid, &[DevScope::MemoriesWrite]).await;
    let item = json!({"type": "action_item", "record": {
        "id": "item-1", "description": "Call the plumber 🔧", "completed": false,
        "created_at": "2024-02-01T09:00:00Z"}});
    rec.ok(
        "an action item with memories:write alone",
        memories_only
            .import(import_body(format!("{header}\n{item}\n")))
            .await,
    );
    let theirs = ctx
        .dev
        .create_memory(CreateMemoryRequest::new("User's secret: 合言葉は山"))
        .await
        .map_err(|e| api_error(&e))
        .expect("a memory");
    let stranger = ctx
        .user(
            "import_stranger",
            &[DevScope::MemoriesWrite, DevScope::MemoriesRead],
        )
        .await;
    let taking = memory_line(&theirs.id, "Overwritten by a stranger");
    rec.ok(
        "another user's memory id",
        stranger
            .import(import_body(format!("{header}\n{taking}\n")))
            .await,
    );
    let kept = ctx
        .dev
        .get_memory(&theirs.id)
        .await
        .map_err(|e| api_error(&e))
        .expect("the memory is still there");
    rec.note("the owner's memory is untouched", kept.content);
    rec.finish()
}

/// An import keeps the limits a user has: at most 50 tags of at most 100 characters on a
/// memory, at most 1 000 folders (counting those the user has).
async fn the_limits_of_a_user_hold<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let header = r#"{"type":"header","format":"omi-export","version":2,"uid":"x","includes":[]}"#;
    let tags: Vec<String> = (0..51).map(|n| format!("タグ{n}")).collect();
    let tagged = json!({"type": "memory", "record": {
        "id": "tagged", "content": "User collects stamps 📮", "tags": tags,
        "created_at": "2024-01-15T10:30:00Z"}});
    rec.ok(
        "a memory with 51 tags",
        ctx.dev
            .import(import_body(format!("{header}\n{tagged}\n")))
            .await,
    );
    let mut lines = vec![header.to_owned()];
    lines.extend((0..1001).map(|n| {
        json!({"type": "folder", "record": {
            "id": format!("folder-{n:04}"), "name": format!("フォルダ {n}"), "color": "#6B7280",
            "icon": "📁", "created_at": "2024-01-15T10:30:00Z", "updated_at": "2024-01-15T10:30:00Z",
            "order": n}})
        .to_string()
    }));
    let report = rec.ok(
        "1 001 folders",
        ctx.dev.import(import_body(lines.join("\n"))).await,
    );
    assert_eq!(report.created.folders, 1000, "{report:?}");
    rec.finish()
}
