//! Abbreviations whose period does not end a sentence.

/// Words after which a period does not end a sentence.
pub(crate) const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "vs", "etc", "e.g", "i.e", "eg", "ie",
    "inc", "ltd", "co", "approx", "no", "fig", "mt", "ave", "dept", "est", "a.m", "p.m", "u.s",
    "jan", "feb", "aug", "sept", "oct", "nov", "dec",
];
