//! Tasks of the Integration Imports API (`GET /v2/integrations/{app_id}/tasks`): a user's
//! action items as an app with the `read_tasks` capability reads them, with OMI's cloud's
//! filters (completion, conversation, creation and due dates) and its item shape (absent
//! fields left out rather than `null`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::action_item::{ActionItem, ActionItemListParams};
use crate::conversation_search::{Bound, SearchDateError, search_date};
use crate::query::{FromQueryStr, PageParams, QueryError, QueryParams, page, page_pairs};
use crate::scalars::Limit;
use crate::timestamp;
use crate::validation::Problems;

/// One task: an action item, its absent times and conversation left out (OMI's cloud
/// answers this route with `exclude_none`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    /// Its id.
    pub id: String,
    /// What is to be done.
    pub description: String,
    /// Whether it is done.
    pub completed: bool,
    /// When it was created.
    #[serde(
        default,
        with = "timestamp::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(
        default,
        with = "timestamp::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub updated_at: Option<DateTime<Utc>>,
    /// When it is due.
    #[serde(
        default,
        with = "timestamp::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub due_at: Option<DateTime<Utc>>,
    /// When it was completed.
    #[serde(
        default,
        with = "timestamp::optional",
        skip_serializing_if = "Option::is_none"
    )]
    pub completed_at: Option<DateTime<Utc>>,
    /// The conversation it was found in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
}

impl From<ActionItem> for Task {
    fn from(item: ActionItem) -> Self {
        Self {
            id: item.id,
            description: item.description,
            completed: item.completed,
            created_at: item.created_at,
            updated_at: item.updated_at,
            due_at: item.due_at,
            completed_at: item.completed_at,
            conversation_id: item.conversation_id,
        }
    }
}

/// `{"tasks": [...]}`: the answer of `GET /v2/integrations/{app_id}/tasks`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TasksResponse {
    /// The tasks, newest first.
    pub tasks: Vec<Task>,
}

/// Query of `GET /v2/integrations/{app_id}/tasks` (besides `uid`). Dates are kept as sent
/// and read as OMI's cloud reads them: `YYYY-MM-DD` is the start (for `start_date`,
/// `due_start_date`) or the end (`end_date`, `due_end_date`) of that day in UTC, anything
/// else ISO 8601 (a time without an offset is UTC); a date neither is a 400 naming it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ListTasksQuery {
    /// Page size, 1..=1000; default 100.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 1000, default = 100))]
    pub limit: Option<i64>,
    /// Tasks to skip, >= 0; default 0.
    #[cfg_attr(feature = "openapi", param(minimum = 0, default = 0))]
    pub offset: Option<i64>,
    /// Only completed (`true`) or open (`false`) tasks.
    pub completed: Option<bool>,
    /// Only the tasks of this conversation.
    pub conversation_id: Option<String>,
    /// Only tasks created at or after this time.
    pub start_date: Option<String>,
    /// Only tasks created at or before this time.
    pub end_date: Option<String>,
    /// Only tasks due at or after this time.
    pub due_start_date: Option<String>,
    /// Only tasks due at or before this time.
    pub due_end_date: Option<String>,
}

impl ListTasksQuery {
    /// The query-string pairs a client sends.
    pub fn to_query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = page_pairs(self.limit, self.offset);
        if let Some(c) = self.completed {
            pairs.push(("completed", c.to_string()));
        }
        let texts = [
            ("conversation_id", &self.conversation_id),
            ("start_date", &self.start_date),
            ("end_date", &self.end_date),
            ("due_start_date", &self.due_start_date),
            ("due_end_date", &self.due_end_date),
        ];
        for (name, value) in texts {
            if let Some(value) = value {
                pairs.push((name, value.clone()));
            }
        }
        pairs
    }

    /// Check the page (422) and read the dates (400 naming the first that does not read).
    pub fn validate(&self) -> Result<ActionItemListParams, QueryError> {
        let mut problems = Problems::new();
        let (limit, offset) = page(
            &mut problems,
            self.limit,
            self.offset,
            Limit::ACTION_ITEMS_DEFAULT,
        );
        let page = problems.finish(|| {
            Some(PageParams {
                limit: limit?,
                offset: offset?,
            })
        })?;
        let date = |raw: &Option<String>, field, bound| {
            search_date(raw.as_deref(), field, bound)
                .map_err(|e: SearchDateError| QueryError::BadRequest(e.detail()))
        };
        Ok(ActionItemListParams {
            page,
            conversation_id: self.conversation_id.clone(),
            completed: self.completed,
            start_date: date(&self.start_date, "start_date", Bound::Start)?,
            end_date: date(&self.end_date, "end_date", Bound::End)?,
            due_start_date: date(&self.due_start_date, "due_start_date", Bound::Start)?,
            due_end_date: date(&self.due_end_date, "due_end_date", Bound::End)?,
        })
    }
}

impl FromQueryStr for ListTasksQuery {
    fn from_query_str(raw: &str) -> Result<Self, QueryError> {
        let q = QueryParams::parse(raw);
        let mut problems = Problems::new();
        let limit = q.int("limit", &mut problems);
        let offset = q.int("offset", &mut problems);
        let completed = q.bool("completed", &mut problems);
        let text = |name| q.last(name).map(str::to_owned);
        // A date of only white space is no bound, as on every other route.
        let date = |name| {
            q.last(name)
                .filter(|d| !d.trim().is_empty())
                .map(str::to_owned)
        };
        Ok(problems.finish(|| {
            Some(Self {
                limit,
                offset,
                completed,
                conversation_id: text("conversation_id"),
                start_date: date("start_date"),
                end_date: date("end_date"),
                due_start_date: date("due_start_date"),
                due_end_date: date("due_end_date"),
            })
        })?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(raw: &str) -> Result<ActionItemListParams, QueryError> {
        ListTasksQuery::from_query_str(raw)?.validate()
    }

    #[test]
    fn due_dates_are_read_as_the_cloud_reads_them() {
        let params = read("due_start_date=2026-12-01&due_end_date=2026-12-31").unwrap();
        assert_eq!(
            params.due_start_date,
            Some(timestamp::parse_datetime("2026-12-01T00:00:00Z").unwrap())
        );
        assert_eq!(
            params.due_end_date,
            Some(timestamp::parse_datetime("2026-12-31T23:59:59.999999Z").unwrap())
        );
        let naive = read("due_start_date=2026-12-01T10:00:00").unwrap();
        assert_eq!(
            naive.due_start_date,
            Some(timestamp::parse_datetime("2026-12-01T10:00:00Z").unwrap())
        );
        assert_eq!(
            read("due_end_date=tomorrow"),
            Err(QueryError::BadRequest(
                "Invalid due_end_date format. Use ISO format (YYYY-MM-DDTHH:MM:SS.sssZ) or YYYY-MM-DD".into()
            ))
        );
        assert!(matches!(read("limit=0"), Err(QueryError::Invalid(_))));
        assert_eq!(read("").unwrap().page.limit, Limit::ACTION_ITEMS_DEFAULT);
    }

    #[test]
    fn query_pairs_round_trip() {
        let q = ListTasksQuery {
            limit: Some(5),
            offset: Some(10),
            completed: Some(false),
            conversation_id: Some("c1".into()),
            start_date: Some("2026-01-01".into()),
            end_date: None,
            due_start_date: Some("2026-12-01T00:00:00Z".into()),
            due_end_date: Some("2026-12-31".into()),
        };
        let raw = serde_urlencoded::to_string(q.to_query_pairs()).unwrap();
        assert_eq!(ListTasksQuery::from_query_str(&raw).unwrap(), q);
    }

    #[test]
    fn a_task_leaves_absent_fields_out() {
        let task = Task::from(ActionItem {
            id: "t".into(),
            description: "買い物 🛒".into(),
            completed: false,
            created_at: None,
            updated_at: None,
            due_at: None,
            completed_at: None,
            conversation_id: None,
        });
        assert_eq!(
            serde_json::to_value(task).unwrap(),
            serde_json::json!({"id": "t", "description": "買い物 🛒", "completed": false})
        );
    }
}
