//! Properties over text of any script (issue 14: no text a user sends stops the server).
//!
//! Bounds are counted in characters (Unicode scalar values), whatever the script: a memory
//! content of 500 astral emoji, combining marks or CJK characters is accepted, 501 is not;
//! white space of any kind makes a content blank. No text kind refuses a text for control
//! characters unless it holds one other than tab, newline and carriage return, and each
//! refuses a text that does. (`roundtrip_props` holds the properties
//! that no JSON, bytes or query string makes decoding or validation panic.)

use omi_model::validation::msg::CONTROL_CHARACTERS;
use omi_model::{
    ActionItemDescription, ConversationText, ConversationTitle, CreateMemoryRequest, ImportText,
    Loc, MemoryContent, Tag, TextSourceSpec, ValidationErrors, decode,
};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::json;

/// Characters of many scripts and kinds: multi-byte letters, combining marks, joiners,
/// bidirectional controls, astral emoji, white space of several kinds, control characters
/// allowed (tab, newline, carriage return) and refused (NUL, escape, DEL, NEL).
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
    '\n',
    '\r',
    '\u{0}',
    '\u{1B}',
    '\u{7F}',
    '\u{85}',
];

fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![3 => select(TRICKY), 1 => any::<char>()]
}

/// The characters no user text may hold, written independently of the model: Unicode's
/// control characters (general category Cc: U+0000..=U+001F and U+007F..=U+009F) but tab,
/// newline and carriage return.
fn is_refused_control(c: char) -> bool {
    let code = u32::from(c);
    (code <= 0x1F || (0x7F..=0x9F).contains(&code)) && !matches!(c, '\t' | '\n' | '\r')
}

/// Whether `result` holds the control-character problem.
fn refused_for_control<T>(result: &Result<T, ValidationErrors>) -> bool {
    result
        .as_ref()
        .is_err_and(|e| e.items().iter().any(|i| i.msg == CONTROL_CHARACTERS))
}

/// Every bounded text kind checks `raw`: whether any refused it for a control character,
/// and whether all did.
fn control_refusals(raw: &str) -> (bool, bool) {
    let loc = Loc::body();
    let refused = [
        refused_for_control(&MemoryContent::parse_at(&loc, raw)),
        refused_for_control(&Tag::parse_at(&loc, raw)),
        refused_for_control(&ConversationText::parse_at(&loc, raw)),
        refused_for_control(&ImportText::parse_at(&loc, raw)),
        refused_for_control(&ConversationTitle::parse_at(&loc, raw)),
        refused_for_control(&ActionItemDescription::parse_at(&loc, raw)),
        refused_for_control(&TextSourceSpec::parse_at(&loc, raw)),
    ];
    (refused.iter().any(|r| *r), refused.iter().all(|r| *r))
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
        let expected = (1..=500).contains(&n) && !c.is_whitespace() && !is_refused_control(c);
        prop_assert_eq!(accepted.is_ok(), expected, "{} x {:?}", n, c);
        if let Ok(memory) = accepted {
            prop_assert!(memory.content.as_str().chars().count() <= 500);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn text_without_refused_control_characters_is_never_refused_for_them(
        raw in proptest::collection::vec(tricky_char(), 0..40)
            .prop_map(|cs| cs.into_iter().filter(|c| !is_refused_control(*c)).collect::<String>()),
    ) {
        let (any, _) = control_refusals(&raw);
        prop_assert!(!any, "{:?}", raw);
    }

    #[test]
    fn a_refused_control_character_in_short_text_is_refused_by_every_text_kind(
        before in "\\PC{0,20}",
        control in any::<char>().prop_filter("a refused control", |c| is_refused_control(*c)),
        after in "\\PC{0,20}",
    ) {
        let raw = format!("x{before}{control}{after}");
        let (_, all) = control_refusals(&raw);
        prop_assert!(all, "{:?}", raw);
    }
}
