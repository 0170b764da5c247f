//! The Developer API's export: a user's records as the lines of format `omi-export`
//! version 2, read from the store a page at a time as the stream is read.

use std::collections::VecDeque;

use async_trait::async_trait;
use futures::{StreamExt, stream};
use omi_api::{ApiError, DeveloperExport, ExportStream};
use omi_model::{DevScope, ExportCounts, ExportKind, ExportLine};

use super::{AuthorizedDeveloper, DeveloperHandle, dev_access, store_error};
use crate::store::ExportCursor;

/// Records read from the store per page.
const EXPORT_PAGE: i64 = 500;

/// Where an export stands between two pages.
struct ExportState {
    caller: AuthorizedDeveloper,
    header: Option<ExportLine>,
    kinds: VecDeque<ExportKind>,
    cursor: ExportCursor,
    counts: ExportCounts,
    done: bool,
}

impl AuthorizedDeveloper {
    /// The kinds of record this caller's key may read, in export order (memories first: the
    /// export needs `memories:read`).
    fn export_kinds(&self) -> Vec<ExportKind> {
        [
            (ExportKind::Memories, DevScope::MemoriesRead),
            (ExportKind::Folders, DevScope::ConversationsRead),
            (ExportKind::Conversations, DevScope::ConversationsRead),
            (ExportKind::ActionItems, DevScope::ActionItemsRead),
            (ExportKind::Goals, DevScope::GoalsRead),
        ]
        .into_iter()
        .filter(|(_, scope)| self.has_scope(*scope))
        .map(|(kind, _)| kind)
        .collect()
    }

    /// [`DeveloperExport::export`] for this caller.
    pub fn export(self) -> ExportStream<'static, ApiError> {
        let kinds = self.export_kinds();
        let state = ExportState {
            header: Some(ExportLine::header(self.uid.as_str(), kinds.clone())),
            kinds: kinds.into(),
            caller: self,
            cursor: ExportCursor::start(),
            counts: ExportCounts::default(),
            done: false,
        };
        let pages = stream::unfold(state, |mut state| async move {
            let page = state.next_page().await?;
            Some((page, state))
        });
        Box::pin(pages.flat_map(|page| {
            let lines: Vec<Result<ExportLine, ApiError>> = match page {
                Ok(lines) => lines.into_iter().map(Ok).collect(),
                Err(e) => vec![Err(e)],
            };
            stream::iter(lines)
        }))
    }
}

impl ExportState {
    /// The next lines of the export; `None` once its end line (or its failure) was given.
    async fn next_page(&mut self) -> Option<Result<Vec<ExportLine>, ApiError>> {
        if self.done {
            return None;
        }
        if let Some(header) = self.header.take() {
            return Some(Ok(vec![header]));
        }
        let Some(&kind) = self.kinds.front() else {
            self.done = true;
            tracing::info!(uid = %self.caller.uid, counts = ?self.counts, "export done");
            return Some(Ok(vec![ExportLine::End {
                counts: self.counts,
            }]));
        };
        let read = self
            .caller
            .service()
            .store()
            .export_page(&self.caller.uid, kind, &self.cursor, EXPORT_PAGE)
            .await;
        let page = read
            .map_err(store_error)
            .and_then(|lines| self.advance(kind, lines));
        if page.is_err() {
            self.done = true;
        }
        Some(page)
    }

    /// Count `lines` (a page of `kind`) and move the cursor past them, or to the next kind
    /// after a page that was not full.
    fn advance(
        &mut self,
        kind: ExportKind,
        lines: Vec<ExportLine>,
    ) -> Result<Vec<ExportLine>, ApiError> {
        lines.iter().for_each(|line| self.counts.count(line));
        let full = i64::try_from(lines.len()).is_ok_and(|n| n >= EXPORT_PAGE);
        if full {
            self.cursor = lines.last().and_then(ExportCursor::after).ok_or_else(|| {
                tracing::error!(?kind, "an exported record has no creation time");
                ApiError::internal()
            })?;
        } else {
            self.kinds.pop_front();
            self.cursor = ExportCursor::start();
        }
        Ok(lines)
    }
}

#[async_trait]
impl DeveloperExport for DeveloperHandle {
    type Error = ApiError;

    async fn export(&self) -> Result<ExportStream<'_, ApiError>, ApiError> {
        let caller = self.authorized::<dev_access::MemoriesRead>().await?;
        Ok(caller.export())
    }
}
