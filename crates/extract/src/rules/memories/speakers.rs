//! Facts read from who speaks rather than from what is said: a doctor who speaks in a
//! transcript with the user ("Dr. Okoro: How's the medication working?") is the user's.

use super::relations::doctor;
use crate::rules::Doc;

/// "User's doctor is Dr. Okoro" for each speaker of a transcript titled a doctor, when the
/// user speaks in it too.
pub(super) fn doctor_speakers(doc: &Doc) -> Vec<String> {
    if !doc.parsed.turns.iter().any(|t| t.is_user) {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for speaker in doc.others() {
        let lower = speaker.to_ascii_lowercase();
        if !(lower.starts_with("dr. ") || lower.starts_with("dr ")) {
            continue;
        }
        let line = format!("{speaker} appointment");
        if let Some(found) = doctor(&line, &line.to_ascii_lowercase())
            && !out.contains(&found)
        {
            out.push(found);
        }
    }
    out
}
