//! `docs/api.md`: the OpenAPI document as a reference to read, operation by operation in the
//! order of its tags, then every schema.

use std::fmt::Write as _;

use serde_json::Value;

/// The methods of a path item, in the order they are shown.
const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Render `doc` as Markdown, opening with `generated` as an HTML comment.
pub(super) fn render(doc: &Value, generated: &str) -> String {
    let mut out = format!("<!-- {generated} -->\n\n");
    let info = &doc["info"];
    let _ = writeln!(out, "# {}\n", text(&info["title"]));
    let _ = writeln!(
        out,
        "API version {} · OpenAPI {} · served by omi-server as `GET /openapi.json`, and as an \
         interactive page at `GET /docs/`.\n",
        text(&info["version"]),
        text(&doc["openapi"])
    );
    let _ = writeln!(out, "{}\n", text(&info["description"]));
    servers(&mut out, doc);
    for tag in items(&doc["tags"]) {
        let name = text(&tag["name"]);
        let _ = writeln!(out, "## {name}\n\n{}\n", text(&tag["description"]));
        for (path, method, op) in operations(doc) {
            if items(&op["tags"]).iter().any(|t| text(t) == name) {
                operation(&mut out, path, method, op);
            }
        }
    }
    schemas(&mut out, doc);
    out.trim_end().to_owned() + "\n"
}

/// The servers list.
fn servers(out: &mut String, doc: &Value) {
    out.push_str("## Servers\n\n");
    for server in items(&doc["servers"]) {
        let _ = writeln!(
            out,
            "- `{}`: {}",
            text(&server["url"]),
            text(&server["description"])
        );
    }
    out.push('\n');
}

/// Every operation as `(path, method, operation)`, in document order.
fn operations(doc: &Value) -> Vec<(&str, &str, &Value)> {
    let Some(paths) = doc["paths"].as_object() else {
        return Vec::new();
    };
    paths
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(move |m| (path.as_str(), *m, &item[*m]))
        })
        .collect()
}

/// One operation: heading, description, authentication, parameters, body and responses.
fn operation(out: &mut String, path: &str, method: &str, op: &Value) {
    let _ = writeln!(
        out,
        "### {}\n\n`{} {path}`\n\n{}\n",
        text(&op["summary"]),
        method.to_uppercase(),
        text(&op["description"])
    );
    let auth: Vec<String> = items(&op["security"])
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|requirement| {
            requirement.iter().map(|(scheme, scopes)| {
                let scopes: Vec<String> = items(scopes).iter().map(|s| code(text(s))).collect();
                format!("`{scheme}` with {}", scopes.join(", "))
            })
        })
        .collect();
    if !auth.is_empty() {
        let _ = writeln!(out, "**Authentication:** {}\n", auth.join("; "));
    }
    parameters(out, op);
    if let Some(body) = op["requestBody"]["content"]["application/json"].as_object() {
        let _ = writeln!(
            out,
            "**Request body** (JSON): {}\n",
            type_of(&body["schema"])
        );
        examples(out, &op["requestBody"]["content"]["application/json"]);
    }
    responses(out, op);
}

/// The parameters table.
fn parameters(out: &mut String, op: &Value) {
    let params = items(&op["parameters"]);
    if params.is_empty() {
        return;
    }
    out.push_str("| Parameter | In | Type | Required | Description |\n|---|---|---|---|---|\n");
    for p in params {
        let mut kind = type_of(&p["schema"]);
        if let Some(default) = p["schema"].get("default") {
            let _ = write!(kind, ", default `{default}`");
        }
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            text(&p["name"]),
            text(&p["in"]),
            cell(&kind),
            if p["required"] == true { "yes" } else { "no" },
            cell(text(&p["description"]))
        );
    }
    out.push('\n');
}

/// The responses table, then each response's examples.
fn responses(out: &mut String, op: &Value) {
    let Some(responses) = op["responses"].as_object() else {
        return;
    };
    out.push_str("| Status | Meaning | Body |\n|---|---|---|\n");
    for (status, response) in responses {
        let body = response["content"]
            .as_object()
            .and_then(|c| c.values().next())
            .map_or_else(|| "—".to_owned(), |c| type_of(&c["schema"]));
        let _ = writeln!(
            out,
            "| {status} | {} | {} |",
            cell(text(&response["description"])),
            cell(&body)
        );
    }
    out.push('\n');
    for (status, response) in responses {
        if let Some(content) = response["content"]
            .as_object()
            .and_then(|c| c.values().next())
        {
            examples_titled(out, content, &format!("{status}: "));
        }
    }
}

/// The examples of a request body.
fn examples(out: &mut String, content: &Value) {
    examples_titled(out, content, "");
}

/// The examples of `content`, each as a titled JSON block.
fn examples_titled(out: &mut String, content: &Value, prefix: &str) {
    let Some(examples) = content["examples"].as_object() else {
        return;
    };
    for (name, example) in examples {
        let title = example["summary"].as_str().unwrap_or(name);
        let json = serde_json::to_string_pretty(&example["value"]).unwrap_or_default();
        let _ = writeln!(
            out,
            "<details><summary>{prefix}{title}</summary>\n\n```json\n{json}\n```\n\n</details>\n"
        );
    }
}

/// Every schema: its description, then its fields or values.
fn schemas(out: &mut String, doc: &Value) {
    let Some(schemas) = doc["components"]["schemas"].as_object() else {
        return;
    };
    out.push_str("## Schemas\n\n");
    for (name, schema) in schemas {
        let _ = writeln!(out, "### {name}\n");
        if let Some(description) = schema["description"].as_str() {
            let _ = writeln!(out, "{description}\n");
        }
        match schema["properties"].as_object() {
            Some(properties) => fields(out, schema, properties),
            None => {
                let _ = writeln!(out, "Type: {}\n", type_of(schema));
            }
        }
    }
}

/// The fields table of an object schema.
fn fields(out: &mut String, schema: &Value, properties: &serde_json::Map<String, Value>) {
    out.push_str("| Field | Type | Required | Description |\n|---|---|---|---|\n");
    let required: Vec<&str> = items(&schema["required"])
        .iter()
        .filter_map(|r| r.as_str())
        .collect();
    for (field, property) in properties {
        let description = property["description"]
            .as_str()
            .or_else(|| {
                one_of(property)
                    .iter()
                    .find_map(|v| v["description"].as_str())
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{field}` | {} | {} | {} |",
            cell(type_of(property)),
            if required.contains(&field.as_str()) {
                "yes"
            } else {
                "no"
            },
            cell(description)
        );
    }
    if schema["additionalProperties"].is_object() {
        out.push_str("| *other* | any | no | Fields not listed here are kept as sent. |\n");
    }
    out.push('\n');
}

/// A schema's type for a person: a link for a reference, `array of ...`, the enum values,
/// `... or null`, with its format and bounds.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("[`{name}`](#{})", name.to_lowercase());
    }
    let variants = one_of(schema);
    if !variants.is_empty() {
        return variants
            .iter()
            .map(type_of)
            .collect::<Vec<_>>()
            .join(" or ");
    }
    if let Some(values) = schema["enum"].as_array() {
        let values: Vec<String> = values.iter().map(|v| code(text(v))).collect();
        return values.join(" \\| ");
    }
    let kinds: Vec<&str> = match &schema["type"] {
        Value::String(kind) => vec![kind.as_str()],
        Value::Array(kinds) => kinds.iter().filter_map(Value::as_str).collect(),
        _ => return "any".to_owned(),
    };
    let kinds: Vec<String> = kinds.iter().map(|kind| single_type(schema, kind)).collect();
    kinds.join(" or ")
}

/// One `type` of a schema, with what qualifies it.
fn single_type(schema: &Value, kind: &str) -> String {
    let mut out = match kind {
        "array" => format!("array of {}", type_of(&schema["items"])),
        other => other.to_owned(),
    };
    if kind == "null" {
        return out;
    }
    let bounds = [
        ("format", ""),
        ("minLength", "min length "),
        ("maxLength", "max length "),
        ("minimum", "≥ "),
        ("maximum", "≤ "),
        ("maxItems", "at most "),
    ];
    let notes: Vec<String> = bounds
        .iter()
        .filter_map(|(key, label)| schema.get(*key).map(|v| format!("{label}{}", text(v))))
        .collect();
    if !notes.is_empty() {
        let _ = write!(out, " ({})", notes.join(", "));
    }
    out
}

/// The `oneOf` variants of a schema (empty when it has none).
fn one_of(schema: &Value) -> &[Value] {
    schema["oneOf"].as_array().map_or(&[], Vec::as_slice)
}

/// The items of a JSON array (empty when it is not one).
fn items(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}

/// A JSON value as text: a string as is, anything else as JSON, nothing for null.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `text` as inline code.
fn code(text: String) -> String {
    format!("`{text}`")
}

/// `text` made safe for a table cell: one line, pipes escaped.
fn cell(text: impl AsRef<str>) -> String {
    text.as_ref().replace('\n', " ").replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn types_read_as_references_arrays_enums_and_nullable_values() {
        assert_eq!(
            type_of(&json!({"$ref": "#/components/schemas/Memory"})),
            "[`Memory`](#memory)"
        );
        assert_eq!(
            type_of(&json!({"type": "array", "items": {"type": "string"}, "maxItems": 50})),
            "array of string (at most 50)"
        );
        assert_eq!(
            type_of(&json!({"type": "string", "enum": ["a", "b"]})),
            "`a` \\| `b`"
        );
        assert_eq!(
            type_of(&json!({"type": ["string", "null"], "format": "date-time"})),
            "string (date-time) or null"
        );
        assert_eq!(
            type_of(
                &json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Visibility"}]})
            ),
            "null or [`Visibility`](#visibility)"
        );
        assert_eq!(type_of(&json!({})), "any");
    }

    #[test]
    fn an_operation_shows_its_route_auth_parameters_and_examples() {
        let doc = json!({
            "openapi": "3.1.0",
            "info": {"title": "T", "version": "1", "description": "D"},
            "tags": [{"name": "Memories", "description": "About memories."}],
            "paths": {"/m/{id}": {"get": {
                "tags": ["Memories"], "summary": "Get memory", "description": "One memory.",
                "security": [{"developer_key": ["memories:read"]}],
                "parameters": [{"name": "id", "in": "path", "required": true, "description": "Its id.", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The memory", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Memory"},
                    "examples": {"one": {"summary": "A memory", "value": {"id": "m1"}}}
                }}}}
            }}},
            "components": {"schemas": {"Memory": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "description": "Its id."}}}}}
        });
        let md = render(&doc, "Generated.");
        assert!(md.starts_with("<!-- Generated. -->\n\n# T\n"), "{md}");
        for expected in [
            "## Memories\n\nAbout memories.",
            "### Get memory\n\n`GET /m/{id}`\n\nOne memory.",
            "**Authentication:** `developer_key` with `memories:read`",
            "| `id` | path | string | yes | Its id. |",
            "| 200 | The memory | [`Memory`](#memory) |",
            "<summary>200: A memory</summary>\n\n```json\n{\n  \"id\": \"m1\"\n}\n```",
            "### Memory\n\n| Field | Type | Required | Description |",
            "| `id` | string | yes | Its id. |",
        ] {
            assert!(md.contains(expected), "missing {expected:?} in\n{md}");
        }
    }
}
