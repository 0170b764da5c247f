//! Memory tools: `get_memories`, `create_memory`, `create_memories`, `edit_memory`,
//! `delete_memory`, `search_memories`, over [`DeveloperMemories`].

use omi_api::DeveloperMemories;
use omi_api::model::{
    CreateMemoryRequest, ListDevMemoriesQuery, MemoryCategory, SearchMemoriesQuery,
    UpdateMemoryRequest,
};
use rmcp::schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{arguments, limit, name_schema, names_schema, paged, parse_names};
use crate::cursor;
use crate::outcome::{ToolError, ToolOutcome, answer, called};

/// `get_memories`' default and largest page.
pub(crate) const LIST_DEFAULT: i64 = 20;
/// `get_memories`' largest page.
pub(crate) const LIST_MAX: i64 = 100;
/// `create_memories`' most items.
pub(crate) const BATCH_MAX: usize = 25;
/// `search_memories`' default and largest number of results.
pub(crate) const SEARCH_DEFAULT: i64 = 10;
/// `search_memories`' largest number of results.
pub(crate) const SEARCH_MAX: i64 = 20;

fn categories_schema(_: &mut SchemaGenerator) -> Schema {
    names_schema(
        MemoryCategory::WIRE_NAMES,
        "Only memories of these categories",
    )
}

fn category_schema(_: &mut SchemaGenerator) -> Schema {
    name_schema(
        MemoryCategory::WIRE_NAMES,
        "The category of the memory (default: chosen by the server)",
    )
}

/// Arguments of `get_memories`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct GetMemories {
    /// Only memories of these categories.
    #[serde(default)]
    #[schemars(schema_with = "categories_schema")]
    categories: Vec<String>,
    /// Number of memories to return, 1..=100 (default 20).
    #[schemars(range(min = 1, max = 100))]
    limit: Option<i64>,
    /// Memories to skip (default 0); mutually exclusive with cursor.
    #[schemars(range(min = 0))]
    offset: Option<i64>,
    /// Opaque cursor from a previous answer's next_cursor (mutually exclusive with offset).
    cursor: Option<String>,
}

/// Arguments of `create_memory`, and each item of `create_memories`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateMemory {
    /// The content of the memory: a fact about the user, 1 to 500 characters.
    content: String,
    /// The category of the memory.
    #[schemars(schema_with = "category_schema")]
    category: Option<String>,
}

/// Arguments of `create_memories`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct CreateMemories {
    /// Memories to create, 1 to 25.
    #[schemars(length(min = 1, max = 25))]
    items: Vec<CreateMemory>,
}

/// Arguments of `edit_memory`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct EditMemory {
    /// The id of the memory to edit.
    memory_id: String,
    /// The new content of the memory, 1 to 500 characters.
    content: String,
}

/// Arguments of `delete_memory`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct DeleteMemory {
    /// The id of the memory to delete.
    memory_id: String,
}

/// Arguments of `search_memories`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchMemories {
    /// What to look for, in any language.
    query: String,
    /// Most results to return, 1..=20 (default 10).
    #[schemars(range(min = 1, max = 20))]
    limit: Option<i64>,
}

/// The filters a `get_memories` cursor is bound to.
#[derive(Serialize)]
struct MemoryFilters<'a> {
    categories: &'a [String],
    limit: i64,
}

/// `get_memories`: the user's memories as the REST list orders them, a page at a time.
pub(crate) async fn get_memories<A: DeveloperMemories>(
    api: &A,
    args: Option<serde_json::Map<String, Value>>,
) -> ToolOutcome {
    let args: GetMemories = arguments(args)?;
    let limit = limit(args.limit, LIST_DEFAULT, LIST_MAX)?;
    let filters = MemoryFilters {
        categories: &args.categories,
        limit,
    };
    let start = cursor::page_start(
        "get_memories",
        &filters,
        args.offset,
        args.cursor.as_deref(),
    )?;
    let query = ListDevMemoriesQuery {
        limit: Some(limit + 1),
        offset: Some(start.0),
        categories: parse_names("categories", &args.categories, MemoryCategory::WIRE_NAMES)?,
    };
    let mut memories = called(api.list_memories(query).await)?;
    let page = paged(&mut memories, limit, |len| {
        cursor::next_cursor("get_memories", &filters, start, len)
    });
    answer(json!({ "memories": memories, "has_more": page.is_some(), "next_cursor": page }))
}

fn create_request(item: &CreateMemory) -> Result<CreateMemoryRequest, ToolError> {
    let category = match &item.category {
        Some(name) => parse_names::<MemoryCategory>(
            "category",
            std::slice::from_ref(name),
            MemoryCategory::WIRE_NAMES,
        )?
        .pop(),
        None => None,
    };
    Ok(CreateMemoryRequest {
        category,
        ..CreateMemoryRequest::new(item.content.clone())
    })
}

/// `create_memory`: one memory, as `POST /v1/dev/user/memories` makes it.
pub(crate) async fn create_memory<A: DeveloperMemories>(
    api: &A,
    args: Option<serde_json::Map<String, Value>>,
) -> ToolOutcome {
    let args: CreateMemory = arguments(args)?;
    let memory = called(api.create_memory(create_request(&args)?).await)?;
    answer(json!({ "success": true, "memory": memory }))
}

/// `create_memories`: each item created on its own, each reported `created`, `duplicate` (the
/// same content and category earlier in this call) or `error`.
pub(crate) async fn create_memories<A: DeveloperMemories>(
    api: &A,
    args: Option<serde_json::Map<String, Value>>,
) -> ToolOutcome {
    let args: CreateMemories = arguments(args)?;
    if args.items.is_empty() || args.items.len() > BATCH_MAX {
        return Err(ToolError::invalid_arguments(format!(
            "items: give 1 to {BATCH_MAX} memories"
        )));
    }
    let mut results = Vec::with_capacity(args.items.len());
    let mut created: Vec<(&CreateMemory, String)> = Vec::new();
    for (index, item) in args.items.iter().enumerate() {
        if let Some((_, id)) = created.iter().find(|(earlier, _)| *earlier == item) {
            results.push(json!({ "index": index, "status": "duplicate", "memory_id": id }));
            continue;
        }
        let outcome = match create_request(item) {
            Ok(request) => called(api.create_memory(request).await),
            Err(error) => Err(error),
        };
        results.push(match outcome {
            Ok(memory) => {
                created.push((item, memory.id.clone()));
                json!({ "index": index, "status": "created", "memory_id": memory.id })
            }
            Err(error) => {
                json!({ "index": index, "status": "error", "error": error.to_json()["error"] })
            }
        });
    }
    answer(json!({ "results": results }))
}

/// `edit_memory`: new content for a memory, as `PATCH /v1/dev/user/memories/{id}`.
pub(crate) async fn edit_memory<A: DeveloperMemories>(
    api: &A,
    args: Option<serde_json::Map<String, Value>>,
) -> ToolOutcome {
    let args: EditMemory = arguments(args)?;
    let request = UpdateMemoryRequest {
        content: Some(args.content),
        ..UpdateMemoryRequest::default()
    };
    let memory = called(api.update_memory(&args.memory_id, request).await)?;
    answer(json!({ "success": true, "memory": memory }))
}

/// `delete_memory`: delete a memory for good.
pub(crate) async fn delete_memory<A: DeveloperMemories>(
    api: &A,
    args: Option<serde_json::Map<String, Value>>,
) -> ToolOutcome {
    let args: DeleteMemory = arguments(args)?;
    called(api.delete_memory(&args.memory_id).await)?;
    answer(json!({ "success": true }))
}

/// `search_memories`: the memories that match a query, best first.
pub(crate) async fn search_memories<A: DeveloperMemories>(
    api: &A,
    args: Option<serde_json::Map<String, Value>>,
) -> ToolOutcome {
    let args: SearchMemories = arguments(args)?;
    let query = SearchMemoriesQuery {
        limit: Some(limit(args.limit, SEARCH_DEFAULT, SEARCH_MAX)?),
        ..SearchMemoriesQuery::new(args.query)
    };
    let found = called(api.search_memories(query).await)?;
    answer(json!({ "memories": found.items }))
}
