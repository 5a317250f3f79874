//! The interpreter of generated programs: a deterministic state machine
//! whose only state is the facts it holds and its pending timers (both kept
//! by the harness).

use super::program::{Action, Cond, Msg, Pat, Rule, To, Trigger};
use crate::ctx::{Ctx, NodeId};
use crate::model::Node;
use ldfi_lineage::Fact;
use std::sync::Arc;

/// A node running a generated program.
pub struct ProgramNode {
    rules: Arc<[Rule]>,
    declared: bool,
    /// Per rule: the facts its `else` branch derives that nothing else in
    /// the program derives — what taking `then` guards against.
    guards: Vec<Vec<Pat>>,
}

impl ProgramNode {
    /// A node running `rules`; with `declared`, every rule that acts says
    /// why with `because` and `guard` (see [`ProgramNode::fire`]).
    pub fn new(rules: Arc<[Rule]>, declared: bool) -> Self {
        let guards = rules
            .iter()
            .enumerate()
            .map(|(i, r)| guardable(&rules, i, r))
            .collect();
        ProgramNode {
            rules,
            declared,
            guards,
        }
    }

    /// Runs every rule whose trigger matches `on`, in order.
    ///
    /// Declarations are honest: `because` names the facts the conditions
    /// found; `guard` is declared only where taking `then` rests on those
    /// facts alone (no condition reads an absence) and the `else` branch is
    /// the only way its facts are derived.
    pub fn fire(&self, ctx: &mut Ctx<'_, Msg>, on: &Trigger, from: Option<NodeId>) {
        let me = ctx.name(ctx.me()).to_string();
        let from_name = from.map(|f| ctx.name(f).to_string());
        for (rule, guards) in self.rules.iter().zip(&self.guards) {
            if &rule.on != on {
                continue;
            }
            let mut found = Vec::new();
            let ok = rule
                .when
                .iter()
                .all(|c| eval(c, ctx, &me, from_name.as_deref(), &mut found));
            let actions = if ok { &rule.then } else { &rule.otherwise };
            let guards: &[Pat] = if ok { guards } else { &[] };
            if actions.is_empty() && guards.is_empty() {
                continue;
            }
            if self.declared {
                ctx.because(found);
                for g in guards {
                    ctx.guard(g.resolve(&me, from_name.as_deref()));
                }
            }
            for a in actions {
                act(a, ctx, &me, from);
            }
        }
    }
}

/// What rule `i` guards when it takes `then`: the facts of its `else`
/// branch, if its conditions read no absence and no other rule (and not its
/// own `then`) derives a fact of the same relation.
fn guardable(rules: &[Rule], i: usize, rule: &Rule) -> Vec<Pat> {
    if rule.when.is_empty() || rule.when.iter().any(|c| matches!(c, Cond::Lacks(_))) {
        return Vec::new();
    }
    let derives = |actions: &[Action], rel: &str| {
        actions
            .iter()
            .any(|a| matches!(a, Action::Derive(p) if p.rel == rel))
    };
    rule.otherwise
        .iter()
        .filter_map(|a| match a {
            Action::Derive(p) => Some(p),
            _ => None,
        })
        .filter(|p| {
            !derives(&rule.then, &p.rel)
                && rules.iter().enumerate().all(|(j, r)| {
                    j == i || !(derives(&r.then, &p.rel) || derives(&r.otherwise, &p.rel))
                })
        })
        .cloned()
        .collect()
}

/// Evaluates `c`, recording the facts it read and found held.
fn eval(c: &Cond, ctx: &Ctx<'_, Msg>, me: &str, from: Option<&str>, found: &mut Vec<Fact>) -> bool {
    let mut read = |f: Fact| {
        let held = ctx.holds(&f);
        if held {
            found.push(f);
        }
        held
    };
    match c {
        Cond::Holds(p) => read(p.resolve(me, from)),
        Cond::Lacks(p) => !read(p.resolve(me, from)),
        Cond::AtLeast(k, ps) => {
            let held = ps.iter().filter(|p| read(p.resolve(me, from))).count();
            held >= *k
        }
    }
}

fn act(a: &Action, ctx: &mut Ctx<'_, Msg>, me: &str, from: Option<NodeId>) {
    let from_name = from.map(|f| ctx.name(f).to_string());
    match a {
        Action::Derive(p) => ctx.derive(p.resolve(me, from_name.as_deref())),
        Action::Retract(p) => ctx.retract(p.resolve(me, from_name.as_deref())),
        Action::SetTimer(name, after) => ctx.set_timer(name, *after),
        Action::Send(tag, to) => {
            for t in to {
                let dest = match t {
                    To::Node(n) => ctx.node(n),
                    To::From => from.expect("oracle generator bug: reply outside a message rule"),
                };
                ctx.send(dest, Msg(tag.clone()));
            }
        }
    }
}

impl Node<Msg> for ProgramNode {
    fn on_start(&mut self, ctx: &mut Ctx<'_, Msg>) {
        self.fire(ctx, &Trigger::Start, None);
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_, Msg>, from: NodeId, msg: Msg) {
        let from = (from != NodeId::ENV).then_some(from);
        self.fire(ctx, &Trigger::Recv(msg.0), from);
    }

    fn on_tick(&mut self, ctx: &mut Ctx<'_, Msg>) {
        self.fire(ctx, &Trigger::Tick, None);
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_, Msg>, name: &str) {
        self.fire(ctx, &Trigger::Timer(name.to_string()), None);
    }
}
