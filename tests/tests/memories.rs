//! The Developer API's memories: create, batch, get, list, patch, delete; duplicates,
//! all-or-nothing batches, and other users' memories.

use omi_api::{ApiError, DeveloperMemories, IntegrationImports, messages};
use omi_model::{
    BatchCreateMemoriesRequest, CreateMemoriesRequest, CreateMemoryRequest, DevScope,
    ExplicitMemoryRequest, ListDevMemoriesQuery, MemoryCategory, UpdateMemoryRequest, Visibility,
};
use serde_json::Value;

use crate::common::{Ctx, Record, Transport, by_content, contents, contracts};

contracts!(
    create_get_and_list,
    batch_creates_every_item,
    batch_is_all_or_nothing,
    duplicate_content_is_one_memory,
    patch_changes_only_what_is_given,
    delete_is_permanent,
    another_users_memory_is_not_found,
    patch_onto_existing_content_conflicts,
    cloud_categories_work_on_every_route,
);

fn list(limit: Option<i64>, categories: &[MemoryCategory]) -> ListDevMemoriesQuery {
    ListDevMemoriesQuery {
        limit,
        offset: None,
        categories: categories.to_vec(),
    }
}

/// A create answers the memory with the spec's defaults; get and list return it as stored.
async fn create_get_and_list<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let spec_example = rec.ok(
        "create: the spec's example",
        ctx.dev
            .create_memory(CreateMemoryRequest {
                content: "User prefers dark mode in all applications".into(),
                category: Some(MemoryCategory::System),
                visibility: None,
                tags: Some(vec!["preferences".into(), "ui".into()]),
            })
            .await,
    );
    assert_eq!(spec_example.visibility, Some(Visibility::Private));
    assert_eq!(spec_example.manually_added, Some(true));
    assert_eq!(spec_example.updated_at, Some(spec_example.created_at));
    let content_only = rec.ok(
        "create: content only, trimmed, category chosen by content",
        ctx.dev
            .create_memory(CreateMemoryRequest::new(
                "  User climbed Mount Kilimanjaro  ",
            ))
            .await,
    );
    rec.ok(
        "create: public, manual",
        ctx.dev
            .create_memory(CreateMemoryRequest {
                content: "User's sister Sarah lives in Portland".into(),
                category: Some(MemoryCategory::Manual),
                visibility: Some(Visibility::Public),
                tags: Some(vec![]),
            })
            .await,
    );
    rec.ok(
        "get: the content-only memory",
        ctx.dev.get_memory(&content_only.id).await,
    );
    rec.err(
        "get: an unknown id",
        404,
        ctx.dev.get_memory("mem_xyz789").await,
    );
    rec.ok(
        "list: default query (score, then newest first)",
        ctx.dev.list_memories(ListDevMemoriesQuery::default()).await,
    );
    let interesting = rec.ok(
        "list: categories interesting",
        ctx.dev
            .list_memories(list(Some(50), &[MemoryCategory::Interesting]))
            .await,
    );
    let several = rec.ok(
        "list: categories system and manual",
        ctx.dev
            .list_memories(list(
                None,
                &[MemoryCategory::System, MemoryCategory::Manual],
            ))
            .await,
    );
    rec.note("list: interesting contents", contents(&interesting));
    rec.note("list: system and manual contents", contents(&several));
    rec.finish()
}

/// The spec's batch example: every item created, in request order, and counted.
async fn batch_creates_every_item<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let batch = rec.ok(
        "batch: the spec's example",
        ctx.dev
            .create_memories_batch(BatchCreateMemoriesRequest {
                memories: vec![
                    CreateMemoryRequest {
                        category: Some(MemoryCategory::System),
                        ..CreateMemoryRequest::new("User prefers async communication over meetings")
                    },
                    CreateMemoryRequest {
                        category: Some(MemoryCategory::Interesting),
                        ..CreateMemoryRequest::new("User speaks fluent Japanese and French")
                    },
                ],
            })
            .await,
    );
    assert_eq!(batch.created_count, 2);
    assert_eq!(
        contents(&batch.memories),
        [
            "User prefers async communication over meetings",
            "User speaks fluent Japanese and French"
        ]
    );
    let listed = ctx
        .dev
        .list_memories(ListDevMemoriesQuery::default())
        .await
        .map_err(|e| crate::common::api_error(&e))
        .expect("list");
    rec.note("list: contents after the batch", contents(&listed));
    rec.ok(
        "batch: empty",
        ctx.dev
            .create_memories_batch(BatchCreateMemoriesRequest { memories: vec![] })
            .await,
    );
    rec.finish()
}

/// A batch with one invalid item creates nothing, and says which item is wrong.
async fn batch_is_all_or_nothing<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    rec.err(
        "batch: the second of three items is empty",
        422,
        ctx.dev
            .create_memories_batch(BatchCreateMemoriesRequest {
                memories: vec![
                    CreateMemoryRequest::new("User is vegetarian"),
                    CreateMemoryRequest::new(""),
                    CreateMemoryRequest::new("User's dog is named Luna"),
                ],
            })
            .await,
    );
    rec.err(
        "batch: the last item has a blank tag",
        422,
        ctx.dev
            .create_memories_batch(BatchCreateMemoriesRequest {
                memories: vec![
                    CreateMemoryRequest::new("User is vegetarian"),
                    CreateMemoryRequest {
                        tags: Some(vec!["ok".into(), " ".into()]),
                        ..CreateMemoryRequest::new("User works at Acme Corp as lead engineer")
                    },
                ],
            })
            .await,
    );
    rec.ok(
        "list: nothing was created",
        ctx.dev.list_memories(ListDevMemoriesQuery::default()).await,
    );
    rec.finish()
}

/// The same content (up to case, spacing and final punctuation) gives back the memory that
/// has it, from any route; the list holds it once.
async fn duplicate_content_is_one_memory<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let first = rec.ok(
        "create: first",
        ctx.dev
            .create_memory(CreateMemoryRequest::new("User likes green tea"))
            .await,
    );
    let second = rec.ok(
        "create: the same content again",
        ctx.dev
            .create_memory(CreateMemoryRequest::new("User likes green tea"))
            .await,
    );
    assert_eq!(first.id, second.id);
    let third = rec.ok(
        "create: other case, spacing and a full stop",
        ctx.dev
            .create_memory(CreateMemoryRequest {
                category: Some(MemoryCategory::Interesting),
                ..CreateMemoryRequest::new("  user LIKES   green tea. ")
            })
            .await,
    );
    assert_eq!(first.id, third.id);
    let batch = rec.ok(
        "batch: the duplicate and a new one",
        ctx.dev
            .create_memories_batch(BatchCreateMemoriesRequest {
                memories: vec![
                    CreateMemoryRequest::new("User likes green tea"),
                    CreateMemoryRequest::new("User dislikes coffee"),
                ],
            })
            .await,
    );
    assert_eq!(batch.memories[0].id, first.id);
    rec.ok(
        "integration import: the duplicate as an explicit memory",
        ctx.app
            .create_memories(
                &ctx.uid,
                CreateMemoriesRequest {
                    memories: Some(vec![ExplicitMemoryRequest {
                        content: "User likes green tea".into(),
                        tags: Some(vec!["drinks".into()]),
                        ..ExplicitMemoryRequest::default()
                    }]),
                    ..CreateMemoriesRequest::default()
                },
            )
            .await,
    );
    let listed = rec.ok(
        "list: each content once",
        ctx.dev.list_memories(ListDevMemoriesQuery::default()).await,
    );
    assert_eq!(listed.len(), 2);
    rec.finish()
}

/// PATCH changes the given fields only; a content change marks the memory edited and moves
/// `updated_at`; a category change moves the score.
async fn patch_changes_only_what_is_given<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let created = rec.ok(
        "create",
        ctx.dev
            .create_memory(CreateMemoryRequest {
                category: Some(MemoryCategory::System),
                tags: Some(vec!["preferences".into(), "ui".into()]),
                ..CreateMemoryRequest::new("User prefers dark mode in all applications")
            })
            .await,
    );
    assert_eq!(created.edited, Some(false));
    let edited = rec.ok(
        "patch: the spec's example (content and visibility)",
        ctx.dev
            .update_memory(
                &created.id,
                UpdateMemoryRequest {
                    content: Some("User strongly prefers dark mode in all applications".into()),
                    visibility: Some(Visibility::Private),
                    ..UpdateMemoryRequest::default()
                },
            )
            .await,
    );
    assert_eq!(edited.id, created.id);
    assert_eq!(edited.edited, Some(true));
    assert_eq!(edited.created_at, created.created_at);
    let (before, after) = (
        created.updated_at.expect("updated_at"),
        edited.updated_at.expect("updated_at"),
    );
    assert!(after > before, "updated_at moved: {before} -> {after}");
    let visibility = rec.ok(
        "patch: visibility only",
        ctx.dev
            .update_memory(
                &created.id,
                UpdateMemoryRequest {
                    visibility: Some(Visibility::Public),
                    ..UpdateMemoryRequest::default()
                },
            )
            .await,
    );
    assert_eq!(visibility.content, edited.content);
    assert!(visibility.updated_at >= edited.updated_at);
    rec.ok(
        "patch: tags and category (the score follows the category)",
        ctx.dev
            .update_memory(
                &created.id,
                UpdateMemoryRequest {
                    tags: Some(vec!["ui".into()]),
                    category: Some(MemoryCategory::Interesting),
                    ..UpdateMemoryRequest::default()
                },
            )
            .await,
    );
    rec.ok("get: as patched", ctx.dev.get_memory(&created.id).await);
    rec.err(
        "patch: an unknown id",
        404,
        ctx.dev
            .update_memory(
                "mem_xyz789",
                UpdateMemoryRequest {
                    visibility: Some(Visibility::Public),
                    ..UpdateMemoryRequest::default()
                },
            )
            .await,
    );
    rec.finish()
}

/// DELETE answers `{"success": true}`; the memory is gone for every route afterwards.
async fn delete_is_permanent<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let kept = rec.ok(
        "create: kept",
        ctx.dev
            .create_memory(CreateMemoryRequest::new("User is vegetarian"))
            .await,
    );
    let doomed = rec.ok(
        "create: to delete",
        ctx.dev
            .create_memory(CreateMemoryRequest::new("User's dog is named Luna"))
            .await,
    );
    rec.ok("delete", ctx.dev.delete_memory(&doomed.id).await);
    rec.err("get: deleted", 404, ctx.dev.get_memory(&doomed.id).await);
    rec.err(
        "delete: again",
        404,
        ctx.dev.delete_memory(&doomed.id).await,
    );
    rec.err(
        "patch: deleted",
        404,
        ctx.dev
            .update_memory(
                &doomed.id,
                UpdateMemoryRequest {
                    content: Some("User's dog is named Max".into()),
                    ..UpdateMemoryRequest::default()
                },
            )
            .await,
    );
    let listed = rec.ok(
        "list: only the kept one",
        ctx.dev.list_memories(ListDevMemoriesQuery::default()).await,
    );
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, kept.id);
    rec.ok(
        "create: the deleted content again makes a new memory",
        ctx.dev
            .create_memory(CreateMemoryRequest::new("User's dog is named Luna"))
            .await,
    );
    rec.finish()
}

/// Another user's memory id is answered as if it did not exist, and is left untouched.
async fn another_users_memory_is_not_found<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let other = ctx.user("other_user", DevScope::ALL).await;
    let theirs = rec.ok(
        "other user: create",
        other
            .create_memory(CreateMemoryRequest::new("User collects vintage cameras"))
            .await,
    );
    rec.err("get", 404, ctx.dev.get_memory(&theirs.id).await);
    rec.err(
        "patch",
        404,
        ctx.dev
            .update_memory(
                &theirs.id,
                UpdateMemoryRequest {
                    content: Some("hijacked".into()),
                    ..UpdateMemoryRequest::default()
                },
            )
            .await,
    );
    rec.err("delete", 404, ctx.dev.delete_memory(&theirs.id).await);
    rec.ok(
        "list: the demo user sees none",
        ctx.dev.list_memories(ListDevMemoriesQuery::default()).await,
    );
    let mine = rec.ok(
        "create: the same content for the demo user is a memory of its own",
        ctx.dev
            .create_memory(CreateMemoryRequest::new("User collects vintage cameras"))
            .await,
    );
    assert_ne!(mine.id, theirs.id);
    rec.ok(
        "other user: get, unchanged",
        other.get_memory(&theirs.id).await,
    );
    rec.finish()
}

/// Editing a memory's content into another memory's content would make a duplicate: refused
/// with 409 and `messages::MEMORY_CONTENT_EXISTS` (the documented answer, unlike a create with
/// that content, which answers the existing memory), and neither memory changes.
async fn patch_onto_existing_content_conflicts<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    rec.ok(
        "create: tea",
        ctx.dev
            .create_memory(CreateMemoryRequest::new("User likes tea"))
            .await,
    );
    let coffee = rec.ok(
        "create: coffee",
        ctx.dev
            .create_memory(CreateMemoryRequest::new("User likes coffee"))
            .await,
    );
    let refused = rec.err(
        "patch: coffee's content to tea's",
        409,
        ctx.dev
            .update_memory(
                &coffee.id,
                UpdateMemoryRequest {
                    content: Some("User likes tea".into()),
                    ..UpdateMemoryRequest::default()
                },
            )
            .await,
    );
    assert_eq!(
        refused,
        ApiError::message(409, messages::MEMORY_CONTENT_EXISTS),
        "the documented answer, without Retry-After (retrying cannot help)"
    );
    let unchanged = ctx
        .dev
        .get_memory(&coffee.id)
        .await
        .map_err(|e| crate::common::api_error(&e))
        .expect("coffee is still there");
    assert_eq!(unchanged, coffee, "a refused PATCH changes nothing");
    let listed = ctx
        .dev
        .list_memories(ListDevMemoriesQuery::default())
        .await
        .map_err(|e| crate::common::api_error(&e))
        .expect("list");
    rec.note("list: contents", contents(&by_content(listed)));
    rec.finish()
}

/// OMI's cloud's current categories (what its command-line client offers) are taken on
/// create, batch, PATCH and the list filter, each scored as the cloud scores it.
async fn cloud_categories_work_on_every_route<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let hobby = rec.ok(
        "create: --category hobbies",
        ctx.dev
            .create_memory(CreateMemoryRequest {
                category: Some(MemoryCategory::Hobbies),
                ..CreateMemoryRequest::new("User plays the shamisen on weekends")
            })
            .await,
    );
    assert_eq!(hobby.category, Some(MemoryCategory::Hobbies));
    assert!(
        hobby
            .scoring
            .as_deref()
            .is_some_and(|s| s.starts_with("01_998_"))
    );
    let batch = rec.ok(
        "batch: work and core",
        ctx.dev
            .create_memories_batch(BatchCreateMemoriesRequest {
                memories: vec![
                    CreateMemoryRequest {
                        category: Some(MemoryCategory::Work),
                        ..CreateMemoryRequest::new("User leads the billing team")
                    },
                    CreateMemoryRequest {
                        category: Some(MemoryCategory::Core),
                        ..CreateMemoryRequest::new("User values honesty above all")
                    },
                ],
            })
            .await,
    );
    assert_eq!(batch.created_count, 2);
    let learned = rec.ok(
        "patch: to learnings",
        ctx.dev
            .update_memory(
                &hobby.id,
                UpdateMemoryRequest {
                    category: Some(MemoryCategory::Learnings),
                    ..UpdateMemoryRequest::default()
                },
            )
            .await,
    );
    assert!(
        learned
            .scoring
            .as_deref()
            .is_some_and(|s| s.starts_with("01_00_"))
    );
    let work = rec.ok(
        "list: categories=work,learnings",
        ctx.dev
            .list_memories(list(
                None,
                &[MemoryCategory::Work, MemoryCategory::Learnings],
            ))
            .await,
    );
    let mut found: Vec<&str> = contents(&work);
    found.sort_unstable();
    assert_eq!(
        found,
        [
            "User leads the billing team",
            "User plays the shamisen on weekends"
        ]
    );
    rec.finish()
}
