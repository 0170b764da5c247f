//! Throwaway databases for tests and benchmarks: each gets a database of its own on a
//! PostgreSQL server, dropped when it ends.

use sqlx::Postgres;
use sqlx::migrate::MigrateDatabase;

use crate::store::rows::map_err;
use crate::store::{StoreError, StoreResult};

/// A new, empty database on the server of a PostgreSQL URL, dropped (with every connection
/// to it) when this value is dropped, even when a test panics.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use omi_server::store::postgres::{PostgresOptions, PostgresStore, ScratchDatabase};
///
/// let scratch = ScratchDatabase::create("postgres://postgres@127.0.0.1:5432/test").await?;
/// let store = PostgresStore::open(scratch.url(), PostgresOptions::default()).await?;
/// // ... use the store ...
/// store.close().await;
/// drop(scratch); // DROP DATABASE ... WITH (FORCE)
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ScratchDatabase {
    name: String,
    url: String,
}

impl ScratchDatabase {
    /// Create a uniquely named database (`omi_scratch_<pid>_<random>`) on the server that
    /// `server_url` connects to (its own database name is not used).
    pub async fn create(server_url: &str) -> StoreResult<Self> {
        let name = format!(
            "omi_scratch_{}_{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        );
        let url = database_url(server_url, &name)?;
        Postgres::create_database(&url).await.map_err(map_err)?;
        Ok(Self { name, url })
    }

    /// The URL of the new database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The new database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        // Drop may run inside or outside a runtime, and while unwinding: a thread of its own
        // with a runtime of its own works in every case.
        let url = self.url.clone();
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?
                .block_on(Postgres::force_drop_database(&url))
                .map_err(|e| e.to_string())
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop scratch database {}: {dropped:?}", self.name);
        }
    }
}

/// `server_url` with its database (the URL's path) replaced by `name`.
fn database_url(server_url: &str, name: &str) -> StoreResult<String> {
    let mut url = url::Url::parse(server_url)
        .map_err(|e| StoreError::Internal(format!("bad PostgreSQL URL: {e}")))?;
    url.set_path(name);
    Ok(url.into())
}

#[cfg(test)]
mod tests {
    use super::database_url;

    #[test]
    fn the_database_of_a_url_is_replaced() {
        let cases = [
            (
                "postgres://postgres@127.0.0.1:5432/test",
                "postgres://postgres@127.0.0.1:5432/x",
            ),
            (
                "postgres://u:p@h/test?sslmode=disable",
                "postgres://u:p@h/x?sslmode=disable",
            ),
            ("postgres://h:5432", "postgres://h:5432/x"),
        ];
        for (server, expected) in cases {
            assert_eq!(database_url(server, "x").unwrap(), expected);
        }
    }
}
