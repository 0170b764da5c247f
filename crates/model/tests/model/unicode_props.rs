//! Properties over text of any script (issue 14: no text a user sends stops the server).
//!
//! Bounds are counted in characters (Unicode scalar values), whatever the script: a memory
//! content of 500 astral emoji, combining marks or CJK characters is accepted, 501 is not;
//! white space of any kind makes a content blank. (`roundtrip_props` holds the properties
//! that no JSON, bytes or query string makes decoding or validation panic.)

use omi_model::{CreateMemoryRequest, decode};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::json;

/// Characters of many scripts and kinds: multi-byte letters, combining marks, joiners,
/// bidirectional controls, astral emoji, white space of several kinds.
const TRICKY: &[char] = &[
    'a',
    'も',
    '日',
    'é',
    'ß',
    'İ',
    'K',
    '\u{0301}',
    '\u{200D}',
    '\u{200B}',
    '\u{200F}',
    '\u{202E}',
    '\u{FEFF}',
    '😀',
    '𝔘',
    '\u{10FFFF}',
    'ש',
    'ि',
    ' ',
    '\u{00A0}',
    '\u{2028}',
    '\u{3000}',
    '\t',
];

fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![3 => select(TRICKY), 1 => any::<char>()]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn memory_content_is_bounded_in_characters_whatever_the_script(
        c in tricky_char(),
        n in prop_oneof![0usize..=3, 497usize..=503],
    ) {
        let content: String = std::iter::repeat_n(c, n).collect();
        let body = serde_json::to_vec(&json!({ "content": content }))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let request: CreateMemoryRequest = decode::from_json_slice(&body)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let accepted = request.validate();
        let expected = (1..=500).contains(&n) && !c.is_whitespace();
        prop_assert_eq!(accepted.is_ok(), expected, "{} x {:?}", n, c);
        if let Ok(memory) = accepted {
            prop_assert!(memory.content.as_str().chars().count() <= 500);
        }
    }
}
