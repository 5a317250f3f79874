//! Typed errors: each names the fault, field or rule at fault.

use thiserror::Error;

/// A fault that the run's bounds do not allow.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FaultError {
    /// A fault names a node the protocol does not have.
    #[error("fault {fault}: unknown node `{node}` (nodes: {known})")]
    UnknownNode {
        /// The fault.
        fault: String,
        /// The unknown name.
        node: String,
        /// The nodes there are.
        known: String,
    },
    /// A fault targets a node the protocol exempts from faults.
    #[error("fault {fault}: node `{node}` is exempt from faults in this protocol")]
    Exempt {
        /// The fault.
        fault: String,
        /// The exempt node.
        node: String,
    },
    /// A tick outside `1..=EOT`.
    #[error("fault {fault}: tick {tick} is outside 1..={eot} (EOT = {eot})")]
    TickOutOfRange {
        /// The fault.
        fault: String,
        /// The tick.
        tick: u32,
        /// End of time.
        eot: u32,
    },
    /// An omission at or after EFF.
    #[error("fault {fault}: omissions are allowed only at ticks before EFF = {eff}")]
    OmitAtOrAfterEff {
        /// The fault.
        fault: String,
        /// End of finite failures.
        eff: u32,
    },
    /// More crashing nodes than `crashes` allows.
    #[error("{crashing} nodes crash but at most crashes = {allowed} may")]
    TooManyCrashes {
        /// How many crash.
        crashing: usize,
        /// How many may.
        allowed: u32,
    },
    /// Two crash faults for one node.
    #[error("node `{node}` crashes twice (at most one crash per node)")]
    CrashTwice {
        /// The node.
        node: String,
    },
    /// A fault no network could apply (to a node's own messages, or a
    /// partition with an empty or overlapping side).
    #[error("fault {fault}: {message}")]
    Invalid {
        /// The fault.
        fault: String,
        /// Why.
        message: String,
    },
    /// A partition whose `until` is not after `from`.
    #[error("fault {fault}: a partition needs until > from")]
    EmptyPartition {
        /// The fault.
        fault: String,
    },
}

/// Why a run could not start.
#[derive(Debug, Error)]
pub enum RunError {
    /// The protocol has no such version.
    #[error("unknown version `{version}` of {protocol} (versions: {known})")]
    UnknownVersion {
        /// Protocol.
        protocol: String,
        /// Asked for.
        version: String,
        /// What there is.
        known: String,
    },
    /// The protocol has no such workload.
    #[error("unknown workload `{workload}` of {protocol} (workloads: {known})")]
    UnknownWorkload {
        /// Protocol.
        protocol: String,
        /// Asked for.
        workload: String,
        /// What there is.
        known: String,
    },
    /// Bad parameters.
    #[error("bad parameters: {0}")]
    Params(String),
    /// A fault the bounds do not allow.
    #[error(transparent)]
    Fault(#[from] FaultError),
    /// Only predicates were to decide, and the protocol has none.
    #[error(
        "--checks enforcement: {protocol} declares no enforcement predicates \
         (give --spec FILE, or check invariants)"
    )]
    NoPredicates {
        /// The protocol.
        protocol: String,
    },
    /// The enforcement spec does not parse (`file:line:col: what`).
    #[error("enforcement spec: {0}")]
    Spec(String),
    /// The simulator failed (a bug).
    #[error("simulation failed: {0}")]
    Sim(String),
    /// A message from a real process cannot be read (the dataplane).
    #[error("dataplane: {0}")]
    Wire(String),
}
