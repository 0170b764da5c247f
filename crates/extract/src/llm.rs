//! Extraction by any OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI,
//! OpenRouter, a local Ollama, llama.cpp or vLLM server...).
//!
//! The model is asked for one JSON object; the answer is checked against the same output
//! types the rules produce (a known category, memory contents of 1..=500 characters, events
//! with an ISO 8601 start). An answer that is not valid is sent back with the reason and asked
//! for again; a transport failure, a 429 or a 5xx is retried after a short pause. When every
//! attempt fails the result is an [`ExtractError`] that says why, so the job is retried by the
//! worker and finally marked `failed` with that reason, never stored as an empty result.
//!
//! Transcript segments are not asked of the model: they come from the rules, as the text's
//! `Name: text` lines are already exact.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use omi_model::{
    ApiKey, ConversationCategory, Event, MemoryCategory, MemoryContent, StructuredActionItem,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::identity::retain_novel;
use crate::rules::RulesExtractor;
use crate::{
    ConversationExtraction, ConversationInput, ExtractError, ExtractedMemory, Extractor, TextInput,
};

/// How to reach the model.
#[derive(Clone)]
pub struct LlmConfig {
    /// The API's base URL, up to and without `/chat/completions`
    /// (`https://api.openai.com/v1`, `http://localhost:11434/v1`).
    pub base_url: String,
    /// The model name (`gpt-4o-mini`, `llama3.1`).
    pub model: String,
    /// The key, sent as `Authorization: Bearer`; never logged or shown by `Debug`.
    pub api_key: Option<ApiKey>,
    /// How long one request may take.
    pub timeout: Duration,
    /// Requests per extraction before it fails (invalid answers, 429s, 5xx and transport
    /// errors each use one).
    pub max_attempts: u32,
    /// The first pause before a retry; each later one doubles.
    pub retry_delay: Duration,
}

impl LlmConfig {
    /// The default number of attempts.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
    /// The default request timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
    /// The most known memories sent to the model (the rest are still deduplicated after).
    pub const MAX_KNOWN_IN_PROMPT: usize = 200;

    /// A configuration for `model` at `base_url`, without a key, with default limits.
    pub fn new(base_url: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into(),
            model: model.into(),
            api_key: None,
            timeout: Self::DEFAULT_TIMEOUT,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            retry_delay: Duration::from_millis(500),
        }
    }

    /// The same, with a key.
    pub fn with_api_key(mut self, key: impl Into<ApiKey>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    fn endpoint(&self) -> String {
        endpoint_url(&self.base_url, "chat/completions")
    }
}

impl std::fmt::Debug for LlmConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        debug_connection(f, "LlmConfig", &self.base_url, &self.model, &self.api_key)
            .field("timeout", &self.timeout)
            .field("max_attempts", &self.max_attempts)
            .finish()
    }
}

/// `{base_url}/{path}`, with or without a `/` ending the base URL.
pub(crate) fn endpoint_url(base_url: &str, path: &str) -> String {
    format!("{}/{path}", base_url.trim_end_matches('/'))
}

/// The start of the `Debug` of a config named `name` for an OpenAI-compatible endpoint: its
/// base URL, its model, and whether it has a key (never the key itself).
pub(crate) fn debug_connection<'a, 'b>(
    f: &'a mut std::fmt::Formatter<'b>,
    name: &str,
    base_url: &str,
    model: &str,
    api_key: &Option<ApiKey>,
) -> std::fmt::DebugStruct<'a, 'b> {
    let mut out = f.debug_struct(name);
    out.field("base_url", &base_url)
        .field("model", &model)
        .field("api_key", &api_key.as_ref().map(|_| "***"));
    out
}

/// The extractor that asks a chat-completions endpoint.
#[derive(Debug, Clone)]
pub struct LlmExtractor {
    config: LlmConfig,
    http: reqwest::Client,
}

impl LlmExtractor {
    /// An extractor for `config`. Fails only when the HTTP client cannot be built or the base
    /// URL is not an `http(s)` URL.
    pub fn new(config: LlmConfig) -> Result<Self, ExtractError> {
        let http = http_client("LLM", &config.base_url, &config.model, config.timeout)
            .map_err(ExtractError::new)?;
        Ok(Self { config, http })
    }

    /// Ask until an answer parses with `parse`, or the attempts run out.
    async fn ask<T>(
        &self,
        system: &str,
        user: String,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<T, ExtractError> {
        let mut messages = vec![
            json!({"role": "system", "content": system}),
            json!({"role": "user", "content": user}),
        ];
        let attempts = self.config.max_attempts.max(1);
        let mut last = String::new();
        for attempt in 1..=attempts {
            if attempt > 1 {
                let pause = self
                    .config
                    .retry_delay
                    .saturating_mul(1 << (attempt - 2).min(6));
                tokio::time::sleep(pause).await;
            }
            match self.complete(&messages).await {
                Ok(content) => match parse(&content) {
                    Ok(value) => return Ok(value),
                    Err(reason) => {
                        tracing::warn!(attempt, %reason, "the LLM's answer was not valid; asking again");
                        last = format!("the answer was not valid: {reason}");
                        messages.push(json!({"role": "assistant", "content": content}));
                        messages.push(json!({
                            "role": "user",
                            "content": format!(
                                "That answer was not valid: {reason}. Answer again with only the JSON object described, nothing else."
                            ),
                        }));
                    }
                },
                Err(Failure::Retry(reason)) => {
                    tracing::warn!(attempt, %reason, "the LLM request failed; retrying");
                    last = reason;
                }
                Err(Failure::Fatal(reason)) => return Err(ExtractError::new(reason)),
            }
        }
        Err(ExtractError::new(format!(
            "LLM extraction with {} failed after {attempts} attempts; last: {last}",
            self.config.model
        )))
    }

    /// One chat-completions request; the content of the first choice.
    async fn complete(&self, messages: &[Value]) -> Result<String, Failure> {
        let body = json!({
            "model": self.config.model,
            "messages": messages,
            "temperature": 0,
            "response_format": {"type": "json_object"},
        });
        let mut request = self.http.post(self.config.endpoint()).json(&body);
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key.expose());
        }
        let response = request.send().await.map_err(|e| {
            Failure::Retry(format!(
                "could not reach the LLM endpoint {}: {}",
                self.config.endpoint(),
                without_url(&e)
            ))
        })?;
        let status = response.status();
        let text = response.text().await.map_err(|e| {
            Failure::Retry(format!(
                "the LLM endpoint's answer broke off: {}",
                without_url(&e)
            ))
        })?;
        if !status.is_success() {
            let reason = format!(
                "the LLM endpoint {} answered {status}: {}",
                self.config.endpoint(),
                snippet(&text)
            );
            return Err(if status.as_u16() == 429 || status.is_server_error() {
                Failure::Retry(reason)
            } else {
                Failure::Fatal(reason)
            });
        }
        let envelope: Value = serde_json::from_str(&text).map_err(|e| {
            Failure::Retry(format!(
                "the LLM endpoint's answer is not JSON ({e}): {}",
                snippet(&text)
            ))
        })?;
        envelope["choices"][0]["message"]["content"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| {
                Failure::Retry(format!(
                    "the LLM endpoint's answer has no choices[0].message.content: {}",
                    snippet(&text)
                ))
            })
    }
}

enum Failure {
    Retry(String),
    Fatal(String),
}

/// The HTTP client for an OpenAI-compatible endpoint at `base_url` serving `model`, each
/// request limited to `timeout`. Fails with the reason when the base URL is not an `http(s)`
/// URL, the model name is empty, or the client cannot be built; `service` names the endpoint
/// in that reason (`"LLM"`, `"embeddings"`).
pub(crate) fn http_client(
    service: &str,
    base_url: &str,
    model: &str,
    timeout: Duration,
) -> Result<reqwest::Client, String> {
    if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
        return Err(format!(
            "the {service} base URL must start with http:// or https://, not {base_url:?}"
        ));
    }
    if model.trim().is_empty() {
        return Err(format!("the {service} model name is empty"));
    }
    reqwest::Client::builder()
        .timeout(timeout)
        .user_agent(concat!("omi-server/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("could not build the HTTP client: {e}"))
}

/// A reqwest error's kind and causes, without its URL (the messages name the endpoint already).
pub(crate) fn without_url(e: &reqwest::Error) -> String {
    let mut out = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_decode() {
        "could not decode the answer"
    } else {
        "request failed"
    }
    .to_owned();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn snippet(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 300 {
        format!("{}…", one_line.chars().take(300).collect::<String>())
    } else {
        one_line
    }
}

const CONVERSATION_PROMPT: &str = r#"You turn a user's conversation or text into structured data for their personal knowledge base.
Answer with one JSON object and nothing else, with exactly these fields:
{
  "title": string, at most 60 characters, about what the text is about,
  "overview": string, a 2-3 sentence summary,
  "emoji": string, one emoji,
  "category": one of CATEGORIES,
  "action_items": [{"description": string, "completed": false}], things the user was asked to do or committed to do,
  "events": [{"title": string, "description": string, "start": ISO 8601 date-time with time zone, "duration": minutes as an integer}], plans with a date or time, resolved against started_at,
  "memories": [{"content": string starting with "User", "category": "interesting" or "system"}], timeless facts about the user (preferences, relationships, work, health, places, birthdays and anniversaries), never tasks or one-off events, none repeating known_memories
}
Use empty lists when there is nothing to report."#;

const MEMORIES_PROMPT: &str = r#"You find timeless facts about a user in a text they shared, for their personal knowledge base.
Answer with one JSON object and nothing else: {"memories": [{"content": string starting with "User", "category": "interesting" or "system"}]}
Memories are preferences, relationships, work, health, places, birthdays and anniversaries; never tasks or one-off events; none repeating known_memories. Use an empty list when there are none."#;

#[derive(Deserialize)]
struct ConversationAnswer {
    title: String,
    overview: String,
    #[serde(default)]
    emoji: String,
    category: ConversationCategory,
    #[serde(default)]
    action_items: Vec<ActionItemAnswer>,
    #[serde(default)]
    events: Vec<EventAnswer>,
    #[serde(default)]
    memories: Vec<MemoryAnswer>,
}

#[derive(Deserialize)]
struct ActionItemAnswer {
    description: String,
    #[serde(default)]
    completed: bool,
}

#[derive(Deserialize)]
struct EventAnswer {
    title: String,
    #[serde(default)]
    description: String,
    start: String,
    #[serde(default = "default_duration")]
    duration: i64,
}

fn default_duration() -> i64 {
    Event::DEFAULT_DURATION_MINUTES
}

#[derive(Deserialize)]
struct MemoryAnswer {
    content: String,
    category: MemoryCategory,
}

#[derive(Deserialize)]
struct MemoriesAnswer {
    memories: Vec<MemoryAnswer>,
}

/// The JSON object in a model's answer: the whole content, or the part inside a ``` fence.
fn json_part(content: &str) -> &str {
    let trimmed = content.trim();
    if let Some(rest) = trimmed.strip_prefix("```") {
        let rest = rest.strip_prefix("json").unwrap_or(rest);
        return rest.trim_end().trim_end_matches("```").trim();
    }
    trimmed
}

fn parse_json<T: for<'de> Deserialize<'de>>(content: &str) -> Result<T, String> {
    let raw = json_part(content);
    serde_json::from_str(raw).map_err(|e| e.to_string())
}

fn memories(answers: Vec<MemoryAnswer>) -> Result<Vec<ExtractedMemory>, String> {
    answers
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let content: MemoryContent = m.content.parse().map_err(|_| {
                format!("memories[{i}].content must be 1 to 500 characters, not blank")
            })?;
            if m.category == MemoryCategory::Manual {
                return Err(format!(
                    "memories[{i}].category must be \"interesting\" or \"system\""
                ));
            }
            Ok(ExtractedMemory {
                content: content.into_inner(),
                category: m.category,
            })
        })
        .collect()
}

fn parse_conversation(
    content: &str,
) -> Result<(ConversationAnswer, Vec<Event>, Vec<ExtractedMemory>), String> {
    let mut answer: ConversationAnswer = parse_json(content)?;
    if answer.title.trim().is_empty() {
        return Err("title is empty".to_owned());
    }
    let events = answer
        .events
        .drain(..)
        .enumerate()
        .map(|(i, e)| {
            let start: DateTime<Utc> =
                omi_model::timestamp::parse_datetime(&e.start).map_err(|_| {
                    format!(
                        "events[{i}].start {:?} is not an ISO 8601 date-time",
                        e.start
                    )
                })?;
            if !(1..=7 * 24 * 60).contains(&e.duration) {
                return Err(format!(
                    "events[{i}].duration must be 1 to 10080 minutes, not {}",
                    e.duration
                ));
            }
            if e.title.trim().is_empty() {
                return Err(format!("events[{i}].title is empty"));
            }
            Ok(Event {
                title: crate::rules::truncate_title(e.title.trim()),
                description: e.description,
                start,
                duration: e.duration,
                created: false,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if let Some(i) = answer
        .action_items
        .iter()
        .position(|a| a.description.trim().is_empty())
    {
        return Err(format!("action_items[{i}].description is empty"));
    }
    let found = memories(std::mem::take(&mut answer.memories))?;
    Ok((answer, events, found))
}

#[async_trait]
impl Extractor for LlmExtractor {
    async fn conversation(
        &self,
        input: &ConversationInput<'_>,
    ) -> Result<ConversationExtraction, ExtractError> {
        // Segments (and whether there is anything at all) come from the rules.
        let base = RulesExtractor.extract(&ConversationInput {
            known_memories: &[],
            ..input.clone()
        });
        if base.processed.discarded {
            return Ok(ConversationExtraction {
                processed: base.processed,
                memories: Vec::new(),
            });
        }
        let categories: Vec<&str> = ConversationCategory::WIRE_NAMES.to_vec();
        let system = CONVERSATION_PROMPT.replace("CATEGORIES", &json!(categories).to_string());
        let user = json!({
            "kind": input.kind.as_str(),
            "started_at": omi_model::timestamp::format(&input.started_at),
            "finished_at": omi_model::timestamp::format(&input.finished_at),
            "known_memories": known_for_prompt(input.known_memories),
            "text": input.text,
        })
        .to_string();
        let (answer, events, found) = self.ask(&system, user, parse_conversation).await?;
        let mut processed = base.processed;
        processed.title = crate::rules::truncate_title(answer.title.trim());
        processed.overview = answer.overview.trim().to_owned();
        if !answer.emoji.trim().is_empty() {
            processed.emoji = answer.emoji.trim().to_owned();
        }
        processed.category = answer.category;
        processed.action_items = answer
            .action_items
            .into_iter()
            .map(|a| StructuredActionItem {
                description: a.description.trim().to_owned(),
                completed: a.completed,
            })
            .collect();
        processed.events = events;
        Ok(ConversationExtraction {
            processed,
            memories: retain_novel(found, input.known_memories),
        })
    }

    async fn memories(&self, text: &str) -> Result<Vec<ExtractedMemory>, ExtractError> {
        self.text_memories(&TextInput {
            text,
            kind: super::TextKind::Other,
            known_memories: &[],
        })
        .await
    }

    async fn text_memories(
        &self,
        input: &TextInput<'_>,
    ) -> Result<Vec<ExtractedMemory>, ExtractError> {
        if input.text.split_whitespace().count() < 2 {
            return Ok(Vec::new());
        }
        let user = json!({
            "kind": input.kind.as_str(),
            "known_memories": known_for_prompt(input.known_memories),
            "text": input.text,
        })
        .to_string();
        let found = self
            .ask(MEMORIES_PROMPT, user, |content| {
                let answer: MemoriesAnswer = parse_json(content)?;
                memories(answer.memories)
            })
            .await?;
        Ok(retain_novel(found, input.known_memories))
    }
}

fn known_for_prompt(known: &[String]) -> &[String] {
    &known[..known.len().min(LlmConfig::MAX_KNOWN_IN_PROMPT)]
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    use axum::routing::post;
    use axum::{Json, Router};

    use super::*;
    use crate::TextKind;

    /// What the stand-in answers, in turn (the last answer repeats), and what it was sent.
    #[derive(Clone, Default)]
    struct StandIn {
        answers: Arc<Mutex<Vec<(u16, String)>>>,
        requests: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
    }

    async fn chat(
        State(s): State<StandIn>,
        headers: HeaderMap,
        Json(body): Json<Value>,
    ) -> impl IntoResponse {
        s.requests.lock().unwrap().push((headers, body));
        let mut answers = s.answers.lock().unwrap();
        let (status, body) = if answers.len() > 1 {
            answers.remove(0)
        } else {
            answers[0].clone()
        };
        (StatusCode::from_u16(status).unwrap(), body)
    }

    /// A chat-completions answer whose message content is `content`.
    fn completion(content: &str) -> (u16, String) {
        (
            200,
            json!({
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            })
            .to_string(),
        )
    }

    async fn serve(answers: Vec<(u16, String)>) -> (LlmExtractor, StandIn) {
        let stand_in = StandIn {
            answers: Arc::new(Mutex::new(answers)),
            ..StandIn::default()
        };
        let app = Router::new()
            .route("/v1/chat/completions", post(chat))
            .with_state(stand_in.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let mut config = LlmConfig::new(format!("http://{addr}/v1/"), "test-model")
            .with_api_key("sk-test-secret-0123456789");
        config.retry_delay = Duration::from_millis(1);
        config.timeout = Duration::from_secs(5);
        (LlmExtractor::new(config).unwrap(), stand_in)
    }

    fn input<'a>(text: &'a str, known: &'a [String]) -> ConversationInput<'a> {
        let start = omi_model::timestamp::parse_datetime("2024-03-10T15:00:00Z").unwrap();
        ConversationInput {
            text,
            kind: TextKind::AudioTranscript,
            started_at: start,
            finished_at: start + chrono::Duration::minutes(2),
            known_memories: known,
        }
    }

    const TEXT: &str = "Sam: Dinner Friday at 7?\nMe: Yes! I'm vegetarian, remember.";

    fn valid() -> String {
        json!({
            "title": "Dinner plans with Sam",
            "overview": "Sam and the user plan dinner on Friday.",
            "emoji": "🍝",
            "category": "social",
            "action_items": [{"description": "Book a table", "completed": false}],
            "events": [{"title": "Dinner with Sam", "description": "", "start": "2024-03-15T19:00:00Z", "duration": 120}],
            "memories": [
                {"content": "User is vegetarian", "category": "system"},
                {"content": "User loves hiking", "category": "interesting"}
            ]
        })
        .to_string()
    }

    #[tokio::test]
    async fn a_valid_answer_becomes_the_extraction() {
        let (llm, stand_in) = serve(vec![completion(&valid())]).await;
        let known = vec!["User enjoys hiking.".to_owned()];
        let out = llm.conversation(&input(TEXT, &known)).await.unwrap();
        assert_eq!(out.processed.title, "Dinner plans with Sam");
        assert_eq!(out.processed.category, ConversationCategory::Social);
        assert_eq!(out.processed.events[0].duration, 120);
        assert_eq!(out.processed.transcript_segments.len(), 2);
        assert_eq!(out.processed.action_items[0].description, "Book a table");
        // "User loves hiking" repeats a known memory.
        assert_eq!(out.memories.len(), 1);
        assert_eq!(out.memories[0].content, "User is vegetarian");
        let requests = stand_in.requests.lock().unwrap();
        let (headers, body) = &requests[0];
        assert_eq!(headers["authorization"], "Bearer sk-test-secret-0123456789");
        assert_eq!(body["model"], "test-model");
        assert!(
            body["messages"][1]["content"]
                .as_str()
                .unwrap()
                .contains("User enjoys hiking.")
        );
    }

    #[tokio::test]
    async fn an_invalid_answer_is_sent_back_and_asked_for_again() {
        let (llm, stand_in) = serve(vec![
            completion("Sure! Here is the JSON you asked for."),
            completion(&valid().replace("\"social\"", "\"partying\"")),
            completion(&format!("```json\n{}\n```", valid())),
        ])
        .await;
        let out = llm.conversation(&input(TEXT, &[])).await.unwrap();
        assert_eq!(out.processed.title, "Dinner plans with Sam");
        let requests = stand_in.requests.lock().unwrap();
        assert_eq!(requests.len(), 3);
        let last = requests[2].1["messages"].as_array().unwrap();
        assert!(
            last.last().unwrap()["content"]
                .as_str()
                .unwrap()
                .contains("not valid")
        );
    }

    #[tokio::test]
    async fn an_answer_that_stays_invalid_fails_with_the_reason() {
        let bad_memory = valid().replace("User is vegetarian", " ");
        let (llm, stand_in) = serve(vec![completion(&bad_memory)]).await;
        let err = llm.conversation(&input(TEXT, &[])).await.unwrap_err();
        assert!(err.reason().contains("after 3 attempts"), "{err}");
        assert!(err.reason().contains("memories[0].content"), "{err}");
        assert_eq!(stand_in.requests.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn malformed_envelopes_and_server_errors_are_retried() {
        let (llm, stand_in) = serve(vec![
            (500, "upstream exploded".to_owned()),
            (200, "{\"choices\": []}".to_owned()),
            completion(&valid()),
        ])
        .await;
        assert!(llm.conversation(&input(TEXT, &[])).await.is_ok());
        assert_eq!(stand_in.requests.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn a_refused_key_fails_at_once_without_showing_the_key() {
        let (llm, stand_in) =
            serve(vec![(401, "{\"error\": \"invalid api key\"}".to_owned())]).await;
        let err = llm.conversation(&input(TEXT, &[])).await.unwrap_err();
        assert!(err.reason().contains("401"), "{err}");
        assert!(!err.reason().contains("sk-test-secret"), "{err}");
        assert!(!format!("{llm:?}").contains("sk-test-secret"));
        assert_eq!(stand_in.requests.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn an_unreachable_endpoint_fails_with_the_reason() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let mut config = LlmConfig::new(format!("http://{addr}/v1"), "m");
        config.retry_delay = Duration::from_millis(1);
        let err = LlmExtractor::new(config)
            .unwrap()
            .conversation(&input(TEXT, &[]))
            .await
            .unwrap_err();
        assert!(err.reason().contains("could not reach"), "{err}");
    }

    #[tokio::test]
    async fn memories_of_a_text_are_asked_for_alone() {
        let answer =
            json!({"memories": [{"content": "User speaks Portuguese", "category": "interesting"}]});
        let (llm, _) = serve(vec![completion(&answer.to_string())]).await;
        let found = llm
            .text_memories(&TextInput {
                text: "Falo português desde criança.",
                kind: TextKind::SocialPost,
                known_memories: &[],
            })
            .await
            .unwrap();
        assert_eq!(found[0].content, "User speaks Portuguese");
        assert_eq!(found[0].category, MemoryCategory::Interesting);
    }

    #[test]
    fn a_base_url_must_be_http() {
        assert!(LlmExtractor::new(LlmConfig::new("localhost:11434", "m")).is_err());
    }
}
