//! `--search`: memory search at 1 000 and at 100 000 memories of one user, on our server
//! alone (the reference has no search). Goals (issue 18): p99 under 10 ms at 100 000, and
//! under twice the p99 at 1 000. Then what the index costs a create (`index_cost`).
//!
//! Each search is measured twice. First at saturation (wrk's `--connections`, 32 by default,
//! on the same cores as the server): the throughput, and a p99 that is mostly queueing
//! (about connections / throughput). Then with one connection ([`LATENCY_CONNECTIONS`]):
//! each request waits for none other, so its p99 is what a search costs; the goals are
//! judged on this one, and both are printed.

use std::net::SocketAddr;

use super::wrk::{Load, Report, Shape};
use super::{Bench, Demo, servers};

/// Memories stored for the first figures.
const SMALL: usize = 1_000;
/// Memories stored for the second.
const LARGE: usize = 100_000;
/// The slowest acceptable p99 at [`LARGE`], in milliseconds.
const P99_GOAL_MS: f64 = 10.0;
/// The largest acceptable p99 at [`LARGE`] over p99 at [`SMALL`].
const GROWTH_GOAL: f64 = 2.0;
/// The connections of the latency measurement: one request at a time, so the server never
/// queues (the goals are judged on its p99).
const LATENCY_CONNECTIONS: u32 = 1;

const ACTIVITIES: [&str; 20] = [
    "hiking",
    "cooking",
    "painting",
    "running",
    "swimming",
    "reading",
    "gardening",
    "cycling",
    "climbing",
    "knitting",
    "baking",
    "fishing",
    "surfing",
    "skiing",
    "dancing",
    "singing",
    "chess",
    "photography",
    "yoga",
    "pottery",
];
const PEOPLE: [&str; 16] = [
    "Maria", "Kenji", "Aisha", "Lukas", "Sofia", "Omar", "Chen", "Priya", "Mateo", "Yuki", "Elena",
    "Noah", "Fatima", "Ivan", "Zoe", "Tariq",
];
const PLACES: [&str; 14] = [
    "Lisbon",
    "Zürich",
    "東京",
    "大阪",
    "Nairobi",
    "Montréal",
    "Oslo",
    "Lima",
    "Seoul",
    "Cairo",
    "Dublin",
    "Hanoi",
    "Austin",
    "Kraków",
];
const WHEN: [&str; 7] = [
    "on Mondays",
    "every weekend",
    "in the summer",
    "before work",
    "after dinner",
    "on holidays",
    "most evenings",
];

/// The content of search memory `i`: words drawn from small lists by `i`, so each activity
/// is in one memory of 20, each place in one of 14, and every content differs.
fn search_content(i: usize) -> String {
    format!(
        "User enjoys {} with {} in {} {} (note {i})",
        ACTIVITIES[i % ACTIVITIES.len()],
        PEOPLE[(i / 3) % PEOPLE.len()],
        PLACES[(i / 7) % PLACES.len()],
        WHEN[(i / 11) % WHEN.len()],
    )
}

/// The searches measured: a word form, two words, and a Japanese substring.
fn searches(demo: &Demo) -> Vec<(&'static str, Load)> {
    let dev = ("Authorization", format!("Bearer {}", demo.dev_key));
    [
        ("search: one word (hike)", "hike"),
        ("search: two words (cooking lisbon)", "cooking%20lisbon"),
        ("search: Japanese (東京)", "%E6%9D%B1%E4%BA%AC"),
    ]
    .into_iter()
    .map(|(name, query)| {
        let load = Load {
            method: "GET",
            path: format!("/v1/dev/user/memories/vector/search?query={query}&limit=10"),
            headers: vec![dev.clone()],
            body: None,
        };
        (name, load)
    })
    .collect()
}

impl Bench<'_> {
    /// The searches at [`SMALL`] and then at [`LARGE`] memories, with the goals.
    pub(super) fn search(&mut self) -> anyhow::Result<()> {
        println!("bench: --search: memory search with {SMALL} and then {LARGE} memories stored");
        let (ours, demo) = self.start_ours("ours-search", "omi-search.sqlite")?;
        self.preload_search(ours, &demo, 0, SMALL)?;
        let loads = searches(&demo);
        let small = self.measure_searches(ours, &loads, "at 1 000")?;
        self.preload_search(ours, &demo, SMALL, LARGE)?;
        let large = self.measure_searches(ours, &loads, "at 100 000")?;
        self.children.stop("ours-search");
        println!();
        let mut met = true;
        for (name, small, large) in loads
            .iter()
            .zip(&small)
            .zip(&large)
            .map(|(((n, _), s), l)| (n, s, l))
        {
            let (small_busy, small_one) = small;
            let (large_busy, large_one) = large;
            let growth = large_one.p99_ms / small_one.p99_ms.max(1e-9);
            let ok = large_one.p99_ms < P99_GOAL_MS && growth <= GROWTH_GOAL;
            met &= ok;
            println!(
                "{name}: one connection: p99 {:.2} ms at 1 000, {:.2} ms at 100 000 \
                 ({growth:.2}x; goals < {P99_GOAL_MS} ms and <= {GROWTH_GOAL}x: {}); \
                 {:.0} and {:.0} req/s",
                small_one.p99_ms,
                large_one.p99_ms,
                if ok { "met" } else { "NOT MET" },
                small_one.rate,
                large_one.rate,
            );
            println!(
                "{name}: saturated ({} connections): p99 {:.2} ms at 1 000, {:.2} ms at \
                 100 000; {:.0} and {:.0} req/s",
                self.args.connections,
                small_busy.p99_ms,
                large_busy.p99_ms,
                small_busy.rate,
                large_busy.rate,
            );
        }
        println!();
        if let Some(spread) = self.index_cost()? {
            met &= super::index_cost::met(spread);
        }
        println!(
            "search goals: {}",
            if met { "all met" } else { "NOT ALL MET" }
        );
        Ok(())
    }

    /// Each search at saturation and then with one connection.
    fn measure_searches(
        &mut self,
        addr: SocketAddr,
        loads: &[(&'static str, Load)],
        size: &str,
    ) -> anyhow::Result<Vec<(Report, Report)>> {
        let one = Shape {
            threads: 1,
            connections: LATENCY_CONNECTIONS,
            duration: self.args.duration.clone(),
        };
        loads
            .iter()
            .map(|(name, load)| {
                let busy = self.load(&format!("{name} {size}"), "ours", addr, load)?;
                let figure = format!("{name} {size}, one connection");
                let one = self.load_shaped(&figure, "ours", addr, load, &one)?;
                Ok((busy, one))
            })
            .collect()
    }

    fn preload_search(
        &self,
        addr: SocketAddr,
        demo: &Demo,
        from: usize,
        to: usize,
    ) -> anyhow::Result<()> {
        let took = servers::preload_with(addr, &demo.dev_key, from, to, 4, search_content)?;
        println!(
            "bench: stored {} search memories in {:.1}s",
            to - from,
            took.as_secs_f64()
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_contents_differ_and_spread_their_words() {
        let contents: std::collections::HashSet<String> = (0..2_000).map(search_content).collect();
        assert_eq!(contents.len(), 2_000);
        let hiking = contents.iter().filter(|c| c.contains("hiking")).count();
        assert_eq!(hiking, 100);
    }
}
