//! The search keeps one goal per invariant. Here `b` relays a ping from `a`
//! and also logs a local fact no fault can break. With a single conjunction
//! of every good run's outcomes, the unbreakable one would certify the
//! protocol at once; with goals per invariant, the lost ping is found.

use ldfi_harness::search::{search, Conclusion, SearchConfig, Strategy};
use ldfi_harness::{
    registry::Registry, Checks, Ctx, Fact, Input, Invariant, LineageMode, Node, NodeId, Params,
    Prop, Protocol, ProtocolInfo, Setup,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
enum Msg {
    Go,
    Ping,
}

struct Relay;

impl Node<Msg> for Relay {
    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        let me = ctx.name(ctx.me()).to_string();
        ctx.because([]);
        match msg {
            // a is asked to start: it pings b, and b logs `local` by itself.
            Msg::Go if me == "a" => ctx.send(ctx.node("b"), Msg::Ping),
            Msg::Go => ctx.derive(Fact::new("local", [me])),
            Msg::Ping => ctx.derive(Fact::new("pinged", [me, ctx.name(from).to_string()])),
        }
    }
}

struct TwoInvariants;

impl Protocol for TwoInvariants {
    type Msg = Msg;
    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: "two-invariants".into(),
            summary: "one breakable invariant, one not".into(),
            versions: vec!["v1".into()],
            default_version: "v1".into(),
            workloads: vec!["w".into()],
            default_workload: "w".into(),
            nodes: vec!["a".into(), "b".into()],
            exempt: vec![],
            params: Params {
                eot: 3,
                eff: 2,
                crashes: 0,
            },
        }
    }
    fn nodes(&self, s: &Setup) -> Vec<Box<dyn Node<Msg>>> {
        s.nodes
            .iter()
            .map(|_| Box::new(Relay) as Box<dyn Node<Msg>>)
            .collect()
    }
    fn inputs(&self, _: &Setup) -> Vec<Input<Msg>> {
        ["a", "b"]
            .map(|n| Input {
                at: 1,
                node: n.into(),
                msg: Msg::Go,
            })
            .into()
    }
    fn invariants(&self, _: &Setup) -> Vec<Invariant> {
        vec![
            // Always promised, never breakable by omissions: `local(b)`.
            Invariant::new("local", |_| {
                (Prop::True, Prop::Holds(Fact::new("local", ["b"])))
            }),
            // Promised once b started: b hears from a. Breakable.
            Invariant::new("heard", |end| {
                let pre = if end.holds(&Fact::new("local", ["b"])) {
                    Prop::True
                } else {
                    Prop::False
                };
                (pre, Prop::Holds(Fact::new("pinged", ["b", "a"])))
            }),
        ]
    }
}

#[test]
fn an_unbreakable_invariant_does_not_hide_a_breakable_one() {
    let mut reg = Registry::new();
    reg.add(TwoInvariants);
    let p = reg.get("two-invariants").expect("registered");
    let cfg = SearchConfig {
        version: "v1".into(),
        workload: "w".into(),
        params: Params {
            eot: 3,
            eff: 2,
            crashes: 0,
        },
        seed: 0,
        strategy: Strategy::Ldfi,
        max_runs: None,
        all_counterexamples: false,
        lineage: LineageMode::Declared,
        checks: Checks::All,
        exhaustive_limit: 1e6,
        crash: Default::default(),
        inputs: None,
        confirm: true,
        confirm_max_runs: Some(ldfi_harness::search::CONFIRM_MAX_RUNS),
        minimize: true,
    };
    let r = search(p, &cfg, &mut |_| {}).expect("search runs");
    assert_eq!(r.conclusion, Conclusion::Counterexample);
    assert_eq!(r.counterexamples[0].invariant(), "heard");
    assert_eq!(
        r.counterexamples[0].config.faults.to_string(),
        "{omit(a, b, 1)}"
    );
    assert_eq!(r.executions, 2);
}
