//! Lexer: spec source text to tokens with byte offsets.

use crate::error::{Located, SpecErrorKind};
use crate::token::KEYWORDS;
pub(crate) use crate::token::{Kw, Tok, Token};

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Splits `src` into tokens, ending with [`Tok::Eof`].
pub(crate) fn lex(src: &str) -> Result<Vec<Token>, Located> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = src[i..].chars().next() {
        let rest = &src[i..];
        let at = i;
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        if c == '#' || rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        let (tok, len) = if is_ident_start(c) {
            word(rest)
        } else if c.is_ascii_digit() || (c == '-' && next_is_digit(rest)) {
            number(rest).map_err(|k| (at, k))?
        } else if c == '"' {
            string(rest).map_err(|(off, k)| (at + off, k))?
        } else if c == '$' {
            let len = rest[1..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len() - 1);
            if len == 0 || !rest[1..].starts_with(is_ident_start) {
                return Err((at, SpecErrorKind::MissingVarName));
            }
            (Tok::Var(rest[1..=len].to_owned()), len + 1)
        } else {
            punct(rest, c).map_err(|k| (at, k))?
        };
        out.push(Token { tok, at });
        i += len;
    }
    out.push(Token {
        tok: Tok::Eof,
        at: src.len(),
    });
    Ok(out)
}

fn next_is_digit(rest: &str) -> bool {
    rest[1..].starts_with(|c: char| c.is_ascii_digit())
}

fn word(rest: &str) -> (Tok, usize) {
    let len = rest
        .find(|c: char| !is_ident_continue(c))
        .unwrap_or(rest.len());
    let text = &rest[..len];
    let tok = match KEYWORDS.iter().find(|(s, _)| *s == text) {
        Some((_, kw)) => Tok::Kw(*kw),
        None if text == "_" => Tok::Underscore,
        None => Tok::Ident(text.to_owned()),
    };
    (tok, len)
}

fn number(rest: &str) -> Result<(Tok, usize), SpecErrorKind> {
    let sign = usize::from(rest.starts_with('-'));
    let len = sign
        + rest[sign..]
            .find(|c: char| !is_ident_continue(c))
            .unwrap_or(rest.len() - sign);
    let text = &rest[..len];
    text.parse::<i128>()
        .map(|i| (Tok::Int(i), len))
        .map_err(|_| SpecErrorKind::BadNumber(text.to_owned()))
}

/// A string literal; errors carry their offset relative to the quote.
fn string(rest: &str) -> Result<(Tok, usize), Located> {
    let mut value = String::new();
    let mut chars = rest.char_indices().skip(1);
    while let Some((off, c)) = chars.next() {
        match c {
            '"' => return Ok((Tok::Str(value), off + 1)),
            '\n' => break,
            '\\' => match chars.next() {
                Some((_, '\\')) => value.push('\\'),
                Some((_, '"')) => value.push('"'),
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((_, 'r')) => value.push('\r'),
                Some((_, '\n')) | None => break,
                Some((_, other)) => return Err((off, SpecErrorKind::BadEscape(other))),
            },
            c => value.push(c),
        }
    }
    Err((0, SpecErrorKind::UnterminatedString))
}

fn punct(rest: &str, c: char) -> Result<(Tok, usize), SpecErrorKind> {
    const TWO: [(&str, Tok); 6] = [
        ("->", Tok::Arrow),
        ("=>", Tok::FatArrow),
        ("==", Tok::EqEq),
        ("!=", Tok::Ne),
        ("<=", Tok::Le),
        (">=", Tok::Ge),
    ];
    const BAD: [(&str, &str); 4] = [("=<", "<="), ("<>", "!="), ("=!", "!="), ("!", "!=")];
    for (bad, hint) in BAD {
        if rest.starts_with(bad) && !rest.starts_with("!=") {
            return Err(SpecErrorKind::BadOperator {
                found: bad.to_owned(),
                hint,
            });
        }
    }
    for (text, tok) in TWO {
        if rest.starts_with(text) {
            return Ok((tok, 2));
        }
    }
    let tok = match c {
        '{' => Tok::LBrace,
        '}' => Tok::RBrace,
        '[' => Tok::LBracket,
        ']' => Tok::RBracket,
        '(' => Tok::LParen,
        ')' => Tok::RParen,
        ',' => Tok::Comma,
        ';' => Tok::Semi,
        '=' => Tok::Eq,
        '<' => Tok::Lt,
        '>' => Tok::Gt,
        '|' => Tok::Pipe,
        '*' => Tok::Star,
        '+' => Tok::Plus,
        '?' => Tok::Question,
        '~' => Tok::Tilde,
        other => return Err(SpecErrorKind::UnexpectedChar(other)),
    };
    Ok((tok, c.len_utf8()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        lex(src).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lexes_a_pattern() {
        assert_eq!(
            toks("a -> b Insert{n >= -3, s = \"x\\\"y\", $c} # c"),
            vec![
                Tok::Ident("a".into()),
                Tok::Arrow,
                Tok::Ident("b".into()),
                Tok::Ident("Insert".into()),
                Tok::LBrace,
                Tok::Ident("n".into()),
                Tok::Ge,
                Tok::Int(-3),
                Tok::Comma,
                Tok::Ident("s".into()),
                Tok::Eq,
                Tok::Str("x\"y".into()),
                Tok::Comma,
                Tok::Var("c".into()),
                Tok::RBrace,
                Tok::Eof,
            ]
        );
    }

    #[test]
    fn reports_offsets() {
        assert_eq!(
            lex("ab \"x").unwrap_err(),
            (3, SpecErrorKind::UnterminatedString)
        );
        assert_eq!(lex("x 12a").unwrap_err().0, 2);
        assert_eq!(lex("$ x").unwrap_err(), (0, SpecErrorKind::MissingVarName));
        assert!(matches!(
            lex("a =< b").unwrap_err().1,
            SpecErrorKind::BadOperator { .. }
        ));
    }
}
