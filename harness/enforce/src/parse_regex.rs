//! Parsing the regular expressions of `forbid` and `never` rules.
//!
//! ```text
//! regex   = seq { "|" seq }
//! seq     = postfix { postfix }
//! postfix = unary { "*" | "+" | "?" }
//! unary   = "~" unary | atom
//! atom    = NAME | "[" pattern "]" | "_" | "(" regex ")"
//! ```

use crate::ast::{Name, RegexAst};
use crate::error::SpecErrorKind;
use crate::lexer::Tok;
use crate::parser::{PResult, Parser, MAX_DEPTH};

const ATOM: &str = "a pattern name, `[pattern]`, `_`, `~` or `(`";

fn starts_atom(t: &Tok) -> bool {
    matches!(
        t,
        Tok::Ident(_) | Tok::Str(_) | Tok::LBracket | Tok::Underscore | Tok::LParen | Tok::Tilde
    )
}

impl Parser {
    /// `regex = seq { "|" seq }`
    pub(crate) fn regex(&mut self) -> PResult<RegexAst> {
        self.enter()?;
        let mut alts = vec![self.seq()?];
        while self.eat(&Tok::Pipe) {
            alts.push(self.seq()?);
        }
        self.leave();
        Ok(if alts.len() == 1 {
            alts.remove(0)
        } else {
            RegexAst::Alt(alts)
        })
    }

    fn seq(&mut self) -> PResult<RegexAst> {
        if !starts_atom(self.peek()) {
            return self.expected(ATOM);
        }
        let mut items = Vec::new();
        while starts_atom(self.peek()) {
            items.push(self.postfix()?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            RegexAst::Seq(items)
        })
    }

    fn postfix(&mut self) -> PResult<RegexAst> {
        let mut r = self.unary()?;
        let mut count = 0;
        loop {
            r = match self.peek() {
                Tok::Star => RegexAst::Star(Box::new(r)),
                Tok::Plus => RegexAst::Plus(Box::new(r)),
                Tok::Question => RegexAst::Opt(Box::new(r)),
                _ => return Ok(r),
            };
            count += 1;
            if count > MAX_DEPTH {
                return Err((self.at(), SpecErrorKind::TooDeep(MAX_DEPTH)));
            }
            self.bump();
        }
    }

    fn unary(&mut self) -> PResult<RegexAst> {
        let at = self.at();
        if self.eat(&Tok::Tilde) {
            self.enter()?;
            let inner = self.unary()?;
            self.leave();
            return Ok(RegexAst::Not(Box::new(inner), at));
        }
        self.atom()
    }

    fn atom(&mut self) -> PResult<RegexAst> {
        let at = self.at();
        match self.peek().clone() {
            Tok::Ident(text) | Tok::Str(text) => {
                self.bump();
                Ok(RegexAst::Named(Name { text, at }))
            }
            Tok::Underscore => {
                self.bump();
                Ok(RegexAst::Any(at))
            }
            Tok::LBracket => {
                self.bump();
                let p = self.pattern()?;
                self.expect(Tok::RBracket, "`]`")?;
                Ok(RegexAst::Inline(p))
            }
            Tok::LParen => {
                self.bump();
                let r = self.regex()?;
                self.expect(Tok::RParen, "`)`")?;
                Ok(r)
            }
            _ => self.expected(ATOM),
        }
    }
}
