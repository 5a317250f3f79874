//! Errors: spec errors located by file, line and column, and serializer
//! errors.

use thiserror::Error;

/// What is wrong with a spec (its position is in [`SpecError`]).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SpecErrorKind {
    /// A character that starts no token.
    #[error("unexpected character `{0}`")]
    UnexpectedChar(char),
    /// A string with no closing quote on its line.
    #[error("unterminated string: expected a closing `\"` on the same line")]
    UnterminatedString,
    /// An unknown `\x` escape in a string.
    #[error("unknown escape `\\{0}` in string: expected one of \\\\ \\\" \\n \\t \\r")]
    BadEscape(char),
    /// Digits followed by letters, or an integer beyond 128 bits.
    #[error("bad number `{0}`: expected a decimal integer that fits in 128 bits")]
    BadNumber(String),
    /// A misspelt operator (`=<`, `<>`, `!`), with the likely intent.
    #[error("bad operator `{found}`: did you mean `{hint}`?")]
    BadOperator {
        /// The operator as written.
        found: String,
        /// The operator probably meant.
        hint: &'static str,
    },
    /// A `$` not followed by a name.
    #[error("expected a variable name after `$`")]
    MissingVarName,
    /// The next token is not what the grammar allows here.
    #[error("expected {expected}, found {found}")]
    Expected {
        /// What the grammar allows here.
        expected: String,
        /// The token found instead.
        found: String,
    },
    /// An identifier where a keyword was expected.
    #[error("unknown keyword `{found}`: expected {expected}")]
    UnknownKeyword {
        /// The identifier found.
        found: String,
        /// The keywords allowed here.
        expected: &'static str,
    },
    /// A pattern with no message kind (`[]`).
    #[error("empty pattern: expected a message kind (a name, a string or `_`)")]
    EmptyPattern,
    /// Two rules with one name.
    #[error("duplicate rule name `{0}`")]
    DuplicateRule(String),
    /// Two `let` patterns with one name.
    #[error("duplicate pattern name `{0}`")]
    DuplicateLet(String),
    /// Two models for one service.
    #[error("duplicate model for service `{0}`")]
    DuplicateModel(String),
    /// A variable listed twice in `key`.
    #[error("variable `${0}` is declared twice in `key`")]
    DuplicateKeyVar(String),
    /// A name in a rule that no `let` declares.
    #[error("unknown pattern name `{0}`: expected a name declared with `let {0} = ...;`")]
    UnknownPattern(String),
    /// A variable used where nothing binds it.
    #[error("unbound variable `${var}`: {why}")]
    UnboundVariable {
        /// The variable, without `$`.
        var: String,
        /// Why it is unbound here.
        why: String,
    },
    /// A rule uses variables but declares no `key`.
    #[error("rule `{rule}` uses variable `${var}` but declares no key: expected `key ${var};`")]
    MissingKey {
        /// The rule.
        rule: String,
        /// The first variable it uses.
        var: String,
    },
    /// A pattern of a keyed rule does not bind one of the key variables.
    #[error("pattern does not bind key variable `${0}`: every pattern of a keyed rule must bind every key variable")]
    KeyNotBound(String),
    /// A variable used with an operator that cannot bind it.
    #[error("variable `${var}` used with `{op}`: variables bind only with `==` or `contains`")]
    VariableOperator {
        /// The variable, without `$`.
        var: String,
        /// The operator.
        op: &'static str,
    },
    /// A sequence or repetition where one message is expected (`~`, `before`, `never`).
    #[error("`{0}` needs single-message alternatives (pattern names, `[...]` or `_`, joined by `|`), not a sequence or repetition")]
    NotSingleEvent(&'static str),
    /// A forbidden sequence that matches the empty sequence.
    #[error("forbidden sequence matches the empty sequence: expected it to require at least one message")]
    EmptyMatch,
    /// A rule with no message pattern at all.
    #[error("rule `{0}` has no message pattern")]
    NoPatterns(String),
    /// More distinct patterns in one rule than the automaton supports.
    #[error("too many distinct patterns in one rule ({found}): at most {max}")]
    TooManyPatterns {
        /// How many the rule has (at least).
        found: usize,
        /// The limit.
        max: usize,
    },
    /// More variables in a key or model clause than supported.
    #[error("too many variables ({found}): at most {max} per rule or model clause")]
    TooManyVariables {
        /// How many were declared (at least).
        found: usize,
        /// The limit.
        max: usize,
    },
    /// Nesting beyond the parser's limit.
    #[error("nesting deeper than {0} levels")]
    TooDeep(usize),
    /// A rule whose automaton would be too large to build.
    #[error("automaton of rule `{rule}` exceeds {max} states")]
    AutomatonTooLarge {
        /// The rule.
        rule: String,
        /// The state limit.
        max: usize,
    },
}

/// A byte offset into the spec source paired with what is wrong there.
pub(crate) type Located = (usize, SpecErrorKind);

/// A spec error, located by file, line and column, with the offending line.
///
/// Displays as
///
/// ```text
/// web-forum.spec:3:12: expected `;`, found `}`
///     3 | rule r { never [Modify] }
///       |                         ^
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{file}:{line}:{col}: {kind}\n{excerpt}")]
pub struct SpecError {
    /// The spec file name given to [`Spec::parse`](crate::Spec::parse).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub col: usize,
    /// What is wrong.
    pub kind: SpecErrorKind,
    /// The offending source line and a caret under the column.
    pub excerpt: String,
}

impl SpecError {
    /// Locates `kind` at byte `offset` of `src`.
    pub(crate) fn new(file: &str, src: &str, offset: usize, kind: SpecErrorKind) -> Self {
        let mut offset = offset.min(src.len());
        while !src.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &src[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() + 1;
        let col = src[line_start..offset].chars().count() + 1;
        let line_end = src[offset..].find('\n').map_or(src.len(), |i| offset + i);
        let text: String = src[line_start..line_end]
            .trim_end_matches('\r')
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        let shown = format!("{line:>5} | {text}");
        let excerpt = format!("{}\n{:>5} | {}^", shown.trim_end(), "", " ".repeat(col - 1));
        SpecError {
            file: file.to_owned(),
            line,
            col,
            kind,
            excerpt,
        }
    }
}

/// Why a message value could not be turned into an event.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SerError {
    /// A type the event model has no value for (floats, unit at top level).
    #[error("unsupported value in a message: {0}")]
    Unsupported(&'static str),
    /// A `u128` above `i128::MAX`.
    #[error("integer {0} does not fit in an i128")]
    IntTooLarge(u128),
    /// A list holding a struct, map or non-unit enum variant.
    #[error("field `{0}`: a list may hold only plain values, not structs or maps")]
    StructInList(String),
    /// The top-level value is not a struct or an enum variant.
    #[error("a message must be a struct or an enum variant, not {0}")]
    NotAMessage(&'static str),
    /// A map key that is not a string, integer or bool.
    #[error("map keys must be strings, integers or bools")]
    BadMapKey,
    /// An error raised by a `Serialize` implementation.
    #[error("{0}")]
    Custom(String),
}

impl serde::ser::Error for SerError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        SerError::Custom(msg.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_line_and_column() {
        let src = "let a = X;\nrule r {\n\tnever\n}";
        let e = SpecError::new(
            "f.spec",
            src,
            src.find("never").unwrap(),
            SpecErrorKind::EmptyMatch,
        );
        assert_eq!((e.line, e.col), (3, 2));
        assert!(
            e.excerpt.ends_with("    3 |  never\n      |  ^"),
            "{}",
            e.excerpt
        );
    }

    #[test]
    fn end_of_input_and_multibyte() {
        let src = "é\"";
        let e = SpecError::new("f", src, 1, SpecErrorKind::UnterminatedString);
        assert_eq!((e.line, e.col), (1, 1));
        let e = SpecError::new("f", src, 99, SpecErrorKind::UnterminatedString);
        assert_eq!((e.line, e.col), (1, 3));
    }
}
