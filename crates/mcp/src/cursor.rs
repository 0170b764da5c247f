//! Opaque page cursors of the list tools: where the next page starts, bound to the tool and
//! the filters it was made for, so a cursor passed to another query is refused instead of
//! paging something else.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::outcome::ToolError;

/// The longest cursor read; anything longer was not made here.
const MAX_CURSOR_CHARS: usize = 200;

/// Where a list tool's page starts: an `offset` or a `cursor`, never both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageStart(pub i64);

/// The page of a list call: from `offset` or `cursor` (made by [`next_cursor`] for the same
/// tool and filters).
pub(crate) fn page_start(
    tool: &str,
    filters: &impl Serialize,
    offset: Option<i64>,
    cursor: Option<&str>,
) -> Result<PageStart, ToolError> {
    match (offset, cursor) {
        (Some(_), Some(_)) => Err(ToolError::invalid_arguments(
            "offset and cursor are mutually exclusive: pass one of them",
        )),
        (Some(offset), None) if offset < 0 => Err(ToolError::invalid_arguments(
            "offset: must be greater than or equal to 0",
        )),
        (Some(offset), None) => Ok(PageStart(offset)),
        (None, None) => Ok(PageStart(0)),
        (None, Some(cursor)) => decode(tool, filters, cursor).map(PageStart),
    }
}

/// The cursor of the page after one that started at `start` and held `len` items.
pub(crate) fn next_cursor(
    tool: &str,
    filters: &impl Serialize,
    start: PageStart,
    len: usize,
) -> String {
    let len = i64::try_from(len).unwrap_or(i64::MAX);
    let offset = start.0.saturating_add(len);
    URL_SAFE_NO_PAD.encode(format!("1.{}.{offset}", fingerprint(tool, filters)))
}

fn decode(tool: &str, filters: &impl Serialize, cursor: &str) -> Result<i64, ToolError> {
    let invalid = || {
        ToolError::invalid_arguments("cursor: not a cursor of this query; start again without one")
    };
    if cursor.chars().count() > MAX_CURSOR_CHARS {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let mut parts = text.split('.');
    let (Some("1"), Some(print), Some(offset), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid());
    };
    if print != fingerprint(tool, filters) {
        return Err(invalid());
    }
    offset
        .parse::<i64>()
        .ok()
        .filter(|o| *o >= 0)
        .ok_or_else(invalid)
}

/// A short digest of the tool and its filters.
fn fingerprint(tool: &str, filters: &impl Serialize) -> String {
    let filters = serde_json::to_string(filters).unwrap_or_default();
    let digest = Sha256::new()
        .chain_update(tool)
        .chain_update([0])
        .chain_update(filters)
        .finalize();
    URL_SAFE_NO_PAD.encode(&digest[..9])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_cursor_reads_back_for_its_own_query_only() {
        let filters = json!({"categories": ["work"]});
        let cursor = next_cursor("get_memories", &filters, PageStart(20), 20);
        assert_eq!(
            page_start("get_memories", &filters, None, Some(&cursor)),
            Ok(PageStart(40))
        );
        let other = json!({"categories": ["system"]});
        assert!(page_start("get_memories", &other, None, Some(&cursor)).is_err());
        assert!(page_start("get_conversations", &filters, None, Some(&cursor)).is_err());
    }

    #[test]
    fn garbage_cursors_and_both_starts_are_refused() {
        let filters = json!({});
        for cursor in ["", "!!!", "記憶🙂", &"a".repeat(500)] {
            assert!(
                page_start("t", &filters, None, Some(cursor)).is_err(),
                "{cursor}"
            );
        }
        assert!(page_start("t", &filters, Some(1), Some("x")).is_err());
        assert!(page_start("t", &filters, Some(-1), None).is_err());
        assert_eq!(page_start("t", &filters, None, None), Ok(PageStart(0)));
    }
}
