//! Memories: timeless facts about a user. Create bodies of both APIs, their validated forms,
//! and the memory object.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::enums::{MemoryCategory, MemoryTextSource, Visibility};
use crate::scalars::{ImportText, MemoryContent, SourceReference, Tags, TextSourceSpec};
use crate::timestamp;
use crate::validation::{Loc, Problems, ValidationError, ValidationErrors, kind, msg};

/// One explicit memory of an integration import (`memories[]` of the create-memories body).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExplicitMemoryRequest {
    /// The fact, 1 to 500 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub content: String,
    /// Tags for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub tags: Option<Vec<String>>,
    /// The app's own id of where the memory comes from, at most 2 048 characters; kept
    /// with the memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// A link to where the memory comes from, at most 2 048 characters; kept with the
    /// memory.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

/// The body of `POST /v2/integrations/{app_id}/user/memories`: text to extract memories from,
/// explicit memories, or both.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateMemoriesRequest {
    /// Text from which memories are extracted.
    #[cfg_attr(feature = "openapi", schema(max_length = 500000))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// What kind of text it is; defaults to `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_source: Option<MemoryTextSource>,
    /// A free-form note on the source (`"newsletter"`).
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_source_spec: Option<String>,
    /// Memories to store as given.
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memories: Option<Vec<ExplicitMemoryRequest>>,
    /// The app's own id of the text's source, at most 2 048 characters; kept with the
    /// memories extracted from the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// A link to the text's source, at most 2 048 characters; kept with the memories
    /// extracted from the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
}

impl CreateMemoriesRequest {
    /// The message when neither text nor memories are given.
    pub const NOTHING_TO_IMPORT: &'static str =
        "Either text or explicit memories are required and cannot be empty";
    /// The most explicit memories in one request.
    pub const MAX_MEMORIES: usize = 100;

    /// Validate: at least one of a non-empty `text` or a non-empty `memories` list; every
    /// memory's content and tags; every problem at once.
    pub fn validate(self) -> Result<MemoriesImport, ValidationErrors> {
        let body = Loc::body();
        let has_text = self.text.as_deref().is_some_and(|t| !t.trim().is_empty());
        let has_memories = self.memories.as_ref().is_some_and(|m| !m.is_empty());
        if !has_text && !has_memories {
            return Err(ValidationErrors::single(ValidationError::new(
                body,
                kind::VALUE_ERROR,
                Self::NOTHING_TO_IMPORT,
            )));
        }
        let mut problems = Problems::new();
        let text = match self.text.as_deref().filter(|_| has_text) {
            None => Some(None),
            Some(raw) => problems
                .take(ImportText::parse_at(&body.join("text"), raw))
                .map(Some),
        };
        let spec = optional_spec(&mut problems, &body, self.text_source_spec.as_deref());
        let source = source_at(
            &mut problems,
            &body,
            self.source_id.as_deref(),
            self.source_url.as_deref(),
        );
        let raw_memories = self.memories.unwrap_or_default();
        let memories = explicit_memories(&mut problems, &body.join("memories"), &raw_memories);
        problems.finish(|| {
            Some(MemoriesImport {
                text: text?,
                text_origin: source?,
                text_source: self.text_source.unwrap_or_default(),
                text_source_spec: spec?,
                memories: memories?,
            })
        })
    }
}

fn optional_spec(
    problems: &mut Problems,
    body: &Loc,
    raw: Option<&str>,
) -> Option<Option<TextSourceSpec>> {
    match raw {
        None => Some(None),
        Some(raw) => problems
            .take(TextSourceSpec::parse_at(
                &body.join("text_source_spec"),
                raw,
            ))
            .map(Some),
    }
}

fn explicit_memories(
    problems: &mut Problems,
    loc: &Loc,
    raw: &[ExplicitMemoryRequest],
) -> Option<Vec<ExplicitMemory>> {
    if raw.len() > CreateMemoriesRequest::MAX_MEMORIES {
        problems.push(ValidationError::new(
            loc.clone(),
            kind::TOO_LONG,
            msg::too_long(CreateMemoriesRequest::MAX_MEMORIES, raw.len()),
        ));
        return None;
    }
    let parsed: Vec<Option<ExplicitMemory>> = raw
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let at = loc.join(i);
            let content = problems.take(MemoryContent::parse_at(&at.join("content"), &m.content));
            let tags = problems.take(parse_tags(&at, m.tags.as_deref()));
            let origin = source_at(
                problems,
                &at,
                m.source_id.as_deref(),
                m.source_url.as_deref(),
            );
            Some(ExplicitMemory {
                content: content?,
                tags: tags?,
                origin: origin?,
            })
        })
        .collect();
    parsed.into_iter().collect()
}

/// The `source_id` and `source_url` of an import or one of its memories, checked (at most
/// [`SourceReference::MAX_CHARS`] each; empty counts as absent).
fn source_at(
    problems: &mut Problems,
    at: &Loc,
    id: Option<&str>,
    url: Option<&str>,
) -> Option<MemoryOrigin> {
    let mut field = |name: &str, raw: Option<&str>| -> Option<Option<String>> {
        let Some(raw) = raw else { return Some(None) };
        let checked = problems.take(SourceReference::parse_at(&at.join(name), raw))?;
        Some(Some(checked.into_inner()).filter(|v| !v.is_empty()))
    };
    let source_id = field("source_id", id);
    let source_url = field("source_url", url);
    Some(MemoryOrigin {
        source_id: source_id?,
        source_url: source_url?,
    })
}

fn parse_tags(at: &Loc, raw: Option<&[String]>) -> Result<Tags, ValidationErrors> {
    Tags::parse_at(&at.join("tags"), raw.unwrap_or_default())
}

/// A validated explicit memory of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplicitMemory {
    /// The fact.
    pub content: MemoryContent,
    /// Its tags.
    pub tags: Tags,
    /// Where it comes from, as the app said.
    pub origin: MemoryOrigin,
}

/// Where an imported memory comes from, as the importing app said (`source_id`,
/// `source_url`): kept with the memory and shown on it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemoryOrigin {
    /// The app's own id of the source.
    pub source_id: Option<String>,
    /// A link to the source.
    pub source_url: Option<String>,
}

/// A validated memories import: text to extract from and/or memories to store as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoriesImport {
    /// Text to extract memories from, when given and not blank.
    pub text: Option<ImportText>,
    /// Where the text comes from, as the app said; kept with what is extracted from it.
    pub text_origin: MemoryOrigin,
    /// What kind of text it is.
    pub text_source: MemoryTextSource,
    /// A note on the source.
    pub text_source_spec: Option<TextSourceSpec>,
    /// Memories to store as given (possibly none).
    pub memories: Vec<ExplicitMemory>,
}

/// The body of `POST /v1/dev/user/memories`, and one item of the batch body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateMemoryRequest {
    /// The fact, 1 to 500 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub content: String,
    /// Its category; chosen automatically when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<MemoryCategory>,
    /// Who may see it; defaults to `private`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    /// Tags for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub tags: Option<Vec<String>>,
}

impl CreateMemoryRequest {
    /// A request with only content; the rest takes defaults.
    pub fn new(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            ..Self::default()
        }
    }

    /// Validate, reporting problems under `loc` (the body, or a batch item).
    pub fn validate_at(&self, loc: &Loc) -> Result<NewMemory, ValidationErrors> {
        let mut problems = Problems::new();
        let content = problems.take(MemoryContent::parse_at(&loc.join("content"), &self.content));
        let tags = problems.take(parse_tags(loc, self.tags.as_deref()));
        problems.finish(|| {
            Some(NewMemory {
                content: content?,
                category: self.category,
                visibility: self.visibility.unwrap_or_default(),
                tags: tags?,
            })
        })
    }

    /// Validate as a whole request body.
    pub fn validate(&self) -> Result<NewMemory, ValidationErrors> {
        self.validate_at(&Loc::body())
    }
}

/// A validated developer memory to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMemory {
    /// The fact.
    pub content: MemoryContent,
    /// Its category, or `None` to choose one automatically.
    pub category: Option<MemoryCategory>,
    /// Who may see it.
    pub visibility: Visibility,
    /// Its tags.
    pub tags: Tags,
}

/// The body of `POST /v1/dev/user/memories/batch`: at most 25 memories, all or nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchCreateMemoriesRequest {
    /// The memories to create.
    #[cfg_attr(feature = "openapi", schema(max_items = 25))]
    pub memories: Vec<CreateMemoryRequest>,
}

impl BatchCreateMemoriesRequest {
    /// The most memories in one batch.
    pub const MAX_ITEMS: usize = 25;

    /// Validate every item; any problem rejects the whole batch.
    pub fn validate(&self) -> Result<Vec<NewMemory>, ValidationErrors> {
        let loc = Loc::body().join("memories");
        if self.memories.len() > Self::MAX_ITEMS {
            return Err(ValidationErrors::single(ValidationError::new(
                loc,
                kind::TOO_LONG,
                msg::too_long(Self::MAX_ITEMS, self.memories.len()),
            )));
        }
        let mut problems = Problems::new();
        let items: Vec<Option<NewMemory>> = self
            .memories
            .iter()
            .enumerate()
            .map(|(i, m)| problems.take(m.validate_at(&loc.join(i))))
            .collect();
        problems.finish(|| items.into_iter().collect())
    }
}

/// The body of `PATCH /v1/dev/user/memories/{id}`: at least one field.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateMemoryRequest {
    /// New content, 1 to 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub content: Option<String>,
    /// New visibility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    /// New tags (replacing the old ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub tags: Option<Vec<String>>,
    /// New category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<MemoryCategory>,
}

impl UpdateMemoryRequest {
    /// The message when no field is given.
    pub const NOTHING_TO_UPDATE: &'static str =
        "At least one field (content, visibility, tags, or category) must be provided";

    /// Validate: at least one field, each field valid.
    pub fn validate(&self) -> Result<MemoryUpdate, ValidationErrors> {
        let body = Loc::body();
        if self.content.is_none()
            && self.visibility.is_none()
            && self.tags.is_none()
            && self.category.is_none()
        {
            return Err(ValidationErrors::single(ValidationError::new(
                body,
                kind::VALUE_ERROR,
                Self::NOTHING_TO_UPDATE,
            )));
        }
        let mut problems = Problems::new();
        let content = match &self.content {
            None => Some(None),
            Some(raw) => problems
                .take(MemoryContent::parse_at(&body.join("content"), raw))
                .map(Some),
        };
        let tags = match &self.tags {
            None => Some(None),
            Some(raw) => problems.take(parse_tags(&body, Some(raw))).map(Some),
        };
        problems.finish(|| {
            Some(MemoryUpdate {
                content: content?,
                visibility: self.visibility,
                tags: tags?,
                category: self.category,
            })
        })
    }
}

/// A validated, non-empty change to a memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryUpdate {
    /// New content (marks the memory edited).
    pub content: Option<MemoryContent>,
    /// New visibility.
    pub visibility: Option<Visibility>,
    /// New tags.
    pub tags: Option<Tags>,
    /// New category.
    pub category: Option<MemoryCategory>,
}

/// A memory as the read and write routes return it.
///
/// Fields that some of OMI's responses leave out are `Option`s and are left out again when
/// absent; fields this crate does not know are kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Memory {
    /// Its id.
    pub id: String,
    /// The fact.
    pub content: String,
    /// Its category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<MemoryCategory>,
    /// Who may see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    /// Its tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// When it was created.
    #[serde(with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(
        default,
        with = "timestamp::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<DateTime<Utc>>,
    /// Whether it was added through the API or app rather than extracted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manually_added: Option<bool>,
    /// Its sort key (see [`scoring`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoring: Option<String>,
    /// Whether the user reviewed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<bool>,
    /// The user's verdict, when reviewed (`null` otherwise).
    #[serde(default)]
    pub user_review: Option<bool>,
    /// Whether its content was changed after creation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<bool>,
    /// The integration app that created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// The conversation it was extracted from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// The importing app's id of the memory's source (integration imports that gave one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// A link to the memory's source (integration imports that gave one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    /// Fields this crate does not know, kept so nothing is lost on a round trip.
    #[serde(flatten, default, skip_serializing_if = "Map::is_empty")]
    pub extra: Map<String, Value>,
}

impl MemoryUpdate {
    /// `memory` with this update applied at `now`: a content change marks it edited; a
    /// category change recomputes its `scoring`; `updated_at` becomes `now`.
    ///
    /// ```
    /// use omi_model::chrono::Utc;
    /// use omi_model::{Memory, UpdateMemoryRequest};
    ///
    /// let memory: Memory = serde_json::from_str(
    ///     r#"{"id": "m1", "content": "Likes tea", "created_at": "2024-01-15T10:30:00Z"}"#,
    /// )
    /// .expect("a memory");
    /// let request = UpdateMemoryRequest {
    ///     content: Some("Likes green tea".into()),
    ///     ..Default::default()
    /// };
    /// let update = request.validate().expect("a valid update");
    /// let changed = update.apply_to(memory, Utc::now());
    /// assert_eq!(changed.content, "Likes green tea");
    /// assert_eq!(changed.edited, Some(true));
    /// ```
    pub fn apply_to(&self, mut memory: Memory, now: DateTime<Utc>) -> Memory {
        if let Some(content) = &self.content {
            memory.edited = Some(true);
            memory.content = content.as_str().to_owned();
        }
        if let Some(v) = self.visibility {
            memory.visibility = Some(v);
        }
        if let Some(tags) = &self.tags {
            memory.tags = tags.to_strings();
        }
        if let Some(c) = self.category {
            memory.category = Some(c);
            let manual = memory.manually_added.unwrap_or(false);
            memory.scoring = Some(scoring(manual, c, memory.created_at));
        }
        memory.updated_at = Some(crate::timestamp::normalize(now));
        memory
    }
}

/// The sort key OMI gives a memory: `MM_BBB_TTTTTTTTTT` — manually added (0/1), 999 minus the
/// category boost, and the creation time in unix seconds. Lists sort by it descending, then
/// by `created_at` descending. The boost is OMI's: 1 for `interesting`, `manual` and the
/// cloud's `core`, `hobbies`, `lifestyle`, `interests`, `habits`, `work`, `skills` and
/// `other`, 0 for `system`; `learnings` has none in the cloud's table, whose code then writes
/// `00` (so such memories sort after the others).
///
/// ```
/// use omi_model::chrono::{TimeZone, Utc};
/// use omi_model::{scoring, MemoryCategory};
/// let t = Utc.timestamp_opt(1705315800, 0).unwrap();
/// assert_eq!(scoring(true, MemoryCategory::Interesting, t), "01_998_1705315800");
/// assert_eq!(scoring(false, MemoryCategory::System, t), "00_999_1705315800");
/// assert_eq!(scoring(false, MemoryCategory::Hobbies, t), "00_998_1705315800");
/// assert_eq!(scoring(true, MemoryCategory::Learnings, t), "01_00_1705315800");
/// ```
pub fn scoring(
    manually_added: bool,
    category: MemoryCategory,
    created_at: DateTime<Utc>,
) -> String {
    let boost = match category {
        MemoryCategory::System => Some(0),
        MemoryCategory::Learnings => None,
        _ => Some(1),
    };
    let middle = boost.map_or_else(|| "00".to_owned(), |b| format!("{:03}", 999 - b));
    format!(
        "{:02}_{middle}_{:010}",
        u8::from(manually_added),
        created_at.timestamp().max(0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_needs_text_or_memories() {
        let err = CreateMemoriesRequest {
            text: Some("   ".into()),
            memories: Some(vec![]),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(err.items()[0].msg, CreateMemoriesRequest::NOTHING_TO_IMPORT);
        assert_eq!(err.items()[0].loc, Loc::body());
    }

    #[test]
    fn batch_reports_bad_items_by_index() {
        let req = BatchCreateMemoriesRequest {
            memories: vec![
                CreateMemoryRequest::new("fine"),
                CreateMemoryRequest::new(""),
            ],
        };
        let err = req.validate().unwrap_err();
        assert_eq!(err.items()[0].loc.to_string(), "body.memories.1.content");
    }
}
