//! API keys: secrets that never show in `Debug` output, and the formats OMI gives them.

use std::fmt;

/// The kind of an API key, told by its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyKind {
    /// An integration app key: `sk_` + 32 lowercase hex characters.
    App,
    /// A developer API key: `omi_dev_` + 32 lowercase hex characters.
    Developer,
    /// A developer key that works over MCP only (`/v1/mcp`, `omi-server mcp --stdio`), as
    /// OMI's cloud gives them: `omi_mcp_` + 32 lowercase hex characters.
    Mcp,
}

impl KeyKind {
    /// The prefix of keys of this kind.
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::App => "sk_",
            Self::Developer => "omi_dev_",
            Self::Mcp => "omi_mcp_",
        }
    }

    /// How many hex characters follow the prefix.
    pub const SECRET_HEX_CHARS: usize = 32;

    /// Whether `key` has exactly this kind's format.
    pub fn matches(self, key: &str) -> bool {
        key.strip_prefix(self.prefix()).is_some_and(|hex| {
            hex.len() == Self::SECRET_HEX_CHARS
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
    }
}

/// An API key as a caller holds it. Any string can be held (a malformed key is rejected by
/// the server, at call time, like any wrong key); `Debug` and `Display` never show it.
///
/// ```
/// use omi_model::ApiKey;
/// let key = ApiKey::new("sk_0123456789abcdef0123456789abcdef");
/// assert_eq!(format!("{key:?}"), "ApiKey(sk_0123...cdef)");
/// assert_eq!(key.expose(), "sk_0123456789abcdef0123456789abcdef");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Hold `secret`.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the one place that must send or hash it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A label safe to show and log: the prefix, four characters, `...`, the last four
    /// (`sk_ab12...ef90`); short or unknown keys show only `***`.
    pub fn label(&self) -> String {
        let prefix = [KeyKind::App, KeyKind::Developer, KeyKind::Mcp]
            .into_iter()
            .find(|k| self.0.starts_with(k.prefix()))
            .map_or("", |k| k.prefix());
        let rest = &self.0[prefix.len()..];
        if rest.len() < 12 || !rest.is_ascii() {
            return format!("{prefix}***");
        }
        format!("{prefix}{}...{}", &rest[..4], &rest[rest.len() - 4..])
    }
}

impl From<String> for ApiKey {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl From<&str> for ApiKey {
    fn from(secret: &str) -> Self {
        Self(secret.to_owned())
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.label())
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_formats_are_prefix_plus_32_lowercase_hex() {
        assert!(KeyKind::App.matches("sk_0123456789abcdef0123456789abcdef"));
        assert!(!KeyKind::App.matches("sk_0123456789ABCDEF0123456789abcdef"));
        assert!(!KeyKind::App.matches("sk_0123"));
        assert!(KeyKind::Developer.matches("omi_dev_0123456789abcdef0123456789abcdef"));
        assert!(!KeyKind::Developer.matches("sk_0123456789abcdef0123456789abcdef"));
    }

    #[test]
    fn short_keys_are_fully_hidden() {
        assert_eq!(ApiKey::new("hunter2").label(), "***");
        assert_eq!(format!("{}", ApiKey::new("sk_short")), "sk_***");
    }
}
