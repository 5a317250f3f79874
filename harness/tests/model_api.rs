//! The model API's tick structure and its soundness hooks, each observed on
//! a tiny protocol: self-delivery at `t+1`, timers (set, cancel, order),
//! retraction, `molly` crash semantics, and a deliberately wrong `because`
//! that the default search catches and names.

use ldfi_harness::search::{
    assert_certified, assert_counterexample, search, Assurance, Conclusion, SearchConfig,
};
use ldfi_harness::{
    run, CrashMode, Ctx, Event, Fact, Fault, FaultSet, Input, Invariant, Node, NodeId, Params,
    Prop, Protocol, ProtocolInfo, RunConfig, Setup,
};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
enum Msg {
    Go,
    Note(u32),
}

/// What each test's node does, chosen by the protocol's version.
#[derive(Clone, Copy, PartialEq)]
enum Script {
    /// `a` sends itself `Note(t)` on every tick up to 3 and logs what arrives.
    SelfSend,
    /// `a` sets timers `x` (2 ticks) and `y` (2 ticks) at tick 1, cancels
    /// `y` at tick 2, and sets `z` for tick 3; logs each firing.
    Timers,
    /// `b` logs `Note`s; `a` sends `Note(1)` at 1 and `b` retracts it when
    /// `Go` arrives from `a` at tick 3.
    Retract,
    /// `b` needs `Note` from `a` *and* `Go` from `c` to derive `done`, but
    /// declares only the message it is handling (a wrong `because`).
    WrongBecause,
    /// `b` pings `a` at tick 1; `a`'s timer raises `alarm(a)` at tick 3
    /// unless the ping arrived. Invariant: no alarm is ever raised — its
    /// `pre` (`alarm(a)`) is false in the fault-free run.
    Alarm,
}

struct Tiny(Script);

struct N {
    script: Script,
    notes: u32,
    go: bool,
}

fn me(ctx: &Ctx<'_, Msg>) -> String {
    ctx.name(ctx.me()).to_string()
}

impl Node<Msg> for N {
    fn on_start(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if self.script == Script::Alarm {
            match me(ctx).as_str() {
                "a" => ctx.set_timer("watchdog", 2),
                "b" => {
                    let a = ctx.node("a");
                    ctx.send(a, Msg::Go);
                }
                _ => {}
            }
        }
        if self.script == Script::Timers && me(ctx) == "a" {
            ctx.set_timer("x", 2);
            ctx.set_timer("y", 2);
        }
    }

    fn on_tick_start(&mut self, ctx: &mut Ctx<'_, Msg>) {
        if self.script == Script::Timers && me(ctx) == "a" && ctx.now() == 2 {
            assert!(ctx.cancel_timer("y"));
            assert!(!ctx.cancel_timer("nope"));
            ctx.set_timer("z", 1);
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        let who = me(ctx);
        match (self.script, msg) {
            (Script::SelfSend, Msg::Note(t)) => {
                let now = ctx.now().to_string();
                ctx.derive(Fact::new("arrived", [t.to_string(), now]));
            }
            (Script::Retract, Msg::Note(t)) => {
                ctx.derive(Fact::new("log", [who.clone(), t.to_string()]))
            }
            (Script::Retract, Msg::Go) if who == "b" => {
                ctx.retract(Fact::new("log", ["b", "1"]));
            }
            (Script::Alarm, Msg::Go) => self.go = true,
            (Script::WrongBecause, Msg::Note(_)) => self.notes += 1,
            (Script::WrongBecause, Msg::Go) if from != NodeId::ENV => self.go = true,
            (Script::WrongBecause, Msg::Go) => {
                let b = ctx.node("b");
                ctx.send(b, if who == "a" { Msg::Note(1) } else { Msg::Go });
            }
            _ => {}
        }
        if self.script == Script::WrongBecause && who == "b" && self.notes > 0 && self.go {
            ctx.because([]); // wrong: `done` needs the Note as well
            ctx.derive(Fact::new("done", ["b"]));
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Msg>, name: &str) {
        if self.script == Script::Alarm {
            if !self.go {
                ctx.derive(Fact::new("alarm", ["a"]));
            }
            return;
        }
        let now = ctx.now().to_string();
        ctx.derive(Fact::new("fired", [name, now.as_str()]));
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_, Msg>) {
        let now = ctx.now();
        match self.script {
            Script::SelfSend if me(ctx) == "a" && now <= 3 => {
                let a = ctx.me();
                ctx.send(a, Msg::Note(now));
            }
            Script::Retract if me(ctx) == "a" && (now == 1 || now == 2) => {
                let b = ctx.node("b");
                ctx.send(b, if now == 1 { Msg::Note(1) } else { Msg::Go });
            }
            _ => {}
        }
    }
}

impl Protocol for Tiny {
    type Msg = Msg;
    fn info(&self) -> ProtocolInfo {
        ProtocolInfo {
            name: "tiny".into(),
            summary: "model API checks".into(),
            versions: vec!["v1".into()],
            default_version: "v1".into(),
            workloads: vec!["w".into()],
            default_workload: "w".into(),
            nodes: vec!["a".into(), "b".into(), "c".into()],
            // In the wrong-`because` protocol `c`'s `Go` cannot be lost, so
            // the declared lineage (only `Go`) looks unbreakable.
            exempt: vec!["c".into()],
            params: Params {
                eot: 5,
                eff: 3,
                crashes: 1,
            },
        }
    }
    fn nodes(&self, setup: &Setup) -> Vec<Box<dyn Node<Msg>>> {
        (setup.nodes.iter())
            .map(|_| {
                Box::new(N {
                    script: self.0,
                    notes: 0,
                    go: false,
                }) as Box<dyn Node<Msg>>
            })
            .collect()
    }
    fn inputs(&self, _: &Setup) -> Vec<Input<Msg>> {
        if self.0 != Script::WrongBecause {
            return Vec::new();
        }
        ["a", "c"]
            .into_iter()
            .map(|n| Input {
                at: 1,
                node: n.into(),
                msg: Msg::Go,
            })
            .collect()
    }
    fn invariants(&self, _: &Setup) -> Vec<Invariant> {
        if self.0 == Script::Alarm {
            return vec![Invariant::new("no-alarm", |_| {
                let alarm = Prop::Holds(Fact::new("alarm", ["a"]));
                (alarm, Prop::False)
            })];
        }
        vec![Invariant::new("done", |end| {
            let b = end.node("b");
            (
                Prop::True,
                Prop::Or(vec![
                    Prop::Crashed(b),
                    Prop::HoldsAt(b, Fact::new("done", ["b"])),
                ]),
            )
        })]
    }
}

fn cfg(faults: Vec<Fault>, crash: CrashMode) -> RunConfig {
    RunConfig {
        version: "v1".into(),
        workload: "w".into(),
        params: Tiny(Script::SelfSend).info().params,
        seed: 0,
        faults: faults.into_iter().collect::<FaultSet>(),
        lineage: Default::default(),
        checks: Default::default(),
        crash,
        inputs: None,
    }
}

fn derived(events: &[Event]) -> Vec<String> {
    (events.iter())
        .filter_map(|e| match e {
            Event::Derive { fact, .. } => Some(fact.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_message_to_oneself_arrives_at_the_next_tick() {
    let r = run(&Tiny(Script::SelfSend), &cfg(vec![], CrashMode::Stop)).expect("runs");
    assert_eq!(
        derived(&r.trace.events),
        ["arrived(1, 2)", "arrived(2, 3)", "arrived(3, 4)"]
    );
}

#[test]
fn timers_fire_after_their_delay_unless_cancelled_in_name_order() {
    let r = run(&Tiny(Script::Timers), &cfg(vec![], CrashMode::Stop)).expect("runs");
    assert_eq!(derived(&r.trace.events), ["fired(x, 3)", "fired(z, 3)"]);
    let timers = (r.trace.events.iter())
        .filter(|e| matches!(e, Event::Timer { .. }))
        .count();
    assert_eq!(timers, 2);
    let crashed = run(
        &Tiny(Script::Timers),
        &cfg(
            vec![Fault::Crash {
                node: "a".into(),
                at: 3,
            }],
            CrashMode::Stop,
        ),
    )
    .expect("runs");
    assert!(
        derived(&crashed.trace.events).is_empty(),
        "a down node's timers do not fire"
    );
}

#[test]
fn a_retracted_fact_does_not_hold_and_losing_the_retraction_makes_it_hold() {
    let p = Tiny(Script::Retract);
    let r = run(&p, &cfg(vec![], CrashMode::Stop)).expect("runs");
    let log = Fact::new("log", ["b", "1"]);
    assert!(!r.end.holds(&log), "retracted at tick 3");
    let lost = Fault::Omit {
        from: "a".into(),
        to: "b".into(),
        at: 2,
    };
    let r2 = run(&p, &cfg(vec![lost.clone()], CrashMode::Stop)).expect("runs");
    assert!(r2.end.holds(&log), "without the Go, nothing retracts it");
    // The lineage of the absence rests on the retraction's cause.
    let g = ldfi_lineage::lineage_with(&r.trace, &Prop::not(Prop::Holds(log)), &Default::default());
    assert!(g.holds_under(&FaultSet::new()));
    assert!(!g.holds_under(&[lost].into_iter().collect()));
}

#[test]
fn molly_crashes_stop_sends_but_not_receipt_or_derivation() {
    let p = Tiny(Script::Retract);
    let crash_b = vec![Fault::Crash {
        node: "b".into(),
        at: 2,
    }];
    let stop = run(&p, &cfg(crash_b.clone(), CrashMode::Stop)).expect("runs");
    let molly = run(&p, &cfg(crash_b, CrashMode::Molly)).expect("runs");
    let log = Fact::new("log", ["b", "1"]);
    assert!(
        !stop.end.holds(&log),
        "stop: b receives nothing from tick 2"
    );
    // molly: b still receives Note(1) at 2 and Go at 3 (and retracts).
    assert_eq!(derived(&molly.trace.events), ["log(b, 1)"]);
    assert!(molly
        .trace
        .events
        .iter()
        .any(|e| matches!(e, Event::Retract { .. })));
    let crash_a = vec![Fault::Crash {
        node: "a".into(),
        at: 1,
    }];
    let molly_a = run(&p, &cfg(crash_a, CrashMode::Molly)).expect("runs");
    assert!(
        derived(&molly_a.trace.events).is_empty(),
        "a crashed sender's messages are lost"
    );
    assert!(molly_a.trace.events.iter().any(|e| matches!(
        e,
        Event::Lost {
            reason: ldfi_harness::Loss::SenderDown,
            ..
        }
    )));
}

#[test]
fn a_wrong_because_is_certified_alone_and_caught_by_default_with_its_line() {
    let p = Tiny(Script::WrongBecause);
    let params = p.info().params;
    let mut trusting = SearchConfig::new("v1", "w", params);
    trusting.confirm = false;
    let alone = search(&p, &trusting, &mut |_| {}).expect("search");
    assert_eq!(alone.conclusion, Conclusion::Certified);
    assert_eq!(alone.assurance, Assurance::Declared);

    let r = search(&p, &SearchConfig::new("v1", "w", params), &mut |_| {}).expect("search");
    assert_eq!(r.conclusion, Conclusion::Counterexample);
    let cex = &r.counterexamples[0];
    assert!(cex.run.verdict.is_violated());
    assert_eq!(cex.config.faults.len(), 1, "{}", cex.config.faults);
    let d = r
        .disagreement
        .as_ref()
        .expect("the disagreement is reported");
    let culprit = d.culprit.as_deref().expect("the declaration is named");
    let line = include_str!("model_api.rs")
        .lines()
        .position(|l| l.contains("ctx.because([]); // wrong"))
        .expect("the line")
        + 1;
    assert!(
        culprit.starts_with(&format!("harness/tests/model_api.rs:{line}")),
        "{culprit}"
    );
}

#[test]
fn a_vacuous_fault_free_run_starts_the_search_instead_of_stopping_it() {
    let p = Tiny(Script::Alarm);
    let r = search(
        &p,
        &SearchConfig::new("v1", "w", p.info().params),
        &mut |_| {},
    )
    .expect("a vacuous fault-free run is not an error");
    assert!(r.fault_free_vacuous);
    assert_eq!(r.conclusion, Conclusion::Counterexample);
    let faults = r.counterexamples[0].config.faults.to_string();
    assert!(
        faults == "{omit(b, a, 1)}" || faults == "{crash(b, 1)}",
        "{faults}"
    );
}

#[test]
fn assert_certified_is_backed_by_the_confirmation() {
    let p = Tiny(Script::WrongBecause);
    let params = p.info().params;
    let mut trusting = SearchConfig::new("v1", "w", params);
    trusting.confirm = false;
    assert_certified(&p, &trusting); // declarations trusted: passes
    let caught = std::panic::catch_unwind(|| {
        assert_certified(&p, &SearchConfig::new("v1", "w", params));
    });
    let message = *caught
        .expect_err("the default assertion fails")
        .downcast::<String>()
        .expect("a message");
    assert!(message.contains("violates      done"), "{message}");
    assert!(message.contains("model_api.rs:"), "{message}");
    // A command that replays it with the workspace's `ldfi` binary.
    assert!(message.contains("--bin ldfi -- replay"), "{message}");
    let r = assert_counterexample(&p, &SearchConfig::new("v1", "w", params));
    assert_eq!(r.counterexamples[0].config.faults.len(), 1);
}
