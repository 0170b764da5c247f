//! Memory search (`GET /v1/dev/user/memories/vector/search`): word forms, case, accents,
//! scripts without spaces, tenancy, freshness after writes, and the query's 422s.

use omi_api::{DeveloperMemories, IntegrationImports};
use omi_model::{
    BatchCreateMemoriesRequest, CreateMemoriesRequest, CreateMemoryRequest, DevScope,
    ExplicitMemoryRequest, MemorySearchResponse, SearchMemoriesQuery, UpdateMemoryRequest,
};
use serde_json::Value;

use crate::common::{Ctx, Record, Transport, contracts};

contracts!(
    words_forms_case_and_accents_are_found,
    text_without_spaces_is_found_by_any_part,
    a_write_is_searchable_at_once_and_only_by_its_user,
    bad_queries_are_422s,
);

/// The contents of a search's items, best first.
fn found(answer: &MemorySearchResponse) -> Vec<&str> {
    answer.items.iter().map(|i| i.content.as_str()).collect()
}

fn search(query: &str, limit: Option<i64>) -> SearchMemoriesQuery {
    SearchMemoriesQuery {
        query: Some(query.to_owned()),
        limit,
    }
}

async fn store<T: Transport>(ctx: &Ctx<T>, contents: &[&str]) {
    let request = BatchCreateMemoriesRequest {
        memories: contents
            .iter()
            .map(|c| CreateMemoryRequest::new(*c))
            .collect(),
    };
    ctx.dev.create_memories_batch(request).await.expect("batch");
}

/// "hiking" finds "hike" and "hiked", any case finds any case, "cafe" finds "Café"; the
/// memory holding more of the query's words comes first; a limit cuts the list.
async fn words_forms_case_and_accents_are_found<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    store(
        ctx,
        &[
            "User loves to hike in the Alps",
            "User hiked Mount Fuji with their sister in 2019",
            "User's favourite café is Café Olé in Zürich",
            "User works as a Senior Software Engineer at TechCorp",
            "User is allergic to peanuts",
        ],
    )
    .await;
    let hiking = rec.ok(
        "hiking: both hike memories",
        ctx.dev.search_memories(search("hiking", None)).await,
    );
    assert_eq!(hiking.returned_count, 2, "{hiking:#?}");
    let sister = rec.ok(
        "hiking sister: the memory with both words first",
        ctx.dev.search_memories(search("hiking sister", None)).await,
    );
    assert_eq!(
        found(&sister).first(),
        Some(&"User hiked Mount Fuji with their sister in 2019")
    );
    let case = rec.ok(
        "TECHCORP engineers",
        ctx.dev
            .search_memories(search("TECHCORP engineers", None))
            .await,
    );
    assert_eq!(
        found(&case),
        ["User works as a Senior Software Engineer at TechCorp"]
    );
    let accents = rec.ok(
        "cafe zurich: accents fold",
        ctx.dev.search_memories(search("cafe zurich", None)).await,
    );
    assert_eq!(accents.returned_count, 1);
    rec.ok(
        "limit 1",
        ctx.dev.search_memories(search("hike", Some(1))).await,
    );
    let none = rec.ok(
        "a word no memory holds",
        ctx.dev.search_memories(search("saxophone", None)).await,
    );
    assert!(none.items.is_empty());
    rec.ok(
        "punctuation and an emoji no memory has: nothing",
        ctx.dev.search_memories(search("?!… 🎉", None)).await,
    );
    rec.finish()
}

/// Japanese, Chinese and Thai are written without spaces: any part of two characters or
/// more finds the memory; emoji next to words do not get in the way.
async fn text_without_spaces_is_found_by_any_part<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    store(
        ctx,
        &[
            "ユーザーは東京の渋谷に住んでいる",
            "ユーザーは京都の寺が好き",
            "用户喜欢吃小笼包",
            "ผู้ใช้ชอบต้มยำกุ้ง",
            "User loves 🍣 sushi nights on Fridays",
        ],
    )
    .await;
    for (label, query, expected) in [
        ("渋谷", "渋谷", vec!["ユーザーは東京の渋谷に住んでいる"]),
        (
            "東京 is not 京都",
            "東京",
            vec!["ユーザーは東京の渋谷に住んでいる"],
        ),
        ("京都", "京都", vec!["ユーザーは京都の寺が好き"]),
        ("小笼包", "小笼包", vec!["用户喜欢吃小笼包"]),
        ("ต้มยำ", "ต้มยำ", vec!["ผู้ใช้ชอบต้มยำกุ้ง"]),
        (
            "sushi 🍣",
            "sushi 🍣",
            vec!["User loves 🍣 sushi nights on Fridays"],
        ),
    ] {
        let answer = rec.ok(label, ctx.dev.search_memories(search(query, None)).await);
        assert_eq!(found(&answer), expected, "{query}");
    }
    rec.finish()
}

/// A memory is found the moment its create is answered, by its new content after a PATCH
/// and no more after a DELETE; memories an app imported are found too; another user's
/// memories never are; a key without `memories:read` is refused.
async fn a_write_is_searchable_at_once_and_only_by_its_user<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let other = ctx.user("other_user", DevScope::ALL).await;
    other
        .create_memory(CreateMemoryRequest::new("User plays the violin"))
        .await
        .expect("other user's memory");
    let created = ctx
        .dev
        .create_memory(CreateMemoryRequest::new("User plays the cello"))
        .await
        .expect("create");
    let cello = rec.ok(
        "found at once; not the other user's violin",
        ctx.dev
            .search_memories(search("plays violin cello", None))
            .await,
    );
    assert_eq!(found(&cello), ["User plays the cello"]);
    ctx.dev
        .update_memory(
            &created.id,
            UpdateMemoryRequest {
                content: Some("User plays the bassoon".into()),
                ..UpdateMemoryRequest::default()
            },
        )
        .await
        .expect("patch");
    rec.ok(
        "after PATCH: the old content is gone",
        ctx.dev.search_memories(search("cello", None)).await,
    );
    rec.ok(
        "after PATCH: the new content is found",
        ctx.dev.search_memories(search("bassoon", None)).await,
    );
    ctx.dev.delete_memory(&created.id).await.expect("delete");
    rec.ok(
        "after DELETE: nothing",
        ctx.dev.search_memories(search("bassoon", None)).await,
    );
    ctx.app
        .create_memories(
            &ctx.uid,
            CreateMemoriesRequest {
                memories: Some(vec![ExplicitMemoryRequest {
                    content: "User's dentist is Dr. Okafor".into(),
                    tags: None,
                    ..ExplicitMemoryRequest::default()
                }]),
                ..CreateMemoriesRequest::default()
            },
        )
        .await
        .expect("import");
    ctx.memories_at_least(&ctx.uid, 1).await;
    rec.ok(
        "an imported memory",
        ctx.dev.search_memories(search("dentist", None)).await,
    );
    let writer = ctx.user("writer_only", &[DevScope::MemoriesWrite]).await;
    rec.err(
        "a key without memories:read",
        403,
        writer.search_memories(search("anything", None)).await,
    );
    rec.finish()
}

/// `query` is required and not empty; `limit` is 1..=100.
async fn bad_queries_are_422s<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    for (label, query) in [
        ("no query", SearchMemoriesQuery::default()),
        ("empty query", search("", None)),
        ("limit 0", search("hike", Some(0))),
        ("limit 101", search("hike", Some(101))),
    ] {
        rec.err(label, 422, ctx.dev.search_memories(query).await);
    }
    rec.ok(
        "limit 100",
        ctx.dev.search_memories(search("hike", Some(100))).await,
    );
    rec.finish()
}
