//! The Developer API's import: the lines of an export read as they arrive, checked, and
//! stored in batches of [`IMPORT_BATCH_RECORDS`] records, each batch in one transaction.
//!
//! The first line must be the header of format `omi-export` (any version up to
//! [`EXPORT_VERSION`]). A bad line (not JSON, not a line of the format, a record that fails
//! its checks, a kind the key may not write, an id another user has) keeps its batch from
//! being applied, and every batch after it; the rest of the file is still read and checked,
//! so the report lists every bad line at once. Nothing acknowledged is half applied: a
//! batch is stored whole or not at all.

use async_trait::async_trait;
use futures::StreamExt;
use omi_api::ndjson::{LineSplitter, NumberedLine};
use omi_api::{ApiError, DeveloperImport, ImportBody};
use omi_model::scalars::{Tag, Tags};
use omi_model::{
    DevScope, EXPORT_FORMAT, EXPORT_VERSION, ExportCounts, ExportKind, ExportLine,
    IMPORT_BATCH_RECORDS, IMPORT_MAX_ERRORS, ImportLineError, ImportReport,
};

use super::{AuthorizedDeveloper, DeveloperHandle, dev_access, store_error};
use crate::store::{
    ImportRecord, ImportedActionItem, ImportedBatch, ImportedConversation, ImportedMemory,
    MAX_FOLDERS_PER_USER, RefusalReason,
};

/// The longest line an import reads (as the client's export reader).
pub const MAX_IMPORT_LINE_BYTES: usize = 64 * 1024 * 1024;

/// The longest memory content, action item description or folder name an import takes, in
/// characters (far above what any route stores).
const MAX_TEXT_CHARS: usize = 20_000;

/// The longest id an import takes, in characters.
const MAX_ID_CHARS: usize = 200;

/// Where an import stands.
struct ImportRun {
    caller: AuthorizedDeveloper,
    report: ImportReport,
    /// The records read since the last batch was stored, with their line numbers.
    batch: Vec<(u64, ImportRecord)>,
    /// Whether a bad line was found: nothing more is stored.
    failed: bool,
    /// Whether the first line was read (it must be the header).
    headed: bool,
    /// Whether the end line was read.
    ended: bool,
    /// The records lines read, good or bad, by kind (checked against the end line).
    seen: ExportCounts,
}

impl AuthorizedDeveloper {
    /// [`DeveloperImport::import`] for this caller.
    pub async fn import(self, mut body: ImportBody) -> Result<ImportReport, ApiError> {
        let mut run = ImportRun::new(self);
        let mut lines = LineSplitter::new(MAX_IMPORT_LINE_BYTES);
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(import_body_error)?;
            lines.push(&chunk);
            while let Some(line) = lines.next_line() {
                run.read(line).await?;
            }
        }
        if let Some(line) = lines.finish() {
            run.read(line).await?;
        }
        run.finish().await
    }
}

impl ImportRun {
    fn new(caller: AuthorizedDeveloper) -> Self {
        Self {
            caller,
            report: ImportReport::default(),
            batch: Vec::new(),
            failed: false,
            headed: false,
            ended: false,
            seen: ExportCounts::default(),
        }
    }

    /// Take one line (or a line too long); store the batch once it is full.
    async fn read(
        &mut self,
        line: Result<NumberedLine, omi_api::ndjson::LineTooLong>,
    ) -> Result<(), ApiError> {
        let line = match line {
            Ok(line) => line,
            Err(too_long) => {
                self.report.lines_read = too_long.line;
                self.reject(
                    too_long.line,
                    format!("the line is longer than {MAX_IMPORT_LINE_BYTES} bytes"),
                );
                return Ok(());
            }
        };
        self.report.lines_read = line.number;
        if line.is_blank() {
            return Ok(());
        }
        match self.record_of(&line.bytes) {
            Ok(Some(record)) => self.batch.push((line.number, record)),
            Ok(None) => {}
            Err(reason) => self.reject(line.number, reason),
        }
        if self.batch.len() >= IMPORT_BATCH_RECORDS {
            self.store_batch().await?;
        }
        Ok(())
    }

    /// The record a line holds, checked and prepared; `None` for the header and the end.
    fn record_of(&mut self, bytes: &[u8]) -> Result<Option<ImportRecord>, String> {
        let first = !std::mem::replace(&mut self.headed, true);
        let line: ExportLine =
            serde_json::from_slice(bytes).map_err(|e| format!("not a line of the format: {e}"))?;
        if first {
            return header(&line).map(|()| None);
        }
        if let Some(kind) = line.kind() {
            self.seen.add(kind);
            if self.ended {
                return Err("a record after the end line".to_owned());
            }
        }
        match line {
            ExportLine::Header { .. } => Err("a second header".to_owned()),
            ExportLine::End { counts } => self.end(counts).map(|()| None),
            record => self.prepare(record).map(Some),
        }
    }
}

/// Check the first line: a header of format `omi-export`, a version this server reads.
fn header(line: &ExportLine) -> Result<(), String> {
    let ExportLine::Header {
        format, version, ..
    } = line
    else {
        return Err("the first line must be the export's header".to_owned());
    };
    if format != EXPORT_FORMAT {
        return Err(format!("format {format:?} is not {EXPORT_FORMAT:?}"));
    }
    if !(1..=EXPORT_VERSION).contains(version) {
        return Err(format!(
            "version {version} is not one this server reads (1 to {EXPORT_VERSION})"
        ));
    }
    Ok(())
}

impl ImportRun {
    /// Check the end line's counts against the records read.
    fn end(&mut self, counts: ExportCounts) -> Result<(), String> {
        if self.ended {
            return Err("a second end line".to_owned());
        }
        self.ended = true;
        if counts != self.seen {
            let json = |c: &ExportCounts| serde_json::to_string(c).unwrap_or_default();
            return Err(format!(
                "the end line counts {} but the file holds {}: it is not whole",
                json(&counts),
                json(&self.seen)
            ));
        }
        Ok(())
    }

    /// A record line, checked (the key's scopes, ids, texts) and prepared for the store.
    fn prepare(&self, line: ExportLine) -> Result<ImportRecord, String> {
        let kind = line.kind().ok_or("not a record")?;
        let scope = write_scope(kind);
        if !self.caller.has_scope(scope) {
            return Err(format!(
                "the key lacks {scope}, which importing this record needs"
            ));
        }
        let id = line.record_id().unwrap_or_default();
        check_text("record.id", id, MAX_ID_CHARS)?;
        let stored = |e: crate::store::StoreError| format!("cannot be stored: {e}");
        Ok(match line {
            ExportLine::Memory { record } => {
                check_text("record.content", &record.content, MAX_TEXT_CHARS)?;
                check_tags(&record.tags)?;
                ImportRecord::Memory(Box::new(ImportedMemory::new(*record).map_err(stored)?))
            }
            ExportLine::Folder { record } => {
                check_text("record.name", &record.name, MAX_TEXT_CHARS)?;
                ImportRecord::Folder(record)
            }
            ExportLine::Conversation { record } => ImportRecord::Conversation(Box::new(
                ImportedConversation::new(*record).map_err(stored)?,
            )),
            ExportLine::ActionItem { record } => {
                check_text("record.description", &record.description, MAX_TEXT_CHARS)?;
                let now = self.caller.service().now();
                ImportRecord::ActionItem(Box::new(ImportedActionItem::new(*record, now)))
            }
            ExportLine::Goal { record, history } => ImportRecord::Goal(record, history),
            ExportLine::Header { .. } | ExportLine::End { .. } => return Err("not a record".into()),
        })
    }

    /// Record a bad line: nothing more is stored, the batch read so far included.
    fn reject(&mut self, line: u64, reason: String) {
        self.failed = true;
        self.batch.clear();
        if self.report.errors.len() < IMPORT_MAX_ERRORS {
            self.report.errors.push(ImportLineError { line, reason });
        } else {
            self.report.more_errors = true;
        }
    }

    /// Store the batch read so far in one transaction, unless a bad line came before.
    async fn store_batch(&mut self) -> Result<(), ApiError> {
        let batch = std::mem::take(&mut self.batch);
        if self.failed || batch.is_empty() {
            return Ok(());
        }
        let last_line = batch.last().map_or(0, |(line, _)| *line);
        let (lines, records): (Vec<u64>, Vec<ImportRecord>) = batch.into_iter().unzip();
        let store = self.caller.service().store();
        match store.import_batch(&self.caller.uid, records).await {
            Ok(Ok(stored)) => {
                self.applied(stored, last_line);
                Ok(())
            }
            Ok(Err(refused)) => {
                let line = lines.get(refused.index).copied().unwrap_or(last_line);
                let reason = match refused.reason {
                    RefusalReason::IdTaken => {
                        "the id is taken by a record this key cannot see".to_owned()
                    }
                    RefusalReason::TooManyFolders => {
                        format!("the user would have more than {MAX_FOLDERS_PER_USER} folders")
                    }
                };
                self.reject(line, reason);
                Ok(())
            }
            Err(crate::store::StoreError::Unstorable(cause)) => {
                let first = lines.first().copied().unwrap_or(last_line);
                self.reject(
                    first,
                    format!(
                        "lines {first} to {last_line} hold text the database cannot store: {cause}"
                    ),
                );
                Ok(())
            }
            Err(e) => Err(store_error(e)),
        }
    }

    /// Count a stored batch that ended at line `last_line`.
    fn applied(&mut self, stored: ImportedBatch, last_line: u64) {
        self.report.created.add_all(&stored.created);
        self.report.already_present.add_all(&stored.already_present);
        self.report.applied_through_line = last_line;
    }

    /// Store the last batch and give the report.
    async fn finish(mut self) -> Result<ImportReport, ApiError> {
        if !self.headed && !self.failed {
            self.reject(
                1,
                "the file is empty: an export starts with its header".to_owned(),
            );
        }
        self.store_batch().await?;
        self.report.completed = !self.failed;
        tracing::info!(
            uid = %self.caller.uid,
            completed = self.report.completed,
            created = ?self.report.created,
            already_present = ?self.report.already_present,
            bad_lines = self.report.errors.len(),
            "import done"
        );
        Ok(self.report)
    }
}

/// The answer to a body that could not be read to its end: 413 when it was too large.
pub(crate) fn import_body_error(e: std::io::Error) -> ApiError {
    tracing::info!(error = %e, "an import's body could not be read");
    if e.kind() == std::io::ErrorKind::FileTooLarge {
        return ApiError::message(413, format!("The import is too large: {e}"));
    }
    ApiError::bad_request("The import's body could not be read to its end")
}

/// The scope importing a record of `kind` needs.
fn write_scope(kind: ExportKind) -> DevScope {
    match kind {
        ExportKind::Memories => DevScope::MemoriesWrite,
        ExportKind::Folders | ExportKind::Conversations => DevScope::ConversationsWrite,
        ExportKind::ActionItems => DevScope::ActionItemsWrite,
        ExportKind::Goals => DevScope::GoalsWrite,
    }
}

/// At most [`Tags::MAX_ITEMS`] tags, each not blank and at most [`Tag::MAX_CHARS`].
fn check_tags(tags: &[String]) -> Result<(), String> {
    if tags.len() > Tags::MAX_ITEMS {
        return Err(format!("record.tags: more than {} tags", Tags::MAX_ITEMS));
    }
    tags.iter()
        .try_for_each(|tag| check_text("record.tags", tag, Tag::MAX_CHARS))
}

/// `text` is not blank and at most `max` characters.
fn check_text(field: &str, text: &str, max: usize) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("{field}: must not be empty"));
    }
    if text.chars().nth(max).is_some() {
        return Err(format!("{field}: longer than {max} characters"));
    }
    Ok(())
}

#[async_trait]
impl DeveloperImport for DeveloperHandle {
    type Error = ApiError;

    async fn import(&self, body: ImportBody) -> Result<ImportReport, ApiError> {
        let caller = self.authorized::<dev_access::MemoriesBatch>().await?;
        caller.import(body).await
    }
}
