//! `GET /v2/integrations/{app_id}/tasks`: the user's action items as an app with `read_tasks`
//! reads them, with the cloud's due-date filters, its 400 for a date that does not read, and
//! absent fields left out.

use omi_api::{DeveloperActionItems, IntegrationImports};
use omi_model::{Capability, CreateActionItemRequest, ListTasksQuery, UpdateActionItemRequest};
use serde_json::Value;

use crate::common::{Ctx, Record, Transport, contracts};

contracts!(tasks_are_the_users_action_items_with_due_filters);

/// Three action items (two due, one done) read through the app: all, due within days,
/// open only, a page; a date that does not read; an app without `read_tasks`.
async fn tasks_are_the_users_action_items_with_due_filters<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let due = |description: &str, due_at: &str| CreateActionItemRequest {
        due_at: Some(due_at.parse().expect("a time")),
        ..CreateActionItemRequest::new(description)
    };
    let dev = &ctx.dev;
    let early = dev.create_action_item(due("請求書を送る 📄", "2026-12-05T10:00:00Z"));
    early.await.expect("an action item");
    let late = dev.create_action_item(due("Book the cabin", "2026-12-20T18:30:00+09:00"));
    late.await.expect("an action item");
    let done = dev
        .create_action_item(CreateActionItemRequest::new("Water the plants"))
        .await
        .expect("an action item");
    dev.update_action_item(&done.id, UpdateActionItemRequest::completed(true))
        .await
        .expect("completed");

    let app = &ctx.app;
    let all = rec.ok(
        "every task, newest first",
        app.list_tasks(&ctx.uid, ListTasksQuery::default()).await,
    );
    assert_eq!(all.tasks.len(), 3);
    let december = ListTasksQuery {
        due_start_date: Some("2026-12-01".into()),
        due_end_date: Some("2026-12-10".into()),
        ..ListTasksQuery::default()
    };
    rec.ok(
        "due 2026-12-01 to 2026-12-10 (whole days)",
        app.list_tasks(&ctx.uid, december).await,
    );
    let from_the_20th = ListTasksQuery {
        due_start_date: Some("2026-12-20T09:00:00".into()),
        ..ListTasksQuery::default()
    };
    rec.ok(
        "due from 2026-12-20T09:00 (no offset: UTC)",
        app.list_tasks(&ctx.uid, from_the_20th).await,
    );
    let open = ListTasksQuery {
        completed: Some(false),
        ..ListTasksQuery::default()
    };
    rec.ok("open only", app.list_tasks(&ctx.uid, open).await);
    let page = ListTasksQuery {
        limit: Some(1),
        offset: Some(1),
        ..ListTasksQuery::default()
    };
    rec.ok("limit 1, offset 1", app.list_tasks(&ctx.uid, page).await);
    let unreadable = ListTasksQuery {
        due_start_date: Some("next week".into()),
        ..ListTasksQuery::default()
    };
    rec.err(
        "a due date that does not read: 400",
        400,
        app.list_tasks(&ctx.uid, unreadable).await,
    );
    let zero = ListTasksQuery {
        limit: Some(0),
        ..ListTasksQuery::default()
    };
    rec.err("limit 0: 422", 422, app.list_tasks(&ctx.uid, zero).await);
    let (app_id, key) = ctx
        .server()
        .app(&[Capability::ReadMemories], &[ctx.uid.as_str()])
        .await;
    let without = ctx.integration(&app_id, Some(&key));
    rec.err(
        "an app without read_tasks: 403",
        403,
        without
            .list_tasks(&ctx.uid, ListTasksQuery::default())
            .await,
    );
    rec.finish()
}
