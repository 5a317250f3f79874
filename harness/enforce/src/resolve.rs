//! Name resolution: a [`SpecAst`] to compiled rules and models, with the
//! per-kind index the checker uses to skip messages no rule cares about.

use std::collections::BTreeMap;

use crate::ast::{ConstraintAst, EndAst, Name, OpAst, OperandAst, PatternAst, SpecAst};
use crate::error::{Located, SpecErrorKind};
use crate::lookup::LookupMap;
use crate::pattern::{EndSel, FieldBind, Pattern, Test, MAX_VARS};
use crate::resolve_model::resolve_model;
use crate::resolve_rule::resolve_rule;
use crate::spec::{Compiled, PatRef};

/// Where a pattern's variables come from.
pub(crate) enum Scope<'a> {
    /// A rule: variables must be declared in its `key`.
    Key { rule: &'a str, key: &'a [String] },
    /// A model's `recv`: each new variable takes the next slot.
    Declare(&'a mut Vec<String>),
    /// A model's `send`: variables must be bound by its `recv` (the text
    /// says why, when one is not).
    Bound(&'a [String], &'static str),
}

impl Scope<'_> {
    fn slot(&mut self, var: &Name) -> Result<u8, Located> {
        let (names, why): (&[String], String) = match self {
            Scope::Key { rule, key: [] } => {
                return Err((
                    var.at,
                    SpecErrorKind::MissingKey {
                        rule: (*rule).to_owned(),
                        var: var.text.clone(),
                    },
                ))
            }
            Scope::Key { rule, key } => (key, format!("it is not a key variable of rule `{rule}`")),
            Scope::Bound(bound, why) => (bound, (*why).to_owned()),
            Scope::Declare(names) => return declare(names, var),
        };
        match names.iter().position(|n| *n == var.text) {
            Some(i) => Ok(i as u8),
            None => Err((
                var.at,
                SpecErrorKind::UnboundVariable {
                    var: var.text.clone(),
                    why,
                },
            )),
        }
    }
}

/// The slot of `var` in a declaring scope, adding it if new.
fn declare(names: &mut Vec<String>, var: &Name) -> Result<u8, Located> {
    if let Some(i) = names.iter().position(|n| *n == var.text) {
        return Ok(i as u8);
    }
    if names.len() == MAX_VARS {
        let found = MAX_VARS + 1;
        return Err((
            var.at,
            SpecErrorKind::TooManyVariables {
                found,
                max: MAX_VARS,
            },
        ));
    }
    names.push(var.text.clone());
    Ok((names.len() - 1) as u8)
}

/// Compiles a pattern, taking its variables from `scope`.
pub(crate) fn compile_pattern(ast: &PatternAst, scope: &mut Scope<'_>) -> Result<Pattern, Located> {
    let mut used = 0u16;
    let mut end = |e: &EndAst, scope: &mut Scope<'_>| -> Result<EndSel, Located> {
        Ok(match e {
            EndAst::Any => EndSel::Any,
            EndAst::Node(n) => EndSel::Node(n.clone()),
            EndAst::Var(v) => {
                let s = scope.slot(v)?;
                used |= 1 << s;
                EndSel::Slot(s)
            }
        })
    };
    let src = end(&ast.src, scope)?;
    let dst = end(&ast.dst, scope)?;
    let mut tests = Vec::new();
    let mut binds = Vec::new();
    for c in &ast.fields {
        constraint(c, scope, &mut tests, &mut binds, &mut used)?;
    }
    Ok(Pattern {
        dir: ast.dir,
        kind: ast.kind.clone(),
        src,
        dst,
        tests,
        binds,
        used,
    })
}

fn constraint(
    c: &ConstraintAst,
    scope: &mut Scope<'_>,
    tests: &mut Vec<(String, Test)>,
    binds: &mut Vec<FieldBind>,
    used: &mut u16,
) -> Result<(), Located> {
    let field = c.field.text.clone();
    match (&c.operand, c.op) {
        (OperandAst::Var(v), OpAst::Eq | OpAst::Contains) => {
            let slot = scope.slot(v)?;
            *used |= 1 << slot;
            let each = c.op == OpAst::Contains;
            binds.push(FieldBind { field, slot, each });
        }
        (OperandAst::Var(v), op) => {
            return Err((
                v.at,
                SpecErrorKind::VariableOperator {
                    var: v.text.clone(),
                    op: op.text(),
                },
            ))
        }
        (OperandAst::Lit(lit), OpAst::In) => {
            let items = match lit {
                crate::value::Value::List(items) => items.clone(),
                other => vec![other.clone()],
            };
            tests.push((field, Test::In(items)));
        }
        (OperandAst::Lit(lit), OpAst::Contains) => tests.push((field, Test::Contains(lit.clone()))),
        (OperandAst::Lit(lit), op) => tests.push((field, Test::Cmp(op, lit.clone()))),
    }
    Ok(())
}

/// Checks names and compiles every model and rule.
pub(crate) fn resolve(ast: &SpecAst) -> Result<Compiled, Located> {
    let mut lets: BTreeMap<&str, &PatternAst> = BTreeMap::new();
    for l in &ast.lets {
        if lets.insert(&l.name.text, &l.pattern).is_some() {
            return Err((l.name.at, SpecErrorKind::DuplicateLet(l.name.text.clone())));
        }
    }
    let mut models = Vec::new();
    let mut model_of = LookupMap::default();
    for m in &ast.models {
        let id = models.len() as u32;
        if model_of.insert(m.service.text.clone(), id).is_some() {
            return Err((
                m.service.at,
                SpecErrorKind::DuplicateModel(m.service.text.clone()),
            ));
        }
        models.push(resolve_model(m)?);
    }
    let mut rules = Vec::new();
    let mut seen: BTreeMap<&str, ()> = BTreeMap::new();
    for r in &ast.rules {
        if seen.insert(&r.name.text, ()).is_some() {
            return Err((r.name.at, SpecErrorKind::DuplicateRule(r.name.text.clone())));
        }
        rules.push(resolve_rule(r, &lets)?);
    }
    let mut compiled = Compiled {
        rules,
        models,
        model_of,
        ..Compiled::default()
    };
    index_kinds(&mut compiled);
    Ok(compiled)
}

/// Lists, per message kind, the rule patterns that name it; patterns with
/// kind `_` go to `any_kind`.
fn index_kinds(c: &mut Compiled) {
    for (r, rule) in c.rules.iter().enumerate() {
        for (bit, p) in rule.patterns.iter().enumerate() {
            let pr = PatRef {
                rule: r as u32,
                bit: bit as u8,
            };
            match &p.kind {
                None => c.any_kind.push(pr),
                Some(k) => {
                    let next = c.by_kind.len() as u32;
                    let id = *c.kind_ids.get_or_insert_with(k.clone(), || next);
                    if id == next {
                        c.by_kind.push(Vec::new());
                    }
                    c.by_kind[id as usize].push(pr);
                }
            }
        }
    }
}
