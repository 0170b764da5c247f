//! The other half of `--search`: what the memory search index costs a create. Two servers of
//! ours, one as it is and one whose database lost the trigger that indexes a new memory
//! (dropped with the `sqlite3` shell before the server starts, so the server's code is the
//! same), take the memory create load alternately, `--repeats` times; the median ratio of
//! their rates is the share of the create rate the index leaves. Goal (issue 18): at least
//! [`RATE_GOAL`], the index costing creates no more than 10%.

use std::process::Command;

use anyhow::{Context, bail};

use super::repeat::{self, Side, Spread};
use super::{Bench, demo, scenario, servers};

/// The least acceptable create rate with the index over without it.
const RATE_GOAL: f64 = 0.9;

/// The trigger of migration 0016 that indexes each new memory in the same transaction.
const INDEX_TRIGGER: &str = "memories_search_insert";

impl Bench<'_> {
    /// The create rate with the search index over without it; `Ok(None)` when it cannot be
    /// measured here (a PostgreSQL run, or no `sqlite3` shell), which is printed.
    pub(super) fn index_cost(&mut self) -> anyhow::Result<Option<Spread>> {
        if self.postgres.is_some() {
            println!("bench: index cost: measured on SQLite only (skipped with --database)");
            return Ok(None);
        }
        if Command::new("sqlite3").arg("--version").output().is_err() {
            println!("bench: index cost: SKIPPED, it needs the `sqlite3` shell (Debian: sqlite3)");
            return Ok(None);
        }
        // Named after the sides, which is how `repeated` pauses the one not under load.
        let (indexed, with_index) = self.start_ours(Side::Ours.label(), "omi-indexed.sqlite")?;
        let url = self.fresh_database("omi-unindexed.sqlite")?;
        let without_index = demo(&self.bins.ours, &url)?;
        drop_index_trigger(url.trim_start_matches("sqlite://"))?;
        let unindexed = servers::free_port()?;
        let name = Side::Reference.label();
        self.spawn_ours(name, &url, unindexed, &[])?;
        self.children.wait_ready(name, unindexed, "/readyz")?;
        let mut create = scenario(&with_index, "memory create")?;
        create.reference = scenario(&without_index, "memory create")?.ours;
        println!("bench: index cost: memory create with the index (ours) and without (reference)");
        let runs = self
            .warm_up(&create, indexed, unindexed)
            .and_then(|()| self.repeated(&create, indexed, Some(unindexed)));
        self.children.stop(Side::Ours.label());
        self.children.stop(name);
        let runs = runs?;
        let rate = |reports: &[super::wrk::Report]| -> Vec<f64> {
            reports.iter().map(|r| r.rate).collect()
        };
        let spread = Spread::of(&repeat::ratios(&rate(&runs.ours), &rate(&runs.reference)))
            .context("no run gave a create rate")?;
        println!(
            "index cost: create rate with the index {:.0} req/s, without {:.0} req/s: {:.2}x \
             ({:.2}x..{:.2}x; goal >= {RATE_GOAL}x: {})",
            repeat::median(&rate(&runs.ours)).unwrap_or_default(),
            repeat::median(&rate(&runs.reference)).unwrap_or_default(),
            spread.median,
            spread.min,
            spread.max,
            if met(spread) { "met" } else { "NOT MET" },
        );
        Ok(Some(spread))
    }
}

impl Bench<'_> {
    /// A short unmeasured run of `create` on each server, one after the other: the first
    /// seconds of a fresh database (its WAL file growing, its first checkpoints) are slower
    /// than the rest, and would be counted against whichever side ran first.
    fn warm_up(
        &mut self,
        create: &super::Scenario,
        indexed: std::net::SocketAddr,
        unindexed: std::net::SocketAddr,
    ) -> anyhow::Result<()> {
        for (side, addr, load) in [
            (Side::Ours, indexed, &create.ours),
            (Side::Reference, unindexed, &create.reference),
        ] {
            let idle = side.other().label();
            self.children.pause(idle)?;
            let run = self.load_for("warm-up", side.label(), addr, load, WARM_UP);
            self.children.resume(idle)?;
            run?;
        }
        Ok(())
    }
}

/// How long each server is warmed up before the measured runs.
const WARM_UP: &str = "5s";

/// Whether the median ratio meets [`RATE_GOAL`].
pub(super) fn met(spread: Spread) -> bool {
    spread.median >= RATE_GOAL
}

/// Drop [`INDEX_TRIGGER`] from the SQLite database at `path` (no server running on it).
fn drop_index_trigger(path: &str) -> anyhow::Result<()> {
    let out = Command::new("sqlite3")
        .arg(path)
        .arg(format!("DROP TRIGGER {INDEX_TRIGGER};"))
        .output()
        .context("running sqlite3")?;
    if !out.status.success() {
        bail!(
            "sqlite3 could not drop {INDEX_TRIGGER} in {path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}
