//! Every tool, declared once: its name, title and description (as OMI's hosted registry
//! has them), annotations, the scope its REST twin needs, its input schema (derived from its
//! arguments struct) and its output schema (the success shape, or the error branch).

use std::sync::{Arc, LazyLock};

use omi_api::model::DevScope;
use omi_api::{DeveloperActionItems, DeveloperConversations, DeveloperGoals, DeveloperMemories};
use rmcp::handler::server::common::schema_for_type;
use rmcp::model::{JsonObject, MetaObject, Tool, ToolAnnotations};
use serde_json::{Map, Value, json};

use crate::outcome::ToolOutcome;
use crate::tools::{action_items as items, conversations as convs, goals, memories as mems};

/// What a tool does to the user's data, for its annotations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// Reads only.
    Read,
    /// Creates; `idempotent` when a repeat answers what the first call made.
    Create { idempotent: bool },
    /// Changes something to a state a repeat leaves as it is.
    Edit,
    /// Deletes.
    Delete,
}

/// One tool of the registry.
struct ToolSpec {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    effect: Effect,
    scope: DevScope,
    input: fn() -> Arc<JsonObject>,
    /// The success branch of the output schema: its required keys and their types.
    output: &'static [(&'static str, &'static str, bool)],
}

const OBJECTS: &str = "objects";

/// The tools, in the order `tools/list` gives them.
static SPECS: &[ToolSpec] = &[
    ToolSpec {
        name: "get_memories",
        title: "Get memories",
        description: "Retrieve durable facts known about the user across domains, a page at a time (pass next_cursor back as cursor). This is not recent conversation history: for today, yesterday or last week use get_conversations with start_date and end_date.",
        effect: Effect::Read,
        scope: DevScope::MemoriesRead,
        input: schema_for_type::<mems::GetMemories>,
        output: &[
            ("memories", OBJECTS, true),
            ("has_more", "boolean", false),
            ("next_cursor", "string", false),
        ],
    },
    ToolSpec {
        name: "create_memory",
        title: "Create memory",
        description: "Create a new memory. A memory is a known fact about the user across multiple domains. The same content again answers the memory already there.",
        effect: Effect::Create { idempotent: true },
        scope: DevScope::MemoriesWrite,
        input: schema_for_type::<mems::CreateMemory>,
        output: &[("memory", "object", true), ("success", "boolean", false)],
    },
    ToolSpec {
        name: "create_memories",
        title: "Create memories",
        description: "Create up to 25 memories in one call; prefer this over repeated create_memory calls when saving several facts. Each item takes content and an optional category and returns its own status: created, duplicate (the same content and category earlier in this call), or error.",
        effect: Effect::Create { idempotent: true },
        scope: DevScope::MemoriesWrite,
        input: schema_for_type::<mems::CreateMemories>,
        output: &[("results", OBJECTS, true)],
    },
    ToolSpec {
        name: "edit_memory",
        title: "Edit memory",
        description: "Edit a memory's content.",
        effect: Effect::Edit,
        scope: DevScope::MemoriesWrite,
        input: schema_for_type::<mems::EditMemory>,
        output: &[("success", "boolean", true), ("memory", "object", false)],
    },
    ToolSpec {
        name: "delete_memory",
        title: "Delete memory",
        description: "Delete a memory by ID.",
        effect: Effect::Delete,
        scope: DevScope::MemoriesWrite,
        input: schema_for_type::<mems::DeleteMemory>,
        output: &[("success", "boolean", true)],
    },
    ToolSpec {
        name: "search_memories",
        title: "Search memories",
        description: "Search the durable facts known about the user, best match first, in any language. This is not for recent conversations: use search_conversations with start_date and end_date for a topic inside a time window.",
        effect: Effect::Read,
        scope: DevScope::MemoriesRead,
        input: schema_for_type::<mems::SearchMemories>,
        output: &[("memories", OBJECTS, true)],
    },
    ToolSpec {
        name: "get_conversations",
        title: "Get conversations",
        description: "First choice for recency questions such as today, yesterday, or last week: pass start_date and end_date. Returns small conversation cards only, newest first. Deep-read only a few relevant ids with get_conversation_by_id.",
        effect: Effect::Read,
        scope: DevScope::ConversationsRead,
        input: schema_for_type::<convs::GetConversations>,
        output: &[
            ("conversations", OBJECTS, true),
            ("has_more", "boolean", false),
            ("next_cursor", "string", false),
        ],
    },
    ToolSpec {
        name: "get_conversation_by_id",
        title: "Get conversation by ID",
        description: "Deep-read one conversation card and a bounded transcript. Use only for a few ids selected from get_conversations or search_conversations; the answer has truncated=true when the transcript was clipped.",
        effect: Effect::Read,
        scope: DevScope::ConversationsRead,
        input: schema_for_type::<convs::GetConversationById>,
        output: &[
            ("conversation", "object", true),
            ("truncated", "boolean", true),
        ],
    },
    ToolSpec {
        name: "get_conversations_by_ids",
        title: "Get conversations by IDs",
        description: "Deep-read up to 20 conversations in one call, each with the same bounded card and transcript as get_conversation_by_id and its own truncated flag; ids that resolve to nothing are listed in not_found.",
        effect: Effect::Read,
        scope: DevScope::ConversationsRead,
        input: schema_for_type::<convs::GetConversationsByIds>,
        output: &[
            ("conversations", OBJECTS, true),
            ("not_found", "array", true),
            ("truncated", "boolean", true),
        ],
    },
    ToolSpec {
        name: "search_conversations",
        title: "Search conversations",
        description: "Search for a topic inside the user's conversations (titles, overviews and transcripts), preferably with start_date and end_date. Returns small cards plus short match snippets, best first; deep-read only a few relevant ids with get_conversation_by_id.",
        effect: Effect::Read,
        scope: DevScope::ConversationsRead,
        input: schema_for_type::<convs::SearchConversations>,
        output: &[("conversations", OBJECTS, true)],
    },
    ToolSpec {
        name: "get_action_items",
        title: "Get action items",
        description: "Retrieve the user's action items (tasks and to-dos), newest first. Each has a description, completion status and optional due date. Use this to know what the user needs to do or has committed to.",
        effect: Effect::Read,
        scope: DevScope::ActionItemsRead,
        input: schema_for_type::<items::GetActionItems>,
        output: &[
            ("action_items", OBJECTS, true),
            ("has_more", "boolean", false),
            ("next_cursor", "string", false),
        ],
    },
    ToolSpec {
        name: "search_action_items",
        title: "Search action items",
        description: "Search the user's action items (tasks and to-dos), best match first: use this to find a task by what it is about before completing or updating it.",
        effect: Effect::Read,
        scope: DevScope::ActionItemsRead,
        input: schema_for_type::<items::SearchActionItems>,
        output: &[("action_items", OBJECTS, true)],
    },
    ToolSpec {
        name: "create_action_item",
        title: "Create action item",
        description: "Create a new action item (task or to-do) for the user, for example a follow-up you identified while helping them. Retries with the same description return the existing task instead of duplicating it.",
        effect: Effect::Create { idempotent: true },
        scope: DevScope::ActionItemsWrite,
        input: schema_for_type::<items::CreateActionItem>,
        output: &[
            ("action_item", "object", true),
            ("success", "boolean", false),
            ("existing", "boolean", false),
        ],
    },
    ToolSpec {
        name: "complete_action_item",
        title: "Complete action item",
        description: "Mark an action item complete, or reopen it by passing completed=false.",
        effect: Effect::Edit,
        scope: DevScope::ActionItemsWrite,
        input: schema_for_type::<items::CompleteActionItem>,
        output: &[
            ("action_item", "object", true),
            ("success", "boolean", false),
        ],
    },
    ToolSpec {
        name: "update_action_item",
        title: "Update action item",
        description: "Update an action item's description and/or due date. Only the fields you pass are changed.",
        effect: Effect::Edit,
        scope: DevScope::ActionItemsWrite,
        input: schema_for_type::<items::UpdateActionItem>,
        output: &[
            ("action_item", "object", true),
            ("success", "boolean", false),
        ],
    },
    ToolSpec {
        name: "delete_action_item",
        title: "Delete action item",
        description: "Delete an action item by ID. Use this to clean up a task that is no longer relevant.",
        effect: Effect::Delete,
        scope: DevScope::ActionItemsWrite,
        input: schema_for_type::<items::DeleteActionItem>,
        output: &[("success", "boolean", true)],
    },
    ToolSpec {
        name: "get_goals",
        title: "Get goals",
        description: "Retrieve what the user is working towards: each goal with its desired outcome, why it matters, success criteria, horizon, status and measured progress (current and target value, unit). Active goals by default; include_inactive adds achieved and abandoned ones.",
        effect: Effect::Read,
        scope: DevScope::GoalsRead,
        input: schema_for_type::<goals::GetGoals>,
        output: &[("goals", OBJECTS, true)],
    },
];

/// The `{"error": {"code", "message"}}` branch every output schema has.
fn error_branch() -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string" },
                    "message": { "type": "string" },
                    "status": { "type": "integer" },
                    "retry_after": { "type": "integer" }
                }
            }
        }
    })
}

fn output_schema(fields: &[(&str, &str, bool)]) -> Arc<JsonObject> {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for &(name, kind, is_required) in fields {
        let schema = match kind {
            OBJECTS => json!({ "type": "array", "items": { "type": "object" } }),
            "string" => json!({ "type": ["string", "null"] }),
            other => json!({ "type": other }),
        };
        properties.insert(name.to_owned(), schema);
        if is_required {
            required.push(name);
        }
    }
    let success = json!({ "type": "object", "required": required, "properties": properties });
    let schema = json!({ "type": "object", "anyOf": [success, error_branch()] });
    Arc::new(match schema {
        Value::Object(object) => object,
        _ => JsonObject::new(),
    })
}

fn annotations(spec: &ToolSpec) -> ToolAnnotations {
    let (read_only, destructive, idempotent) = match spec.effect {
        Effect::Read => (true, false, true),
        Effect::Create { idempotent } => (false, false, idempotent),
        Effect::Edit => (false, false, true),
        Effect::Delete => (false, true, true),
    };
    ToolAnnotations::with_title(spec.title)
        .read_only(read_only)
        .destructive(destructive)
        .idempotent(idempotent)
        .open_world(false)
}

fn tool(spec: &ToolSpec) -> Tool {
    let mut meta = JsonObject::new();
    meta.insert("omi/scope".into(), json!(spec.scope.as_str()));
    Tool::new(spec.name, spec.description, (spec.input)())
        .with_title(spec.title)
        .with_raw_output_schema(output_schema(spec.output))
        .with_annotations(annotations(spec))
        .with_meta(MetaObject(meta))
}

static TOOLS: LazyLock<Vec<Tool>> = LazyLock::new(|| SPECS.iter().map(tool).collect());

/// Every tool, as `tools/list` answers.
pub fn tools() -> &'static [Tool] {
    &TOOLS
}

/// The tool named `name`.
pub fn find(name: &str) -> Option<&'static Tool> {
    TOOLS.iter().find(|tool| tool.name == name)
}

/// The scope the tool named `name` needs of the caller's key (its REST twin's).
pub fn scope_of(name: &str) -> Option<DevScope> {
    SPECS
        .iter()
        .find(|spec| spec.name == name)
        .map(|spec| spec.scope)
}

/// Run the tool named `name` (one of [`tools`]) for the user behind `api`.
pub(crate) async fn run<A>(
    name: &str,
    api: &A,
    args: Option<Map<String, Value>>,
) -> Option<ToolOutcome>
where
    A: DeveloperMemories + DeveloperConversations + DeveloperActionItems + DeveloperGoals,
{
    Some(match name {
        "get_memories" => mems::get_memories(api, args).await,
        "create_memory" => mems::create_memory(api, args).await,
        "create_memories" => mems::create_memories(api, args).await,
        "edit_memory" => mems::edit_memory(api, args).await,
        "delete_memory" => mems::delete_memory(api, args).await,
        "search_memories" => mems::search_memories(api, args).await,
        "get_conversations" => convs::get_conversations(api, args).await,
        "get_conversation_by_id" => convs::get_conversation_by_id(api, args).await,
        "get_conversations_by_ids" => convs::get_conversations_by_ids(api, args).await,
        "search_conversations" => convs::search_conversations(api, args).await,
        "get_action_items" => items::get_action_items(api, args).await,
        "search_action_items" => items::search_action_items(api, args).await,
        "create_action_item" => items::create_action_item(api, args).await,
        "complete_action_item" => items::complete_action_item(api, args).await,
        "update_action_item" => items::update_action_item(api, args).await,
        "delete_action_item" => items::delete_action_item(api, args).await,
        "get_goals" => goals::get_goals(api, args).await,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_schemas_annotations_and_a_scope() {
        assert_eq!(tools().len(), SPECS.len());
        for tool in tools() {
            assert!(tool.input_schema.get("type").is_some(), "{}", tool.name);
            let output = tool.output_schema.as_ref().expect("output schema");
            assert_eq!(output["anyOf"][1]["required"][0], "error", "{}", tool.name);
            let annotations = tool.annotations.as_ref().expect("annotations");
            assert!(annotations.read_only_hint.is_some(), "{}", tool.name);
            assert!(scope_of(&tool.name).is_some());
        }
        let delete = find("delete_memory")
            .and_then(|t| t.annotations.clone())
            .expect("delete_memory");
        assert_eq!(delete.destructive_hint, Some(true));
        let read = find("search_memories")
            .and_then(|t| t.annotations.clone())
            .expect("search_memories");
        assert_eq!(read.read_only_hint, Some(true));
    }

    #[test]
    fn input_schemas_say_what_is_required_and_refuse_unknown_fields() {
        let edit = find("edit_memory").expect("edit_memory");
        let required: Vec<&str> = edit.input_schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert_eq!(required, ["memory_id", "content"]);
        assert_eq!(edit.input_schema["additionalProperties"], false);
        let list = find("get_memories").expect("get_memories");
        assert!(list.input_schema["properties"]["categories"]["items"]["enum"].is_array());
    }
}
