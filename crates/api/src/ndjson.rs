//! Newline-delimited JSON read a chunk at a time: [`LineSplitter`] cuts the chunks of a
//! stream into numbered lines, with a bound on a line's length, so a reader of an export
//! (or an import) of any size holds one line at a time.

/// A line too long to read: its number. Its bytes are skipped up to the next newline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineTooLong {
    /// The line's number, the first line being 1.
    pub line: u64,
}

/// One line cut from a stream: its number (the first line is 1) and its bytes, without the
/// newline (and without a `\r` before it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberedLine {
    /// Its number, the first line being 1.
    pub number: u64,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl NumberedLine {
    /// Whether the line holds nothing but white space (such lines are skipped by readers).
    pub fn is_blank(&self) -> bool {
        self.bytes.iter().all(u8::is_ascii_whitespace)
    }
}

/// Cuts chunks of bytes into lines: [`push`](Self::push) a chunk, then take the lines it
/// completed with [`next_line`](Self::next_line); at the end of the stream,
/// [`finish`](Self::finish) gives the last line if it had no newline.
///
/// ```
/// use omi_api::ndjson::LineSplitter;
///
/// let mut lines = LineSplitter::new(1024);
/// lines.push("{\"a\": 1}\n{\"b\":".as_bytes());
/// let first = lines.next_line().unwrap().unwrap();
/// assert_eq!((first.number, first.bytes.as_slice()), (1, "{\"a\": 1}".as_bytes()));
/// assert!(lines.next_line().is_none());
/// lines.push(" \"東京 🗼\"}".as_bytes());
/// let last = lines.finish().unwrap().unwrap();
/// assert_eq!(last.number, 2);
/// assert_eq!(String::from_utf8(last.bytes).unwrap(), "{\"b\": \"東京 🗼\"}");
/// ```
#[derive(Debug)]
pub struct LineSplitter {
    buffer: Vec<u8>,
    /// How much of `buffer` is known to hold no newline.
    scanned: usize,
    max_line_bytes: usize,
    /// The number of the line `buffer` starts.
    line: u64,
    /// Whether the current line was too long and is being skipped up to its newline.
    skipping: bool,
}

impl LineSplitter {
    /// A splitter of lines of at most `max_line_bytes` bytes.
    pub fn new(max_line_bytes: usize) -> Self {
        Self {
            buffer: Vec::new(),
            scanned: 0,
            max_line_bytes,
            line: 1,
            skipping: false,
        }
    }

    /// Add the next chunk of the stream.
    pub fn push(&mut self, chunk: &[u8]) {
        self.buffer.extend_from_slice(chunk);
    }

    /// The next complete line, or the number of a line too long (once, and its bytes
    /// dropped as they come); `None` when the chunks pushed hold no further newline.
    pub fn next_line(&mut self) -> Option<Result<NumberedLine, LineTooLong>> {
        loop {
            let newline = self
                .buffer
                .get(self.scanned..)?
                .iter()
                .position(|b| *b == b'\n');
            let Some(offset) = newline else {
                return self.overflow();
            };
            let end = self.scanned.saturating_add(offset);
            let mut bytes: Vec<u8> = self.buffer.drain(..=end).collect();
            self.scanned = 0;
            let number = self.line;
            self.line = self.line.saturating_add(1);
            if std::mem::take(&mut self.skipping) {
                continue;
            }
            bytes.pop();
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
            if bytes.len() > self.max_line_bytes {
                return Some(Err(LineTooLong { line: number }));
            }
            return Some(Ok(NumberedLine { number, bytes }));
        }
    }

    /// The line after the last newline, at the end of the stream; `None` when the stream
    /// ended with a newline (or with the rest of a line too long).
    pub fn finish(&mut self) -> Option<Result<NumberedLine, LineTooLong>> {
        let bytes = std::mem::take(&mut self.buffer);
        self.scanned = 0;
        if std::mem::take(&mut self.skipping) || bytes.is_empty() {
            return None;
        }
        let number = self.line;
        self.line = self.line.saturating_add(1);
        if bytes.len() > self.max_line_bytes {
            return Some(Err(LineTooLong { line: number }));
        }
        Some(Ok(NumberedLine { number, bytes }))
    }

    /// With no newline in the buffer: report the line too long once it is, and drop what
    /// is held of it; else wait for more.
    fn overflow(&mut self) -> Option<Result<NumberedLine, LineTooLong>> {
        self.scanned = self.buffer.len();
        if self.skipping {
            self.buffer.clear();
            self.scanned = 0;
            return None;
        }
        if self.buffer.len() <= self.max_line_bytes {
            return None;
        }
        self.buffer.clear();
        self.scanned = 0;
        self.skipping = true;
        Some(Err(LineTooLong { line: self.line }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(splitter: &mut LineSplitter, chunks: &[&[u8]]) -> Vec<Result<(u64, String), u64>> {
        let mut out = Vec::new();
        let mut take = |r: Result<NumberedLine, LineTooLong>| {
            out.push(
                r.map(|l| (l.number, String::from_utf8(l.bytes).unwrap()))
                    .map_err(|e| e.line),
            );
        };
        for chunk in chunks {
            splitter.push(chunk);
            while let Some(r) = splitter.next_line() {
                take(r);
            }
        }
        if let Some(r) = splitter.finish() {
            take(r);
        }
        out
    }

    #[test]
    fn lines_are_cut_and_numbered_across_chunks() {
        let text = "ab\r\n\n日本語 🍣\nlast";
        let bytes = text.as_bytes();
        for cut in 0..=bytes.len() {
            let (a, b) = bytes.split_at(cut);
            let lines = all(&mut LineSplitter::new(64), &[a, b]);
            assert_eq!(
                lines,
                vec![
                    Ok((1, "ab".to_owned())),
                    Ok((2, String::new())),
                    Ok((3, "日本語 🍣".to_owned())),
                    Ok((4, "last".to_owned())),
                ],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn a_line_too_long_is_reported_once_and_skipped() {
        let long = "x".repeat(40);
        let text = format!("ok\n{long}\nafter\n{long}");
        let chunks: Vec<&[u8]> = text.as_bytes().chunks(7).collect();
        let lines = all(&mut LineSplitter::new(10), &chunks);
        assert_eq!(
            lines,
            vec![
                Ok((1, "ok".to_owned())),
                Err(2),
                Ok((3, "after".to_owned())),
                Err(4)
            ]
        );
    }
}
