//! Parameters that several operations share, as `IntoParams` types for their annotations.

use utoipa::IntoParams;

/// The app of an integration route, in its path.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct AppIdParam {
    /// The app's id.
    pub app_id: String,
}

/// The user of an integration route, in its query (required).
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UidParam {
    /// The user (OMI's `uid`): 1 to 128 characters, no control characters.
    #[param(
        min_length = 1,
        max_length = 128,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*$",
        example = "user_123"
    )]
    pub uid: String,
}

/// The conversation a developer route acts on.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ConversationIdParam {
    /// The conversation's id.
    pub conversation_id: String,
}

/// The action item a developer route acts on.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ActionItemIdParam {
    /// The action item's id.
    pub action_item_id: String,
}

/// The goal a developer route acts on.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct GoalIdParam {
    /// The goal's id.
    pub goal_id: String,
}

/// The memory a developer route acts on.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MemoryIdParam {
    /// The memory's id.
    pub memory_id: String,
}

/// The webhook a developer route acts on.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct WebhookIdParam {
    /// The webhook's id.
    pub webhook_id: String,
}
