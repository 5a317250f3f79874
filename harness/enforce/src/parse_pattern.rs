//! Parsing message patterns, field constraints and literals.

use crate::ast::{ConstraintAst, EndAst, Name, OpAst, OperandAst, PatternAst};
use crate::error::SpecErrorKind;
use crate::event::Dir;
use crate::lexer::{Kw, Tok};
use crate::parser::{PResult, Parser};
use crate::value::Value;

const OPERATORS: &str = "a comparison (`==`, `!=`, `<`, `<=`, `>`, `>=`, `in` or `contains`)";

impl Parser {
    /// A full pattern: `[SRC -> DST] [request|response] KIND [{...}]`.
    pub(crate) fn pattern(&mut self) -> PResult<PatternAst> {
        let at = self.at();
        let starts_end = matches!(
            self.peek(),
            Tok::Ident(_) | Tok::Str(_) | Tok::Underscore | Tok::Var(_)
        );
        let (src, dst) = if starts_end && *self.peek2() == Tok::Arrow {
            let src = self.endpoint()?;
            self.bump();
            (src, self.endpoint()?)
        } else {
            (EndAst::Any, EndAst::Any)
        };
        self.pattern_rest(at, src, dst)
    }

    /// A pattern inside `model SERVICE`: `recv [from NODE] ...` fixes `dst`
    /// to the service, `send [to NODE] ...` fixes `src`.
    pub(crate) fn model_pattern(&mut self, service: &str, which: Kw) -> PResult<PatternAst> {
        let at = self.at();
        let other = if self.eat(&Tok::Kw(which)) {
            self.endpoint()?
        } else {
            EndAst::Any
        };
        let me = EndAst::Node(service.to_owned());
        if which == Kw::From {
            self.pattern_rest(at, other, me)
        } else {
            self.pattern_rest(at, me, other)
        }
    }

    fn pattern_rest(&mut self, at: usize, src: EndAst, dst: EndAst) -> PResult<PatternAst> {
        let dir = if self.eat(&Tok::Kw(Kw::Request)) {
            Some(Dir::Request)
        } else if self.eat(&Tok::Kw(Kw::Response)) {
            Some(Dir::Response)
        } else {
            None
        };
        let kind = match self.peek().clone() {
            Tok::Ident(k) | Tok::Str(k) => Some(k),
            Tok::Underscore => None,
            Tok::RBracket | Tok::Semi | Tok::FatArrow | Tok::Comma | Tok::RBrace | Tok::Eof => {
                return Err((self.at(), SpecErrorKind::EmptyPattern))
            }
            _ => return self.expected("a message kind (a name, a string or `_`)"),
        };
        self.bump();
        let mut fields = Vec::new();
        if self.eat(&Tok::LBrace) {
            while !self.eat(&Tok::RBrace) {
                fields.push(self.constraint()?);
                if !self.eat(&Tok::Comma) {
                    self.expect(Tok::RBrace, "`,` or `}`")?;
                    break;
                }
            }
        }
        Ok(PatternAst {
            at,
            src,
            dst,
            dir,
            kind,
            fields,
        })
    }

    fn endpoint(&mut self) -> PResult<EndAst> {
        let at = self.at();
        let end = match self.peek().clone() {
            Tok::Ident(n) | Tok::Str(n) => EndAst::Node(n),
            Tok::Underscore => EndAst::Any,
            Tok::Var(text) => EndAst::Var(Name { text, at }),
            _ => return self.expected("a node name, `_` or a variable"),
        };
        self.bump();
        Ok(end)
    }

    /// `field op operand`; keywords are allowed as field names.
    fn constraint(&mut self) -> PResult<ConstraintAst> {
        let at = self.at();
        let text = match self.peek().clone() {
            Tok::Ident(t) | Tok::Str(t) => t,
            Tok::Kw(k) => k.text().to_owned(),
            _ => return self.expected("a field name"),
        };
        self.bump();
        let field = Name { text, at };
        let op = match self.peek() {
            Tok::Eq | Tok::EqEq => OpAst::Eq,
            Tok::Ne => OpAst::Ne,
            Tok::Lt => OpAst::Lt,
            Tok::Le => OpAst::Le,
            Tok::Gt => OpAst::Gt,
            Tok::Ge => OpAst::Ge,
            Tok::Kw(Kw::In) => OpAst::In,
            Tok::Kw(Kw::Contains) => OpAst::Contains,
            _ => return self.expected(OPERATORS),
        };
        self.bump();
        let at = self.at();
        let operand = match self.peek().clone() {
            Tok::Var(text) => {
                self.bump();
                OperandAst::Var(Name { text, at })
            }
            Tok::LBracket => OperandAst::Lit(self.literal()?),
            _ if op == OpAst::In => return self.expected("a list (`[...]`) after `in`"),
            _ => OperandAst::Lit(self.literal()?),
        };
        Ok(ConstraintAst { field, op, operand })
    }

    /// A literal: string, integer, `true`, `false` or a list of literals.
    pub(crate) fn literal(&mut self) -> PResult<Value> {
        let v = match self.peek().clone() {
            Tok::Str(s) => Value::Str(s),
            Tok::Int(i) => Value::Int(i),
            Tok::Kw(Kw::True) => Value::Bool(true),
            Tok::Kw(Kw::False) => Value::Bool(false),
            Tok::LBracket => return self.list(),
            _ => return self.expected("a value (string, integer, `true`, `false` or list)"),
        };
        self.bump();
        Ok(v)
    }

    fn list(&mut self) -> PResult<Value> {
        self.enter()?;
        self.bump();
        let mut items = Vec::new();
        while !self.eat(&Tok::RBracket) {
            items.push(self.literal()?);
            if !self.eat(&Tok::Comma) {
                self.expect(Tok::RBracket, "`,` or `]`")?;
                break;
            }
        }
        self.leave();
        Ok(Value::List(items))
    }
}
