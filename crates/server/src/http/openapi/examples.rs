//! The examples of OMI's two reference texts, attached to the operations they belong to.
//!
//! The JSON files are the server's copies of the spec examples (`crates/server/spec-examples/`, whose
//! README says where each comes from); the tests read the same files, so an example that
//! stopped decoding would fail there too.

use serde_json::Value;
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::{Content, OpenApi, RefOr};

use super::operations_mut;

/// Where in an operation an example goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The request body.
    Request,
    /// The 200 response.
    Response,
}

/// One example: the operation, where it goes, its name and summary, and its JSON.
struct SpecExample {
    operation: &'static str,
    part: Part,
    name: &'static str,
    summary: &'static str,
    json: &'static str,
}

/// `include_str!` of a spec example under `crates/server/spec-examples/`.
macro_rules! spec {
    ($file:literal) => {
        include_str!(concat!("../../../spec-examples/", $file))
    };
}

/// An example of `operation`'s `part`.
const fn example(
    operation: &'static str,
    part: Part,
    name: &'static str,
    summary: &'static str,
    json: &'static str,
) -> SpecExample {
    SpecExample {
        operation,
        part,
        name,
        summary,
        json,
    }
}

use Part::{Request, Response};

/// Every example, in the order each operation shows them.
const EXAMPLES: &[SpecExample] = &[
    example(
        "create_conversation",
        Request,
        "request_body",
        "The Request Body example",
        spec!("integration_create_conversation_body.json"),
    ),
    example(
        "create_conversation",
        Request,
        "audio_transcript",
        "Example 1: audio transcript conversation",
        spec!("integration_create_conversation_audio_transcript.json"),
    ),
    example(
        "create_conversation",
        Request,
        "email",
        "Example 2: email conversation",
        spec!("integration_create_conversation_email.json"),
    ),
    example(
        "create_conversation",
        Request,
        "social_post_location",
        "Example 3: other text conversation with location",
        spec!("integration_create_conversation_social_post_location.json"),
    ),
    example(
        "create_conversation",
        Request,
        "sms",
        "Example 4: message conversation",
        spec!("integration_create_conversation_sms.json"),
    ),
    example(
        "create_conversation",
        Response,
        "stored",
        "Stored; processed asynchronously",
        spec!("integration_create_conversation_response.json"),
    ),
    example(
        "create_memories",
        Request,
        "request_body",
        "The Request Body example: text and explicit memories",
        spec!("integration_create_memories_body.json"),
    ),
    example(
        "create_memories",
        Request,
        "email",
        "Memories from an email",
        spec!("integration_create_memories_email.json"),
    ),
    example(
        "create_memories",
        Request,
        "social_post",
        "Memories from a social post",
        spec!("integration_create_memories_social_post.json"),
    ),
    example(
        "create_memories",
        Request,
        "health_app",
        "Memories from another source",
        spec!("integration_create_memories_health_app.json"),
    ),
    example(
        "create_memories",
        Request,
        "explicit",
        "Explicit memories",
        spec!("integration_create_memories_explicit.json"),
    ),
    example(
        "create_memories",
        Response,
        "stored",
        "Stored; extracted asynchronously",
        spec!("integration_create_memories_response.json"),
    ),
    example(
        "list_conversations",
        Response,
        "conversations",
        "The reference text's response example",
        spec!("integration_list_conversations_response.json"),
    ),
    example(
        "list_memories",
        Response,
        "memories",
        "The reference text's response example",
        spec!("integration_list_memories_response.json"),
    ),
    example(
        "list_dev_memories",
        Response,
        "memories",
        "The reference text's response example",
        spec!("dev_list_memories_response.json"),
    ),
    example(
        "create_dev_memory",
        Request,
        "dark_mode",
        "A system memory with tags",
        spec!("dev_create_memory_body.json"),
    ),
    example(
        "create_dev_memory",
        Response,
        "dark_mode",
        "The memory created",
        spec!("dev_create_memory_response.json"),
    ),
    example(
        "create_dev_memories_batch",
        Request,
        "two_memories",
        "Two memories",
        spec!("dev_batch_create_body.json"),
    ),
    example(
        "create_dev_memories_batch",
        Request,
        "user_facts",
        "Use case: store user preferences",
        spec!("dev_batch_create_user_facts_python.json"),
    ),
    example(
        "create_dev_memories_batch",
        Response,
        "two_memories",
        "The reference text's example (its elided fields left out)",
        spec!("dev_batch_create_response.json"),
    ),
    example(
        "update_dev_memory",
        Request,
        "content_and_visibility",
        "New content and visibility",
        spec!("dev_update_memory_body.json"),
    ),
    example(
        "update_dev_memory",
        Response,
        "updated",
        "The memory as updated",
        spec!("dev_update_memory_response.json"),
    ),
    example(
        "delete_dev_memory",
        Response,
        "deleted",
        "Deleted",
        spec!("dev_delete_memory_response.json"),
    ),
];

/// Attach every example to its operation.
pub(super) fn add(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for (_, op) in operations_mut(item) {
            let id = op.operation_id.clone().unwrap_or_default();
            for example in EXAMPLES.iter().filter(|e| e.operation == id) {
                let content = match example.part {
                    Request => op
                        .request_body
                        .as_mut()
                        .and_then(|b| b.content.get_mut("application/json")),
                    Response => match op.responses.responses.get_mut("200") {
                        Some(RefOr::T(response)) => response.content.get_mut("application/json"),
                        _ => None,
                    },
                };
                if let Some(content) = content {
                    attach(content, example);
                }
            }
        }
    }
}

/// Add `example` to `content`.
fn attach(content: &mut Content, example: &SpecExample) {
    let value: Value =
        serde_json::from_str(example.json).expect("the spec examples are valid JSON");
    let built = ExampleBuilder::new()
        .summary(example.summary)
        .value(Some(value))
        .build();
    content
        .examples
        .insert(example.name.to_owned(), RefOr::T(built));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_is_json_and_lands_on_an_operation_of_the_document() {
        let doc = super::super::openapi();
        let json = serde_json::to_value(&doc).unwrap();
        for example in EXAMPLES {
            serde_json::from_str::<Value>(example.json).unwrap();
            let found = json["paths"].as_object().unwrap().values().any(|item| {
                item.as_object().unwrap().values().any(|op| {
                    let content = match example.part {
                        Request => &op["requestBody"]["content"]["application/json"],
                        Response => &op["responses"]["200"]["content"]["application/json"],
                    };
                    op["operationId"] == example.operation
                        && content["examples"][example.name].is_object()
                })
            });
            assert!(
                found,
                "{} {:?} {} is not in the document",
                example.operation, example.part, example.name
            );
        }
    }
}
