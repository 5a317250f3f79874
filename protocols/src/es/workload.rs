//! The workloads: which client writes the environment gives `C`, when.

use super::msg::Msg;
use super::CLIENT;
use ldfi_harness::{Input, Tick};

/// One write at tick 1.
pub const SINGLE: &str = "single";
/// Two writes at tick 1, so their replication interleaves.
pub const CONCURRENT: &str = "concurrent";
/// One write at tick 1 and one at [`SECOND_WRITE_AT`], after any failover,
/// so a new primary assigns a sequence number (the default).
pub const FAILOVER_THEN_WRITE: &str = "failover-then-write";

/// Every workload, the default last.
pub const WORKLOADS: [&str; 3] = [SINGLE, CONCURRENT, FAILOVER_THEN_WRITE];

/// The tick of the second write of `failover-then-write`. A primary that
/// crashes before it can fail a lagging copy (tick 5 at the latest: the
/// first write is replicated at tick 2 and times out at `2 + 3`) is
/// replaced, and `C` told, by tick 7; `C` sends at the end of the tick.
pub const SECOND_WRITE_AT: Tick = 7;

fn write(at: Tick, id: &str, payload: &str) -> Input<Msg> {
    Input {
        at,
        node: CLIENT.into(),
        msg: Msg::Write {
            id: id.into(),
            payload: payload.into(),
        },
    }
}

/// The inputs of `workload`.
///
/// # Panics
/// On an unknown workload (the runner validates names first).
pub fn inputs(workload: &str) -> Vec<Input<Msg>> {
    match workload {
        SINGLE => vec![write(1, "w1", "a")],
        CONCURRENT => vec![write(1, "w1", "a"), write(1, "w2", "b")],
        FAILOVER_THEN_WRITE => vec![write(1, "w1", "a"), write(SECOND_WRITE_AT, "w2", "b")],
        other => panic!("es-replication has no workload `{other}`"),
    }
}
