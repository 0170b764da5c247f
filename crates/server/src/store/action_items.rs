//! The storage of action items: [`ActionItemStore`] and [`ActionItemRecord`].

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_extract::ProcessedConversation;
use omi_model::{
    ActionItem, ActionItemListParams, ActionItemUpdate, NewActionItem, RankedSearch, Uid,
};

use super::{IdempotentAnswer, StoreResult};

/// An action item to insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItemRecord {
    /// Its id.
    pub id: String,
    /// What is to be done, trimmed.
    pub description: String,
    /// Whether it is done.
    pub completed: bool,
    /// When it was created (and last changed).
    pub created_at: DateTime<Utc>,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// When it was completed; set exactly when `completed` is.
    pub completed_at: Option<DateTime<Utc>>,
    /// The conversation it was found in.
    pub conversation_id: Option<String>,
}

impl ActionItemRecord {
    /// An action item the user made through the Developer API, at `now`.
    pub fn manual(item: &NewActionItem, now: DateTime<Utc>) -> Self {
        Self {
            id: crate::keys::new_id(),
            description: item.description.as_str().to_owned(),
            completed: item.completed,
            created_at: now,
            due_at: item.due_at,
            completed_at: item.completed.then_some(now),
            conversation_id: None,
        }
    }

    /// The action items processing found in conversation `conversation_id`
    /// ([`ProcessedConversation::kept_action_items`]), made at `now`.
    pub fn extracted_from(
        processed: &ProcessedConversation,
        conversation_id: &str,
        now: DateTime<Utc>,
    ) -> Vec<Self> {
        processed
            .kept_action_items()
            .into_iter()
            .map(|item| Self {
                id: crate::keys::new_id(),
                description: item.description,
                completed: item.completed,
                created_at: now,
                due_at: None,
                completed_at: item.completed.then_some(now),
                conversation_id: Some(conversation_id.to_owned()),
            })
            .collect()
    }
}

/// The persistence of action items. Every method takes the user's id and never reads or
/// writes another user's rows.
#[async_trait]
pub trait ActionItemStore: Send + Sync + 'static {
    /// Insert action items in one transaction (with `answer` when given); the stored items,
    /// in input order.
    async fn insert_action_items(
        &self,
        uid: &Uid,
        items: &[ActionItemRecord],
        answer: Option<IdempotentAnswer<Vec<ActionItem>>>,
    ) -> StoreResult<Vec<ActionItem>>;

    /// A page of a user's action items, newest first.
    async fn list_action_items(
        &self,
        uid: &Uid,
        params: &ActionItemListParams,
    ) -> StoreResult<Vec<ActionItem>>;

    /// One of a user's action items.
    async fn action_item(&self, uid: &Uid, id: &str) -> StoreResult<Option<ActionItem>>;

    /// Change one of a user's action items; `None` when it does not exist.
    async fn update_action_item(
        &self,
        uid: &Uid,
        id: &str,
        update: &ActionItemUpdate,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<ActionItem>>;

    /// Delete one of a user's action items; `false` when it did not exist.
    async fn delete_action_item(&self, uid: &Uid, id: &str) -> StoreResult<bool>;

    /// The Developer API's search: a user's action items whose description matches, best
    /// first, each with its relevance in [0.5, 1).
    async fn rank_action_items(
        &self,
        uid: &Uid,
        search: &RankedSearch,
    ) -> StoreResult<Vec<(ActionItem, f64)>>;
}
