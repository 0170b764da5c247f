//! Search quality on an annotated fixture set (`tests/fixtures/search/`): 226 memories of
//! three users in several languages and scripts, and 96 queries with the ids a careful
//! person expects. Recall@10 and MRR must not drop below the floors here, on either store;
//! docs/search.md reports the figures and what the default cannot find.

use std::collections::HashMap;

use omi_api::DeveloperMemories;
use omi_model::{
    BatchCreateMemoriesRequest, CreateMemoryRequest, DevScope, MemoryCategory, SearchMemoriesQuery,
};
use serde::Deserialize;

use crate::common::{Backend, Ctx, InProcess, postgres_url};

/// The lowest recall@10 over the queries a full-text search can answer.
const MIN_RECALL_AT_10: f64 = 0.97;
/// The lowest mean reciprocal rank over those queries.
const MIN_MRR: f64 = 0.95;

#[derive(Deserialize)]
struct FixtureMemory {
    id: String,
    uid: String,
    content: String,
    category: MemoryCategory,
}

#[derive(Deserialize)]
struct FixtureQuery {
    uid: String,
    query: String,
    relevant: Vec<String>,
    /// Set for what only synonyms or embeddings could find.
    needs: Option<String>,
}

/// What a run of the fixture queries measured.
#[derive(Debug, Default)]
struct Quality {
    recall_at_10: f64,
    mrr: f64,
    /// Queries with no relevant memory that found something anyway.
    false_hits: Vec<String>,
    /// Recall@10 of the queries that need synonyms (reported, not held to a floor).
    synonym_recall: f64,
}

fn load<T: for<'de> Deserialize<'de>>(name: &str) -> T {
    let path = format!("{}/fixtures/search/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Store every fixture memory under its user; the fixture id of each stored id.
async fn store_fixture(
    ctx: &Ctx<InProcess>,
    memories: &[FixtureMemory],
) -> HashMap<String, <InProcess as crate::common::Transport>::Developer> {
    let mut users = HashMap::new();
    for m in memories {
        if !users.contains_key(&m.uid) {
            users.insert(m.uid.clone(), ctx.user(&m.uid, DevScope::ALL).await);
        }
    }
    for (uid, dev) in &users {
        let mine: Vec<&FixtureMemory> = memories.iter().filter(|m| &m.uid == uid).collect();
        for batch in mine.chunks(25) {
            let request = BatchCreateMemoriesRequest {
                memories: batch
                    .iter()
                    .map(|m| CreateMemoryRequest {
                        category: Some(m.category),
                        ..CreateMemoryRequest::new(m.content.clone())
                    })
                    .collect(),
            };
            dev.create_memories_batch(request).await.expect("batch");
        }
    }
    users
}

async fn measure(ctx: &Ctx<InProcess>) -> Quality {
    let memories: Vec<FixtureMemory> = load("memories.json");
    let queries: Vec<FixtureQuery> = load("queries.json");
    let users = store_fixture(ctx, &memories).await;
    let fixture_id: HashMap<(&str, &str), &str> = memories
        .iter()
        .map(|m| ((m.uid.as_str(), m.content.as_str()), m.id.as_str()))
        .collect();
    let (mut recall, mut rr, mut answerable) = (0.0, 0.0, 0usize);
    let (mut synonym_recall, mut synonym_queries) = (0.0, 0usize);
    let mut quality = Quality::default();
    for q in &queries {
        let answer = users[&q.uid]
            .search_memories(SearchMemoriesQuery {
                query: Some(q.query.clone()),
                limit: Some(10),
            })
            .await
            .expect("search");
        let ranked: Vec<&str> = answer
            .items
            .iter()
            .map(|i| fixture_id[&(q.uid.as_str(), i.content.as_str())])
            .collect();
        if q.relevant.is_empty() {
            if !ranked.is_empty() {
                quality.false_hits.push(format!("{} ({})", q.query, q.uid));
            }
            continue;
        }
        let hits = q
            .relevant
            .iter()
            .filter(|id| ranked.contains(&id.as_str()))
            .count();
        let query_recall = hits as f64 / q.relevant.len() as f64;
        if q.needs.is_some() {
            synonym_recall += query_recall;
            synonym_queries += 1;
            continue;
        }
        if query_recall < 1.0 {
            eprintln!(
                "search quality: {:?} ({}) found {ranked:?}, expected {:?}",
                q.query, q.uid, q.relevant
            );
        }
        recall += query_recall;
        answerable += 1;
        let first = ranked
            .iter()
            .position(|id| q.relevant.iter().any(|r| r == id));
        rr += first.map_or(0.0, |p| 1.0 / (p as f64 + 1.0));
    }
    quality.recall_at_10 = recall / answerable as f64;
    quality.mrr = rr / answerable as f64;
    quality.synonym_recall = synonym_recall / synonym_queries.max(1) as f64;
    eprintln!(
        "search quality: {answerable} queries, recall@10 {:.3}, MRR {:.3}; {synonym_queries} \
         synonym queries, recall@10 {:.3}; false hits {:?}",
        quality.recall_at_10, quality.mrr, quality.synonym_recall, quality.false_hits
    );
    quality
}

fn check(quality: &Quality) {
    assert!(quality.recall_at_10 >= MIN_RECALL_AT_10, "{quality:?}");
    assert!(quality.mrr >= MIN_MRR, "{quality:?}");
    assert!(quality.false_hits.is_empty(), "{quality:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_recall_and_mrr_on_sqlite() {
    let ctx = Ctx::<InProcess>::start().await;
    let quality = measure(&ctx).await;
    ctx.shutdown().await;
    check(&quality);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fixture_recall_and_mrr_on_postgres() {
    let Some(url) = postgres_url(module_path!()) else {
        return;
    };
    let ctx = Ctx::<InProcess>::start_on(Backend::Postgres, &url).await;
    let quality = measure(&ctx).await;
    ctx.shutdown().await;
    check(&quality);
}
