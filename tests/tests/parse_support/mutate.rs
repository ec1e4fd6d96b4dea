//! Mutations of policy text at the token and character level, to turn valid policies into
//! nearly valid ones (where parser bugs hide).

use std::ops::Range;

use proptest::prelude::*;

/// Tokens (and near-tokens) to insert or substitute: every punctuation token, every keyword,
/// literals, and characters or sequences that Oso's lexer rejects.
pub const VOCABULARY: &[&str] = &[
    ":",
    ",",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    ".",
    "!",
    "*",
    "/",
    "+",
    "-",
    "==",
    "!=",
    "<=",
    ">=",
    "<",
    ">",
    "=",
    ":=",
    "|",
    ";",
    "?=",
    "true",
    "false",
    "inf",
    "nan",
    "new",
    "in",
    "cut",
    "debug",
    "print",
    "isa",
    "forall",
    "if",
    "and",
    "or",
    "not",
    "matches",
    "type",
    "mod",
    "rem",
    "x",
    "Foo",
    "actor",
    "resource",
    "on",
    "roles",
    "1",
    "-1",
    "1.5",
    "1.",
    "1e5",
    "\"s\"",
    "\"\"",
    "*r",
    "x.y",
    "f(x)",
    "99999999999999999999",
    ".5",
    "1e",
    "?",
    "@",
    "$",
    "'",
    "\"",
    "\\",
    "#",
    "\n",
    "::",
    "a::",
    "a:::b",
    "ü",
    "\u{b}",
    "\u{c}",
    "\u{0}",
    "_",
];

/// Byte ranges of the tokens of `text`, approximately as Oso's lexer would cut it (strings,
/// comments, numbers, symbols with `::` and `?`, one- and two-character operators). It only
/// chooses mutation points, so it need not be exact on invalid input.
pub fn tokens(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |k: usize| chars.get(k).map_or(text.len(), |&(i, _)| i);
    let mut k = 0;
    while k < chars.len() {
        let (start, c) = chars[k];
        let mut j = k + 1;
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                k += 1;
                continue;
            }
            '#' => {
                while j < chars.len() && chars[j].1 != '\n' {
                    j += 1;
                }
                k = j;
                continue;
            }
            '"' => {
                while j < chars.len() && chars[j].1 != '"' && chars[j].1 != '\n' {
                    j += if chars[j].1 == '\\' { 2 } else { 1 };
                }
                j = (j + 1).min(chars.len());
            }
            '0'..='9' => {
                while j < chars.len() && (chars[j].1.is_ascii_alphanumeric() || "._+-".contains(chars[j].1)) {
                    // A sign belongs to the number only right after an exponent marker.
                    if "+-".contains(chars[j].1) && !"eE".contains(chars[j - 1].1) {
                        break;
                    }
                    j += 1;
                }
            }
            ':' | '=' | '<' | '>' | '!' | '?' if chars.get(j).is_some_and(|&(_, n)| n == '=') => j += 1,
            c if c.is_ascii_punctuation() && c != '_' => {}
            _ => {
                while j < chars.len() {
                    let n = chars[j].1;
                    if n == ':' && chars.get(j + 1).is_some_and(|&(_, m)| m == ':') {
                        j += 2;
                    } else if n == '?' {
                        j += 1;
                        break;
                    } else if n == '_' || !(n.is_ascii_punctuation() || n.is_ascii_whitespace()) {
                        j += 1;
                    } else {
                        break;
                    }
                }
            }
        }
        out.push(start..end_of(j));
        k = j;
    }
    out
}

/// One edit. Indices are taken modulo the number of tokens (or characters), so any value
/// is valid for any text; this keeps proptest's shrinking simple.
#[derive(Clone, Debug)]
pub enum Mutation {
    DeleteToken(usize),
    /// Repeat a run of one to four tokens right after itself (this can duplicate a key).
    DuplicateTokens(usize, usize),
    SwapTokens(usize),
    /// Insert a vocabulary entry before a token; `bool`: surrounded by spaces (else glued).
    InsertToken(usize, usize, bool),
    ReplaceToken(usize, usize),
    DeleteChar(usize),
    InsertChar(usize, char),
    /// Put a line break before a token: only line numbers should change (unless inside
    /// a string or comment).
    BreakLine(usize),
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    let i = any::<prop::sample::Index>().prop_map(|i| i.index(1 << 20));
    let v = 0..VOCABULARY.len();
    prop_oneof![
        3 => i.clone().prop_map(Mutation::DeleteToken),
        2 => (i.clone(), 1usize..=4).prop_map(|(i, n)| Mutation::DuplicateTokens(i, n)),
        2 => i.clone().prop_map(Mutation::SwapTokens),
        4 => (i.clone(), v.clone(), any::<bool>()).prop_map(|(i, v, s)| Mutation::InsertToken(i, v, s)),
        3 => (i.clone(), v).prop_map(|(i, v)| Mutation::ReplaceToken(i, v)),
        2 => i.clone().prop_map(Mutation::DeleteChar),
        2 => (i.clone(), prop_oneof![
            3 => prop::sample::select(" \n;,.(){}[]\"#:=?*-+1ax_\\".chars().collect::<Vec<_>>()),
            1 => any::<char>(),
        ])
            .prop_map(|(i, c)| Mutation::InsertChar(i, c)),
        1 => i.prop_map(Mutation::BreakLine),
    ]
}

/// Applies `m` to `text`.
pub fn apply(text: &str, m: &Mutation) -> String {
    let toks = tokens(text);
    let mut out = text.to_owned();
    let tok = |i: usize| toks[i % toks.len()].clone();
    let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
    match *m {
        _ if toks.is_empty() => match *m {
            Mutation::InsertToken(_, v, _) | Mutation::ReplaceToken(_, v) => out.push_str(VOCABULARY[v]),
            Mutation::InsertChar(_, c) => out.push(c),
            _ => {}
        },
        Mutation::DeleteToken(i) => out.replace_range(tok(i), ""),
        Mutation::DuplicateTokens(i, n) => {
            let first = tok(i);
            let last = toks[((i % toks.len()) + n.max(1) - 1).min(toks.len() - 1)].clone();
            let run = text[first.start..last.end].to_owned();
            out.insert_str(last.end, &format!(" {run}"));
        }
        Mutation::SwapTokens(i) => {
            let a = tok(i);
            let b = tok(i + 1);
            if a.start < b.start {
                let (ta, tb) = (text[a.clone()].to_owned(), text[b.clone()].to_owned());
                out.replace_range(b, &ta);
                out.replace_range(a, &tb);
            }
        }
        Mutation::InsertToken(i, v, spaced) => {
            let at = tok(i).start;
            let t = VOCABULARY[v];
            out.insert_str(at, &if spaced { format!(" {t} ") } else { t.to_owned() });
        }
        Mutation::ReplaceToken(i, v) => out.replace_range(tok(i), VOCABULARY[v]),
        Mutation::DeleteChar(i) => {
            let k = i % (boundaries.len() - 1).max(1);
            if boundaries.len() > 1 {
                out.replace_range(boundaries[k]..boundaries[k + 1], "");
            }
        }
        Mutation::InsertChar(i, c) => out.insert(boundaries[i % boundaries.len()], c),
        Mutation::BreakLine(i) => out.insert(tok(i).start, '\n'),
    }
    out
}

/// Applies each mutation in turn.
pub fn apply_all(text: &str, ms: &[Mutation]) -> String {
    ms.iter().fold(text.to_owned(), |t, m| apply(&t, m))
}
