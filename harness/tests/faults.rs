//! Each fault of a schedule does exactly what it says, observed in the
//! trace of a tiny protocol: `a` sends `Ping(t)` to `b` every tick; `b`
//! counts what it receives and derives `got(b, t)` for each.

use ldfi_harness::{
    run, Ctx, Event, Fact, Fault, FaultSet, Input, Invariant, Loss, Node, NodeId, Params, Prop,
    Protocol, ProtocolInfo, RunConfig, Setup,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
enum Msg {
    Ping(u32),
}

#[derive(Default)]
struct Pinger {
    started: u32,
}

impl Node<Msg> for Pinger {
    fn on_start(&mut self, ctx: &mut Ctx<'_, Msg>) {
        self.started += 1;
        ctx.derive(Fact::new(
            "started",
            [ctx.name(ctx.me()).to_string(), self.started.to_string()],
        ));
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, _from: NodeId, Msg::Ping(t): Msg) {
        let me = ctx.name(ctx.me()).to_string();
        ctx.because([]);
        ctx.derive(Fact::new("got", [me, t.to_string()]));
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if ctx.name(ctx.me()) == "a" {
            let b = ctx.node("b");
            let now = ctx.now();
            ctx.send(b, Msg::Ping(now));
        }
    }
}

struct Ping;

impl Protocol for Ping {
    type Msg = Msg;
    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: "ping".into(),
            summary: "a pings b every tick".into(),
            versions: vec!["v1".into()],
            default_version: "v1".into(),
            workloads: vec!["w".into()],
            default_workload: "w".into(),
            nodes: vec!["a".into(), "b".into()],
            exempt: vec![],
            params: Params {
                eot: 6,
                eff: 6,
                crashes: 1,
            },
        }
    }
    fn nodes(&self, setup: &Setup) -> Vec<Box<dyn Node<Msg>>> {
        setup
            .nodes
            .iter()
            .map(|_| Box::new(Pinger::default()) as Box<dyn Node<Msg>>)
            .collect()
    }
    fn inputs(&self, _: &Setup) -> Vec<Input<Msg>> {
        Vec::new()
    }
    fn invariants(&self, _: &Setup) -> Vec<Invariant> {
        vec![Invariant::new("got-first", |_| {
            (Prop::True, Prop::Holds(Fact::new("got", ["b", "1"])))
        })]
    }
}

fn trace(faults: Vec<Fault>) -> ldfi_harness::Run {
    let cfg = RunConfig {
        version: "v1".into(),
        workload: "w".into(),
        params: Params {
            eot: 6,
            eff: 6,
            crashes: 1,
        },
        seed: 0,
        faults: faults.into_iter().collect::<FaultSet>(),
        lineage: Default::default(),
        checks: Default::default(),
        crash: Default::default(),
        inputs: None,
    };
    run(&Ping, &cfg).expect("runs")
}

/// (sent tick, delivery tick) of every delivery to b.
fn deliveries(r: &ldfi_harness::Run) -> Vec<(u32, u32)> {
    r.trace
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Deliver { id, at, .. } => Some((id.sent, *at)),
            _ => None,
        })
        .collect()
}

fn losses(r: &ldfi_harness::Run) -> Vec<(u32, Loss)> {
    r.trace
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Lost { id, reason, .. } => Some((id.sent, *reason)),
            _ => None,
        })
        .collect()
}

fn ab(at: u32) -> (String, String, u32) {
    ("a".into(), "b".into(), at)
}

#[test]
fn fault_free_messages_take_one_tick() {
    let r = trace(vec![]);
    assert_eq!(deliveries(&r), [(1, 2), (2, 3), (3, 4), (4, 5), (5, 6)]);
    assert_eq!(losses(&r), [(6, Loss::AfterEot)]);
}

#[test]
fn omit_loses_exactly_one_send() {
    let (from, to, at) = ab(2);
    let r = trace(vec![Fault::Omit { from, to, at }]);
    assert_eq!(deliveries(&r), [(1, 2), (3, 4), (4, 5), (5, 6)]);
    assert!(losses(&r).contains(&(2, Loss::Omitted)));
}

#[test]
fn delay_adds_ticks_and_duplicate_delivers_twice() {
    let (from, to, at) = ab(1);
    let r = trace(vec![Fault::Delay {
        from,
        to,
        at,
        ticks: 2,
    }]);
    assert_eq!(deliveries(&r), [(2, 3), (1, 4), (3, 4), (4, 5), (5, 6)]);
    let (from, to, at) = ab(2);
    let r = trace(vec![Fault::Duplicate { from, to, at }]);
    assert_eq!(
        deliveries(&r),
        [(1, 2), (2, 3), (2, 4), (3, 4), (4, 5), (5, 6)]
    );
}

#[test]
fn partition_cuts_both_ways_for_its_ticks() {
    let r = trace(vec![Fault::Partition {
        a: vec!["a".into()],
        b: vec!["b".into()],
        from: 2,
        until: 4,
    }]);
    assert_eq!(deliveries(&r), [(1, 2), (4, 5), (5, 6)]);
    assert!(
        losses(&r).contains(&(2, Loss::Partitioned))
            && losses(&r).contains(&(3, Loss::Partitioned))
    );
}

#[test]
fn crash_stops_sending_and_receiving() {
    // b down from tick 3: what arrives then is lost; a down from 3: no sends.
    let r = trace(vec![Fault::Crash {
        node: "b".into(),
        at: 3,
    }]);
    assert_eq!(deliveries(&r), [(1, 2)]);
    assert!(losses(&r).contains(&(2, Loss::ReceiverDown)));
    assert!(r.end.crashed("b"));
    let r = trace(vec![Fault::Crash {
        node: "a".into(),
        at: 3,
    }]);
    assert_eq!(deliveries(&r), [(1, 2), (2, 3)]);
}

#[test]
fn restart_starts_the_node_afresh() {
    let r = trace(vec![Fault::Restart {
        node: "b".into(),
        at: 4,
    }]);
    assert!(r.end.holds(&Fact::new("started", ["b", "1"])));
    // A fresh node: on_start runs again and its counter starts again at 1.
    let started_1 = r
        .trace
        .events
        .iter()
        .filter(|e| matches!(e, Event::Derive { fact, .. } if *fact == Fact::new("started", ["b", "1"])))
        .count();
    assert_eq!(started_1, 2);
    assert!(!r.end.holds(&Fact::new("started", ["b", "2"])));
    assert!(!r.end.crashed("b"));
    assert_eq!(
        deliveries(&r).len(),
        5,
        "a restart loses no message by itself"
    );
}

#[test]
fn declared_causes_are_recorded() {
    let r = trace(vec![]);
    let got = r.trace.events.iter().find_map(|e| match e {
        Event::Derive { fact, causes, .. } if fact.rel == "got" => Some(causes.clone()),
        _ => None,
    });
    let causes = got.expect("b derived got(b, 1)");
    assert_eq!(
        causes.len(),
        1,
        "because([]) in a message handler: the message alone"
    );
    assert!(matches!(causes[0], ldfi_harness::Cause::Msg(_)));
}

proptest::proptest! {
    /// Tick arithmetic never wraps: a message delayed by any number of
    /// ticks arrives at `at + 1 + ticks` if that is within EOT, and never
    /// otherwise — `u32::MAX` ticks included (it once wrapped to tick 2).
    #[test]
    fn a_delay_never_wraps_around(
        at in 1u32..=6,
        ticks in proptest::prop_oneof![0u32..8, (u32::MAX - 8)..=u32::MAX, proptest::num::u32::ANY],
    ) {
        let r = trace(vec![Fault::Delay { from: "a".into(), to: "b".into(), at, ticks }]);
        let got = r.end.holds(&Fact::new("got", ["b".to_string(), at.to_string()]));
        let arrives = u64::from(at) + 1 + u64::from(ticks) <= 6;
        proptest::prop_assert_eq!(got, arrives, "delay({}, {})", at, ticks);
    }
}

/// `Ping` with an enforcement spec that does not parse.
struct BrokenSpec;

impl Protocol for BrokenSpec {
    type Msg = Msg;
    fn info(&self) -> ProtocolInfo {
        Ping.info()
    }
    fn nodes(&self, setup: &Setup) -> Vec<Box<dyn Node<Msg>>> {
        Ping.nodes(setup)
    }
    fn inputs(&self, setup: &Setup) -> Vec<Input<Msg>> {
        Ping.inputs(setup)
    }
    fn invariants(&self, setup: &Setup) -> Vec<Invariant> {
        Ping.invariants(setup)
    }
    fn enforcement(
        &self,
        _: &Setup,
    ) -> Result<Option<ldfi_harness::ldfi_enforce::Spec>, ldfi_harness::ldfi_enforce::SpecError>
    {
        ldfi_harness::ldfi_enforce::Spec::parse("broken.spec", "rule r {\n  never [").map(Some)
    }
}

#[test]
fn a_broken_spec_is_an_error_of_the_run_not_a_panic() {
    let cfg = RunConfig {
        version: "v1".into(),
        workload: "w".into(),
        params: Ping.info().params,
        seed: 0,
        faults: FaultSet::new(),
        lineage: Default::default(),
        checks: Default::default(),
        crash: Default::default(),
        inputs: None,
    };
    let e = run(&BrokenSpec, &cfg).expect_err("the spec does not parse");
    assert!(matches!(e, ldfi_harness::RunError::Spec(_)), "{e}");
    assert!(e.to_string().contains("broken.spec:2:"), "{e}");
    // Checking invariants only never reads the spec.
    let only = RunConfig {
        checks: ldfi_harness::Checks::Invariants,
        ..cfg
    };
    run(&BrokenSpec, &only).expect("runs");
}
