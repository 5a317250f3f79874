//! Checking events against service models.
//!
//! A receive by a modeled service must match one of its `recv` clauses; it
//! then *enables* that clause's sends for the values its variables took. A
//! send by a modeled service must match an unconditional `send`, or a
//! conditional one whose variables' values were enabled by an earlier
//! receive. Enabling is sticky: one receive allows any number of sends.
//! Judging (is this event allowed?) and committing (what it enables) are
//! separate, so an enforcing proxy can drop a violating message unrecorded.

use crate::event::MsgEvent;
use crate::intern::{KeyIds, ValueInterner};
use crate::lookup::LookupMap;
use crate::spec::{Compiled, Model, RecvClause};
use crate::violation::{Source, Violation};

/// Which (model, send, variable values) receives have enabled.
#[derive(Debug, Default)]
pub(crate) struct ModelState {
    enabled: LookupMap<(u32, u32, KeyIds), ()>,
}

fn violation(source: Source, idx: u64) -> Violation {
    Violation {
        source,
        key: Vec::new(),
        event: idx,
        witness: vec![idx],
        states: Vec::new(),
    }
}

impl ModelState {
    /// Reports a send by a modeled `ev.src` that no clause allows, and a
    /// receive by a modeled `ev.dst` that no clause lists. Changes nothing.
    pub(crate) fn judge(
        &self,
        spec: &Compiled,
        values: &ValueInterner,
        ev: &MsgEvent,
        idx: u64,
        out: &mut Vec<Violation>,
    ) {
        if let Some(&m) = spec.model_of.get(ev.src.as_str()) {
            let model = &spec.models[m as usize];
            if !self.send_allowed(m, model, values, ev) {
                let service = model.service.clone();
                out.push(violation(Source::UnexpectedSend { service }, idx));
            }
        }
        if let Some(&m) = spec.model_of.get(ev.dst.as_str()) {
            let model = &spec.models[m as usize];
            if !model
                .recvs
                .iter()
                .any(|c| c.pattern.matches_shape(ev) && binds(c, ev))
            {
                let service = model.service.clone();
                out.push(violation(Source::UnexpectedRecv { service }, idx));
            }
        }
    }

    /// Records the sends a receive by a modeled `ev.dst` enables. Called
    /// after [`ModelState::judge`], so a message never enables itself.
    pub(crate) fn commit(&mut self, spec: &Compiled, values: &mut ValueInterner, ev: &MsgEvent) {
        let Some(&m) = spec.model_of.get(ev.dst.as_str()) else {
            return;
        };
        let model = &spec.models[m as usize];
        for clause in &model.recvs {
            if !clause.pattern.matches_shape(ev) {
                continue;
            }
            clause.pattern.for_each_binding(ev, &mut |slots| {
                for &s in &clause.sends {
                    let key = values.key_of(slots, &model.sends[s as usize].vars);
                    self.enabled.insert((m, s, key), ());
                }
            });
        }
    }

    fn send_allowed(&self, m: u32, model: &Model, values: &ValueInterner, ev: &MsgEvent) -> bool {
        if model.free_sends.iter().any(|p| p.matches_shape(ev)) {
            return true;
        }
        model.sends.iter().enumerate().any(|(s, send)| {
            if !send.pattern.matches_shape(ev) {
                return false;
            }
            let mut found = false;
            send.pattern.for_each_binding(ev, &mut |slots| {
                if !found {
                    if let Some(key) = values.find_key(slots, &send.vars) {
                        found = self.enabled.contains_key(&(m, s as u32, key));
                    }
                }
            });
            found
        })
    }
}

/// Whether the clause's pattern yields at least one binding for `ev`.
fn binds(clause: &RecvClause, ev: &MsgEvent) -> bool {
    let mut any = false;
    clause.pattern.for_each_binding(ev, &mut |_| any = true);
    any
}
