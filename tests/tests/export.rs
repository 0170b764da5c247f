//! The export of a user's records (`GET /v1/dev/user/export`): its lines in order, what the
//! key's scopes include, a large export read in pages, and the refusals.

use futures::TryStreamExt;
use omi_api::{
    CallError, DeveloperActionItems, DeveloperExport, DeveloperGoals, DeveloperMemories,
};
use omi_model::{
    BatchCreateMemoriesRequest, CreateActionItemRequest, CreateConversationRequest,
    CreateGoalRequest, CreateMemoryRequest, DevScope, ExportLine,
};
use serde_json::{Value, json};

use crate::common::{Ctx, Record, Transport, api_error, contracts, to_json};

contracts!(
    every_record_comes_once_in_order,
    the_scopes_choose_what_comes,
    a_large_export_is_read_in_pages
);

/// Every line of an export by the key `dev`, or the call's refusal.
async fn export_of<D: DeveloperExport>(dev: &D) -> Result<Vec<ExportLine>, D::Error>
where
    D::Error: CallError,
{
    dev.export().await?.try_collect().await
}

/// The lines' kinds in order, each with the record's text (its content, title or
/// description) when it has one: the compact view of an export.
fn outline(lines: &[ExportLine]) -> Vec<Value> {
    lines
        .iter()
        .map(|line| match line {
            ExportLine::Header { includes, .. } => json!(["header", includes]),
            ExportLine::Memory { record } => json!(["memory", record.content]),
            ExportLine::Conversation { record } => json!(["conversation", record.text]),
            ExportLine::ActionItem { record } => json!(["action_item", record.description]),
            ExportLine::Folder { record } => json!(["folder", record.name]),
            ExportLine::Goal { record, history } => json!(["goal", record.title, history.len()]),
            ExportLine::End { counts } => json!(["end", counts]),
        })
        .collect()
}

/// One record of each kind, Japanese and emoji among them: a header, the records kind by
/// kind oldest first, whole, and the end line with the counts.
async fn every_record_comes_once_in_order<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let dev = &ctx.dev;
    let memory = rec.ok(
        "memory",
        dev.create_memory(CreateMemoryRequest::new("User loves 抹茶 🍵"))
            .await,
    );
    rec.ok(
        "second memory",
        dev.create_memory(CreateMemoryRequest::new("User plays the cello"))
            .await,
    );
    let created = rec.ok(
        "conversation",
        omi_api::DeveloperConversations::create_conversation(
            dev,
            CreateConversationRequest::from_text("Me: 来週京都に行きます。 I love autumn."),
        )
        .await,
    );
    ctx.completed_dev_conversation(&created.id).await;
    rec.ok(
        "action item",
        dev.create_action_item(CreateActionItemRequest::new("Book the ryokan 🏯"))
            .await,
    );
    rec.ok(
        "goal",
        dev.create_goal(CreateGoalRequest::new("Read 20 books 📚"))
            .await,
    );
    let lines = rec.ok("export", export_of(dev).await);
    rec.note("outline", outline(&lines));
    let exported = lines.iter().find_map(|line| match line {
        ExportLine::Memory { record } if record.id == memory.id => Some(record.as_ref()),
        _ => None,
    });
    assert_eq!(exported, Some(&memory), "a memory is exported whole");
    let header = to_json(&lines[0]);
    rec.note(
        "header: format and version",
        (&header["format"], &header["version"]),
    );
    rec.finish()
}

/// A key with memories:read alone exports memories alone; without it the export is refused;
/// another user's records never come.
async fn the_scopes_choose_what_comes<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    ctx.dev
        .create_memory(CreateMemoryRequest::new("User keeps bees"))
        .await
        .map_err(|e| api_error(&e))
        .expect("a memory");
    ctx.dev
        .create_action_item(CreateActionItemRequest::new("Buy a smoker"))
        .await
        .map_err(|e| api_error(&e))
        .expect("an action item");
    let memories_only = ctx.user(&ctx.uid, &[DevScope::MemoriesRead]).await;
    let lines = rec.ok("memories:read alone", export_of(&memories_only).await);
    rec.note("memories:read alone: outline", outline(&lines));
    let items_only = ctx.user(&ctx.uid, &[DevScope::ActionItemsRead]).await;
    rec.err(
        "action_items:read without memories:read",
        403,
        export_of(&items_only).await,
    );
    let stranger = ctx
        .user(
            "export_stranger",
            &[DevScope::MemoriesRead, DevScope::ActionItemsRead],
        )
        .await;
    let theirs = rec.ok("another user", export_of(&stranger).await);
    rec.note("another user: outline", outline(&theirs));
    rec.finish()
}

/// More memories than one page of the store: each comes once, oldest first.
async fn a_large_export_is_read_in_pages<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    for batch in 0..50 {
        let memories = (0..25)
            .map(|n| CreateMemoryRequest::new(format!("User fact {batch}-{n} ✨")))
            .collect();
        ctx.dev
            .create_memories_batch(BatchCreateMemoriesRequest { memories })
            .await
            .map_err(|e| api_error(&e))
            .expect("a batch");
    }
    let lines = export_of(&ctx.dev)
        .await
        .map_err(|e| api_error(&e))
        .expect("the export");
    let mut ids: Vec<&str> = lines
        .iter()
        .filter_map(|line| match line {
            ExportLine::Memory { record } => Some(record.id.as_str()),
            _ => None,
        })
        .collect();
    let exported = ids.len();
    ids.sort_unstable();
    ids.dedup();
    rec.note("memories exported, each once", (exported, ids.len()));
    rec.note("last line", outline(&lines[lines.len() - 1..]));
    rec.finish()
}
