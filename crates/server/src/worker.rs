//! The job worker: claims durable jobs with a lease, runs them through the [`Extractor`], and
//! records the outcome. A job whose worker dies is claimed again when its lease runs out; a
//! job that keeps failing is retried with backoff, then marked failed with its error kept.
//!
//! Nothing one job holds can stop the others: a panic while processing a job fails that
//! attempt (caught, logged with the job's id, counted in `panics_total`); an attempt that
//! runs past [`WorkerConfig::job_timeout`] fails too; what one job may add is capped
//! ([`MAX_MEMORIES_PER_JOB`], [`MAX_ACTION_ITEMS_PER_JOB`], [`MAX_EVENTS_PER_JOB`]); and the
//! pool's supervisor restarts a worker whose loop ended for any other reason.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use omi_extract::identity::{content_words, retain_novel};
use omi_extract::{
    ConversationInput, ExtractError, ExtractedMemory, Extractor, TextInput, TextKind,
};
use omi_model::{ConversationTextSource, Language};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use crate::metrics::PanicSite;
use crate::service::Service;
use crate::store::{Job, JobTask, MemoryRecord, StoreError, TextToExtract};
use omi_model::MemoryOrigin;

/// How many of a user's memories (the best scored) extraction is told about, for context: an
/// LLM is asked not to repeat them. What it finds is then checked against every memory of the
/// user that could be a near-duplicate, through the store's word index, however many the
/// user has.
pub const KNOWN_MEMORIES_FOR_EXTRACTION: i64 = 200;

/// The most memories one found memory is compared with: those sharing the most of its words
/// are near-duplicate candidates; past this many, a user has hundreds of near-identical
/// memories and one more comparison changes nothing.
const MAX_NEAR_DUPLICATE_CANDIDATES: i64 = 500;

/// The most memories one job adds (the first novel ones, in the order extraction found
/// them). A text holding more facts than this is a document, not a conversation; the cap
/// keeps a pasted book from flooding a user's memories.
pub const MAX_MEMORIES_PER_JOB: usize = 100;
/// The most memories found by extraction that one job checks for novelty: the first ones
/// (after repeats within the text are dropped) up to this many, so a 500 000-character
/// import of 40 000 facts costs a bounded lookup.
pub const MAX_MEMORIES_CONSIDERED_PER_JOB: usize = 400;
/// The most action items one conversation gets.
pub const MAX_ACTION_ITEMS_PER_JOB: usize = 100;
/// The most events one conversation gets.
pub const MAX_EVENTS_PER_JOB: usize = 100;

/// Why one attempt at a job failed. Its `Display` is the full detail (kept on the job and
/// logged, never shown to the tenant); [`JobError::public_reason`] is what the conversation's
/// `failure_reason` says, which must not reveal database errors, the LLM's address or a
/// provider's answer.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The extractor (the rules or the language model) failed.
    #[error(transparent)]
    Extraction(#[from] ExtractError),
    /// Reading or storing what processing needs failed.
    #[error("storage failed: {0}")]
    Storage(#[from] StoreError),
    /// Processing panicked.
    #[error("processing panicked: {0}")]
    Panicked(String),
    /// Processing ran past its time budget.
    #[error("processing took longer than {} s", .0.as_secs())]
    TimedOut(Duration),
    /// A bug of ours: something processing builds itself was refused.
    #[error("{0}")]
    Internal(String),
}

impl JobError {
    /// The reason shown when extraction (the rules or the language model) failed.
    pub const EXTRACTION: &'static str = "extraction failed";
    /// The reason shown when storing or reading what processing needs failed.
    pub const STORAGE: &'static str = "the database failed during processing";
    /// The reason shown when processing panicked or hit a bug of ours.
    pub const INTERNAL: &'static str = "processing failed";
    /// The reason shown when processing ran past its time budget.
    pub const TIMEOUT: &'static str = "processing took too long";

    /// What the tenant is told (the conversation's `failure_reason`).
    pub fn public_reason(&self) -> &'static str {
        match self {
            Self::Extraction(_) => Self::EXTRACTION,
            Self::Storage(_) => Self::STORAGE,
            Self::Panicked(_) | Self::Internal(_) => Self::INTERNAL,
            Self::TimedOut(_) => Self::TIMEOUT,
        }
    }
}

/// How long after a worker's loop ended the supervisor starts another.
const RESTART_DELAY: Duration = Duration::from_millis(100);

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
    /// The longest one attempt of a job may run before it fails (and is retried): extraction
    /// is bounded by the size of its text, so only a stuck extractor (a language model that
    /// never answers) reaches it.
    pub job_timeout: Duration,
    /// How long a finished (done or failed) job is kept, with its payload (the text it
    /// processed), before the server's housekeeping deletes it. What the job made (the
    /// conversation and its status, memories, action items) is never deleted with it.
    pub job_retention: Duration,
}

impl WorkerConfig {
    /// The default [`WorkerConfig::job_timeout`]: above the LLM extractor's worst case
    /// (three requests of two minutes each, with pauses).
    pub const DEFAULT_JOB_TIMEOUT: Duration = Duration::from_secs(900);
    /// The default [`WorkerConfig::job_retention`]: seven days, time enough to look into a
    /// job that failed.
    pub const DEFAULT_JOB_RETENTION: Duration = Duration::from_secs(7 * 24 * 60 * 60);
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 2,
            lease: Duration::from_secs(30),
            poll_interval: Duration::from_millis(500),
            base_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
            job_timeout: Self::DEFAULT_JOB_TIMEOUT,
            job_retention: Self::DEFAULT_JOB_RETENTION,
        }
    }
}

/// A running worker pool. [`WorkerPool::shutdown`] stops it, releasing unfinished jobs.
#[derive(Debug)]
pub struct WorkerPool {
    stop: watch::Sender<bool>,
    supervisor: JoinHandle<()>,
}

impl WorkerPool {
    /// Start `config.concurrency` workers, kept running by a supervisor: a worker whose
    /// loop ends (it can only by a panic outside a job, which is caught and counted) is
    /// started again. The service's [`WorkerGauge`](crate::service::WorkerGauge) counts them
    /// for readiness.
    pub fn start(service: Service, extractor: Arc<dyn Extractor>, config: WorkerConfig) -> Self {
        crate::metrics::install();
        let (stop, stopped) = watch::channel(false);
        let supervisor = Supervisor {
            worker: Worker {
                service,
                extractor,
                config,
                stopped,
            },
        };
        Self {
            stop,
            supervisor: tokio::spawn(supervisor.run()),
        }
    }

    /// Stop claiming jobs, release the ones in progress, and wait for the workers to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Err(e) = self.supervisor.await {
            tracing::error!(error = %e, "the worker supervisor failed");
        }
    }
}

/// Keeps `concurrency` copies of a worker running until the pool stops.
struct Supervisor {
    /// The worker each copy is cloned from.
    worker: Worker,
}

impl Supervisor {
    async fn run(self) {
        let count = self.worker.config.concurrency.max(1);
        let gauge = self.worker.service.clone();
        gauge.workers().expect(count);
        let mut tasks = JoinSet::new();
        for _ in 0..count {
            tasks.spawn(self.worker.clone().run());
        }
        while let Some(ended) = tasks.join_next().await {
            if self.worker.is_stopped() {
                continue;
            }
            match ended {
                Err(e) if e.is_panic() => {
                    crate::metrics::panic_caught(PanicSite::Worker);
                    let panic = e.into_panic();
                    tracing::error!(panic = %crate::panics::message(&*panic), "a job worker panicked outside a job; restarting it");
                }
                _ => tracing::error!("a job worker stopped unexpectedly; restarting it"),
            }
            crate::metrics::worker_restarted();
            tokio::time::sleep(RESTART_DELAY).await;
            tasks.spawn(self.worker.clone().run());
        }
        gauge.workers().unexpect(count);
    }
}

#[derive(Clone)]
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
        let service = self.service.clone();
        let _running = service.workers().running();
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
            outcome = self.attempt(&job) => outcome,
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
                crate::metrics::job_completed(job.kind().as_str(), job.attempts);
                Ok(())
            }
            Err(reason) if job.attempts < job.max_attempts => {
                let delay = self.backoff(job.attempts);
                tracing::warn!(job_id = job.id, attempt = job.attempts, %reason, "job failed; will retry");
                crate::metrics::job_retried(job.kind().as_str());
                store
                    .retry_job(&job, &reason.to_string(), now + delay, now)
                    .await
            }
            Err(reason) => {
                tracing::error!(job_id = job.id, attempts = job.attempts, %reason, "job failed for good");
                crate::metrics::job_failed(job.kind().as_str(), job.attempts);
                store
                    .fail_job(&job, &reason.to_string(), reason.public_reason(), now)
                    .await
            }
        };
        if let Err(e) = recorded {
            tracing::warn!(job_id = job.id, error = %e, "could not record a job's outcome; its lease will expire and it will run again");
        }
    }

    /// One attempt at `job`: [`Worker::process`], with a panic or a run past the time
    /// budget turned into the attempt's failure.
    async fn attempt(&self, job: &Job) -> Result<(), JobError> {
        let budget = self.config.job_timeout;
        let run = AssertUnwindSafe(self.process(job)).catch_unwind();
        match tokio::time::timeout(budget, run).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(panic)) => {
                crate::metrics::panic_caught(PanicSite::Job);
                let message = crate::panics::message(&*panic);
                tracing::error!(job_id = job.id, kind = job.kind().as_str(), panic = %message, "processing a job panicked");
                Err(JobError::Panicked(message.to_string()))
            }
            Err(_) => Err(JobError::TimedOut(budget)),
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
    async fn process(&self, job: &Job) -> Result<(), JobError> {
        match &job.task {
            JobTask::ProcessConversation { conversation_id } => {
                self.process_conversation(job, conversation_id).await
            }
            JobTask::ExtractMemories(text) => self.extract_memories(job, text).await,
        }
    }

    async fn process_conversation(&self, job: &Job, id: &str) -> Result<(), JobError> {
        let store = self.service.store();
        let Some(conversation) = store.conversation(&job.uid, id).await? else {
            tracing::info!(
                job_id = job.id,
                "conversation was deleted before processing"
            );
            return Ok(store
                .complete_memories_job(job, &[], self.service.now())
                .await?);
        };
        let started_at = conversation.started_at.unwrap_or(conversation.created_at);
        let known = self.known_memories(&job.uid).await?;
        let external = conversation.external_data().unwrap_or_default();
        let input = ConversationInput {
            text: conversation.text.as_deref().unwrap_or_default(),
            kind: text_kind(external.text_source, external.text_source_spec.as_deref()),
            started_at,
            finished_at: conversation.finished_at.unwrap_or(started_at),
            known_memories: &known,
        };
        let language = named_language(conversation.language.as_deref());
        let mut extraction = self
            .extractor
            .conversation_in_language(&input, language)
            .await?;
        let found = self.novel(&job.uid, extraction.memories, known).await?;
        let processed = &mut extraction.processed;
        processed.action_items.truncate(MAX_ACTION_ITEMS_PER_JOB);
        processed.events.truncate(MAX_EVENTS_PER_JOB);
        // A transcript the caller gave (the developer from-segments route) is kept as given.
        if let Some(given) = conversation.transcript_segments.filter(|s| !s.is_empty()) {
            extraction.processed.transcript_segments = given;
        }
        let now = self.service.now();
        let memories: Vec<MemoryRecord> = found
            .iter()
            .map(|m| MemoryRecord::extracted(m, conversation.app_id.clone(), Some(id), now))
            .collect();
        store
            .complete_conversation_job(job, &extraction.processed, &memories, now)
            .await?;
        if !memories.is_empty() {
            self.service.memories_written();
        }
        Ok(())
    }

    /// The contents of the user's best scored memories, for extraction's context.
    async fn known_memories(&self, uid: &omi_model::Uid) -> Result<Vec<String>, JobError> {
        let params = omi_model::ListDevMemoriesQuery {
            limit: Some(KNOWN_MEMORIES_FOR_EXTRACTION),
            offset: None,
            categories: Vec::new(),
        }
        .validate()
        .map_err(|e| JobError::Internal(format!("could not list memories: {e}")))?;
        let page = self.service.store().list_memories(uid, &params).await?;
        Ok(page.into_iter().map(|m| m.content).collect())
    }

    /// Whatever the extractor, keep only the found memories that repeat no memory of the user
    /// (nor each other): each is compared with `known` and with the user's memories sharing
    /// enough of its words to be a near-duplicate, fetched for all of them in one lookup.
    /// At most [`MAX_MEMORIES_CONSIDERED_PER_JOB`] are checked and
    /// [`MAX_MEMORIES_PER_JOB`] kept.
    async fn novel(
        &self,
        uid: &omi_model::Uid,
        found: Vec<ExtractedMemory>,
        mut known: Vec<String>,
    ) -> Result<Vec<ExtractedMemory>, JobError> {
        // Repeats within the text are dropped first, from a bounded prefix of what was found.
        let mut found = found;
        found.truncate(MAX_MEMORIES_CONSIDERED_PER_JOB.saturating_mul(4));
        let mut found = retain_novel(found, &[]);
        found.truncate(MAX_MEMORIES_CONSIDERED_PER_JOB);
        let groups: Vec<Vec<String>> = found.iter().map(|m| content_words(&m.content)).collect();
        let candidates = self
            .service
            .store()
            .near_duplicate_candidates(uid, &groups, MAX_NEAR_DUPLICATE_CANDIDATES)
            .await?;
        known.extend(candidates);
        let mut novel = retain_novel(found, &known);
        novel.truncate(MAX_MEMORIES_PER_JOB);
        Ok(novel)
    }

    async fn extract_memories(&self, job: &Job, import: &TextToExtract) -> Result<(), JobError> {
        let known = self.known_memories(&job.uid).await?;
        let input = TextInput {
            text: &import.text,
            kind: TextKind::from(import.text_source),
            known_memories: &known,
        };
        let found = self.extractor.text_memories(&input).await?;
        let found = self.novel(&job.uid, found, known).await?;
        let now = self.service.now();
        let memories: Vec<MemoryRecord> = found
            .iter()
            .map(|m| MemoryRecord {
                origin: MemoryOrigin {
                    source_id: import.source_id.clone(),
                    source_url: import.source_url.clone(),
                },
                ..MemoryRecord::extracted(m, import.app_id.clone(), None, now)
            })
            .collect();
        self.service
            .store()
            .complete_memories_job(job, &memories, now)
            .await?;
        if !memories.is_empty() {
            self.service.memories_written();
        }
        Ok(())
    }
}

/// What kind of text a conversation holds: its `text_source`, refined by a
/// `text_source_spec` that names an email or a post.
fn text_kind(source: Option<ConversationTextSource>, spec: Option<&str>) -> TextKind {
    let source = source.unwrap_or(ConversationTextSource::AudioTranscript);
    let spec = spec.map(str::to_ascii_lowercase);
    match spec.as_deref() {
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

/// The language a conversation's request named, for the extractor: `None` for the API's
/// default (`en`, filled in when a request names none, so the extractor identifies the
/// language itself rather than reading a Spanish text as English).
fn named_language(stored: Option<&str>) -> Option<&str> {
    stored.filter(|code| *code != Language::DEFAULT)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use chrono::{DateTime, Utc};
    use omi_model::{ConversationStatus, Uid};

    use super::*;
    use crate::ratelimit::{RateLimitMode, RateLimits};
    use crate::service::{Clock, ServiceConfig};
    use crate::store::{SqliteStore, Store};
    use omi_extract::RulesExtractor;

    /// A clock that panics its first `panics` readings: a fault outside any job, in the
    /// worker's own loop (claiming reads the clock).
    struct FlakyClock {
        panics: AtomicUsize,
    }

    impl Clock for FlakyClock {
        fn now(&self) -> DateTime<Utc> {
            let left = self
                .panics
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1));
            assert!(left.is_err(), "injected clock panic");
            Utc::now()
        }
    }

    async fn service(dir: &tempfile::TempDir, clock: Arc<dyn Clock>) -> Service {
        let url = format!("sqlite://{}", dir.path().join("w.sqlite").display());
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&url, 2).await.unwrap());
        Service::new(
            store,
            clock,
            RateLimits::new(RateLimitMode::Off),
            ServiceConfig::default(),
        )
    }

    fn fast() -> WorkerConfig {
        WorkerConfig {
            concurrency: 1,
            poll_interval: Duration::from_millis(10),
            ..WorkerConfig::default()
        }
    }

    async fn queue_conversation(service: &Service, id: &str) -> Uid {
        let uid = Uid::try_from("u1".to_owned()).unwrap();
        let (record, job) =
            crate::store::fixtures::queued_conversation(&uid, id, "Me: I love hiking.");
        service
            .store()
            .insert_conversation(&record, &job, None)
            .await
            .unwrap();
        uid
    }

    async fn settled(service: &Service, uid: &Uid, id: &str) -> Option<ConversationStatus> {
        for _ in 0..500 {
            let c = service
                .store()
                .conversation(uid, id)
                .await
                .unwrap()
                .unwrap();
            if c.status != Some(ConversationStatus::Processing) {
                return c.status;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        None
    }

    #[tokio::test]
    async fn a_worker_whose_loop_panics_is_restarted_and_processing_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FlakyClock {
            panics: AtomicUsize::new(3),
        });
        let service = service(&dir, clock).await;
        let pool = WorkerPool::start(service.clone(), Arc::new(RulesExtractor), fast());
        let uid = queue_conversation(&service, "after-panics").await;
        assert_eq!(
            settled(&service, &uid, "after-panics").await,
            Some(ConversationStatus::Completed)
        );
        assert_eq!(service.workers().counts(), (1, 1));
        service.ready().await.unwrap();
        let metrics = crate::metrics::render();
        assert!(metrics.contains("worker_restarts_total"), "{metrics}");
        assert!(
            metrics.contains(r#"panics_total{where="worker"}"#),
            "{metrics}"
        );
        pool.shutdown().await;
        assert_eq!(service.workers().counts(), (0, 0));
    }

    #[tokio::test]
    async fn readiness_fails_while_fewer_workers_run_than_were_started() {
        let dir = tempfile::tempdir().unwrap();
        let service = service(&dir, Arc::new(crate::service::SystemClock)).await;
        service.workers().expect(1);
        let down = service.ready().await.unwrap_err();
        assert_eq!(down.status(), 503);
        assert!(
            down.to_string().ends_with(omi_api::messages::WORKERS_DOWN),
            "{down}"
        );
        let running = service.workers().running();
        service.ready().await.unwrap();
        drop(running);
        assert!(service.ready().await.is_err());
    }

    /// An extractor that panics on every text.
    struct PanickingExtractor;

    #[async_trait::async_trait]
    impl Extractor for PanickingExtractor {
        async fn conversation(
            &self,
            _: &ConversationInput<'_>,
        ) -> Result<omi_extract::ConversationExtraction, omi_extract::ExtractError> {
            panic!("injected extractor panic")
        }

        async fn memories(
            &self,
            _: &str,
        ) -> Result<Vec<ExtractedMemory>, omi_extract::ExtractError> {
            panic!("injected extractor panic")
        }
    }

    #[tokio::test]
    async fn a_job_that_panics_fails_its_attempts_then_the_conversation_and_the_worker_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let service = service(&dir, Arc::new(crate::service::SystemClock)).await;
        let config = WorkerConfig {
            base_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(10),
            ..fast()
        };
        let pool = WorkerPool::start(service.clone(), Arc::new(PanickingExtractor), config);
        let uid = queue_conversation(&service, "panics").await;
        assert_eq!(
            settled(&service, &uid, "panics").await,
            Some(ConversationStatus::Failed)
        );
        assert_eq!(service.workers().counts(), (1, 1), "the worker still runs");
        assert!(crate::metrics::render().contains(r#"panics_total{where="job"}"#));
        pool.shutdown().await;
    }

    /// The rules, recording the language each conversation was processed in.
    #[derive(Default)]
    struct LanguageRecorder(std::sync::Mutex<Vec<Option<String>>>);

    #[async_trait::async_trait]
    impl Extractor for LanguageRecorder {
        async fn conversation(
            &self,
            input: &ConversationInput<'_>,
        ) -> Result<omi_extract::ConversationExtraction, omi_extract::ExtractError> {
            RulesExtractor.conversation(input).await
        }

        async fn conversation_in_language(
            &self,
            input: &ConversationInput<'_>,
            language: Option<&str>,
        ) -> Result<omi_extract::ConversationExtraction, omi_extract::ExtractError> {
            (self.0.lock().unwrap_or_else(|e| e.into_inner())).push(language.map(str::to_owned));
            RulesExtractor
                .conversation_in_language(input, language)
                .await
        }

        async fn memories(
            &self,
            text: &str,
        ) -> Result<Vec<ExtractedMemory>, omi_extract::ExtractError> {
            RulesExtractor.memories(text).await
        }
    }

    #[tokio::test]
    async fn a_named_language_reaches_the_extractor_and_the_default_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let service = service(&dir, Arc::new(crate::service::SystemClock)).await;
        let uid = Uid::try_from("u1".to_owned()).unwrap();
        for (id, language) in [("default", "en"), ("named", "pt-BR")] {
            let (mut record, job) =
                crate::store::fixtures::queued_conversation(&uid, id, "Me: Eu adoro caminhadas.");
            record.language = language.to_owned();
            let store = service.store();
            store
                .insert_conversation(&record, &job, None)
                .await
                .unwrap();
            let recorder = Arc::new(LanguageRecorder::default());
            let pool = WorkerPool::start(service.clone(), recorder.clone(), fast());
            assert_eq!(
                settled(&service, &uid, id).await,
                Some(ConversationStatus::Completed)
            );
            pool.shutdown().await;
            let seen = recorder.0.lock().unwrap().clone();
            let expected = (language != "en").then(|| language.to_owned());
            assert_eq!(seen, [expected], "{id}");
        }
    }

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
