//! The job worker: claims durable jobs with a lease, runs them through the [`Extractor`], and
//! records the outcome. A job whose worker dies is claimed again when its lease runs out; a
//! job that keeps failing is retried with backoff, then marked failed with its error kept.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use omi_model::{MemoryCategory, Visibility};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::extract::{
    ConversationInput, ExtractedMemory, Extractor, TextInput, TextKind, content_words, retain_novel,
};
use crate::keys;
use crate::service::Service;
use crate::store::{Job, JobKind, MemoryRecord, StoreError};

/// How many of a user's memories (the best scored) extraction is told about, for context: an
/// LLM is asked not to repeat them. What it finds is then checked against every memory of the
/// user that could be a near-duplicate, through the store's word index, however many the
/// user has.
pub const KNOWN_MEMORIES_FOR_EXTRACTION: i64 = 200;

/// The most memories one found memory is compared with: those sharing the most of its words
/// are near-duplicate candidates; past this many, a user has hundreds of near-identical
/// memories and one more comparison changes nothing.
const MAX_NEAR_DUPLICATE_CANDIDATES: i64 = 500;

/// Settings of the worker pool.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Jobs processed at once.
    pub concurrency: usize,
    /// How long a claimed job stays leased to its worker without a renewal. A working worker
    /// renews it every third of this, so it bounds how long a crashed worker's job waits
    /// before another worker takes it, not how long a job may run.
    pub lease: Duration,
    /// How often idle workers look for jobs enqueued by other processes.
    pub poll_interval: Duration,
    /// The first retry delay; each later one doubles, up to `max_backoff`.
    pub base_backoff: Duration,
    /// The longest retry delay.
    pub max_backoff: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 2,
            lease: Duration::from_secs(30),
            poll_interval: Duration::from_millis(500),
            base_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
        }
    }
}

/// A running worker pool. [`WorkerPool::shutdown`] stops it, releasing unfinished jobs.
#[derive(Debug)]
pub struct WorkerPool {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl WorkerPool {
    /// Start `config.concurrency` workers.
    pub fn start(service: Service, extractor: Arc<dyn Extractor>, config: WorkerConfig) -> Self {
        crate::metrics::install();
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        for _ in 0..config.concurrency.max(1) {
            let worker = Worker {
                service: service.clone(),
                extractor: extractor.clone(),
                config: config.clone(),
                stopped: stopped.clone(),
            };
            tasks.spawn(worker.run());
        }
        Self { stop, tasks }
    }

    /// Stop claiming jobs, release the ones in progress, and wait for the workers to end.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

struct Worker {
    service: Service,
    extractor: Arc<dyn Extractor>,
    config: WorkerConfig,
    stopped: watch::Receiver<bool>,
}

/// The longest a worker waits between claims that fail (the database is down).
const MAX_CLAIM_BACKOFF: Duration = Duration::from_secs(5);

/// How long to wait after `failures` failed claims in a row: `poll`, doubled per failure
/// after the first, at most [`MAX_CLAIM_BACKOFF`] (so a worker is back at work within seconds
/// of the database's return; a new job wakes it at once anyway).
fn claim_backoff(poll: Duration, failures: u32) -> Duration {
    let doubled = poll.saturating_mul(1 << failures.saturating_sub(1).min(16));
    doubled.min(MAX_CLAIM_BACKOFF.max(poll))
}

impl Worker {
    async fn run(mut self) {
        // Claims failed in a row: while the database is down, the worker waits longer and
        // longer (up to `max_backoff`) and logs the first failure and every tenth, not each.
        let mut failures: u32 = 0;
        while !self.is_stopped() {
            match self.claim().await {
                Ok(claimed) => {
                    if failures > 0 {
                        tracing::info!(failures, "claiming jobs works again");
                        failures = 0;
                    }
                    match claimed {
                        Some(job) => self.run_job(job).await,
                        None => self.idle().await,
                    }
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    if failures % 10 == 1 {
                        tracing::warn!(error = %e, failures, "could not claim a job");
                    }
                    let delay = claim_backoff(self.config.poll_interval, failures);
                    self.idle_for(delay).await;
                }
            }
        }
    }

    fn is_stopped(&self) -> bool {
        *self.stopped.borrow()
    }

    async fn claim(&self) -> Result<Option<Job>, StoreError> {
        let now = self.service.now();
        let lease = chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::MAX);
        self.service.store().claim_job(now, now + lease).await
    }

    /// Wait a poll interval, or less if a job is queued or the worker is stopped.
    async fn idle(&mut self) {
        self.idle_for(self.config.poll_interval).await;
    }

    /// Wait `delay`, or less if a job is queued or the worker is stopped.
    async fn idle_for(&mut self, delay: Duration) {
        tokio::select! {
            () = self.service.jobs_ready() => {}
            () = tokio::time::sleep(delay) => {}
            _ = self.stopped.changed() => {}
        }
    }

    async fn run_job(&mut self, job: Job) {
        let mut stopped = self.stopped.clone();
        let outcome = tokio::select! {
            outcome = self.process(&job) => outcome,
            () = self.keep_lease(&job) => {
                tracing::warn!(job_id = job.id, "lost the job's lease; another worker runs it");
                return;
            }
            () = async { let _ = stopped.wait_for(|s| *s).await; } => {
                self.release(&job).await;
                return;
            }
        };
        let now = self.service.now();
        let store = self.service.store();
        let recorded = match outcome {
            Ok(()) => {
                crate::metrics::job_completed(job.kind, job.attempts);
                Ok(())
            }
            Err(reason) if job.attempts < job.max_attempts => {
                let delay = self.backoff(job.attempts);
                tracing::warn!(job_id = job.id, attempt = job.attempts, %reason, "job failed; will retry");
                crate::metrics::job_retried(job.kind);
                store.retry_job(&job, &reason, now + delay, now).await
            }
            Err(reason) => {
                tracing::error!(job_id = job.id, attempts = job.attempts, %reason, "job failed for good");
                crate::metrics::job_failed(job.kind, job.attempts);
                store.fail_job(&job, &reason, now).await
            }
        };
        if let Err(e) = recorded {
            tracing::warn!(job_id = job.id, error = %e, "could not record a job's outcome; its lease will expire and it will run again");
        }
    }

    /// Renew the job's lease every third of its length while it runs; resolves only when the
    /// lease was lost (another worker took the job after this one seemed dead).
    async fn keep_lease(&self, job: &Job) {
        let lease = chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::MAX);
        loop {
            tokio::time::sleep(self.config.lease / 3).await;
            let until = self.service.now() + lease;
            match self.service.store().renew_lease(job, until).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => {
                    tracing::warn!(job_id = job.id, error = %e, "could not renew a job's lease")
                }
            }
        }
    }

    async fn release(&self, job: &Job) {
        if let Err(e) = self
            .service
            .store()
            .release_job(job, self.service.now())
            .await
        {
            tracing::warn!(job_id = job.id, error = %e, "could not release a job; its lease will expire");
        }
    }

    fn backoff(&self, attempts: i32) -> chrono::Duration {
        let exponent = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(16);
        let base = self.config.base_backoff.saturating_mul(1 << exponent);
        let capped = base.min(self.config.max_backoff);
        let jitter = capped.mul_f64(rand::random::<f64>() * 0.2);
        chrono::Duration::from_std(capped + jitter).unwrap_or(chrono::Duration::MAX)
    }

    /// Run one job to completion, storing its result. `Err` carries the reason it failed.
    async fn process(&self, job: &Job) -> Result<(), String> {
        match job.kind {
            JobKind::ProcessConversation => self.process_conversation(job).await,
            JobKind::ExtractMemories => self.extract_memories(job).await,
        }
    }

    async fn process_conversation(&self, job: &Job) -> Result<(), String> {
        let store = self.service.store();
        let id = job
            .subject_id
            .as_deref()
            .ok_or("job has no conversation id")?;
        let Some(conversation) = store
            .conversation(&job.uid, id)
            .await
            .map_err(|e| e.to_string())?
        else {
            tracing::info!(
                job_id = job.id,
                "conversation was deleted before processing"
            );
            return store
                .complete_memories_job(job, &[], self.service.now())
                .await
                .map_err(|e| e.to_string());
        };
        let started_at = conversation.started_at.unwrap_or(conversation.created_at);
        let known = self.known_memories(&job.uid).await?;
        let input = ConversationInput {
            text: conversation.text.as_deref().unwrap_or_default(),
            kind: job_text_kind(&conversation),
            started_at,
            finished_at: conversation.finished_at.unwrap_or(started_at),
            known_memories: &known,
        };
        let mut extraction = self
            .extractor
            .conversation(&input)
            .await
            .map_err(|e| e.to_string())?;
        let found = self.novel(&job.uid, extraction.memories, known).await?;
        // A transcript the caller gave (the developer from-segments route) is kept as given.
        if let Some(given) = conversation.transcript_segments.filter(|s| !s.is_empty()) {
            extraction.processed.transcript_segments = given;
        }
        let now = self.service.now();
        let memories = records(&found, conversation.app_id.clone(), Some(id), now);
        store
            .complete_conversation_job(job, &extraction.processed, &memories, now)
            .await
            .map_err(|e| e.to_string())
    }

    /// The contents of the user's best scored memories, for extraction's context.
    async fn known_memories(&self, uid: &omi_model::Uid) -> Result<Vec<String>, String> {
        let params = omi_model::ListDevMemoriesQuery {
            limit: Some(KNOWN_MEMORIES_FOR_EXTRACTION),
            offset: None,
            categories: Vec::new(),
        }
        .validate()
        .map_err(|e| format!("could not list memories: {e}"))?;
        let page = self
            .service
            .store()
            .list_memories(uid, &params)
            .await
            .map_err(|e| e.to_string())?;
        Ok(page.into_iter().map(|m| m.content).collect())
    }

    /// Whatever the extractor, keep only the found memories that repeat no memory of the user
    /// (nor each other): each is compared with `known` and with the user's memories sharing
    /// enough of its words to be a near-duplicate.
    async fn novel(
        &self,
        uid: &omi_model::Uid,
        found: Vec<ExtractedMemory>,
        mut known: Vec<String>,
    ) -> Result<Vec<ExtractedMemory>, String> {
        for memory in &found {
            let words = content_words(&memory.content);
            let candidates = self
                .service
                .store()
                .near_duplicate_candidates(uid, &words, MAX_NEAR_DUPLICATE_CANDIDATES)
                .await
                .map_err(|e| e.to_string())?;
            known.extend(candidates);
        }
        Ok(retain_novel(found, &known))
    }

    async fn extract_memories(&self, job: &Job) -> Result<(), String> {
        let text = job.payload["text"].as_str().unwrap_or_default();
        let app_id = job.payload["app_id"].as_str().map(str::to_owned);
        let kind = job.payload["text_source"]
            .as_str()
            .and_then(|s| s.parse::<omi_model::MemoryTextSource>().ok())
            .map_or(TextKind::Other, TextKind::from);
        let known = self.known_memories(&job.uid).await?;
        let found = self
            .extractor
            .text_memories(&TextInput {
                text,
                kind,
                known_memories: &known,
            })
            .await
            .map_err(|e| e.to_string())?;
        let found = self.novel(&job.uid, found, known).await?;
        let now = self.service.now();
        let memories = records(&found, app_id, None, now);
        self.service
            .store()
            .complete_memories_job(job, &memories, now)
            .await
            .map_err(|e| e.to_string())
    }
}

/// What kind of text a conversation holds: its `text_source`, refined by a
/// `text_source_spec` that names an email or a post.
fn job_text_kind(conversation: &omi_model::Conversation) -> TextKind {
    let external = conversation.extra.get("external_data");
    let field = |name: &str| {
        external
            .and_then(|d| d.get(name))
            .and_then(|v| v.as_str())
            .map(str::to_ascii_lowercase)
    };
    let source = field("text_source")
        .and_then(|s| s.parse().ok())
        .unwrap_or(omi_model::ConversationTextSource::AudioTranscript);
    match field("text_source_spec").as_deref() {
        Some(spec) if spec.contains("email") || spec.contains("mail") => TextKind::Email,
        Some(spec)
            if [
                "post",
                "tweet",
                "social",
                "twitter",
                "linkedin",
                "facebook",
                "instagram",
            ]
            .iter()
            .any(|s| spec.contains(s)) =>
        {
            TextKind::SocialPost
        }
        _ => TextKind::from(source),
    }
}

fn records(
    found: &[ExtractedMemory],
    app_id: Option<String>,
    conversation_id: Option<&str>,
    now: DateTime<Utc>,
) -> Vec<MemoryRecord> {
    found
        .iter()
        .map(|m| MemoryRecord {
            id: keys::new_id(),
            content: m.content.clone(),
            category: match m.category {
                MemoryCategory::Manual => MemoryCategory::System,
                other => other,
            },
            visibility: Visibility::Private,
            tags: Vec::new(),
            created_at: now,
            manually_added: false,
            app_id: app_id.clone(),
            conversation_id: conversation_id.map(str::to_owned),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_claims_wait_longer_each_time_up_to_a_few_seconds() {
        let poll = Duration::from_millis(500);
        let waits: Vec<Duration> = (1..=6).map(|n| claim_backoff(poll, n)).collect();
        assert_eq!(
            waits,
            [500, 1_000, 2_000, 4_000, 5_000, 5_000].map(Duration::from_millis)
        );
        assert_eq!(claim_backoff(poll, u32::MAX), MAX_CLAIM_BACKOFF);
        // A poll interval above the cap is kept: the cap never makes a worker poll faster.
        let slow = Duration::from_secs(9);
        assert_eq!(claim_backoff(slow, 3), slow);
    }
}
