//! Integration memories: explicit memories stored as given, text extracted afterwards, and
//! the read route.

use omi_api::IntegrationImports;
use omi_model::{
    CreateMemoriesRequest, ExplicitMemoryRequest, ListMemoriesQuery, MemoryTextSource,
};
use serde_json::Value;

use crate::common::{Ctx, Record, Transport, by_content, contracts};

contracts!(
    explicit_memories_are_stored_as_given,
    text_is_extracted_after_the_answer
);

/// The spec's explicit memories: `{}`, then readable at once with their tags, as system
/// memories not manually added, attributed to the app.
async fn explicit_memories_are_stored_as_given<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let explicit = |content: &str, tags: &[&str]| ExplicitMemoryRequest {
        content: content.into(),
        tags: Some(tags.iter().map(|t| (*t).to_owned()).collect()),
        ..ExplicitMemoryRequest::default()
    };
    rec.ok(
        "create: the spec's explicit memories",
        ctx.app
            .create_memories(
                &ctx.uid,
                CreateMemoriesRequest {
                    text: None,
                    text_source: Some(MemoryTextSource::Other),
                    text_source_spec: Some("user_profile".into()),
                    source_id: None,
                    source_url: None,
                    memories: Some(vec![
                        explicit(
                            "User is allergic to peanuts and shellfish",
                            &["health", "allergies", "important"],
                        ),
                        explicit(
                            "User's mother's birthday is on August 15th",
                            &["family", "dates", "birthday"],
                        ),
                        explicit(
                            "User prefers window seats when flying",
                            &["preferences", "travel"],
                        ),
                    ]),
                },
            )
            .await,
    );
    let listed = ctx
        .app
        .list_memories(&ctx.uid, ListMemoriesQuery::default())
        .await
        .map_err(|e| crate::common::api_error(&e))
        .expect("list");
    assert_eq!(listed.memories.len(), 3);
    for m in &listed.memories {
        assert_eq!(m.app_id.as_deref(), Some(ctx.app_id.as_str()));
    }
    // One import stores its memories in one instant; the server orders those by id.
    rec.note(
        "list: the three memories (sorted by content here)",
        by_content(listed.memories),
    );
    rec.ok(
        "list: limit 1, offset 2",
        ctx.app
            .list_memories(
                &ctx.uid,
                ListMemoriesQuery {
                    limit: Some(1),
                    offset: Some(2),
                },
            )
            .await
            .map(|r| r.memories.len()),
    );
    rec.finish()
}

/// Text answers `{}` at once; its memories appear when the worker has extracted them. Each
/// keeps where it comes from: the explicit memory its own `source_id` / `source_url`, the
/// extracted ones the text's.
async fn text_is_extracted_after_the_answer<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    rec.ok(
        "create: text and one explicit memory",
        ctx.app
            .create_memories(
                &ctx.uid,
                CreateMemoriesRequest {
                    text: Some(
                        "I love hiking in the mountains. I work at Acme Corp as a lead engineer."
                            .into(),
                    ),
                    text_source: Some(MemoryTextSource::Email),
                    text_source_spec: Some("newsletter".into()),
                    memories: Some(vec![ExplicitMemoryRequest {
                        content: "User prefers vegetarian food options".into(),
                        tags: Some(vec!["preferences".into(), "food".into()]),
                        source_id: Some("profile/diet".into()),
                        source_url: Some("https://example.com/profile#食事".into()),
                    }]),
                    source_id: Some("mail-2026-12-06-001".into()),
                    source_url: Some("https://mail.example.com/m/001".into()),
                },
            )
            .await,
    );
    let all = ctx.memories_at_least(&ctx.uid, 3).await;
    for memory in &all {
        let expected = if memory.content.contains("vegetarian") {
            "profile/diet"
        } else {
            "mail-2026-12-06-001"
        };
        assert_eq!(
            memory.source_id.as_deref(),
            Some(expected),
            "{}",
            memory.content
        );
    }
    rec.note(
        "list: the explicit memory and the extracted ones",
        by_content(all),
    );
    rec.finish()
}
