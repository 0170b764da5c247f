//! API key secrets: generation, hashing, display labels.
//!
//! A secret is shown once, when it is made; the store keeps only its SHA-256 and a label.

use omi_model::{ApiKey, KeyKind, Uid};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A newly made key: the secret (to show once) and what the store keeps of it.
#[derive(Debug)]
pub(crate) struct GeneratedKey {
    /// The secret, `sk_...` or `omi_dev_...`.
    pub(crate) secret: ApiKey,
    /// SHA-256 of the secret, lowercase hex.
    pub(crate) hash: String,
    /// A label safe to show (`sk_ab12...ef90`).
    pub(crate) label: String,
}

/// Make a new random key of `kind` (128 bits from the OS's generator).
pub(crate) fn generate(kind: KeyKind) -> GeneratedKey {
    let mut bytes = [0u8; KeyKind::SECRET_HEX_CHARS / 2];
    rand::rng().fill_bytes(&mut bytes);
    let secret = ApiKey::new(format!("{}{}", kind.prefix(), hex::encode(bytes)));
    GeneratedKey {
        hash: hash(&secret),
        label: secret.label(),
        secret,
    }
}

/// The SHA-256 of a key's secret, lowercase hex: what keys are looked up by.
pub(crate) fn hash(key: &ApiKey) -> String {
    hex::encode(Sha256::digest(key.expose().as_bytes()))
}

/// A new id for a record: a UUIDv7 as 32 lowercase hex characters. v7 ids rise with time
/// (monotonically within this process), so records made in the same microsecond, such as the
/// memories of one batch, still sort in the order they were made, and new rows land at the
/// end of the id index.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// A new folder's id: a random UUID in its hyphenated form, as OMI's cloud makes them.
pub(crate) fn new_folder_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The namespace OMI's cloud derives `from-segments` conversation ids in.
const SESSION_NAMESPACE: uuid::Uuid = uuid::uuid!("fb2f1f36-3c84-47a4-9c62-b3f6fdb3fd13");

/// The id of the conversation a client's recording session `session` of user `uid` makes:
/// OMI's cloud's `uuid5(namespace, "{uid}\0{session}")`, hyphenated, so a retry of the same
/// session names the same conversation (and the same id as the cloud gives it).
pub(crate) fn session_conversation_id(uid: &Uid, session: &str) -> String {
    let name = format!("{}\0{session}", uid.as_str());
    uuid::Uuid::new_v5(&SESSION_NAMESPACE, name.as_bytes()).to_string()
}

/// A new goal id as OMI's cloud makes them: `goal_` and 12 random hex digits.
pub(crate) fn new_goal_id() -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("goal_{}", hex.get(..12).unwrap_or(&hex))
}

/// A new webhook id: `wh_` and a UUIDv7 in hex.
pub(crate) fn new_webhook_id() -> String {
    format!("wh_{}", new_id())
}

/// A new delivery id (its `webhook-id` header): `msg_` and a UUIDv7 in hex, unique across
/// databases, so a receiver that drops repeats by this id never drops a new event.
pub(crate) fn new_delivery_id() -> String {
    format!("msg_{}", new_id())
}

/// A new webhook signing secret as the Standard Webhooks libraries take it: `whsec_` and
/// 32 random bytes (256 bits from the OS's generator) in base64.
pub(crate) fn new_webhook_secret() -> String {
    use base64::Engine as _;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_names_one_conversation_per_user() {
        let uid = Uid::try_from("user-1".to_owned()).unwrap();
        let other = Uid::try_from("user-2".to_owned()).unwrap();
        let id = session_conversation_id(&uid, "録音 🎙");
        assert_eq!(id, session_conversation_id(&uid, "録音 🎙"));
        assert_ne!(id, session_conversation_id(&other, "録音 🎙"));
        assert_ne!(id, session_conversation_id(&uid, "録音"));
        // Python: str(uuid.uuid5(UUID('fb2f1f36-3c84-47a4-9c62-b3f6fdb3fd13'), 'user-1\0s1')),
        // as OMI's cloud computes it.
        assert_eq!(
            session_conversation_id(&uid, "s1"),
            "f59ec911-d028-5580-bdb6-39424d76c371"
        );
        assert_eq!(id.len(), 36);
    }

    #[test]
    fn ids_rise_in_the_order_they_are_made() {
        let ids: Vec<String> = (0..1000).map(|_| new_id()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn generated_keys_have_the_documented_format() {
        let app = generate(KeyKind::App);
        assert!(KeyKind::App.matches(app.secret.expose()));
        let dev = generate(KeyKind::Developer);
        assert!(KeyKind::Developer.matches(dev.secret.expose()));
        assert_ne!(app.hash, hash(&dev.secret));
        assert_eq!(app.hash, hash(&app.secret));
        assert!(!app.label.contains(&app.secret.expose()[3..]));
    }
}
