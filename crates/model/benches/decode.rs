//! Decoding and validating request bodies, as the server does for every write: one memory,
//! a batch of 25, and conversations of 1 000 to 100 000 characters (in English, Japanese and
//! with emoji, since validation counts characters, not bytes). So no change to the wire
//! types or their checks makes the request path slower unseen (issue 22).
//!
//! Run with `cargo bench -p omi-model --bench decode`; figures are in `docs/benchmarks.md`.

// criterion_group! defines a public function without a doc comment.
#![allow(missing_docs)]

use std::hint::black_box;

use chrono::{DateTime, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use omi_model::decode::from_json_slice;
use omi_model::{
    BatchCreateMemoriesRequest, ConversationTextSource, CreateConversationRequest,
    CreateMemoryRequest,
};

/// One memory's body, as a client sends it.
fn memory_body(n: usize) -> String {
    format!(
        r#"{{"content":"memory number {n}: prefers oat milk in coffee ☕ and 東京の朝","category":"interesting","tags":["food","tokyo"]}}"#
    )
}

/// A conversation body of about `chars` characters of mixed text.
fn conversation_body(chars: usize) -> Vec<u8> {
    const LINE: &str = "Anna: the roadmap review moved to Friday 🙂 会議は金曜日に移動しました。 ";
    let mut text = String::new();
    while text.chars().count() < chars {
        text.push_str(LINE);
    }
    let body = serde_json::json!({
        "text": text,
        "started_at": "2024-03-10T15:00:00Z",
        "finished_at": "2024-03-10T15:30:00Z",
        "language": "en",
        "text_source": "audio_transcript",
    });
    serde_json::to_vec(&body).expect("a JSON body")
}

fn memories(c: &mut Criterion) {
    let mut group = c.benchmark_group("decode_memories");
    let one = memory_body(1).into_bytes();
    group.throughput(Throughput::Elements(1));
    group.bench_function("one", |b| {
        b.iter(|| {
            let request: CreateMemoryRequest = from_json_slice(black_box(&one)).expect("decodes");
            request.validate().expect("valid")
        });
    });
    let items: Vec<String> = (0..25).map(memory_body).collect();
    let batch = format!(r#"{{"memories":[{}]}}"#, items.join(",")).into_bytes();
    group.throughput(Throughput::Elements(25));
    group.bench_function("batch_of_25", |b| {
        b.iter(|| {
            let request: BatchCreateMemoriesRequest =
                from_json_slice(black_box(&batch)).expect("decodes");
            request.validate().expect("valid")
        });
    });
    group.finish();
}

fn conversations(c: &mut Criterion) {
    let now: DateTime<Utc> = "2024-03-10T16:00:00Z".parse().expect("a date");
    let mut group = c.benchmark_group("decode_conversation");
    for chars in [1_000usize, 10_000, 100_000] {
        let body = conversation_body(chars);
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(chars), &body, |b, body| {
            b.iter(|| {
                let request: CreateConversationRequest =
                    from_json_slice(black_box(body)).expect("decodes");
                request
                    .validate(now, ConversationTextSource::AudioTranscript)
                    .expect("valid")
            });
        });
    }
    group.finish();
}

criterion_group!(benches, memories, conversations);
criterion_main!(benches);
