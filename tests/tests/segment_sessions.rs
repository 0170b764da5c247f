//! `from-segments` with a client's recording session (`client_session_id` and the cloud's
//! aliases): the conversation's id is derived from the user and the session, a retry answers
//! the conversation already made, concurrent duplicates make one conversation, and the
//! source is `phone` unless given.

use futures::future::join_all;
use omi_api::{ApiError, DeveloperConversations, messages};
use omi_model::{
    CreateConversationFromSegmentsRequest, ListDevConversationsQuery, TranscriptSegmentRequest,
};
use serde_json::{Value, json};

use crate::common::{Ctx, Record, Transport, api_error, contracts};

contracts!(
    a_session_is_one_conversation,
    concurrent_duplicates_make_one_conversation,
);

/// A transcript of `session`, with the client's device and platform.
fn recording(session: &str) -> CreateConversationFromSegmentsRequest {
    let mut user = TranscriptSegmentRequest::new("明日は京都で会議です 🗓", 0.0, 2.5);
    user.is_user = Some(true);
    CreateConversationFromSegmentsRequest {
        client_session_id: Some(session.to_owned()),
        client_device_id: Some("ios_3f2a".into()),
        client_platform: Some("ios".into()),
        ..CreateConversationFromSegmentsRequest::new(vec![
            user,
            TranscriptSegmentRequest::new("Don't forget the umbrella.", 2.8, 5.0),
        ])
    }
}

/// The same session again (also under an alias, also once processed) answers the same
/// conversation; another session, or none, makes a new one.
async fn a_session_is_one_conversation<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let dev = &ctx.dev;
    let first = rec.ok(
        "a session's first send",
        dev.create_conversation_from_segments(recording(" rec-2026-12-06 "))
            .await,
    );
    assert_eq!(
        first.id.len(),
        36,
        "a hyphenated UUID, as OMI's cloud gives"
    );
    let done = ctx.completed_dev_conversation(&first.id).await;
    rec.note("the source when none is given", done.source);
    let retry = rec.ok(
        "the same session again, once processed",
        dev.create_conversation_from_segments(recording("rec-2026-12-06"))
            .await,
    );
    assert_eq!(retry.id, first.id);
    let alias: CreateConversationFromSegmentsRequest = serde_json::from_value(json!({
        "session_id": "rec-2026-12-06",
        "transcript_segments": [{"text": "Another text entirely", "start": 0.0, "end": 1.0}]
    }))
    .expect("a body");
    let aliased = rec.ok(
        "the same session under session_id, with other segments",
        dev.create_conversation_from_segments(alias).await,
    );
    assert_eq!(aliased.id, first.id);
    let other = rec.ok(
        "another session",
        dev.create_conversation_from_segments(recording("rec-2026-12-07"))
            .await,
    );
    assert_ne!(other.id, first.id);
    let mut none = recording("x");
    none.client_session_id = None;
    let plain = rec.ok(
        "no session",
        dev.create_conversation_from_segments(none).await,
    );
    assert_ne!(plain.id, first.id);
    ctx.completed_dev_conversation(&other.id).await;
    ctx.completed_dev_conversation(&plain.id).await;
    let listed = dev
        .list_conversations(ListDevConversationsQuery::default())
        .await
        .map_err(|e| api_error(&e))
        .expect("the list");
    rec.note("conversations made", listed.len());
    let stranger = ctx
        .user(
            "session_stranger",
            &[omi_model::DevScope::ConversationsWrite],
        )
        .await;
    let theirs = rec.ok(
        "another user's same session: their own conversation",
        stranger
            .create_conversation_from_segments(recording("rec-2026-12-06"))
            .await,
    );
    assert_ne!(theirs.id, first.id);
    rec.err(
        "a blank session id",
        422,
        dev.create_conversation_from_segments(recording("  ")).await,
    );
    rec.finish()
}

/// Eight sends of one session at once: each is answered with the one conversation (or the
/// cloud's 409 while it cannot be read yet), and one conversation is made.
async fn concurrent_duplicates_make_one_conversation<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let sends = (0..8).map(|_| {
        ctx.dev
            .create_conversation_from_segments(recording("burst-1"))
    });
    let answers = join_all(sends).await;
    let mut ids = Vec::new();
    for answer in answers {
        match answer {
            Ok(created) => ids.push(created.id),
            Err(e) => {
                let refused = ApiError::message(409, messages::CONVERSATION_CREATION_IN_PROGRESS);
                assert_eq!(api_error(&e), refused);
            }
        }
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "one conversation: {ids:?}");
    ctx.completed_dev_conversation(&ids[0]).await;
    let listed = ctx
        .dev
        .list_conversations(ListDevConversationsQuery::default())
        .await
        .map_err(|e| api_error(&e))
        .expect("the list");
    rec.note("conversations made", listed.len());
    rec.finish()
}
