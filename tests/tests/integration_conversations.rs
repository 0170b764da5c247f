//! Integration conversations: create (`{}`), the spec's defaults, and the read filters.

use chrono::{DateTime, Duration, Utc};
use omi_api::{CallError, IntegrationImports};
use omi_model::{
    ConversationStatus, ConversationTextSource, ConversationsResponse, CreateConversationRequest,
    Geolocation, ListConversationsQuery,
};
use serde_json::Value;

use crate::common::{Ctx, Record, Transport, contracts};

contracts!(
    create_with_every_field_and_with_defaults,
    list_filters,
    transcripts_are_cut_to_max_transcript_segments,
);

/// Record a list as `(text, discarded)` pairs: the compact view of what a filter kept.
fn texts<E: CallError>(label: &str, rec: &mut Record, listed: Result<ConversationsResponse, E>) {
    let listed = listed.map(|r| {
        r.conversations
            .into_iter()
            .map(|c| (c.text.unwrap_or_default(), c.discarded))
            .collect::<Vec<_>>()
    });
    rec.call(label, listed);
}

fn at(raw: &str) -> DateTime<Utc> {
    omi_model::timestamp::parse_datetime(raw).expect("a timestamp")
}

/// The spec's full body and a text-only body both answer `{}`; once processed, the list
/// shows what was given and the defaults (`finished_at` = `started_at` + 5 min, `en`).
async fn create_with_every_field_and_with_defaults<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    rec.ok(
        "create: the spec's request body",
        ctx.app
            .create_conversation(
                &ctx.uid,
                CreateConversationRequest {
                    started_at: Some(at("2024-07-21T22:34:43.384323+00:00")),
                    finished_at: Some(at("2024-07-21T22:35:43.384323+00:00")),
                    text: "This is the full text content of the memory that will be processed."
                        .into(),
                    text_source: Some(ConversationTextSource::AudioTranscript),
                    text_source_spec: Some("phone_call".into()),
                    language: Some("en".into()),
                    geolocation: Some(Geolocation::new(37.7749, -122.4194)),
                },
            )
            .await,
    );
    rec.ok(
        "create: text only",
        ctx.app
            .create_conversation(
                &ctx.uid,
                CreateConversationRequest::from_text(
                    "Sarah: How was your weekend?\nMe: I went hiking at Mount Rainier. Remember to send me the photos.",
                ),
            )
            .await,
    );
    let done = ctx.completed_conversations(&ctx.uid, 2).await;
    let (defaulted, full) = (&done[0], &done[1]);
    let started = defaulted.started_at.expect("started_at");
    assert_eq!(defaulted.finished_at, Some(started + Duration::minutes(5)));
    assert_eq!(defaulted.created_at, started);
    assert_eq!(defaulted.language.as_deref(), Some("en"));
    assert_eq!(
        full.started_at,
        Some(at("2024-07-21T22:34:43.384323+00:00"))
    );
    assert_eq!(
        full.finished_at,
        Some(at("2024-07-21T22:35:43.384323+00:00"))
    );
    assert_eq!(full.created_at, at("2024-07-21T22:34:43.384323+00:00"));
    assert_eq!(full.app_id.as_deref(), Some(ctx.app_id.as_str()));
    rec.ok(
        "list: both, newest first, processed",
        ctx.app
            .list_conversations(&ctx.uid, ListConversationsQuery::default())
            .await,
    );
    rec.finish()
}

/// `include_discarded`, `statuses`, `start_date`, `end_date`, `limit` and `offset`.
async fn list_filters<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let day = |d: u32| at(&format!("2024-01-0{d}T12:00:00Z"));
    for (d, text) in [
        (1, "Me: I walked the dog along the river today."),
        (2, "Me: I baked bread with my sister this afternoon."),
        (3, "Me: I finished reading a novel about sailing."),
        (4, "Hi"),
    ] {
        ctx.app
            .create_conversation(
                &ctx.uid,
                CreateConversationRequest {
                    started_at: Some(day(d)),
                    ..CreateConversationRequest::from_text(text)
                },
            )
            .await
            .map_err(|e| crate::common::api_error(&e))
            .expect("create");
    }
    ctx.completed_conversations(&ctx.uid, 4).await;
    let q = ListConversationsQuery::default;
    let list = |query: ListConversationsQuery| ctx.app.list_conversations(&ctx.uid, query);
    texts("default: discarded ones hidden", &mut rec, list(q()).await);
    texts(
        "include_discarded",
        &mut rec,
        list(ListConversationsQuery {
            include_discarded: Some(true),
            ..q()
        })
        .await,
    );
    texts(
        "statuses completed",
        &mut rec,
        list(ListConversationsQuery {
            statuses: vec![ConversationStatus::Completed],
            ..q()
        })
        .await,
    );
    texts(
        "statuses processing or failed",
        &mut rec,
        list(ListConversationsQuery {
            statuses: vec![ConversationStatus::Processing, ConversationStatus::Failed],
            ..q()
        })
        .await,
    );
    texts(
        "start_date day 2",
        &mut rec,
        list(ListConversationsQuery {
            start_date: Some(day(2)),
            ..q()
        })
        .await,
    );
    texts(
        "end_date day 2",
        &mut rec,
        list(ListConversationsQuery {
            end_date: Some(day(2)),
            ..q()
        })
        .await,
    );
    texts(
        "start_date day 2, end_date day 2",
        &mut rec,
        list(ListConversationsQuery {
            start_date: Some(day(2)),
            end_date: Some(day(2)),
            ..q()
        })
        .await,
    );
    texts(
        "limit 1, offset 1",
        &mut rec,
        list(ListConversationsQuery {
            limit: Some(1),
            offset: Some(1),
            ..q()
        })
        .await,
    );
    texts(
        "offset past the end",
        &mut rec,
        list(ListConversationsQuery {
            offset: Some(10),
            ..q()
        })
        .await,
    );
    rec.finish()
}

/// `max_transcript_segments` (-1..=1000, default 100, -1: all) cuts each listed
/// conversation's transcript, as in OMI's cloud; out of range is a 422.
async fn transcripts_are_cut_to_max_transcript_segments<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let lines: Vec<String> = (1..=120)
        .map(|n| format!("Anna: Line number {n}."))
        .collect();
    let request = CreateConversationRequest::from_text(lines.join("\n"));
    ctx.app
        .create_conversation(&ctx.uid, request)
        .await
        .expect("create");
    ctx.completed_conversations(&ctx.uid, 1).await;
    for (label, max) in [
        ("default: 100", None),
        ("2", Some(2)),
        ("-1: all", Some(-1)),
        ("0: none", Some(0)),
    ] {
        let listed = ctx
            .app
            .list_conversations(
                &ctx.uid,
                ListConversationsQuery {
                    max_transcript_segments: max,
                    ..ListConversationsQuery::default()
                },
            )
            .await;
        let lengths = listed.map(|r| {
            r.conversations
                .iter()
                .map(|c| c.transcript_segments.as_ref().map_or(0, Vec::len))
                .collect::<Vec<_>>()
        });
        rec.call(label, lengths);
    }
    for (label, max) in [("-2", -2), ("1001", 1001)] {
        let query = ListConversationsQuery {
            max_transcript_segments: Some(max),
            ..ListConversationsQuery::default()
        };
        rec.err(
            label,
            422,
            ctx.app.list_conversations(&ctx.uid, query).await,
        );
    }
    rec.finish()
}
