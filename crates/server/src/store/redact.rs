//! Database URLs fit for logs and messages.

/// A database URL fit for logs and messages: its password, if any, replaced by `***`, whether
/// in its user part or in a query parameter whose name holds `password` (PostgreSQL URLs may
/// say `?password=` or `sslpassword=`).
///
/// ```
/// use omi_server::store::redacted_url;
/// assert_eq!(redacted_url("postgres://omi:hunter2@db/omi"), "postgres://omi:***@db/omi");
/// assert_eq!(redacted_url("sqlite://omi-data/omi.sqlite"), "sqlite://omi-data/omi.sqlite");
/// assert_eq!(
///     redacted_url("postgres://db/omi?user=omi&password=hunter2&sslmode=require"),
///     "postgres://db/omi?user=omi&password=***&sslmode=require"
/// );
/// // A URL that does not parse (a port that is no number) is redacted all the same.
/// assert_eq!(
///     redacted_url("postgres://u:secret@h:notaport/db?password=x"),
///     "postgres://u:***@h:notaport/db?password=***"
/// );
/// ```
pub fn redacted_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return redacted_unparsed_url(url);
    };
    if parsed.password().is_some() {
        // Setting a password fails only for URLs that cannot have one, and this one has.
        let _ = parsed.set_password(Some("***"));
    }
    let secret = |name: &str| name.to_ascii_lowercase().contains("password");
    if parsed.query_pairs().any(|(name, _)| secret(&name)) {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(name, value)| {
                let value = if secret(&name) { "***".into() } else { value };
                (name.into_owned(), value.into_owned())
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.into()
}

/// [`redacted_url`] for a URL that does not parse: whatever sits between the first `:` of
/// the user part and its `@` is hidden, and so is the value of every query parameter whose
/// name holds `password`. Only ASCII separators are searched, so every cut is at a character
/// boundary.
fn redacted_unparsed_url(url: &str) -> String {
    let (head, query) = url
        .split_once('?')
        .map_or((url, None), |(h, q)| (h, Some(q)));
    let authority_start = head.find("://").map_or(0, |i| i + 3);
    let (scheme, rest) = head.split_at(authority_start);
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let mut out = format!("{scheme}{authority}{path}");
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if name.to_ascii_lowercase().contains("password") => {
                    format!("{name}=***")
                }
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}
