//! Tokens of Polar 0.27.3, recognised with `logos`.
//!
//! The rules mirror Oso's hand-written lexer (`polar-core/src/lexer.rs`) exactly, including its
//! quirks: a symbol starts with `_` or any character that is neither ASCII punctuation nor an
//! ASCII digit (so Unicode and even control characters), may contain `::`, and may end in one
//! `?`; only space, tab, CR and LF separate tokens; a backslash in a string escapes any
//! character; a number may not start with `.`.

use logos::Logos;

/// Why the lexer could not make a token.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum LexError {
    /// A character that starts no token (or `?` not followed by `=`).
    #[default]
    InvalidCharacter,
    UnterminatedString,
    NewlineInString,
    IntegerOverflow,
    InvalidFloat,
    /// A symbol ending in `::` (or with `:::`).
    TrailingColons,
}

fn lex_string(lex: &mut logos::Lexer<'_, Token>) -> Result<String, LexError> {
    let rest = lex.remainder();
    let mut out = String::new();
    let mut chars = rest.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                lex.bump(i + 1);
                return Ok(out);
            }
            '\n' => {
                lex.bump(i);
                return Err(LexError::NewlineInString);
            }
            '\\' => match chars.next() {
                Some((_, e)) => out.push(match e {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    '0' => '\0',
                    c => c,
                }),
                None => {
                    lex.bump(rest.len());
                    return Err(LexError::UnterminatedString);
                }
            },
            c => out.push(c),
        }
    }
    lex.bump(rest.len());
    Err(LexError::UnterminatedString)
}

fn lex_integer(lex: &mut logos::Lexer<'_, Token>) -> Result<i64, LexError> {
    lex.slice().parse().map_err(|_| LexError::IntegerOverflow)
}

fn lex_float(lex: &mut logos::Lexer<'_, Token>) -> Result<f64, LexError> {
    lex.slice().parse().map_err(|_| LexError::InvalidFloat)
}

fn lex_symbol(lex: &mut logos::Lexer<'_, Token>) -> Result<String, LexError> {
    let text = lex.slice();
    if text.ends_with("::") {
        return Err(LexError::TrailingColons);
    }
    Ok(text.to_owned())
}

#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\n\r]+")]
#[logos(skip(r"#[^\r\n]*", allow_greedy = true))]
pub enum Token {
    #[regex(r"[0-9]+", lex_integer)]
    Integer(i64),
    // A `.` or an exponent makes a float: `1.`, `1e5`, `1.5e-3`. Oso's lexer is greedy here,
    // so `1e` and `1e5+3` are single (invalid) float tokens.
    #[regex(r"[0-9]+(\.[0-9]*([eE][0-9]*[+\-]?[0-9]*)?|[eE][0-9]*[+\-]?[0-9]*)", lex_float)]
    #[token("inf", |_| f64::INFINITY)]
    #[token("nan", |_| f64::NAN)]
    Float(f64),
    #[token("\"", lex_string)]
    String(String),
    #[token("true", |_| true)]
    #[token("false", |_| false)]
    Boolean(bool),
    #[regex(r#"(_|[^!-/:-@\[-`{-~0-9 \t\n\r])(_|[^!-/:-@\[-`{-~ \t\n\x0C\r]|::)*\??"#, lex_symbol)]
    Symbol(String),
    #[token(":")]
    Colon,
    #[token(",")]
    Comma,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(".")]
    Dot,
    #[token("!")]
    Bang,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("==")]
    EqEq,
    #[token("!=")]
    Neq,
    #[token("<=")]
    Leq,
    #[token(">=")]
    Geq,
    #[token("<")]
    Lt,
    #[token(">")]
    Gt,
    #[token("=")]
    Eq,
    #[token(":=")]
    Assign,
    #[token("|")]
    Pipe,
    #[token(";")]
    Semi,
    #[token("?=")]
    Query,
    #[token("new")]
    New,
    #[token("in")]
    In,
    #[token("cut")]
    Cut,
    #[token("debug")]
    Debug,
    #[token("print")]
    Print,
    #[token("isa")]
    Isa,
    #[token("forall")]
    Forall,
    #[token("if")]
    If,
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("not")]
    Not,
    #[token("matches")]
    Matches,
    #[token("type")]
    Type,
    #[token("mod")]
    Mod,
    #[token("rem")]
    Rem,
    /// Stands where the lexer failed; the parser skips it without reporting again.
    Error,
}
