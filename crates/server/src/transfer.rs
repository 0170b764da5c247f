//! `omi-server admin export`, `admin import` and `admin pull`: a user's records to and from
//! a file of format `omi-export`, or from another server of the API, with progress on
//! stderr.

use std::path::Path;

use anyhow::{Context, Result};
use futures::{SinkExt, StreamExt, TryStreamExt, stream};
use omi_model::{
    ApiKey, ExportCounts, ExportKind, ExportLine, ImportReport, ListActionItemsQuery,
    ListDevConversationsQuery, ListDevMemoriesQuery,
};
use omi_server::admin::Admin;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufWriter};

use crate::progress::Progress;

/// The bytes read from an import's file at a time.
const READ_CHUNK: usize = 256 * 1024;

/// Write every record of `uid` to `output` (standard output when `None`); the counts.
pub(crate) async fn export(
    admin: &Admin,
    uid: &str,
    output: Option<&Path>,
) -> Result<ExportCounts> {
    let sink: Box<dyn AsyncWrite + Unpin + Send> = match output {
        Some(path) => Box::new(
            tokio::fs::File::create(path)
                .await
                .with_context(|| format!("creating {}", path.display()))?,
        ),
        None => Box::new(tokio::io::stdout()),
    };
    let mut sink = BufWriter::new(sink);
    let mut lines = admin.export(uid).await?;
    let mut counts = ExportCounts::default();
    let mut progress = Progress::new("exported", None);
    let mut written: u64 = 0;
    while let Some(line) = lines.try_next().await.context("reading the records")? {
        counts.count(&line);
        let mut json = serde_json::to_vec(&line)?;
        json.push(b'\n');
        written = written.saturating_add(json.len() as u64);
        sink.write_all(&json).await.context("writing the export")?;
        progress.update(&describe(&counts), counts.total(), written);
    }
    sink.flush().await.context("writing the export")?;
    progress.finish(&describe(&counts), counts.total());
    Ok(counts)
}

/// Store the records of the export in `file` (`-`: standard input) for `uid`.
pub(crate) async fn import(admin: &Admin, uid: &str, file: &Path) -> Result<ImportReport> {
    let (source, size): (Box<dyn AsyncRead + Unpin + Send>, Option<u64>) = if file == Path::new("-")
    {
        (Box::new(tokio::io::stdin()), None)
    } else {
        let opened = tokio::fs::File::open(file)
            .await
            .with_context(|| format!("opening {}", file.display()))?;
        let size = opened.metadata().await.ok().map(|m| m.len());
        (Box::new(opened), size)
    };
    let mut progress = Progress::new("imported", size);
    let chunks = stream::unfold(
        (source, 0_u64, 0_u64),
        |(mut source, bytes, lines)| async move {
            let mut chunk = vec![0; READ_CHUNK];
            match source.read(&mut chunk).await {
                Ok(0) => None,
                Ok(n) => {
                    chunk.truncate(n);
                    let lines =
                        lines.saturating_add(chunk.iter().filter(|b| **b == b'\n').count() as u64);
                    let bytes = bytes.saturating_add(n as u64);
                    Some((Ok((chunk, bytes, lines)), (source, bytes, lines)))
                }
                Err(e) => Some((Err(e), (source, bytes, lines))),
            }
        },
    );
    let (tx, rx) = tokio::sync::watch::channel((0_u64, 0_u64));
    let body = chunks.map(move |read| {
        read.map(|(chunk, bytes, lines)| {
            let _ = tx.send((bytes, lines));
            chunk
        })
    });
    let import = admin.import(uid, Box::pin(body));
    tokio::pin!(import);
    let mut ticks = tokio::time::interval(std::time::Duration::from_millis(200));
    let report = loop {
        tokio::select! {
            report = &mut import => break report?,
            _ = ticks.tick() => {
                let (bytes, lines) = *rx.borrow();
                progress.update(&format!("{lines} lines read"), lines, bytes);
            }
        }
    };
    progress.finish(
        &format!(
            "{} records ({} already there)",
            report.created.total(),
            report.already_present.total()
        ),
        report.lines_read,
    );
    Ok(report)
}

/// The counts as a short text: "memories 1200 · conversations 30 · ...".
fn describe(counts: &ExportCounts) -> String {
    format!(
        "memories {} · folders {} · conversations {} · action items {} · goals {}",
        counts.memories, counts.folders, counts.conversations, counts.action_items, counts.goals
    )
}

/// The kinds `admin pull` copies, in the order it reads them.
const PULLED: [ExportKind; 4] = [
    ExportKind::Memories,
    ExportKind::Folders,
    ExportKind::Conversations,
    ExportKind::ActionItems,
];

/// Copy the records of the key's user at `from` to `uid` here, as an import of the lines
/// they make; what the source refused to read (a 403 for a kind the key may not read) is
/// left out.
pub(crate) async fn pull(
    admin: &Admin,
    from: &str,
    key: ApiKey,
    uid: &str,
) -> Result<ImportReport> {
    let source = omi_client::Client::new(from)
        .with_context(|| format!("the source {from}"))?
        .developer(key);
    let (lines_tx, lines_rx) = futures::channel::mpsc::channel(16);
    let (counts_tx, counts_rx) = tokio::sync::watch::channel(ExportCounts::default());
    let header = ExportLine::header(uid, PULLED.to_vec());
    let reader = tokio::spawn(read_source(source, header, lines_tx, counts_tx));
    let mut progress = Progress::new("pulled", None);
    let import = admin.import(uid, Box::pin(lines_rx));
    tokio::pin!(import);
    let mut ticks = tokio::time::interval(std::time::Duration::from_millis(200));
    let imported = loop {
        tokio::select! {
            report = &mut import => break report,
            _ = ticks.tick() => {
                let counts = *counts_rx.borrow();
                progress.update(&describe(&counts), counts.total(), 0);
            }
        }
    };
    let read = reader.await.context("the reader of the source stopped")?;
    read.with_context(|| format!("reading from {from}"))?;
    let report = imported?;
    let counts = *counts_rx.borrow();
    progress.finish(&describe(&counts), counts.total());
    Ok(report)
}

/// The channel an import's lines go through.
type LineSender = futures::channel::mpsc::Sender<Result<Vec<u8>, std::io::Error>>;

/// Send `header` and every record the source lets the key read, kind after kind, counting
/// them into `counts`.
async fn read_source(
    source: omi_client::DeveloperClient,
    header: ExportLine,
    mut lines: LineSender,
    counts: tokio::sync::watch::Sender<ExportCounts>,
) -> Result<(), omi_client::Error> {
    let mut sender = Forward {
        lines: &mut lines,
        counts: &counts,
        seen: ExportCounts::default(),
    };
    sender.send(&header).await;
    let memories = source
        .memories_stream(ListDevMemoriesQuery::default())
        .map_ok(|record| ExportLine::Memory {
            record: Box::new(record),
        });
    sender.all(memories).await?;
    let folders = stream::once(source.list_folders())
        .map_ok(|folders| stream::iter(folders.into_iter().map(Ok)))
        .try_flatten()
        .map_ok(|record| ExportLine::Folder {
            record: Box::new(record),
        });
    sender.all(folders).await?;
    let query = ListDevConversationsQuery {
        include_transcript: Some(true),
        ..ListDevConversationsQuery::default()
    };
    let conversations =
        source
            .conversations_stream(query)
            .map_ok(|record| ExportLine::Conversation {
                record: Box::new(record),
            });
    sender.all(conversations).await?;
    let items = source
        .action_items_stream(ListActionItemsQuery::default())
        .map_ok(|record| ExportLine::ActionItem {
            record: Box::new(record),
        });
    sender.all(items).await
}

/// Lines on their way to the import.
struct Forward<'a> {
    lines: &'a mut LineSender,
    counts: &'a tokio::sync::watch::Sender<ExportCounts>,
    seen: ExportCounts,
}

impl Forward<'_> {
    /// Send every line of `lines`; a kind the source refuses to show the key (403) is
    /// skipped, any other failure ends the pull.
    async fn all(
        &mut self,
        lines: impl futures::Stream<Item = Result<ExportLine, omi_client::Error>>,
    ) -> Result<(), omi_client::Error> {
        futures::pin_mut!(lines);
        loop {
            match lines.try_next().await {
                Ok(Some(line)) => self.send(&line).await,
                Ok(None) => return Ok(()),
                Err(e) if e.status() == Some(403) => {
                    tracing::warn!(error = %e, "the source refuses this kind to the key: skipped");
                    return Ok(());
                }
                Err(e) => {
                    let _ = self
                        .lines
                        .send(Err(std::io::Error::other(e.to_string())))
                        .await;
                    return Err(e);
                }
            }
        }
    }

    /// Send one line (nothing when the import stopped reading).
    async fn send(&mut self, line: &ExportLine) {
        self.seen.count(line);
        self.counts.send_replace(self.seen);
        let mut json = serde_json::to_vec(line).unwrap_or_default();
        json.push(b'\n');
        let _ = self.lines.send(Ok(json)).await;
    }
}
