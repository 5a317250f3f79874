//! Parser: tokens to a [`SpecAst`]: items, models and rules. Patterns are
//! in `parse_pattern`, regular expressions in `parse_regex`.

use crate::ast::{BodyAst, ClauseAst, LetAst, ModelAst, Name, PatternAst, RuleAst, SpecAst};
use crate::error::{Located, SpecErrorKind};
use crate::lexer::{lex, Kw, Tok, Token};

/// How deep parentheses and lists may nest (so no input overflows the stack).
pub(crate) const MAX_DEPTH: usize = 64;

/// Result of a parsing step.
pub(crate) type PResult<T> = Result<T, Located>;

/// Recursive-descent parser over a token list that ends with `Eof`.
pub(crate) struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
}

/// Parses a whole spec source.
pub(crate) fn parse(src: &str) -> PResult<SpecAst> {
    let mut p = Parser {
        toks: lex(src)?,
        pos: 0,
        depth: 0,
    };
    p.spec()
}

impl Parser {
    pub(crate) fn peek(&self) -> &Tok {
        &self.toks[self.pos.min(self.toks.len() - 1)].tok
    }

    pub(crate) fn peek2(&self) -> &Tok {
        &self.toks[(self.pos + 1).min(self.toks.len() - 1)].tok
    }

    pub(crate) fn at(&self) -> usize {
        self.toks[self.pos.min(self.toks.len() - 1)].at
    }

    pub(crate) fn bump(&mut self) -> Token {
        let t = self.toks[self.pos.min(self.toks.len() - 1)].clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    /// Consumes `tok` if it is next.
    pub(crate) fn eat(&mut self, tok: &Tok) -> bool {
        let hit = self.peek() == tok;
        if hit {
            self.bump();
        }
        hit
    }

    /// An "expected X, found <next token>" error at the next token.
    pub(crate) fn expected<T>(&self, what: &str) -> PResult<T> {
        Err((
            self.at(),
            SpecErrorKind::Expected {
                expected: what.to_owned(),
                found: self.peek().describe(),
            },
        ))
    }

    pub(crate) fn expect(&mut self, tok: Tok, what: &str) -> PResult<()> {
        if self.eat(&tok) {
            Ok(())
        } else {
            self.expected(what)
        }
    }

    /// Guards a recursive step against unbounded nesting.
    pub(crate) fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err((self.at(), SpecErrorKind::TooDeep(MAX_DEPTH)));
        }
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.depth -= 1;
    }

    /// A name: an identifier, or a string for names that are not identifiers.
    pub(crate) fn name(&mut self, what: &str) -> PResult<Name> {
        let at = self.at();
        match self.peek().clone() {
            Tok::Ident(text) | Tok::Str(text) => {
                self.bump();
                Ok(Name { text, at })
            }
            _ => self.expected(what),
        }
    }

    fn spec(&mut self) -> PResult<SpecAst> {
        let mut spec = SpecAst::default();
        loop {
            match self.peek().clone() {
                Tok::Eof => return Ok(spec),
                Tok::Kw(Kw::Let) => spec.lets.push(self.let_item()?),
                Tok::Kw(Kw::Model) => spec.models.push(self.model()?),
                Tok::Kw(Kw::Rule) => spec.rules.push(self.rule()?),
                Tok::Ident(found) => {
                    return Err((
                        self.at(),
                        SpecErrorKind::UnknownKeyword {
                            found,
                            expected: "`let`, `model` or `rule`",
                        },
                    ))
                }
                _ => return self.expected("`let`, `model` or `rule`"),
            }
        }
    }

    fn let_item(&mut self) -> PResult<LetAst> {
        self.bump();
        let name = self.name("a pattern name")?;
        self.expect(Tok::Eq, "`=`")?;
        let pattern = self.pattern()?;
        self.expect(Tok::Semi, "`;`")?;
        Ok(LetAst { name, pattern })
    }

    fn model(&mut self) -> PResult<ModelAst> {
        self.bump();
        let service = self.name("a service name")?;
        self.expect(Tok::LBrace, "`{`")?;
        let mut clauses = Vec::new();
        loop {
            match self.peek().clone() {
                Tok::RBrace => break,
                Tok::Kw(Kw::Recv) => clauses.push(self.recv_clause(&service.text)?),
                Tok::Kw(Kw::Send) => {
                    let send = self.send_pattern(&service.text)?;
                    self.expect(Tok::Semi, "`;`")?;
                    clauses.push(ClauseAst::Send(send));
                }
                Tok::Ident(found) => {
                    return Err((
                        self.at(),
                        SpecErrorKind::UnknownKeyword {
                            found,
                            expected: "`recv`, `send` or `}`",
                        },
                    ))
                }
                _ => return self.expected("`recv`, `send` or `}`"),
            }
        }
        self.bump();
        Ok(ModelAst { service, clauses })
    }

    fn recv_clause(&mut self, service: &str) -> PResult<ClauseAst> {
        self.bump();
        let pattern = self.model_pattern(service, Kw::From)?;
        let mut sends = Vec::new();
        if self.eat(&Tok::FatArrow) {
            if self.eat(&Tok::LBrace) {
                while !self.eat(&Tok::RBrace) {
                    if *self.peek() != Tok::Kw(Kw::Send) {
                        return self.expected("`send` or `}`");
                    }
                    sends.push(self.send_pattern(service)?);
                    self.expect(Tok::Semi, "`;`")?;
                }
                self.eat(&Tok::Semi);
                return Ok(ClauseAst::Recv { pattern, sends });
            }
            if *self.peek() != Tok::Kw(Kw::Send) {
                return self.expected("`send` or `{`");
            }
            sends.push(self.send_pattern(service)?);
        }
        self.expect(Tok::Semi, "`;`")?;
        Ok(ClauseAst::Recv { pattern, sends })
    }

    fn send_pattern(&mut self, service: &str) -> PResult<PatternAst> {
        self.bump();
        self.model_pattern(service, Kw::To)
    }

    fn rule(&mut self) -> PResult<RuleAst> {
        self.bump();
        let name = self.name("a rule name")?;
        self.expect(Tok::LBrace, "`{`")?;
        let mut key = Vec::new();
        if self.eat(&Tok::Kw(Kw::Key)) {
            loop {
                let at = self.at();
                match self.peek().clone() {
                    Tok::Var(text) => {
                        self.bump();
                        key.push(Name { text, at });
                    }
                    _ => return self.expected("a key variable (`$name`)"),
                }
                if !self.eat(&Tok::Comma) {
                    break;
                }
            }
            self.expect(Tok::Semi, "`;` or `,`")?;
        }
        let body = match self.peek().clone() {
            Tok::Kw(Kw::Never) => {
                self.bump();
                BodyAst::Never(self.regex()?)
            }
            Tok::Kw(Kw::Forbid) => {
                self.bump();
                let first = self.regex()?;
                if self.eat(&Tok::Kw(Kw::Before)) {
                    BodyAst::Before(first, self.regex()?)
                } else {
                    BodyAst::Forbid(first)
                }
            }
            Tok::Ident(found) => {
                return Err((
                    self.at(),
                    SpecErrorKind::UnknownKeyword {
                        found,
                        expected: "`key`, `forbid` or `never`",
                    },
                ))
            }
            _ => return self.expected("`key`, `forbid` or `never`"),
        };
        self.expect(Tok::Semi, "`;`")?;
        self.expect(Tok::RBrace, "`}`")?;
        Ok(RuleAst { name, key, body })
    }
}
