//! Faults, fault sets and the fault space a search explores.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Logical time: ticks `1..=EOT`.
pub type Tick = u32;

/// One injected fault. Node names are the protocol's node names.
///
/// `Omit` and `Crash` are the Molly fault model and the only faults the
/// solver chooses; the others are explicit extras a schedule may carry.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// The channel `from→to` loses what was sent at tick `at` (`at < EFF`).
    Omit {
        /// Sender.
        from: String,
        /// Receiver.
        to: String,
        /// Send tick.
        at: Tick,
    },
    /// From tick `at` on, `node` sends nothing and derives nothing.
    Crash {
        /// The node that crashes.
        node: String,
        /// First tick at which it is down.
        at: Tick,
    },
    /// What `from` sends to `to` at tick `at` arrives `ticks` ticks late.
    Delay {
        /// Sender.
        from: String,
        /// Receiver.
        to: String,
        /// Send tick.
        at: Tick,
        /// Extra ticks of latency.
        ticks: Tick,
    },
    /// What `from` sends to `to` at tick `at` arrives twice (at `at+1` and `at+2`).
    Duplicate {
        /// Sender.
        from: String,
        /// Receiver.
        to: String,
        /// Send tick.
        at: Tick,
    },
    /// Messages between group `a` and group `b` sent in ticks `from..until` are lost.
    Partition {
        /// One side.
        a: Vec<String>,
        /// The other side.
        b: Vec<String>,
        /// First tick of the partition.
        from: Tick,
        /// First tick after the partition (exclusive end).
        until: Tick,
    },
    /// `node` loses its volatile state at tick `at` and starts again (`on_start`).
    Restart {
        /// The node that restarts.
        node: String,
        /// Tick of the restart.
        at: Tick,
    },
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Omit { from, to, at } => write!(f, "omit({from}, {to}, {at})"),
            Fault::Crash { node, at } => write!(f, "crash({node}, {at})"),
            Fault::Delay {
                from,
                to,
                at,
                ticks,
            } => {
                write!(f, "delay({from}, {to}, {at}, {ticks})")
            }
            Fault::Duplicate { from, to, at } => write!(f, "duplicate({from}, {to}, {at})"),
            Fault::Partition { a, b, from, until } => {
                write!(
                    f,
                    "partition({}|{}, {from}, {until})",
                    a.join(","),
                    b.join(",")
                )
            }
            Fault::Restart { node, at } => write!(f, "restart({node}, {at})"),
        }
    }
}

/// A set of faults, kept sorted and free of duplicates so that equal sets
/// compare, hash and print equal.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FaultSet(Vec<Fault>);

impl FaultSet {
    /// The empty fault set (the fault-free run).
    pub fn new() -> Self {
        FaultSet(Vec::new())
    }

    /// Adds a fault (no-op if present).
    pub fn insert(&mut self, fault: Fault) {
        if let Err(i) = self.0.binary_search(&fault) {
            self.0.insert(i, fault);
        }
    }

    /// The faults, in canonical order.
    pub fn faults(&self) -> &[Fault] {
        &self.0
    }

    /// Number of faults.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for the fault-free set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True if every fault of `self` is in `other`.
    pub fn is_subset(&self, other: &FaultSet) -> bool {
        self.0.iter().all(|f| other.0.binary_search(f).is_ok())
    }
}

impl FromIterator<Fault> for FaultSet {
    fn from_iter<T: IntoIterator<Item = Fault>>(iter: T) -> Self {
        let mut v: Vec<Fault> = iter.into_iter().collect();
        v.sort();
        v.dedup();
        FaultSet(v)
    }
}

impl fmt::Display for FaultSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return write!(f, "{{}}");
        }
        write!(f, "{{")?;
        for (i, x) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{x}")?;
        }
        write!(f, "}}")
    }
}

/// The bounds of a search: Molly's `--EOT --EFF --crashes --nodes`, plus the
/// nodes a protocol exempts from faults (an oracle that never fails).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultSpace {
    /// All node names, in the protocol's order.
    pub nodes: Vec<String>,
    /// End of time: the last tick.
    pub eot: Tick,
    /// End of finite failures: omissions only at ticks `< eff`.
    pub eff: Tick,
    /// At most this many nodes crash in one run.
    pub crashes: u32,
    /// Nodes that never crash and whose channels never lose messages.
    pub exempt: Vec<String>,
}

impl FaultSpace {
    /// Nodes that may fail, in protocol order.
    pub fn faulty_nodes(&self) -> impl Iterator<Item = &String> {
        self.nodes.iter().filter(|n| !self.exempt.contains(n))
    }

    /// Every candidate omission `omit(from, to, t)` with `t < eff`, in order.
    pub fn omissions(&self) -> Vec<Fault> {
        let mut out = Vec::new();
        for t in 1..self.eff {
            for from in self.faulty_nodes() {
                for to in self.faulty_nodes() {
                    if from != to {
                        out.push(Fault::Omit {
                            from: from.clone(),
                            to: to.clone(),
                            at: t,
                        });
                    }
                }
            }
        }
        out
    }

    /// Every candidate crash `crash(node, t)` with `1 <= t <= eot` (none if
    /// `crashes == 0`), in order.
    pub fn crash_faults(&self) -> Vec<Fault> {
        if self.crashes == 0 {
            return Vec::new();
        }
        let mut out = Vec::new();
        for n in self.faulty_nodes() {
            for t in 1..=self.eot {
                out.push(Fault::Crash {
                    node: n.clone(),
                    at: t,
                });
            }
        }
        out
    }

    /// How many fault sets exhaustive search enumerates: every subset of
    /// the candidate omissions, times every choice of at most `crashes`
    /// distinct crashing nodes each with a crash tick. Unlike
    /// [`FaultSpace::combinations`] this counts only candidates (non-exempt
    /// nodes, omissions before EFF).
    pub fn candidate_sets(&self) -> f64 {
        let omit = 2f64.powf(self.omissions().len() as f64);
        let nodes = self.faulty_nodes().count() as u64;
        let mut crash = 0f64;
        for k in 0..=(self.crashes as u64).min(nodes) {
            crash += binomial(nodes, k) * (self.eot as f64).powf(k as f64);
        }
        omit * crash
    }

    /// How many of [`FaultSpace::candidate_sets`] have at most `max` faults
    /// (omissions and crashes together): the space a search bounded by a
    /// fault count (`--max-faults`) covers.
    pub fn candidate_sets_at_most(&self, max: usize) -> f64 {
        let omissions = self.omissions().len() as u64;
        let nodes = self.faulty_nodes().count() as u64;
        let mut total = 0f64;
        for c in 0..=(self.crashes as u64).min(nodes).min(max as u64) {
            let crash = binomial(nodes, c) * (self.eot as f64).powf(c as f64);
            let omit: f64 = (0..=(max as u64 - c).min(omissions))
                .map(|o| binomial(omissions, o))
                .sum();
            total += crash * omit;
        }
        total
    }

    /// The size of the exhaustive space as Molly reports it:
    /// `C(N,c) · (2^(N−1))^(EFF·(N−c)) · (Σ_{t=1}^{EOT+1} 2^((N−1)·min(EFF,t−1)))^c`,
    /// as a float (it overflows integers quickly).
    pub fn combinations(&self) -> f64 {
        let n = self.nodes.len() as f64;
        let c = self.crashes as f64;
        let eff = self.eff as f64;
        let choose = binomial(self.nodes.len() as u64, self.crashes as u64);
        let omit = 2f64.powf((n - 1.0) * eff * (n - c));
        let mut sum = 0f64;
        for t in 1..=(self.eot + 1) {
            let m = (self.eff.min(t - 1)) as f64;
            sum += 2f64.powf((n - 1.0) * m);
        }
        choose * omit * sum.powf(c)
    }
}

/// The restarts a search may inject, beside a [`FaultSpace`] (kept apart
/// from it so that code building a `FaultSpace` field by field keeps
/// compiling): `restart(n, t)` for every node `n` of `nodes` that the
/// space lets fail and `2 <= t <= eot` (a restart at tick 1 changes
/// nothing); at most one restart per node, at most `budget` restarting
/// nodes, and never a node that also crashes. The default allows none.
///
/// A restart is the node losing its volatile state and starting again at
/// once (`on_start`); lineage reads it in [`crate::restarts`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestartSpace {
    /// Nodes that may restart (a protocol's declaration), protocol order.
    pub nodes: Vec<String>,
    /// At most this many nodes restart in one run (0: no restarts).
    pub budget: u32,
}

impl RestartSpace {
    /// The nodes of `space` that may restart: in `nodes`, not exempt, in
    /// the space's order, without duplicates; none if the budget is 0.
    pub fn restartable(&self, space: &FaultSpace) -> Vec<String> {
        if self.budget == 0 {
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for n in space.faulty_nodes() {
            if self.nodes.contains(n) && !out.contains(n) {
                out.push(n.clone());
            }
        }
        out
    }

    /// Every candidate restart, node by node, tick by tick.
    pub fn candidates(&self, space: &FaultSpace) -> Vec<Fault> {
        let mut out = Vec::new();
        for node in self.restartable(space) {
            for at in 2..=space.eot {
                out.push(Fault::Restart {
                    node: node.clone(),
                    at,
                });
            }
        }
        out
    }

    /// How many fault sets of `space` with these restarts exhaustive search
    /// enumerates (of at most `max` faults, if given): every subset of the
    /// omissions, times every choice of distinct crashing nodes (at most
    /// `crashes`) and distinct restarting nodes (at most `budget`, none of
    /// them crashing), each with its tick.
    pub fn candidate_sets(&self, space: &FaultSpace, max: Option<usize>) -> f64 {
        let mut faulty: Vec<&String> = Vec::new();
        for n in space.faulty_nodes() {
            if !faulty.contains(&n) {
                faulty.push(n);
            }
        }
        let nodes = faulty.len() as u64;
        let r_nodes = self.restartable(space).len() as u64;
        let omissions = space.omissions().len() as u64;
        let eot = space.eot as f64;
        let omit = |left: Option<u64>| -> f64 {
            match left {
                Some(m) if m < omissions => (0..=m).map(|o| binomial(omissions, o)).sum(),
                _ => 2f64.powf(omissions as f64),
            }
        };
        let mut total = 0f64;
        for c in 0..=(space.crashes as u64).min(nodes) {
            // j of the c crashing nodes are restartable ones.
            for j in 0..=c.min(r_nodes) {
                let crash =
                    binomial(r_nodes, j) * binomial(nodes - r_nodes, c - j) * eot.powf(c as f64);
                for r in 0..=(self.budget as u64).min(r_nodes - j) {
                    let restart = binomial(r_nodes - j, r) * (eot - 1.0).max(0.0).powf(r as f64);
                    let left = match max {
                        Some(m) if (m as u64) < c + r => continue,
                        Some(m) => Some(m as u64 - c - r),
                        None => None,
                    };
                    total += crash * restart * omit(left);
                }
            }
        }
        total
    }
}

fn binomial(n: u64, k: u64) -> f64 {
    if k > n {
        return 0.0;
    }
    let mut r = 1f64;
    for i in 0..k {
        r = r * (n - i) as f64 / (i + 1) as f64;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(eot: Tick, eff: Tick, crashes: u32) -> FaultSpace {
        FaultSpace {
            nodes: vec!["a".into(), "b".into(), "c".into()],
            eot,
            eff,
            crashes,
            exempt: vec![],
        }
    }

    #[test]
    fn combinations_match_molly_tables() {
        // SIGMOD 2015, figure 12: simple-deliv 4/2/0 = 4.10e3,
        // retry-deliv 4/2/1 = 4.07e4, classic 5/3/0 = 2.62e5.
        let close = |x: f64, y: f64| (x / y - 1.0).abs() < 0.01;
        assert!(close(space(4, 2, 0).combinations(), 4.096e3));
        assert!(close(space(4, 2, 1).combinations(), 4.07e4));
        assert!(close(space(5, 3, 0).combinations(), 2.62e5));
        assert!(close(space(11, 10, 1).combinations(), 8.07e18));
        assert!(close(space(8, 7, 1).combinations(), 3.08e13));
    }

    #[test]
    fn capped_count_sums_the_sizes_up_to_the_cap() {
        // 3 nodes, EFF 2: 6 omissions (tick 1); 1 crash of 3 nodes × 4 ticks.
        let s = space(4, 2, 1);
        assert_eq!(s.candidate_sets_at_most(0), 1.0);
        // 6 single omissions + 12 single crashes.
        assert_eq!(s.candidate_sets_at_most(1), 1.0 + 6.0 + 12.0);
        // pairs: C(6,2) omissions + 6 × 12 omission-and-crash.
        assert_eq!(s.candidate_sets_at_most(2), 19.0 + 15.0 + 72.0);
        // A cap above every set's size counts the whole space.
        assert_eq!(s.candidate_sets_at_most(100), s.candidate_sets());
    }

    #[test]
    fn fault_set_is_canonical() {
        let a = Fault::Crash {
            node: "a".into(),
            at: 2,
        };
        let b = Fault::Omit {
            from: "a".into(),
            to: "b".into(),
            at: 1,
        };
        let s1: FaultSet = [a.clone(), b.clone()].into_iter().collect();
        let s2: FaultSet = [b.clone(), a.clone(), b].into_iter().collect();
        assert_eq!(s1, s2);
        assert_eq!(s1.len(), 2);
    }
}
