//! Key introspection (`GET /v1/dev/key`): the calling key's metadata, any scope, never the
//! secret; 401 for a missing or unknown key.

use omi_api::{ApiError, DeveloperKey, DeveloperMemories, messages};
use omi_model::{DevScope, ListDevMemoriesQuery};
use serde_json::{Value, json};

use crate::common::{Ctx, Record, Transport, contracts};

contracts!(a_key_reads_its_own_metadata);

/// A key with one scope reads its id, name, prefix, times and scopes (none of which holds the
/// secret); its use is recorded; no key or an unknown one is 401.
async fn a_key_reads_its_own_metadata<T: Transport>(ctx: &Ctx<T>) -> Value {
    let mut rec = Record::new();
    let key = ctx
        .server()
        .user_with_dev_key("key_owner", &[DevScope::ConversationsRead])
        .await;
    let dev = ctx.developer(Some(&key.key));
    let info = dev.get_key().await.expect("the key's metadata");
    assert_eq!(info.id, key.id);
    assert_eq!(info.scopes, [DevScope::ConversationsRead]);
    assert!(
        key.key.starts_with(&info.key_prefix),
        "{} / {}",
        info.key_prefix,
        key.key
    );
    assert!(info.key_prefix.len() < key.key.len());
    let shown = serde_json::to_string(&info).expect("JSON");
    assert!(!shown.contains(&key.key), "the secret must never be shown");
    assert!(info.last_used_at.is_some(), "the call itself is a use");
    let fields = serde_json::to_value(&info).expect("JSON");
    let names: Vec<&String> = fields.as_object().expect("an object").keys().collect();
    rec.note(
        "a conversations:read key: its fields, scopes and prefix kind",
        json!({ "fields": names, "scopes": info.scopes, "prefix": info.key_prefix.get(..8) }),
    );

    let refused = dev.list_memories(ListDevMemoriesQuery::default()).await;
    rec.err("the same key on memories: 403", 403, refused);
    rec.err("no key: 401", 401, ctx.developer(None).get_key().await);
    let unknown = ctx
        .developer(Some("omi_dev_00000000000000000000000000000000"))
        .get_key()
        .await;
    let refused = rec.err("an unknown key: 401", 401, unknown);
    assert_eq!(refused, ApiError::unauthorized(messages::INVALID_DEV_KEY));
    rec.finish()
}
