//! Generated developer requests (memories and action items), valid and invalid, sent through
//! both transports to one server: the outcomes must be identical (the same answer after redaction, or the same
//! status and detail).
//!
//! Each case gets two fresh users with identical (empty) memories: one is driven in-process,
//! the other over HTTP, with the same operations in the same order. Their records are
//! redacted separately, so ids compare by order of appearance.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use omi_api::{DeveloperActionItems, DeveloperMemories};
use omi_model::{
    BatchCreateActionItemsRequest, CreateActionItemRequest, CreateMemoryRequest, DevScope,
    ListActionItemsQuery, ListDevMemoriesQuery, MemoryCategory, UpdateActionItemRequest,
    UpdateMemoryRequest, Visibility,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::common::{InProcess, OverHttp, Record, TestServer, Transport};

/// Few cases: each one makes several calls to a real server.
const CASES: u32 = 32;

/// One developer call.
#[derive(Debug, Clone)]
enum Op {
    Create(CreateMemoryRequest),
    Update(Target, UpdateMemoryRequest),
    Get(Target),
    Delete(Target),
    List(ListDevMemoriesQuery),
    CreateItem(CreateActionItemRequest),
    BatchItems(BatchCreateActionItemsRequest),
    UpdateItem(Target, UpdateActionItemRequest),
    GetItem(Target),
    DeleteItem(Target),
    ListItems(ListActionItemsQuery),
}

/// The memory a call addresses. `Created(i)` is the `i % n`-th memory created so far in the
/// case (an id nobody has while there is none), so both users address "the same" memory;
/// `Raw` is an id as given, among them ids a client must send whole (spaces, `/`, `%`, `?`,
/// `#`) and ids no URL can carry (empty, `.`, `..`).
#[derive(Debug, Clone)]
enum Target {
    Created(usize),
    Raw(String),
}

fn content() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z][a-z ]{0,40}",
        1 => Just(String::new()),
        1 => "[ \t\n]{1,4}",
        1 => "[a-z]{499,501}",
        1 => "\\PC{1,30}",
        1 => "[a-z]{1,5}[\\x00-\\x1f\\x7f][a-z]{0,5}",
        1 => prop::sample::select(vec![
            "User likes tea".to_owned(),
            "  user LIKES tea. ".to_owned(),
            "User's dog is named Luna".to_owned(),
        ]),
    ]
}

fn tags() -> impl Strategy<Value = Option<Vec<String>>> {
    prop_oneof![
        3 => Just(None),
        3 => prop::collection::vec("[a-z]{1,12}", 0..4).prop_map(Some),
        1 => prop::collection::vec(prop_oneof!["[a-z]{1,5}", Just(" ".to_owned()), "[a-z]{101}"], 1..3)
            .prop_map(Some),
        1 => (49usize..=52).prop_map(|n| Some((0..n).map(|i| format!("t{i}")).collect())),
    ]
}

fn category() -> impl Strategy<Value = Option<MemoryCategory>> {
    prop::option::of(prop::sample::select(MemoryCategory::ALL.to_vec()))
}

fn visibility() -> impl Strategy<Value = Option<Visibility>> {
    prop::option::of(prop::sample::select(Visibility::ALL.to_vec()))
}

fn create() -> impl Strategy<Value = CreateMemoryRequest> {
    (content(), category(), visibility(), tags()).prop_map(
        |(content, category, visibility, tags)| CreateMemoryRequest {
            content,
            category,
            visibility,
            tags,
        },
    )
}

fn update() -> impl Strategy<Value = UpdateMemoryRequest> {
    (
        prop::option::of(content()),
        visibility(),
        tags(),
        category(),
    )
        .prop_map(
            |(content, visibility, tags, category)| UpdateMemoryRequest {
                content,
                visibility,
                tags,
                category,
            },
        )
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        4 => (0usize..8).prop_map(Target::Created),
        1 => prop::sample::select(vec![
            "mem_xyz789", "0", "a b", "ümlaut", "%41", "", ".", "..", "a/b", "?q=1", "#top", "a\\b",
        ])
            .prop_map(|s| Target::Raw(s.to_owned())),
    ]
}

fn page_number() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        2 => Just(None),
        1 => prop::sample::select(vec![-1i64, 0, 1, 2, 5, 25, 1000, 1001, i64::MIN, i64::MAX]).prop_map(Some),
        1 => (-3i64..40).prop_map(Some),
    ]
}

fn list() -> impl Strategy<Value = ListDevMemoriesQuery> {
    (
        page_number(),
        page_number(),
        prop::collection::vec(prop::sample::select(MemoryCategory::ALL.to_vec()), 0..3),
    )
        .prop_map(|(limit, offset, categories)| ListDevMemoriesQuery {
            limit,
            offset,
            categories,
        })
}

fn due_at() -> impl Strategy<Value = Option<chrono::DateTime<chrono::Utc>>> {
    prop::option::of(
        (0i64..4_000_000_000, 0u32..1_000_000).prop_map(|(secs, micros)| {
            chrono::DateTime::from_timestamp(secs, micros * 1000).expect("a time")
        }),
    )
}

fn create_item() -> impl Strategy<Value = CreateActionItemRequest> {
    (content(), prop::option::of(any::<bool>()), due_at()).prop_map(
        |(description, completed, due_at)| CreateActionItemRequest {
            description,
            completed,
            due_at,
        },
    )
}

fn update_item() -> impl Strategy<Value = UpdateActionItemRequest> {
    (
        prop::option::of(content()),
        prop::option::of(any::<bool>()),
        due_at(),
    )
        .prop_map(|(description, completed, due_at)| UpdateActionItemRequest {
            description,
            completed,
            due_at,
        })
}

fn batch_items() -> impl Strategy<Value = BatchCreateActionItemsRequest> {
    prop_oneof![
        4 => prop::collection::vec(create_item(), 0..4),
        1 => (49usize..=51).prop_map(|n| (0..n).map(|i| CreateActionItemRequest::new(format!("Item {i}"))).collect()),
    ]
    .prop_map(|action_items| BatchCreateActionItemsRequest { action_items })
}

fn list_items() -> impl Strategy<Value = ListActionItemsQuery> {
    (
        page_number(),
        page_number(),
        prop::option::of(any::<bool>()),
    )
        .prop_map(|(limit, offset, completed)| ListActionItemsQuery {
            limit,
            offset,
            completed,
            ..ListActionItemsQuery::default()
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => create().prop_map(Op::Create),
        2 => (target(), update()).prop_map(|(t, u)| Op::Update(t, u)),
        1 => target().prop_map(Op::Get),
        1 => target().prop_map(Op::Delete),
        2 => list().prop_map(Op::List),
        3 => create_item().prop_map(Op::CreateItem),
        1 => batch_items().prop_map(Op::BatchItems),
        2 => (target(), update_item()).prop_map(|(t, u)| Op::UpdateItem(t, u)),
        1 => target().prop_map(Op::GetItem),
        1 => target().prop_map(Op::DeleteItem),
        2 => list_items().prop_map(Op::ListItems),
    ]
}

/// Run `ops` as one user through one transport; the redacted record of every outcome.
async fn run<D: DeveloperMemories + DeveloperActionItems>(
    dev: &D,
    ops: &[Op],
) -> serde_json::Value {
    let mut rec = Record::new();
    let mut created: Vec<String> = Vec::new();
    let mut items: Vec<String> = Vec::new();
    let id = |target: &Target, created: &[String]| match target {
        Target::Created(i) if !created.is_empty() => created[i % created.len()].clone(),
        Target::Created(_) => "mem_none_yet".to_owned(),
        Target::Raw(raw) => raw.clone(),
    };
    for (n, op) in ops.iter().enumerate() {
        let label = format!("{n}");
        match op {
            Op::Create(request) => {
                if let Some(memory) = rec.call(&label, dev.create_memory(request.clone()).await) {
                    created.push(memory.id);
                }
            }
            Op::Update(target, request) => {
                rec.call(
                    &label,
                    dev.update_memory(&id(target, &created), request.clone())
                        .await,
                );
            }
            Op::Get(target) => {
                rec.call(&label, dev.get_memory(&id(target, &created)).await);
            }
            Op::Delete(target) => {
                rec.call(&label, dev.delete_memory(&id(target, &created)).await);
            }
            Op::List(query) => {
                rec.call(&label, dev.list_memories(query.clone()).await);
            }
            Op::CreateItem(request) => {
                if let Some(item) = rec.call(&label, dev.create_action_item(request.clone()).await)
                {
                    items.push(item.id);
                }
            }
            Op::BatchItems(request) => {
                if let Some(batch) =
                    rec.call(&label, dev.create_action_items_batch(request.clone()).await)
                {
                    items.extend(batch.action_items.into_iter().map(|i| i.id));
                }
            }
            Op::UpdateItem(target, request) => {
                rec.call(
                    &label,
                    dev.update_action_item(&id(target, &items), request.clone())
                        .await,
                );
            }
            Op::GetItem(target) => {
                rec.call(&label, dev.get_action_item(&id(target, &items)).await);
            }
            Op::DeleteItem(target) => {
                rec.call(&label, dev.delete_action_item(&id(target, &items)).await);
            }
            Op::ListItems(query) => {
                rec.call(&label, dev.list_action_items(query.clone()).await);
            }
        }
    }
    rec.finish()
}

#[test]
fn generated_developer_requests_get_the_same_answer_on_both_transports() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let server = runtime.block_on(TestServer::start());
    let in_process = InProcess::connect(&server);
    let over_http = OverHttp::connect(&server);
    let case = AtomicU32::new(0);
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        max_shrink_iters: 256,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = runner.run(&prop::collection::vec(op(), 1..8), |ops| {
        let case = case.fetch_add(1, Ordering::Relaxed);
        runtime.block_on(async {
            let (a, b) = (
                format!("prop_{case}_in_process"),
                format!("prop_{case}_over_http"),
            );
            let key_a = server.user_with_dev_key(&a, DevScope::ALL).await;
            let key_b = server.user_with_dev_key(&b, DevScope::ALL).await;
            let local = run(&in_process.developer(Some(&key_a.key)), &ops).await;
            let remote = run(&over_http.developer(Some(&key_b.key)), &ops).await;
            prop_assert_eq!(local, remote);
            Ok::<(), TestCaseError>(())
        })
    });
    runtime.block_on(async {
        tokio::time::timeout(Duration::from_secs(10), server.shutdown())
            .await
            .expect("the server stops");
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
