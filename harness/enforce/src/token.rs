//! Tokens of the spec language and how error messages name them.

/// Reserved words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kw {
    Let,
    Model,
    Rule,
    Recv,
    Send,
    From,
    To,
    Request,
    Response,
    Key,
    Forbid,
    Never,
    Before,
    In,
    Contains,
    True,
    False,
}

pub(crate) const KEYWORDS: [(&str, Kw); 17] = [
    ("let", Kw::Let),
    ("model", Kw::Model),
    ("rule", Kw::Rule),
    ("recv", Kw::Recv),
    ("send", Kw::Send),
    ("from", Kw::From),
    ("to", Kw::To),
    ("request", Kw::Request),
    ("response", Kw::Response),
    ("key", Kw::Key),
    ("forbid", Kw::Forbid),
    ("never", Kw::Never),
    ("before", Kw::Before),
    ("in", Kw::In),
    ("contains", Kw::Contains),
    ("true", Kw::True),
    ("false", Kw::False),
];

impl Kw {
    /// The keyword's spelling.
    pub(crate) fn text(self) -> &'static str {
        KEYWORDS
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("?", |(s, _)| s)
    }
}

/// A token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Ident(String),
    Str(String),
    Int(i128),
    Var(String),
    Underscore,
    Kw(Kw),
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Comma,
    Semi,
    Arrow,
    FatArrow,
    EqEq,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Pipe,
    Star,
    Plus,
    Question,
    Tilde,
    Eof,
}

impl Tok {
    /// How an error message names this token.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("identifier `{s}`"),
            Tok::Str(s) => format!("string {s:?}"),
            Tok::Int(i) => format!("number `{i}`"),
            Tok::Var(v) => format!("variable `${v}`"),
            Tok::Kw(k) => format!("keyword `{}`", k.text()),
            Tok::Eof => "end of input".to_owned(),
            other => format!("`{}`", other.punct()),
        }
    }

    fn punct(&self) -> &'static str {
        match self {
            Tok::Underscore => "_",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::Comma => ",",
            Tok::Semi => ";",
            Tok::Arrow => "->",
            Tok::FatArrow => "=>",
            Tok::EqEq => "==",
            Tok::Eq => "=",
            Tok::Ne => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Pipe => "|",
            Tok::Star => "*",
            Tok::Plus => "+",
            Tok::Question => "?",
            Tok::Tilde => "~",
            _ => "?",
        }
    }
}

/// A token and the byte offset where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) at: usize,
}
