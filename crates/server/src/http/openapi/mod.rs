//! The OpenAPI 3.1 document of the server, made from the code: the operations from the
//! handlers' `#[utoipa::path]` annotations (collected by [`crate::http::routes`], the one
//! place routes are added), the schemas from `omi-model`'s types (its `openapi` feature), and
//! here what every operation shares: the error answers of its guard (`guards`), the
//! reference texts' examples (`examples`), the `Idempotency-Key` header, and the
//! document's description, servers, tags and security schemes.
//!
//! `omi-server openapi` prints it, `GET /openapi.json` serves it, and `cargo xtask codegen`
//! writes it to `docs/openapi.json` and renders `docs/api.md` from it.
//!
//! ```
//! let doc = omi_server::http::openapi::openapi();
//! assert!(doc.paths.paths.contains_key("/v1/dev/user/memories/{memory_id}"));
//! ```

mod examples;
mod guards;
mod params;
mod rules;

use omi_api::ErrorBody;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{
    ComponentsBuilder, InfoBuilder, LicenseBuilder, OpenApi, ServerBuilder, path,
};
use utoipa::{PartialSchema, ToSchema};

use crate::http::idempotency::MAX_KEY_CHARS;

pub use params::{
    ActionItemIdParam, AppIdParam, ConversationIdParam, GoalIdParam, MemoryIdParam, UidParam,
    WebhookIdParam,
};

/// The tag of the Integration Imports routes.
pub const INTEGRATION_TAG: &str = "Integration Imports";
/// The tag of the Developer API's memory routes.
pub const DEVELOPER_TAG: &str = "Developer API: memories";
/// The tag of the Developer API's conversation routes.
pub const DEV_CONVERSATIONS_TAG: &str = "Developer API: conversations";
/// The tag of the Developer API's action item routes.
pub const ACTION_ITEMS_TAG: &str = "Developer API: action items";
/// The tag of the Developer API's goal routes.
pub const GOALS_TAG: &str = "Developer API: goals";
/// The tag of the Developer API's webhook routes.
pub const WEBHOOKS_TAG: &str = "Developer API: webhooks";
/// The tag of health, metrics and this document.
pub const OPERATIONS_TAG: &str = "Operations";
/// The security scheme of an integration app's key (`sk_...`).
pub const APP_KEY: &str = "app_key";
/// The security scheme of a developer key (`omi_dev_...`).
pub const DEVELOPER_KEY: &str = "developer_key";

/// What the document says about the API as a whole.
const DESCRIPTION: &str = "\
A self-hosted, wire-compatible implementation of OMI's Integration Imports API and Developer \
API: an app written for `https://api.omi.me` works against omi-server by changing only its \
base URL.

**Authentication.** `Authorization: Bearer <key>`: an integration app's key (`sk_` + 32 hex \
characters) on `/v2/integrations/{app_id}/...`, a developer key (`omi_dev_` + 32 hex \
characters) on `/v1/dev/...`. The scopes listed on an operation are the app capability or \
developer key scope it needs.

**Errors** are FastAPI-shaped: `{\"detail\": \"message\"}`, or for invalid input (422) \
`{\"detail\": [{\"loc\": [...], \"msg\": \"...\", \"type\": \"...\"}]}` listing every problem \
at once. Integration routes check, in order: the header (401), that the key is the app's \
(403), the rate limit (429), that the app exists (404), that the user enabled it (403), that \
it has the capability (403), then the input (422).

**Beyond OMI's cloud.** Creation is durable and asynchronous: a created conversation is \
listed at once with `status` `processing` and becomes `completed` (or `failed`) when a worker \
has processed it. Every POST but the import takes an `Idempotency-Key`: the same key with the same request \
within 24 hours gets the first answer again. The same memory content for the same user is \
never stored twice. Rate-limited routes send `X-RateLimit-Limit`, `X-RateLimit-Remaining` and \
`X-RateLimit-Reset`; a 429 sends `Retry-After`.";

/// The OpenAPI document of every route the server answers (the reference page aside).
pub fn openapi() -> OpenApi {
    let mut doc = crate::http::routes().into_openapi();
    doc.info = InfoBuilder::new()
        .title("omi-server: OMI Integration Imports and Developer API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(DESCRIPTION))
        .license(Some(
            LicenseBuilder::new()
                .name("MIT OR Apache-2.0")
                .identifier(Some("MIT OR Apache-2.0"))
                .build(),
        ))
        .build();
    doc.servers = Some(vec![
        ServerBuilder::new()
            .url("http://127.0.0.1:8080")
            .description(Some("omi-server on its default address"))
            .build(),
        ServerBuilder::new()
            .url("https://api.omi.me")
            .description(Some("OMI's cloud"))
            .build(),
    ]);
    doc.tags = Some(tags());
    add_components(&mut doc);
    guards::add(&mut doc);
    examples::add(&mut doc);
    add_idempotency_key(&mut doc);
    doc
}

/// The document as served: `doc` (from [`openapi`]) as JSON with the input rules JSON Schema
/// can say and utoipa's types cannot hold (`anyOf` beside `properties`, `not`, patterns on
/// list items) written in. [`to_json`] is this, printed.
pub fn to_value(doc: &OpenApi) -> serde_json::Value {
    let mut json = serde_json::to_value(doc).expect("an OpenAPI document serializes to JSON");
    rules::apply(&mut json);
    json
}

/// `doc` as served ([`to_value`]), pretty-printed with a final newline: the form of
/// `docs/openapi.json`.
pub fn to_json(doc: &OpenApi) -> String {
    let mut json = serde_json::to_string_pretty(&to_value(doc))
        .expect("an OpenAPI document always serializes to JSON");
    json.push('\n');
    json
}

/// The tags, in the order the reference shows them.
fn tags() -> Vec<utoipa::openapi::tag::Tag> {
    [
        (
            INTEGRATION_TAG,
            "`/v2/integrations/{app_id}/...`: an app pushes conversations and memories into a \
             user's knowledge base and reads them back, with its app key.",
        ),
        (
            DEVELOPER_TAG,
            "`/v1/dev/user/memories...`: a user's own memories (timeless facts about them), \
             with a developer key.",
        ),
        (
            DEV_CONVERSATIONS_TAG,
            "`/v1/dev/user/conversations...`: a user's conversations, created from text or \
             transcript segments and processed asynchronously, with a developer key.",
        ),
        (
            ACTION_ITEMS_TAG,
            "`/v1/dev/user/action-items...`: a user's to-dos, with a developer key.",
        ),
        (
            GOALS_TAG,
            "`/v1/dev/user/goals...`: what a user works towards, optionally measured, with \
             the history of their progress, with a developer key.",
        ),
        (
            WEBHOOKS_TAG,
            "`/v1/dev/user/webhooks...`: URLs that hear a user's events (memories, \
             processed conversations, action items), each delivery signed as the Standard \
             Webhooks specification says and retried until delivered (not in OMI's cloud).",
        ),
        (
            OPERATIONS_TAG,
            "Health, readiness, metrics and this document (not in OMI's cloud).",
        ),
    ]
    .into_iter()
    .map(|(name, description)| {
        TagBuilder::new()
            .name(name)
            .description(Some(description))
            .build()
    })
    .collect()
}

/// The two bearer key schemes, and the error body every error answer refers to.
fn add_components(doc: &mut OpenApi) {
    let mut schemas = vec![(ErrorBody::name().into_owned(), ErrorBody::schema())];
    ErrorBody::schemas(&mut schemas);
    let mut components = doc.components.take().unwrap_or_default();
    let extra = ComponentsBuilder::new()
        .schemas_from_iter(schemas)
        .security_scheme(
            APP_KEY,
            bearer("An integration app's key: `sk_` + 32 lowercase hex characters."),
        )
        .security_scheme(
            DEVELOPER_KEY,
            bearer("A developer key: `omi_dev_` + 32 lowercase hex characters."),
        )
        .build();
    components.schemas.extend(extra.schemas);
    components.security_schemes.extend(extra.security_schemes);
    doc.components = Some(components);
}

/// An `Authorization: Bearer` scheme described by `description`.
fn bearer(description: &str) -> SecurityScheme {
    SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(description))
            .build(),
    )
}

/// Every POST but the import (idempotent by its records' ids, its body streamed) takes an
/// optional `Idempotency-Key` header.
fn add_idempotency_key(doc: &mut OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        if path == crate::http::import::PATH {
            continue;
        }
        if let Some(post) = item.post.as_mut() {
            post.parameters
                .get_or_insert_with(Vec::new)
                .push(idempotency_key());
        }
    }
}

/// The `Idempotency-Key` header parameter.
fn idempotency_key() -> path::Parameter {
    path::ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(path::ParameterIn::Header)
        .required(utoipa::openapi::Required::False)
        .description(Some(format!(
            "1 to {MAX_KEY_CHARS} visible ASCII characters. The same key with the same request \
             within 24 hours gets the first answer again (with `Idempotent-Replayed: true`) \
             instead of acting twice, even when the first answer was lost to a crash or a \
             dropped connection; with a different request it is a 422. Concurrent requests with \
             one key create once and all get that answer."
        )))
        .schema(Some(
            utoipa::openapi::ObjectBuilder::new()
                .schema_type(utoipa::openapi::Type::String)
                .min_length(Some(1))
                .max_length(Some(MAX_KEY_CHARS))
                .pattern(Some(r"^[\x20-\x7E]*[\x21-\x7E][\x20-\x7E]*$")),
        ))
        .build()
}

/// The operations of a path item, with their methods, in a fixed order.
fn operations_mut(
    item: &mut path::PathItem,
) -> impl Iterator<Item = (&'static str, &mut path::Operation)> {
    [
        ("get", item.get.as_mut()),
        ("post", item.post.as_mut()),
        ("put", item.put.as_mut()),
        ("patch", item.patch.as_mut()),
        ("delete", item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.map(|op| (method, op)))
}
