//! The word lists the rules read, apart from the logic that reads them: one file per rule
//! module, named like it. Entries are lower case unless a list says otherwise; phrases keep
//! their spaces. Changing a list changes what the rules find: `tests/extraction.rs` holds the
//! quality floors on the fixture set.

pub(crate) mod actions;
pub(crate) mod classify;
pub(crate) mod events;
pub(crate) mod memories;
pub(crate) mod segments;
pub(crate) mod sentences;
pub(crate) mod stopwords;
pub(crate) mod title;
pub(crate) mod when;
