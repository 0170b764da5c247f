//! Conversation tools: `get_conversations`, `get_conversation_by_id`,
//! `get_conversations_by_ids`, `search_conversations`, over [`DeveloperConversations`].

use omi_api::DeveloperConversations;
use omi_api::model::{
    Conversation, ConversationCategory, GetConversationQuery, ListDevConversationsQuery,
    RankedSearchQuery, TranscriptSegment,
};
use rmcp::schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{arguments, date, in_range, limit, names_schema, paged, parse_names};
use crate::cursor;
use crate::outcome::{ToolError, ToolOutcome, answer, called};

/// `get_conversations`' default page.
pub(crate) const LIST_DEFAULT: i64 = 20;
/// `get_conversations`' largest page.
pub(crate) const LIST_MAX: i64 = 100;
/// `get_conversation_by_id`'s default and largest number of transcript segments.
pub(crate) const SEGMENTS_DEFAULT: i64 = 120;
/// `get_conversation_by_id`'s largest number of transcript segments.
pub(crate) const SEGMENTS_MAX: i64 = 500;
/// `get_conversation_by_id`'s default number of transcript characters.
pub(crate) const CHARS_DEFAULT: i64 = 24_000;
/// `get_conversation_by_id`'s largest number of transcript characters.
pub(crate) const CHARS_MAX: i64 = 100_000;
/// `get_conversations_by_ids`' most ids.
pub(crate) const IDS_MAX: usize = 20;
/// `search_conversations`' default number of results.
pub(crate) const SEARCH_DEFAULT: i64 = 10;
/// `search_conversations`' largest number of results.
pub(crate) const SEARCH_MAX: i64 = 50;

fn categories_schema(_: &mut SchemaGenerator) -> Schema {
    names_schema(
        ConversationCategory::WIRE_NAMES,
        "Only conversations of these categories",
    )
}

/// Arguments of `get_conversations`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct GetConversations {
    /// Only conversations created at or after this date (YYYY-MM-DD) or time (ISO 8601).
    start_date: Option<String>,
    /// Only conversations created at or before this date (YYYY-MM-DD) or time (ISO 8601).
    end_date: Option<String>,
    /// Only conversations of these categories.
    #[serde(default)]
    #[schemars(schema_with = "categories_schema")]
    categories: Vec<String>,
    /// Number of conversation cards to return, 1..=100 (default 20).
    #[schemars(range(min = 1, max = 100))]
    limit: Option<i64>,
    /// Conversations to skip (default 0); mutually exclusive with cursor.
    #[schemars(range(min = 0))]
    offset: Option<i64>,
    /// Opaque cursor from a previous answer's next_cursor (mutually exclusive with offset).
    cursor: Option<String>,
}

/// Arguments of `get_conversation_by_id`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct GetConversationById {
    /// The id of the conversation.
    conversation_id: String,
    /// Most transcript segments to return, 1..=500 (default 120).
    #[schemars(range(min = 1, max = 500))]
    max_segments: Option<i64>,
    /// Most transcript characters to return in all, 1..=100000 (default 24000).
    #[schemars(range(min = 1, max = 100000))]
    max_chars: Option<i64>,
}

/// Arguments of `get_conversations_by_ids`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct GetConversationsByIds {
    /// The ids of the conversations, 1 to 20 (a repeated id is read once).
    #[schemars(length(min = 1, max = 20))]
    conversation_ids: Vec<String>,
    /// Most transcript segments to return, 1..=500 (default 120).
    #[schemars(range(min = 1, max = 500))]
    max_segments: Option<i64>,
    /// Most transcript characters to return in all, 1..=100000 (default 24000).
    #[schemars(range(min = 1, max = 100000))]
    max_chars: Option<i64>,
}

/// Arguments of `search_conversations`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchConversations {
    /// What to look for in titles, overviews and transcripts, in any language.
    query: String,
    /// Only conversations created at or after this date (YYYY-MM-DD) or time (ISO 8601).
    start_date: Option<String>,
    /// Only conversations created at or before this date (YYYY-MM-DD) or time (ISO 8601).
    end_date: Option<String>,
    /// Most results to return, 1..=50 (default 10).
    #[schemars(range(min = 1, max = 50))]
    limit: Option<i64>,
}

/// The filters a `get_conversations` cursor is bound to.
#[derive(Serialize)]
struct ConversationFilters<'a> {
    start_date: Option<&'a str>,
    end_date: Option<&'a str>,
    categories: &'a [String],
    limit: i64,
}

/// A conversation without its transcript: what lists show.
fn card(conversation: &Conversation) -> Value {
    let structured = &conversation.structured;
    json!({
        "id": conversation.id,
        "created_at": conversation.created_at,
        "started_at": conversation.started_at,
        "finished_at": conversation.finished_at,
        "title": structured.title,
        "overview": structured.overview,
        "emoji": structured.emoji,
        "category": structured.category,
        "status": conversation.status,
        "source": conversation.source,
        "language": conversation.language,
    })
}

/// `get_conversations`: the user's processed conversations, newest first, as cards.
pub(crate) async fn get_conversations<A: DeveloperConversations>(
    api: &A,
    args: Option<Map<String, Value>>,
) -> ToolOutcome {
    let args: GetConversations = arguments(args)?;
    let limit = limit(args.limit, LIST_DEFAULT, LIST_MAX)?;
    let filters = ConversationFilters {
        start_date: args.start_date.as_deref(),
        end_date: args.end_date.as_deref(),
        categories: &args.categories,
        limit,
    };
    let start = cursor::page_start(
        "get_conversations",
        &filters,
        args.offset,
        args.cursor.as_deref(),
    )?;
    let query = ListDevConversationsQuery {
        limit: Some(limit + 1),
        offset: Some(start.0),
        start_date: date("start_date", filters.start_date)?,
        end_date: date("end_date", filters.end_date)?,
        categories: parse_names(
            "categories",
            &args.categories,
            ConversationCategory::WIRE_NAMES,
        )?,
        include_transcript: Some(false),
        ..ListDevConversationsQuery::default()
    };
    let mut conversations = called(api.list_conversations(query).await)?;
    let next = paged(&mut conversations, limit, |len| {
        cursor::next_cursor("get_conversations", &filters, start, len)
    });
    let cards: Vec<Value> = conversations.iter().map(card).collect();
    answer(json!({ "conversations": cards, "has_more": next.is_some(), "next_cursor": next }))
}

/// The transcript limits asked for, in range.
fn bounds(max_segments: Option<i64>, max_chars: Option<i64>) -> Result<(usize, usize), ToolError> {
    let segments = in_range("max_segments", max_segments, SEGMENTS_DEFAULT, SEGMENTS_MAX)?;
    let chars = in_range("max_chars", max_chars, CHARS_DEFAULT, CHARS_MAX)?;
    Ok((
        usize::try_from(segments).unwrap_or(0),
        usize::try_from(chars).unwrap_or(0),
    ))
}

/// Keep at most `max_segments` segments and `max_chars` characters of their text (a segment
/// that crosses the limit is cut at a character boundary); whether anything was left out.
pub(crate) fn bound_transcript(
    segments: &mut Vec<TranscriptSegment>,
    max_segments: usize,
    max_chars: usize,
) -> bool {
    let mut truncated = segments.len() > max_segments;
    segments.truncate(max_segments);
    let mut left = max_chars;
    let mut keep = 0;
    for segment in segments.iter_mut() {
        if left == 0 {
            break;
        }
        let chars = segment.text.chars().count();
        if chars > left {
            let cut = segment
                .text
                .char_indices()
                .nth(left)
                .map_or(segment.text.len(), |(at, _)| at);
            segment.text.truncate(cut);
            truncated = true;
            left = 0;
        } else {
            left -= chars;
        }
        keep += 1;
    }
    if keep < segments.len() {
        truncated = true;
        segments.truncate(keep);
    }
    truncated
}

/// One conversation, its transcript bounded: `(conversation, truncated)`.
async fn deep_read<A: DeveloperConversations>(
    api: &A,
    id: &str,
    (max_segments, max_chars): (usize, usize),
) -> Result<(Value, bool), ToolError> {
    let mut conversation = called(
        api.get_conversation(id, GetConversationQuery::WITH_TRANSCRIPT)
            .await,
    )?;
    let mut card = card(&conversation);
    let mut segments = conversation.transcript_segments.take().unwrap_or_default();
    let truncated = bound_transcript(&mut segments, max_segments, max_chars);
    if let Value::Object(fields) = &mut card {
        fields.insert(
            "action_items".into(),
            json!(conversation.structured.action_items),
        );
        fields.insert("events".into(), json!(conversation.structured.events));
        fields.insert("transcript_segments".into(), json!(segments));
    }
    Ok((card, truncated))
}

/// `get_conversation_by_id`: one conversation with a bounded transcript and a `truncated` flag.
pub(crate) async fn get_conversation_by_id<A: DeveloperConversations>(
    api: &A,
    args: Option<Map<String, Value>>,
) -> ToolOutcome {
    let args: GetConversationById = arguments(args)?;
    let (conversation, truncated) = deep_read(
        api,
        &args.conversation_id,
        bounds(args.max_segments, args.max_chars)?,
    )
    .await?;
    answer(json!({ "conversation": conversation, "truncated": truncated }))
}

/// `get_conversations_by_ids`: up to 20 deep reads; unknown ids are listed in `not_found`.
pub(crate) async fn get_conversations_by_ids<A: DeveloperConversations>(
    api: &A,
    args: Option<Map<String, Value>>,
) -> ToolOutcome {
    let args: GetConversationsByIds = arguments(args)?;
    if args.conversation_ids.is_empty() || args.conversation_ids.len() > IDS_MAX {
        return Err(ToolError::invalid_arguments(format!(
            "conversation_ids: give 1 to {IDS_MAX} ids"
        )));
    }
    let limits = bounds(args.max_segments, args.max_chars)?;
    let (mut conversations, mut not_found, mut truncated) = (Vec::new(), Vec::new(), false);
    let mut seen = std::collections::HashSet::new();
    for id in args
        .conversation_ids
        .iter()
        .filter(|id| seen.insert(id.as_str()))
    {
        match deep_read(api, id, limits).await {
            Ok((conversation, cut)) => {
                conversations.push(json!({ "conversation": conversation, "truncated": cut }));
                truncated |= cut;
            }
            Err(error) if error.code == "not_found" => not_found.push(id.clone()),
            Err(error) => return Err(error),
        }
    }
    answer(
        json!({ "conversations": conversations, "not_found": not_found, "truncated": truncated }),
    )
}

/// `search_conversations`: cards of the conversations that match, best first, each with a
/// snippet around the words found.
pub(crate) async fn search_conversations<A: DeveloperConversations>(
    api: &A,
    args: Option<Map<String, Value>>,
) -> ToolOutcome {
    let args: SearchConversations = arguments(args)?;
    let query = RankedSearchQuery {
        query: Some(args.query),
        start_date: date("start_date", args.start_date.as_deref())?,
        end_date: date("end_date", args.end_date.as_deref())?,
        limit: Some(limit(args.limit, SEARCH_DEFAULT, SEARCH_MAX)?),
        offset: None,
    };
    let found = called(api.search_conversations(query).await)?;
    let cards: Vec<Value> = found
        .items
        .iter()
        .map(|hit| {
            let mut card = card(&hit.conversation);
            if let Value::Object(fields) = &mut card {
                fields.insert("snippet".into(), json!(hit.snippet));
                fields.insert("relevance_score".into(), json!(hit.relevance_score));
            }
            card
        })
        .collect();
    answer(json!({ "conversations": cards }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(text: &str) -> TranscriptSegment {
        serde_json::from_value(json!({"text": text, "speaker": "SPEAKER_00", "is_user": false, "start": 0.0, "end": 1.0}))
            .expect("segment")
    }

    #[test]
    fn transcripts_are_bounded_by_segments_and_characters_on_char_boundaries() {
        let mut segments = vec![
            segment("こんにちは🙂世界"),
            segment("two"),
            segment("three"),
        ];
        assert!(bound_transcript(&mut segments, 10, 6));
        assert_eq!(segments.len(), 1);
        assert_eq!(segments[0].text, "こんにちは🙂");

        let mut segments = vec![segment("one"), segment("two"), segment("three")];
        assert!(bound_transcript(&mut segments, 2, 1000));
        assert_eq!(segments.len(), 2);

        let mut segments = vec![segment("one"), segment("two")];
        assert!(!bound_transcript(&mut segments, 2, 6));
        assert_eq!(segments.len(), 2);

        let mut segments = vec![segment("one"), segment("two")];
        assert!(bound_transcript(&mut segments, 2, 3));
        assert_eq!(segments.len(), 1);
    }
}
