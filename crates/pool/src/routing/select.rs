//! Server selection: least connections in use, round robin among equals.

use crate::Address;

/// Picks the candidate with the fewest connections in use. The scan starts
/// at `start` (modulo the number of candidates) and the first of several
/// equally loaded servers wins, so a caller that increments `start` on each
/// call spreads work round robin among equals.
///
/// `in_use` is asked at most once per candidate, and the scan stops at the
/// first candidate with nothing in use (none can beat it): an idle cluster
/// costs one lookup per selection however many servers it has, a busy one
/// one pass over them.
///
/// ```
/// use quiver_pool::{select_least_connected, Address};
/// let servers = [Address::new("a", 1), Address::new("b", 1), Address::new("c", 1)];
/// let load = |a: &Address| if a.host() == "a" { 0 } else { 3 };
/// assert_eq!(select_least_connected(&servers, 2, load).unwrap().host(), "a");
/// ```
pub fn select_least_connected<F>(
    candidates: &[Address],
    start: usize,
    in_use: F,
) -> Option<&Address>
where
    F: Fn(&Address) -> usize,
{
    let n = candidates.len();
    if n == 0 {
        return None;
    }
    let start = start % n;
    let mut best: Option<(&Address, usize)> = None;
    for i in 0..n {
        let candidate = candidates.get((start + i) % n)?;
        let load = in_use(candidate);
        if load == 0 {
            return Some(candidate);
        }
        match best {
            Some((_, b)) if b <= load => {}
            _ => best = Some((candidate, load)),
        }
    }
    best.map(|(a, _)| a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs(hosts: &[&str]) -> Vec<Address> {
        hosts.iter().map(|h| Address::new(*h, 7687)).collect()
    }

    #[test]
    fn empty_selects_nothing() {
        assert!(select_least_connected(&[], 0, |_| 0).is_none());
    }

    #[test]
    fn cases_from_table() {
        // loads of a, b, c; start; expected host
        let cases: &[([usize; 3], usize, &str)] = &[
            ([0, 0, 0], 0, "a"),
            ([0, 0, 0], 1, "b"),
            ([0, 0, 0], 2, "c"),
            ([0, 0, 0], 3, "a"),
            ([5, 1, 3], 0, "b"),
            ([5, 1, 1], 0, "b"),
            ([5, 1, 1], 2, "c"),
            ([0, 1, 1], 1, "a"),
        ];
        let servers = addrs(&["a", "b", "c"]);
        for (loads, start, want) in cases {
            let load = |a: &Address| match a.host() {
                "a" => loads[0],
                "b" => loads[1],
                _ => loads[2],
            };
            let got = select_least_connected(&servers, *start, load).unwrap();
            assert_eq!(got.host(), *want, "loads {loads:?} start {start}");
        }
    }

    /// Counts the `in_use` lookups of selections over 20,000 servers.
    fn lookups(servers: &[Address], start: usize, load: impl Fn(&Address) -> usize) -> usize {
        let asked = std::cell::Cell::new(0);
        let _ = select_least_connected(servers, start, |a| {
            asked.set(asked.get() + 1);
            load(a)
        });
        asked.get()
    }

    fn twenty_thousand() -> Vec<Address> {
        (0..20_000)
            .map(|i| Address::new(format!("s{i}"), 7687))
            .collect()
    }

    #[test]
    fn an_idle_cluster_costs_one_lookup_and_a_busy_one_one_pass() {
        let servers = twenty_thousand();
        assert_eq!(lookups(&servers, 17, |_| 0), 1);
        assert_eq!(lookups(&servers, 17, |_| 3), servers.len());
        // Only the last one scanned (start - 1) is idle: a full pass.
        let last = servers[16].clone();
        assert_eq!(
            lookups(&servers, 17, |a| usize::from(*a != last)),
            servers.len()
        );
        assert_eq!(
            select_least_connected(&servers, 17, |a| usize::from(*a != last)),
            Some(&last)
        );
    }

    /// An acquire that tries every server of a table in turn, each failing
    /// and leaving the table: 20,000 attempts cost 20,000 lookups in all
    /// (each attempt stops at the first idle server), not 20,000 * 20,001 / 2.
    #[test]
    fn trying_every_server_in_turn_is_linear_in_lookups() {
        let mut servers = twenty_thousand();
        let mut total = 0;
        let mut attempts = 0;
        while !servers.is_empty() {
            total += lookups(&servers, attempts, |_| 0);
            let chosen = select_least_connected(&servers, attempts, |_| 0)
                .unwrap()
                .clone();
            servers.retain(|a| *a != chosen);
            attempts += 1;
        }
        assert_eq!((attempts, total), (20_000, 20_000));
    }

    #[test]
    fn round_robin_over_equals() {
        let servers = addrs(&["a", "b"]);
        let picks: Vec<_> = (0..4)
            .map(|i| {
                select_least_connected(&servers, i, |_| 0)
                    .unwrap()
                    .host()
                    .to_owned()
            })
            .collect();
        assert_eq!(picks, ["a", "b", "a", "b"]);
    }
}
