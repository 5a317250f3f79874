//! Compiling one rule: its patterns, its regular expression and its DFA.

use std::collections::BTreeMap;

use crate::ast::{BodyAst, Name, PatternAst, RegexAst, RuleAst};
use crate::dfa::{Dfa, MAX_PATTERNS, MAX_STATES};
use crate::error::{Located, SpecErrorKind};
use crate::nfa::{Letter, Re};
use crate::pattern::{Pattern, MAX_VARS};
use crate::resolve::{compile_pattern, Scope};
use crate::spec::Rule;

const ALL: u64 = !0;

/// Collects a rule's distinct patterns while its expression is translated.
struct RuleBuilder<'a> {
    name: &'a str,
    key: Vec<String>,
    lets: &'a BTreeMap<&'a str, &'a PatternAst>,
    /// Let name → pattern bit, so a name used twice is one pattern.
    named: BTreeMap<String, u8>,
    patterns: Vec<Pattern>,
}

/// Compiles a rule.
pub(crate) fn resolve_rule(
    ast: &RuleAst,
    lets: &BTreeMap<&str, &PatternAst>,
) -> Result<Rule, Located> {
    let mut key: Vec<String> = Vec::new();
    for k in &ast.key {
        if key.contains(&k.text) {
            return Err((k.at, SpecErrorKind::DuplicateKeyVar(k.text.clone())));
        }
        if key.len() == MAX_VARS {
            let found = ast.key.len();
            return Err((
                k.at,
                SpecErrorKind::TooManyVariables {
                    found,
                    max: MAX_VARS,
                },
            ));
        }
        key.push(k.text.clone());
    }
    let mut b = RuleBuilder {
        name: &ast.name.text,
        key,
        lets,
        named: BTreeMap::new(),
        patterns: Vec::new(),
    };
    let (re, body_at) = match &ast.body {
        BodyAst::Never(x) => {
            let any = Re::Star(Box::new(letter(ALL, 0)));
            (Re::Seq(vec![any, letter(b.events(x, "never")?, 0)]), x.at())
        }
        BodyAst::Forbid(r) => (b.re(r)?, r.at()),
        BodyAst::Before(x, y) => {
            let xs = b.events(x, "before")?;
            let ys = b.events(y, "before")?;
            let not_y = Re::Star(Box::new(letter(ALL, ys)));
            (Re::Seq(vec![not_y, letter(xs, 0)]), x.at())
        }
    };
    if b.patterns.is_empty() {
        return Err((
            ast.name.at,
            SpecErrorKind::NoPatterns(ast.name.text.clone()),
        ));
    }
    let dfa = Dfa::build(&re, b.patterns.len()).map_err(|_| {
        let rule = ast.name.text.clone();
        (
            ast.name.at,
            SpecErrorKind::AutomatonTooLarge {
                rule,
                max: MAX_STATES,
            },
        )
    })?;
    if dfa.accepting(0) {
        return Err((body_at, SpecErrorKind::EmptyMatch));
    }
    Ok(Rule {
        name: ast.name.text.clone(),
        key: b.key,
        patterns: b.patterns,
        dfa,
    })
}

fn letter(any: u64, none: u64) -> Re {
    Re::Letter(Letter { any, none })
}

impl RuleBuilder<'_> {
    /// Translates a regular expression.
    fn re(&mut self, r: &RegexAst) -> Result<Re, Located> {
        Ok(match r {
            RegexAst::Named(_) | RegexAst::Inline(_) | RegexAst::Any(_) => {
                letter(self.events(r, "")?, 0)
            }
            RegexAst::Not(x, _) => letter(ALL, self.events(x, "~")?),
            RegexAst::Seq(v) => Re::Seq(v.iter().map(|r| self.re(r)).collect::<Result<_, _>>()?),
            RegexAst::Alt(v) => Re::Alt(v.iter().map(|r| self.re(r)).collect::<Result<_, _>>()?),
            RegexAst::Star(x) => Re::Star(Box::new(self.re(x)?)),
            RegexAst::Plus(x) => Re::Plus(Box::new(self.re(x)?)),
            RegexAst::Opt(x) => Re::Opt(Box::new(self.re(x)?)),
        })
    }

    /// The pattern bits of a single-message alternative (`a | [..] | _`).
    fn events(&mut self, r: &RegexAst, op: &'static str) -> Result<u64, Located> {
        match r {
            RegexAst::Named(n) => Ok(1 << self.named(n)?),
            RegexAst::Inline(p) => Ok(1 << self.add(p, p.at)?),
            RegexAst::Any(_) => Ok(ALL),
            RegexAst::Alt(v) => v.iter().try_fold(0, |acc, x| Ok(acc | self.events(x, op)?)),
            _ => Err((r.at(), SpecErrorKind::NotSingleEvent(op))),
        }
    }

    fn named(&mut self, n: &Name) -> Result<u8, Located> {
        if let Some(&bit) = self.named.get(&n.text) {
            return Ok(bit);
        }
        let Some(p) = self.lets.get(n.text.as_str()) else {
            return Err((n.at, SpecErrorKind::UnknownPattern(n.text.clone())));
        };
        let bit = self.add(p, n.at)?;
        self.named.insert(n.text.clone(), bit);
        Ok(bit)
    }

    /// Compiles and numbers a pattern; `used_at` is where the rule uses it.
    fn add(&mut self, p: &PatternAst, used_at: usize) -> Result<u8, Located> {
        if self.patterns.len() == MAX_PATTERNS {
            let found = MAX_PATTERNS + 1;
            return Err((
                used_at,
                SpecErrorKind::TooManyPatterns {
                    found,
                    max: MAX_PATTERNS,
                },
            ));
        }
        let mut scope = Scope::Key {
            rule: self.name,
            key: &self.key,
        };
        let pattern = compile_pattern(p, &mut scope)?;
        if let Some(missing) = (0..self.key.len()).find(|&i| pattern.used & (1 << i) == 0) {
            let var = self.key[missing].clone();
            return Err((used_at, SpecErrorKind::KeyNotBound(var)));
        }
        self.patterns.push(pattern);
        Ok((self.patterns.len() - 1) as u8)
    }
}
