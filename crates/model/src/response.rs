//! Response bodies that wrap the objects.

use serde::{Deserialize, Serialize};

use crate::conversation::Conversation;
use crate::memory::Memory;

/// `{}`: the answer of the integration create routes once the request is durably stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EmptyResponse {}

/// `{"conversations": [...]}`: the integration conversation list, newest first.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationsResponse {
    /// The page of conversations.
    pub conversations: Vec<Conversation>,
}

/// `{"memories": [...]}`: the integration memory list.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemoriesResponse {
    /// The page of memories.
    pub memories: Vec<Memory>,
}

/// `{"memories": [...], "created_count": n}`: the developer batch create answer.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchMemoriesResponse {
    /// The memories created (or already present with the same content), in request order.
    pub memories: Vec<Memory>,
    /// How many memories the batch holds.
    pub created_count: usize,
}

/// `{"success": true}`: the answer of a delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuccessResponse {
    /// Always `true` when returned.
    pub success: bool,
}

impl SuccessResponse {
    /// `{"success": true}`.
    pub const OK: Self = Self { success: true };
}
