//! `--database postgres://...`: our server measured on PostgreSQL. Each server started gets a
//! database of its own on that PostgreSQL server, made and dropped with `psql` (xtask stays
//! independent of the server's library, so a broken server cannot stop `cargo xtask ci`).

use std::process::Command;

use anyhow::{Context, bail};

/// The databases made on one PostgreSQL server for one run, dropped when the run ends.
#[derive(Debug)]
pub(crate) struct Databases {
    /// The server, as given (its own database is where `psql` connects to run the DDL).
    server_url: String,
    /// The names made so far.
    made: Vec<String>,
}

impl Databases {
    /// Check that `psql` can reach `server_url`.
    pub(crate) fn connect(server_url: &str) -> anyhow::Result<Self> {
        let databases = Self {
            server_url: server_url.to_owned(),
            made: Vec::new(),
        };
        databases
            .psql("SELECT 1")
            .context("--database needs `psql` (Debian: postgresql-client) reaching the server")?;
        Ok(databases)
    }

    /// Make a new, empty database for the server named `stem`; its URL.
    pub(crate) fn create(&mut self, stem: &str) -> anyhow::Result<String> {
        let stem: String = stem
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let name = format!("omi_bench_{}_{stem}", std::process::id()).to_lowercase();
        self.psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
        self.psql(&format!("CREATE DATABASE {name}"))?;
        self.made.push(name.clone());
        let mut url = url::Url::parse(&self.server_url).context("parsing --database")?;
        url.set_path(&name);
        Ok(url.into())
    }

    /// Run one statement with `psql` on the server's own database.
    fn psql(&self, sql: &str) -> anyhow::Result<()> {
        let output = Command::new("psql")
            .args([
                self.server_url.as_str(),
                "-v",
                "ON_ERROR_STOP=1",
                "-qAtc",
                sql,
            ])
            .output()
            .context("running psql")?;
        if !output.status.success() {
            bail!(
                "psql failed on {sql:?}: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(())
    }
}

impl Drop for Databases {
    fn drop(&mut self) {
        for name in std::mem::take(&mut self.made) {
            if let Err(e) = self.psql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")) {
                eprintln!("bench: could not drop database {name}: {e:#}");
            }
        }
    }
}
