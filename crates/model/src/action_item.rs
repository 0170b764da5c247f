//! Action items (`/v1/dev/user/action-items...`): things the user is to do, created by hand or
//! found in a conversation. The create, batch and update bodies, their validated forms, the
//! list query, and the action item object.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::query::{
    FromQueryStr, PageParams, QueryError, QueryParams, date_pairs, page, page_pairs,
};
use crate::scalars::{ActionItemDescription, Limit};
use crate::search::RankedSearchQuery;
use crate::timestamp;
use crate::validation::{Loc, Problems, ValidationError, ValidationErrors, kind, msg};

/// An action item as every action item route returns it. Absent times are `null`, as in
/// OMI's cloud.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionItem {
    /// Its id.
    pub id: String,
    /// What is to be done.
    pub description: String,
    /// Whether it is done.
    pub completed: bool,
    /// When it was created.
    #[serde(default, with = "timestamp::optional")]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default, with = "timestamp::optional")]
    pub updated_at: Option<DateTime<Utc>>,
    /// When it is due.
    #[serde(default, with = "timestamp::optional")]
    pub due_at: Option<DateTime<Utc>>,
    /// When it was completed (`null` while it is not).
    #[serde(default, with = "timestamp::optional")]
    pub completed_at: Option<DateTime<Utc>>,
    /// The conversation it was found in (`null` for one created by hand).
    #[serde(default)]
    pub conversation_id: Option<String>,
}

/// Query of `GET /v1/dev/user/action-items/search`: a [`RankedSearchQuery`].
pub type SearchActionItemsQuery = RankedSearchQuery;

/// One action item found by `GET /v1/dev/user/action-items/search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionItemSearchItem {
    /// How well it matches, higher is better, in [0.5, 1); the order of the items.
    pub relevance_score: f64,
    /// Its description (about 160 characters of it when longer) with the words found
    /// wrapped in `**`; `…` marks a cut.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// The action item.
    #[serde(flatten)]
    pub action_item: ActionItem,
}

/// The answer of `GET /v1/dev/user/action-items/search`: the best matches first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionItemSearchResponse {
    /// The action items found, best first.
    pub items: Vec<ActionItemSearchItem>,
    /// How many items there are.
    pub returned_count: usize,
}

impl ActionItemSearchResponse {
    /// The answer with `items`.
    pub fn new(items: Vec<ActionItemSearchItem>) -> Self {
        Self {
            returned_count: items.len(),
            items,
        }
    }
}

/// The body of `POST /v1/dev/user/action-items`, and one item of the batch body.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateActionItemRequest {
    /// What is to be done: 1 to 500 characters, not blank.
    pub description: String,
    /// Whether it is already done; default false.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<bool>,
    /// When it is due.
    #[serde(
        default,
        with = "timestamp::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_at: Option<DateTime<Utc>>,
}

impl CreateActionItemRequest {
    /// A request with only a description; the rest takes defaults.
    pub fn new(description: impl Into<String>) -> Self {
        Self {
            description: description.into(),
            ..Self::default()
        }
    }

    /// Validate, reporting problems under `loc` (the body, or a batch item).
    pub fn validate_at(&self, loc: &Loc) -> Result<NewActionItem, ValidationErrors> {
        let description =
            ActionItemDescription::parse_at(&loc.join("description"), &self.description)?;
        Ok(NewActionItem {
            description,
            completed: self.completed.unwrap_or(false),
            due_at: self.due_at.map(timestamp::normalize),
        })
    }

    /// Validate as a whole request body.
    pub fn validate(&self) -> Result<NewActionItem, ValidationErrors> {
        self.validate_at(&Loc::body())
    }
}

/// A validated action item to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActionItem {
    /// What is to be done, trimmed.
    pub description: ActionItemDescription,
    /// Whether it is already done (then completed when created).
    pub completed: bool,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
}

/// The body of `POST /v1/dev/user/action-items/batch`: at most 50 items, all or nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchCreateActionItemsRequest {
    /// The action items to create.
    pub action_items: Vec<CreateActionItemRequest>,
}

impl BatchCreateActionItemsRequest {
    /// The most action items in one batch.
    pub const MAX_ITEMS: usize = 50;

    /// Validate every item; any problem rejects the whole batch.
    pub fn validate(&self) -> Result<Vec<NewActionItem>, ValidationErrors> {
        let loc = Loc::body().join("action_items");
        if self.action_items.len() > Self::MAX_ITEMS {
            return Err(ValidationErrors::single(ValidationError::new(
                loc,
                kind::TOO_LONG,
                msg::too_long(Self::MAX_ITEMS, self.action_items.len()),
            )));
        }
        let mut problems = Problems::new();
        let items: Vec<Option<NewActionItem>> = self
            .action_items
            .iter()
            .enumerate()
            .map(|(i, item)| problems.take(item.validate_at(&loc.join(i))))
            .collect();
        problems.finish(|| items.into_iter().collect())
    }
}

/// `{"action_items": [...], "created_count": n}`: the batch create answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchActionItemsResponse {
    /// The action items created, in request order.
    pub action_items: Vec<ActionItem>,
    /// How many were created.
    pub created_count: usize,
}

/// The body of `PATCH /v1/dev/user/action-items/{id}`: at least one field. A `null` field
/// counts as absent, as in OMI's cloud.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateActionItemRequest {
    /// A new description, 1 to 500 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Complete it (`true`: `completed_at` becomes now) or reopen it (`false`: cleared).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed: Option<bool>,
    /// A new due time.
    #[serde(
        default,
        with = "timestamp::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_at: Option<DateTime<Utc>>,
}

impl UpdateActionItemRequest {
    /// The message when no field is given (OMI's words).
    pub const NOTHING_TO_UPDATE: &'static str = "At least one field must be provided";

    /// A request that completes (`true`) or reopens (`false`) an item.
    pub fn completed(completed: bool) -> Self {
        Self {
            completed: Some(completed),
            ..Self::default()
        }
    }

    /// Validate: at least one field, the description valid.
    pub fn validate(&self) -> Result<ActionItemUpdate, ValidationErrors> {
        let body = Loc::body();
        if self.description.is_none() && self.completed.is_none() && self.due_at.is_none() {
            return Err(ValidationErrors::single(ValidationError::new(
                body,
                kind::VALUE_ERROR,
                Self::NOTHING_TO_UPDATE,
            )));
        }
        let description = match &self.description {
            None => None,
            Some(raw) => Some(ActionItemDescription::parse_at(
                &body.join("description"),
                raw,
            )?),
        };
        Ok(ActionItemUpdate {
            description,
            completed: self.completed,
            due_at: self.due_at.map(timestamp::normalize),
        })
    }
}

/// A validated, non-empty change to an action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItemUpdate {
    /// A new description.
    pub description: Option<ActionItemDescription>,
    /// Completed or not.
    pub completed: Option<bool>,
    /// A new due time.
    pub due_at: Option<DateTime<Utc>>,
}

impl ActionItemUpdate {
    /// `item` with this change made at `now`: completing sets `completed_at` to `now` (unless
    /// it was completed already), reopening clears it, and `updated_at` becomes `now`.
    #[must_use]
    pub fn apply(&self, mut item: ActionItem, now: DateTime<Utc>) -> ActionItem {
        let now = timestamp::normalize(now);
        if let Some(d) = &self.description {
            item.description = d.as_str().to_owned();
        }
        match self.completed {
            Some(true) if !item.completed => {
                item.completed = true;
                item.completed_at = Some(now);
            }
            Some(false) => {
                item.completed = false;
                item.completed_at = None;
            }
            _ => {}
        }
        if let Some(due) = self.due_at {
            item.due_at = Some(due);
        }
        item.updated_at = Some(now);
        item
    }
}

/// Query of `GET /v1/dev/user/action-items`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListActionItemsQuery {
    /// Only the items of this conversation.
    pub conversation_id: Option<String>,
    /// Only completed (`true`) or open (`false`) items.
    pub completed: Option<bool>,
    /// Only items created at or after this time (ISO 8601, or `YYYY-MM-DD`).
    #[serde(default, with = "timestamp::optional")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
    pub start_date: Option<DateTime<Utc>>,
    /// Only items created at or before this time (ISO 8601, or `YYYY-MM-DD`).
    #[serde(default, with = "timestamp::optional")]
    #[cfg_attr(feature = "openapi", param(value_type = Option<String>))]
    pub end_date: Option<DateTime<Utc>>,
    /// Page size, 1..=1000; default 100.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000, default = 100))]
    pub limit: Option<i64>,
    /// Items to skip, >= 0; default 0.
    #[cfg_attr(feature = "openapi", param(minimum = 0, default = 0))]
    pub offset: Option<i64>,
}

/// A validated action item list request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItemListParams {
    /// Page size and offset.
    pub page: PageParams,
    /// Only the items of this conversation.
    pub conversation_id: Option<String>,
    /// Only completed or open items.
    pub completed: Option<bool>,
    /// Earliest `created_at`.
    pub start_date: Option<DateTime<Utc>>,
    /// Latest `created_at`.
    pub end_date: Option<DateTime<Utc>>,
    /// Earliest `due_at` (a task without one is left out).
    pub due_start_date: Option<DateTime<Utc>>,
    /// Latest `due_at` (a task without one is left out).
    pub due_end_date: Option<DateTime<Utc>>,
}

impl FromQueryStr for ListActionItemsQuery {
    /// Read from a raw query string.
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = QueryParams::parse(raw);
        let mut problems = Problems::new();
        let conversation_id = q.last("conversation_id").map(str::to_owned);
        let completed = q.bool("completed", &mut problems);
        let start_date = q.date("start_date", &mut problems);
        let end_date = q.date("end_date", &mut problems);
        let limit = q.int("limit", &mut problems);
        let offset = q.int("offset", &mut problems);
        Ok(problems.finish(|| {
            Some(Self {
                conversation_id,
                completed,
                start_date,
                end_date,
                limit,
                offset,
            })
        })?)
    }
}

impl ListActionItemsQuery {
    /// The query-string pairs a client sends.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = page_pairs(self.limit, self.offset);
        if let Some(id) = &self.conversation_id {
            pairs.push(("conversation_id", id.clone()));
        }
        if let Some(c) = self.completed {
            pairs.push(("completed", c.to_string()));
        }
        date_pairs(&mut pairs, self.start_date, self.end_date);
        pairs
    }

    /// Check ranges and fill defaults.
    pub fn validate(&self) -> Result<ActionItemListParams, ValidationErrors> {
        let mut problems = Problems::new();
        let (limit, offset) = page(
            &mut problems,
            self.limit,
            self.offset,
            Limit::ACTION_ITEMS_DEFAULT,
        );
        problems.finish(|| {
            Some(ActionItemListParams {
                page: PageParams {
                    limit: limit?,
                    offset: offset?,
                },
                conversation_id: self.conversation_id.clone(),
                completed: self.completed,
                start_date: self.start_date,
                end_date: self.end_date,
                due_start_date: None,
                due_end_date: None,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        timestamp::parse_datetime(s).unwrap()
    }

    fn item() -> ActionItem {
        ActionItem {
            id: "a".into(),
            description: "Pick up milk".into(),
            completed: false,
            created_at: Some(at("2024-03-10T15:00:00Z")),
            updated_at: Some(at("2024-03-10T15:00:00Z")),
            due_at: None,
            completed_at: None,
            conversation_id: None,
        }
    }

    #[test]
    fn completing_sets_completed_at_and_reopening_clears_it() {
        let now = at("2024-03-11T09:00:00Z");
        let done = UpdateActionItemRequest::completed(true)
            .validate()
            .unwrap()
            .apply(item(), now);
        assert_eq!((done.completed, done.completed_at), (true, Some(now)));
        let later = at("2024-03-12T09:00:00Z");
        let again = UpdateActionItemRequest::completed(true)
            .validate()
            .unwrap()
            .apply(done.clone(), later);
        assert_eq!(again.completed_at, Some(now));
        let open = UpdateActionItemRequest::completed(false)
            .validate()
            .unwrap()
            .apply(done, later);
        assert_eq!((open.completed, open.completed_at), (false, None));
        assert_eq!(open.updated_at, Some(later));
    }

    #[test]
    fn a_batch_reports_bad_items_by_index() {
        let err = BatchCreateActionItemsRequest {
            action_items: vec![
                CreateActionItemRequest::new("fine"),
                CreateActionItemRequest::new("  "),
            ],
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            err.items()[0].loc.to_string(),
            "body.action_items.1.description"
        );
    }

    #[test]
    fn list_query_pairs_round_trip() {
        let q = ListActionItemsQuery {
            conversation_id: Some("c1".into()),
            completed: Some(false),
            start_date: Some(at("2024-01-01T00:00:00Z")),
            end_date: Some(at("2024-02-01T00:00:00Z")),
            limit: Some(10),
            offset: Some(20),
        };
        let raw = serde_urlencoded::to_string(q.to_query_pairs()).unwrap();
        assert_eq!(ListActionItemsQuery::from_query_str(&raw).unwrap(), q);
    }
}
