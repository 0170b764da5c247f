//! `GET /v1/dev/key`: what a developer key may know about itself.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::enums::DevScope;
use crate::timestamp;

/// The calling key's metadata and effective scopes, as OMI's cloud answers `GET /v1/dev/key`
/// (its `DevApiKey`). Never the secret: only the short prefix that tells keys apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DevKeyInfo {
    /// The key's id (what `admin key revoke` takes).
    pub id: String,
    /// Its name: the label the server shows it by (`omi_dev_ab12...ef90`).
    pub name: String,
    /// The start of the secret (`omi_dev_ab12`), enough to tell keys apart.
    pub key_prefix: String,
    /// When it was made.
    #[serde(with = "timestamp::required")]
    pub created_at: DateTime<Utc>,
    /// When it was last used, to the minute; `null` before its first use.
    #[serde(default, with = "timestamp::optional")]
    pub last_used_at: Option<DateTime<Utc>>,
    /// What it may do.
    pub scopes: Vec<DevScope>,
}
