//! Waiting for a conversation to be processed: the polling loop every user of the
//! Developer API would otherwise write, shared by every transport through
//! [`DeveloperConversations::wait_until_processed`].
//!
//! It pauses with `futures-timer`, which needs no async runtime (its timer runs on one
//! helper thread), so this crate stays runtime-free.

use std::fmt;
use std::time::{Duration, Instant};

use omi_model::{Conversation, ConversationStatus, GetConversationQuery};

use crate::DeveloperConversations;

/// The first pause between two reads; each later one doubles, up to [`MAX_PAUSE`].
pub const FIRST_PAUSE: Duration = Duration::from_millis(50);

/// The longest pause between two reads.
pub const MAX_PAUSE: Duration = Duration::from_secs(1);

/// Why [`DeveloperConversations::wait_until_processed`] gave up.
#[derive(Debug)]
pub enum WaitError<E> {
    /// The conversation was still not processed (neither `completed` nor `failed`) when the
    /// timeout passed. It may still be processed later.
    TimedOut {
        /// The conversation waited for.
        conversation_id: String,
        /// How long was waited.
        waited: Duration,
        /// Its status at the last read (`processing`, or `None` when it had none).
        last_status: Option<ConversationStatus>,
    },
    /// Reading the conversation failed (404 for an unknown id, a missing scope, a transport
    /// failure...): the error of that call.
    Call(E),
}

impl<E> WaitError<E> {
    /// The call's error, when reading failed; `None` when the wait timed out.
    pub fn call_error(&self) -> Option<&E> {
        match self {
            Self::Call(e) => Some(e),
            Self::TimedOut { .. } => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for WaitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TimedOut {
                conversation_id,
                waited,
                last_status,
            } => {
                write!(
                    f,
                    "conversation {conversation_id} was not processed after {} ms (status: ",
                    waited.as_millis()
                )?;
                match last_status {
                    Some(status) => write!(f, "{status})"),
                    None => f.write_str("none)"),
                }
            }
            Self::Call(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for WaitError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Call(e) => e.source(),
            Self::TimedOut { .. } => None,
        }
    }
}

/// Whether processing is over for a conversation in `status`: it is `completed` or `failed`.
pub fn is_processed(status: Option<ConversationStatus>) -> bool {
    matches!(
        status,
        Some(ConversationStatus::Completed | ConversationStatus::Failed)
    )
}

/// The loop behind [`DeveloperConversations::wait_until_processed`].
pub(crate) async fn until_processed<A: DeveloperConversations + ?Sized>(
    api: &A,
    conversation_id: &str,
    timeout: Duration,
) -> Result<Conversation, WaitError<A::Error>> {
    let started = Instant::now();
    let mut pause = FIRST_PAUSE;
    loop {
        let conversation = api
            .get_conversation(conversation_id, GetConversationQuery::default())
            .await
            .map_err(WaitError::Call)?;
        if is_processed(conversation.status) {
            return Ok(conversation);
        }
        let waited = started.elapsed();
        let Some(left) = timeout.checked_sub(waited).filter(|d| !d.is_zero()) else {
            return Err(WaitError::TimedOut {
                conversation_id: conversation_id.to_owned(),
                waited,
                last_status: conversation.status,
            });
        };
        futures_timer::Delay::new(pause.min(left)).await;
        pause = pause.saturating_mul(2).min(MAX_PAUSE);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;
    use omi_model::{
        ConversationSearchResponse, CreateConversationFromSegmentsRequest,
        CreateConversationRequest, CreateConversationResponse, Folder, ListDevConversationsQuery,
        SearchDevConversationsQuery, SuccessResponse, UpdateConversationRequest,
    };

    use super::*;
    use crate::{ApiError, messages};

    /// A conversation whose reads answer `statuses` in turn (then the last one forever), or
    /// 404 when there are none; every other call is unused here.
    struct Scripted {
        statuses: Vec<Option<ConversationStatus>>,
        reads: Mutex<usize>,
    }

    impl Scripted {
        fn new(statuses: Vec<Option<ConversationStatus>>) -> Self {
            Self {
                statuses,
                reads: Mutex::new(0),
            }
        }

        fn reads(&self) -> usize {
            *self.reads.lock().expect("not poisoned")
        }
    }

    fn conversation(id: &str, status: Option<ConversationStatus>) -> Conversation {
        let mut value = serde_json::json!({
            "id": id,
            "created_at": "2024-03-10T15:00:00Z",
            "started_at": "2024-03-10T15:00:00Z",
            "finished_at": "2024-03-10T15:05:00Z",
            "structured": {"title": "", "overview": ""},
        });
        if let Some(status) = status {
            value["status"] = serde_json::json!(status.to_string());
        }
        serde_json::from_value(value).expect("a conversation")
    }

    #[async_trait]
    impl DeveloperConversations for Scripted {
        type Error = ApiError;

        async fn list_conversations(
            &self,
            _: ListDevConversationsQuery,
        ) -> Result<Vec<Conversation>, ApiError> {
            Err(ApiError::internal())
        }

        async fn search_conversations(
            &self,
            _: SearchDevConversationsQuery,
        ) -> Result<ConversationSearchResponse, ApiError> {
            Err(ApiError::internal())
        }

        async fn create_conversation(
            &self,
            _: CreateConversationRequest,
        ) -> Result<CreateConversationResponse, ApiError> {
            Err(ApiError::internal())
        }

        async fn create_conversation_from_segments(
            &self,
            _: CreateConversationFromSegmentsRequest,
        ) -> Result<CreateConversationResponse, ApiError> {
            Err(ApiError::internal())
        }

        async fn get_conversation(
            &self,
            conversation_id: &str,
            _: GetConversationQuery,
        ) -> Result<Conversation, ApiError> {
            let mut reads = self.reads.lock().expect("not poisoned");
            let Some(last) = self.statuses.last() else {
                return Err(ApiError::not_found(messages::CONVERSATION_NOT_FOUND));
            };
            let status = self.statuses.get(*reads).unwrap_or(last);
            *reads += 1;
            Ok(conversation(conversation_id, *status))
        }

        async fn update_conversation(
            &self,
            _: &str,
            _: UpdateConversationRequest,
        ) -> Result<Conversation, ApiError> {
            Err(ApiError::internal())
        }

        async fn delete_conversation(&self, _: &str) -> Result<SuccessResponse, ApiError> {
            Err(ApiError::internal())
        }

        async fn list_folders(&self) -> Result<Vec<Folder>, ApiError> {
            Err(ApiError::internal())
        }
    }

    const PROCESSING: Option<ConversationStatus> = Some(ConversationStatus::Processing);

    #[tokio::test]
    async fn it_reads_until_completed() {
        let api = Scripted::new(vec![PROCESSING, None, Some(ConversationStatus::Completed)]);
        let done = api
            .wait_until_processed("c1", Duration::from_secs(10))
            .await
            .expect("processed");
        assert_eq!(done.status, Some(ConversationStatus::Completed));
        assert_eq!(api.reads(), 3, "a missing status is read again");
    }

    #[tokio::test]
    async fn a_failed_conversation_is_an_answer() {
        let api = Scripted::new(vec![PROCESSING, Some(ConversationStatus::Failed)]);
        let done = api
            .wait_until_processed("c1", Duration::from_secs(10))
            .await
            .expect("processed");
        assert_eq!(done.status, Some(ConversationStatus::Failed));
    }

    #[tokio::test]
    async fn it_gives_up_at_the_timeout_with_backoff() {
        let api = Scripted::new(vec![PROCESSING]);
        let timeout = Duration::from_millis(400);
        let started = Instant::now();
        let e = api
            .wait_until_processed("c1", timeout)
            .await
            .expect_err("never processed");
        let elapsed = started.elapsed();
        let WaitError::TimedOut {
            conversation_id,
            waited,
            last_status,
        } = &e
        else {
            panic!("expected a time-out, got {e}");
        };
        assert_eq!(conversation_id, "c1");
        assert_eq!(*last_status, PROCESSING);
        assert!(*waited >= timeout && elapsed < timeout * 3, "{elapsed:?}");
        // 50 + 100 + 200 ms of pauses, then what is left of the 400 ms: five reads, not forty.
        assert!((4..=6).contains(&api.reads()), "{} reads", api.reads());
        assert!(e.call_error().is_none());
        assert!(
            e.to_string()
                .starts_with("conversation c1 was not processed after "),
            "{e}"
        );
    }

    #[tokio::test]
    async fn a_zero_timeout_reads_once() {
        let api = Scripted::new(vec![PROCESSING]);
        let e = api
            .wait_until_processed("c1", Duration::ZERO)
            .await
            .expect_err("still processing");
        assert!(matches!(e, WaitError::TimedOut { .. }));
        assert_eq!(api.reads(), 1);
    }

    #[tokio::test]
    async fn a_failed_read_ends_the_wait() {
        let api = Scripted::new(Vec::new());
        let e = api
            .wait_until_processed("gone", Duration::from_secs(10))
            .await
            .expect_err("not found");
        assert_eq!(
            e.call_error(),
            Some(&ApiError::not_found(messages::CONVERSATION_NOT_FOUND))
        );
        assert_eq!(e.to_string(), "404: Conversation not found");
    }

    #[test]
    fn only_completed_and_failed_are_processed() {
        assert!(is_processed(Some(ConversationStatus::Completed)));
        assert!(is_processed(Some(ConversationStatus::Failed)));
        assert!(!is_processed(PROCESSING));
        assert!(!is_processed(None));
    }
}
