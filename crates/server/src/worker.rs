//! The job worker: claims durable jobs with a lease, runs them through the [`Extractor`], and
//! records the outcome. A job whose worker dies is claimed again when its lease runs out; a
//! job that keeps failing is retried with backoff, then marked failed with its error kept.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use omi_model::{MemoryCategory, Visibility};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::extract::{ConversationInput, ExtractError, ExtractedMemory, Extractor};
use crate::keys;
use crate::service::Service;
use crate::store::{Job, JobKind, MemoryRecord, StoreError};

/// Settings of the worker pool.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Jobs processed at once.
    pub concurrency: usize,
    /// How long a claimed job stays leased to its worker.
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
            lease: Duration::from_secs(120),
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

impl Worker {
    async fn run(mut self) {
        while !self.is_stopped() {
            match self.claim().await {
                Ok(Some(job)) => self.run_job(job).await,
                Ok(None) => self.idle().await,
                Err(e) => {
                    tracing::warn!(error = %e, "could not claim a job");
                    self.idle().await;
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

    async fn idle(&mut self) {
        tokio::select! {
            () = self.service.jobs_ready() => {}
            () = tokio::time::sleep(self.config.poll_interval) => {}
            _ = self.stopped.changed() => {}
        }
    }

    async fn run_job(&mut self, job: Job) {
        let mut stopped = self.stopped.clone();
        let outcome = tokio::select! {
            outcome = self.process(&job) => outcome,
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
        let input = ConversationInput {
            text: conversation.text.as_deref().unwrap_or_default(),
            text_source: job_text_source(&conversation),
            started_at,
            finished_at: conversation.finished_at.unwrap_or(started_at),
        };
        let extraction = self
            .extractor
            .conversation(&input)
            .await
            .map_err(|ExtractError(e)| e)?;
        let now = self.service.now();
        let memories = records(
            &extraction.memories,
            conversation.app_id.clone(),
            Some(id),
            now,
        );
        store
            .complete_conversation_job(job, &extraction.processed, &memories, now)
            .await
            .map_err(|e| e.to_string())
    }

    async fn extract_memories(&self, job: &Job) -> Result<(), String> {
        let text = job.payload["text"].as_str().unwrap_or_default();
        let app_id = job.payload["app_id"].as_str().map(str::to_owned);
        let found = self
            .extractor
            .memories(text)
            .await
            .map_err(|ExtractError(e)| e)?;
        let now = self.service.now();
        let memories = records(&found, app_id, None, now);
        self.service
            .store()
            .complete_memories_job(job, &memories, now)
            .await
            .map_err(|e| e.to_string())
    }
}

fn job_text_source(conversation: &omi_model::Conversation) -> omi_model::ConversationTextSource {
    conversation
        .extra
        .get("external_data")
        .and_then(|d| d.get("text_source"))
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse().ok())
        .unwrap_or(omi_model::ConversationTextSource::AudioTranscript)
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
