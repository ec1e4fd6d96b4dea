//! Recursive-descent parser for Polar 0.27.3, equivalent to Oso's LALRPOP grammar
//! (`polar-core/src/polar.lalrpop`).
//!
//! Oso's grammar tags every expression as a *value*, a *logical* expression, or *either* and
//! rejects the wrong kind where one is expected (`x = 1 = 2`, `not 1`, `forall([1], x)`).
//! `Kind` carries that tag through the precedence levels, which follow the grammar's
//! `Exp1..Exp10` one function each, so the code can be read against the grammar.
//!
//! Unlike Oso, which stops at the first error, the parser resynchronises after an error (at
//! the `;` that ends the item, or the `}` that closes a resource block) and keeps going, so one
//! run reports every independent error. Nesting is bounded ([`MAX_NESTING`]) so no input can
//! overflow the stack.

use crate::ast::*;
use crate::diagnostic::Diagnostic;
use crate::lexer::{LexError, Token};
use crate::source::{FileId, Span};
use logos::Logos;

/// Diagnostic codes of the parser.
pub mod codes {
    /// A character that starts no token, or a malformed symbol.
    pub const INVALID_CHARACTER: &str = "P0001";
    /// A string with no closing quote or with a raw newline.
    pub const BAD_STRING: &str = "P0002";
    /// An integer literal that does not fit in an i64.
    pub const INTEGER_OVERFLOW: &str = "P0003";
    /// A malformed float literal such as `1e`.
    pub const INVALID_FLOAT: &str = "P0004";
    /// A token (or the end of the file) that cannot come here.
    pub const UNEXPECTED_TOKEN: &str = "P0005";
    /// The same key twice in a dictionary, pattern or keyword arguments.
    pub const DUPLICATE_KEY: &str = "P0006";
    /// A value where a logical expression is needed, or the other way round.
    pub const WRONG_KIND: &str = "P0007";
    /// Brackets nested deeper than [`super::MAX_NESTING`].
    pub const TOO_DEEP: &str = "P0008";
}

/// How deeply expressions may nest. Each bracket, call, `not` and each operator of a
/// left-associative chain (`1 + 1 + ...`, `a.b.c`) is one level. Real policies stay below
/// 20; Oso has no bound, but ours keeps every later (recursive) stage safe on hostile
/// input (see `tests/deep_input.rs`).
pub const MAX_NESTING: usize = 1000;

/// Parses one file. Never panics; every independent syntax error is reported.
pub fn parse_file(file: FileId, text: &str) -> (File, Vec<Diagnostic>) {
    let mut parser = Parser::new(file, text);
    let items = parser.lines();
    let mut diagnostics = parser.diagnostics;
    // Lexical errors are found before parsing starts; report everything in file order.
    diagnostics.sort_by_key(|d| d.span.start);
    (File { items }, diagnostics)
}

/// Whether an expression yields a value, succeeds or fails (logical), or may be used as
/// either (variables, booleans, dot lookups), as in Oso's grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Value,
    Logical,
    Either,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Junction {
    Or,
    And,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Term,
    Pattern,
}

/// An item was abandoned after an error; the diagnostic has already been recorded.
struct Abandon;

type PResult<T> = Result<T, Abandon>;

struct Parser {
    /// An error found but not yet reported; see [`Parser::defer`].
    deferred: Option<(Diagnostic, u16)>,
    /// For each token, whether a line break separates it from the previous token.
    starts_line: Vec<bool>,
    /// Set when an item broke at a token that begins a new line while a `;` was expected:
    /// most likely the `;` was forgotten, and the token starts the next item.
    missing_semicolon_before: Option<usize>,
    tokens: Vec<(Token, Span)>,
    pos: usize,
    depth: usize,
    diagnostics: Vec<Diagnostic>,
    eof: Span,
}

impl Parser {
    fn new(file: FileId, text: &str) -> Self {
        let mut tokens = Vec::new();
        let mut diagnostics = Vec::new();
        let mut lexer = Token::lexer(text);
        while let Some(result) = lexer.next() {
            let range = lexer.span();
            let span = Span::new(file, range.start, range.end);
            match result {
                Ok(token) => tokens.push((token, span)),
                Err(error) => {
                    diagnostics.push(lex_diagnostic(error, span, text));
                    tokens.push((Token::Error, span));
                }
            }
        }
        let end = tokens.last().map_or(0, |(_, s)| s.end as usize);
        let mut previous_end = 0;
        let starts_line = tokens
            .iter()
            .map(|(_, span)| {
                let gap = text.get(previous_end..span.start as usize).unwrap_or("");
                previous_end = span.end as usize;
                gap.contains('\n')
            })
            .collect();
        Parser {
            deferred: None,
            starts_line,
            missing_semicolon_before: None,
            tokens,
            pos: 0,
            depth: 0,
            diagnostics,
            eof: Span::new(file, end, end),
        }
    }

    // ----- token access -----

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|(t, _)| t)
    }

    fn peek_at(&self, n: usize) -> Option<&Token> {
        self.tokens.get(self.pos + n).map(|(t, _)| t)
    }

    fn span(&self) -> Span {
        self.tokens.get(self.pos).map_or(self.eof, |(_, s)| *s)
    }

    fn prev_end(&self) -> Span {
        match self.pos.checked_sub(1).and_then(|p| self.tokens.get(p)) {
            Some((_, s)) => Span { start: s.end, ..*s },
            None => self.eof,
        }
    }

    fn at(&self, token: &Token) -> bool {
        self.peek() == Some(token)
    }

    /// Consumes the current token if it is `token`.
    fn eat(&mut self, token: &Token) -> PResult<bool> {
        if self.at(token) {
            self.bump()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Consumes the current token. Every token is consumed here, which is where a
    /// deferred error (see [`Parser::defer`]) is finally reported.
    fn bump(&mut self) -> PResult<Span> {
        if let Some((d, _)) = self.deferred.take() {
            self.diagnostics.push(d);
            return Err(Abandon);
        }
        let span = self.span();
        self.pos += 1;
        Ok(span)
    }

    /// Records an error that Oso's LR parser finds only when it *reduces* a production:
    /// a value/logical mismatch or a duplicate key. It reduces on reading the next token,
    /// when that token is in the production's lookahead set (`follow`, see [`follow`]);
    /// otherwise it reports that token instead. Keeping the error until the next token is
    /// consumed, or rejected by `unexpected`, reproduces which error Oso reports, and where.
    fn defer(&mut self, d: Diagnostic, follow: u16) {
        if self.deferred.is_none() {
            self.deferred = Some((d, follow));
        }
    }

    /// Span from the token at index `start` to the last consumed token.
    fn since(&self, start: usize) -> Span {
        let first = self.tokens.get(start).map_or(self.eof, |(_, s)| *s);
        let last = self.pos.checked_sub(1).and_then(|p| self.tokens.get(p)).map_or(first, |(_, s)| *s);
        first.to(last)
    }

    // ----- errors -----

    /// Reports the current token as unexpected (the lexer already reported an error token).
    fn unexpected<T>(&mut self, expected: &str) -> PResult<T> {
        // Oso reports a deferred error when the token is one it reduces on (though it turns
        // out not to fit later), and rejects the token otherwise.
        if let Some((d, follow)) = self.deferred.take()
            && self.peek().is_some_and(|t| follow::bit(t) & follow != 0)
        {
            self.diagnostics.push(d);
            return Err(Abandon);
        }
        match self.tokens.get(self.pos) {
            Some((Token::Error, _)) => {}
            Some((token, span)) => {
                let span = *span;
                let what = describe(token);
                let mut d = Diagnostic::error(
                    codes::UNEXPECTED_TOKEN,
                    span,
                    format!("unexpected {what}; expected {expected}"),
                )
                .with_label(format!("expected {expected}"));
                if let Some(word) = keyword_text(token) {
                    d = d.with_note(format!("`{word}` is a reserved word in Polar"));
                }
                let previous = self.pos.checked_sub(1).and_then(|p| self.tokens.get(p)).map(|(_, s)| *s);
                if let Some(previous) = previous.filter(|_| expected.contains("`;`")) {
                    d = d.with_secondary(Span { start: previous.end, ..previous }, "`;` may be missing here");
                    if self.starts_line[self.pos] {
                        self.missing_semicolon_before = Some(self.pos);
                    }
                }
                let after_dot = self.pos.checked_sub(1).and_then(|p| self.tokens.get(p));
                if let (Token::Integer(_), Some((Token::Dot, dot))) = (token, after_dot)
                    && dot.end == span.start
                {
                    d = d.with_help("a number needs a digit before the point: write `0.5`");
                }
                if matches!(token, Token::Isa) {
                    d = d.with_help("Polar has no `isa` operator; write `x matches Class`");
                }
                self.diagnostics.push(d);
            }
            None => {
                let span = self.prev_end();
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::UNEXPECTED_TOKEN,
                        span,
                        format!("unexpected end of file; expected {expected}"),
                    )
                    .with_help("did you forget a `;`?"),
                );
            }
        }
        Err(Abandon)
    }

    fn expect(&mut self, token: &Token, expected: &str) -> PResult<Span> {
        if self.at(token) { Ok(self.bump()?) } else { self.unexpected(expected) }
    }

    fn wrong_kind(&mut self, term: &Term, wanted: Kind, follow: u16) {
        let (message, label) = match wanted {
            Kind::Value => (
                "expected a value, found a logical expression",
                "this succeeds or fails; it has no value to use here",
            ),
            _ => {
                ("expected a logical expression, found a value", "a value cannot succeed or fail on its own")
            }
        };
        self.defer(Diagnostic::error(codes::WRONG_KIND, term.span, message).with_label(label), follow);
    }

    /// Checks that an expression is a value. A mismatch is deferred (see [`Parser::defer`]),
    /// so parsing goes on as if it were one.
    fn expect_value(&mut self, (term, kind): (Term, Kind), follow: u16) -> PResult<Term> {
        if kind == Kind::Logical {
            self.wrong_kind(&term, Kind::Value, follow);
        }
        Ok(term)
    }

    /// Checks that an expression is logical; see [`Parser::expect_value`].
    fn expect_logical(&mut self, (term, kind): (Term, Kind), follow: u16) -> PResult<Term> {
        if kind == Kind::Value {
            self.wrong_kind(&term, Kind::Logical, follow);
        }
        Ok(term)
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            let span = self.span();
            self.diagnostics.push(
                Diagnostic::error(
                    codes::TOO_DEEP,
                    span,
                    format!("expression nested more than {MAX_NESTING} levels deep"),
                )
                .with_help("split the expression into smaller rules"),
            );
            return Err(Abandon);
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Parses a left-associative chain (`a + b + c`, `a.b.c`): each operator deepens the
    /// tree by one level, so each counts against [`MAX_NESTING`] like a bracket does;
    /// otherwise a 100,000-term sum would build a tree too deep to drop.
    fn chain<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let base = self.depth;
        let result = f(self);
        self.depth = base;
        result
    }

    /// Runs `f` one nesting level deeper. Debug builds spend ~20 KiB of stack per level of
    /// parentheses, so the stack is grown on the heap when it runs low (as rustc does):
    /// the nesting bound alone would not keep a 2 MiB test thread safe.
    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        self.enter()?;
        let result = stacker::maybe_grow(128 * 1024, 2 * 1024 * 1024, || f(self));
        self.leave();
        result
    }

    /// Skips to the end of the item that started at token `item_start` and broke at the
    /// current token. No rule contains a `;` except at its end, so a rule (or a production
    /// inside a block, `in_block`) ends after the next `;`; a production also ends before the
    /// `}` that closes its block. A broken resource block ends after its closing `}`.
    fn recover(&mut self, item_start: usize, in_block: bool) {
        let is_block = !in_block
            && matches!(
                (self.tokens.get(item_start), self.tokens.get(item_start + 1)),
                (Some((Token::Symbol(_), _)), Some((Token::Symbol(_) | Token::LBrace, _)))
            );
        let consumed = &self.tokens[item_start.min(self.tokens.len())..self.pos.min(self.tokens.len())];
        let mut braces = consumed.iter().fold(0usize, |depth, (t, _)| match t {
            Token::LBrace => depth + 1,
            Token::RBrace => depth.saturating_sub(1),
            _ => depth,
        });
        while let Some(token) = self.peek() {
            match token {
                Token::LBrace => braces += 1,
                Token::RBrace if braces == 0 => {
                    if !in_block {
                        self.pos += 1;
                    }
                    return;
                }
                Token::RBrace => {
                    braces -= 1;
                    if is_block && braces == 0 {
                        self.pos += 1;
                        return;
                    }
                }
                Token::Semi if !is_block || braces == 0 => {
                    self.pos += 1;
                    return;
                }
                _ => {}
            }
            self.pos += 1;
        }
    }

    // ----- lines -----

    fn lines(&mut self) -> Vec<Item> {
        let mut items = Vec::new();
        while self.peek().is_some() {
            let start = self.pos;
            self.depth = 0;
            self.deferred = None;
            match self.line() {
                Ok(item) => items.push(item),
                Err(Abandon) => {
                    // Resume at the next item when only its `;` was missing.
                    if self.missing_semicolon_before.take() == Some(self.pos) && self.pos > start {
                        continue;
                    }
                    // Make progress even when the error was at the item's first token.
                    if self.pos == start {
                        self.pos += 1;
                        if matches!(self.tokens.get(start), Some((Token::Semi | Token::RBrace, _))) {
                            continue;
                        }
                    }
                    self.recover(start, false);
                }
            }
        }
        items
    }

    fn line(&mut self) -> PResult<Item> {
        match self.peek() {
            Some(Token::Type) => {
                self.bump()?;
                let rule = self.rule_head_and_end(self.pos, false)?;
                Ok(Item::RuleType(rule))
            }
            Some(Token::Query) => {
                self.bump()?;
                let (term, _) = self.exp1(Mode::Term)?;
                self.expect(&Token::Semi, "`;`")?;
                Ok(Item::Query(term))
            }
            Some(Token::Symbol(_)) => match self.peek_at(1) {
                Some(Token::Symbol(_) | Token::LBrace) => self.resource_block().map(Item::ResourceBlock),
                _ => self.rule_head_and_end(self.pos, true).map(Item::Rule),
            },
            _ => self.unexpected("a rule, a rule type (`type`), an inline query (`?=`) or a resource block"),
        }
    }

    fn ident(&mut self, expected: &str) -> PResult<Ident> {
        match self.peek() {
            Some(Token::Symbol(name)) => {
                let name = name.clone();
                let span = self.bump()?;
                Ok(Ident { name, span })
            }
            _ => self.unexpected(expected),
        }
    }

    /// `name(params) ;` or, when `allow_body`, `name(params) if body ;`.
    fn rule_head_and_end(&mut self, start: usize, allow_body: bool) -> PResult<Rule> {
        let name = self.ident("a rule name")?;
        self.expect(&Token::LParen, "`(`")?;
        let mut params = Vec::new();
        if !self.eat(&Token::RParen)? {
            loop {
                params.push(self.parameter()?);
                if self.eat(&Token::RParen)? {
                    break;
                }
                self.expect(&Token::Comma, "`,` or `)`")?;
            }
        }
        let body = if allow_body && self.eat(&Token::If)? {
            let (term, _) = self.exp1(Mode::Term)?;
            Some(term)
        } else {
            None
        };
        let expected = if allow_body && body.is_none() { "`if` or `;`" } else { "`;`" };
        self.expect(&Token::Semi, expected)?;
        Ok(Rule { name, params, body, span: self.since(start) })
    }

    fn parameter(&mut self) -> PResult<Param> {
        let start = self.pos;
        if let (Some(Token::Symbol(name)), Some(Token::Colon)) = (self.peek(), self.peek_at(1)) {
            let value = Term::new(TermKind::Variable(name.clone()), self.span());
            self.bump()?;
            self.bump()?;
            let specializer = self.pattern()?;
            let specializer = class_pattern(specializer);
            return Ok(Param { value, specializer: Some(specializer), span: self.since(start) });
        }
        let value = self.exp6(Mode::Term)?;
        let value = self.expect_value(value, follow::of(follow::ADD, Mode::Term))?;
        Ok(Param { value, specializer: None, span: self.since(start) })
    }

    // ----- resource blocks -----

    fn resource_block(&mut self) -> PResult<ResourceBlock> {
        let start = self.pos;
        let keyword = if matches!(self.peek_at(1), Some(Token::Symbol(_))) {
            Some(self.ident("`actor` or `resource`")?)
        } else {
            None
        };
        let resource = self.ident("a class name")?;
        self.expect(&Token::LBrace, "`{`")?;
        let mut productions = Vec::new();
        loop {
            match self.peek() {
                Some(Token::RBrace) => {
                    self.bump()?;
                    break;
                }
                None => return self.unexpected("`}`"),
                _ => {
                    let item_start = self.pos;
                    match self.production() {
                        Ok(p) => productions.push(p),
                        Err(Abandon) => {
                            let forgot_semicolon = self.missing_semicolon_before.take() == Some(self.pos);
                            if forgot_semicolon && self.pos > item_start {
                                continue;
                            }
                            if self.pos == item_start && !self.at(&Token::RBrace) {
                                self.pos += 1;
                            }
                            self.recover(item_start, true);
                        }
                    }
                }
            }
        }
        Ok(ResourceBlock { keyword, resource, productions, span: self.since(start) })
    }

    fn production(&mut self) -> PResult<Production> {
        let start = self.pos;
        match self.peek() {
            Some(Token::Symbol(_)) => {
                let name = self.ident("a declaration name")?;
                self.expect(&Token::Eq, "`=`")?;
                let value_start = self.pos;
                let value = match self.peek() {
                    Some(Token::LBracket) => DeclarationValue::List(self.string_list()?),
                    Some(Token::LBrace) => DeclarationValue::Dict(self.relation_dict()?),
                    _ => return self.unexpected("a list of strings or a dictionary of relations"),
                };
                let value_span = self.since(value_start);
                self.expect(&Token::Semi, "`;`")?;
                Ok(Production::Declaration { name, value, value_span, span: self.since(start) })
            }
            Some(Token::String(_)) => {
                let head = self.string_lit("a string")?;
                self.expect(&Token::If, "`if`")?;
                let implier = self.string_lit("a string")?;
                let relation = if let Some(Token::Symbol(_)) = self.peek() {
                    let keyword = self.ident("`on`")?;
                    let relation = self.string_lit("a relation name (a string)")?;
                    Some((keyword, relation))
                } else {
                    None
                };
                self.expect(&Token::Semi, "`;` or `on`")?;
                Ok(Production::Shorthand(ShorthandRule { head, implier, relation, span: self.since(start) }))
            }
            _ => self.unexpected("a declaration, a shorthand rule or `}`"),
        }
    }

    fn string_lit(&mut self, expected: &str) -> PResult<StrLit> {
        match self.peek() {
            Some(Token::String(s)) => {
                let value = s.clone();
                let span = self.bump()?;
                Ok(StrLit { value, span })
            }
            _ => self.unexpected(expected),
        }
    }

    /// `[]` or `["a", "b",]`: Oso accepts empty entries after the first (`["a",,"b"]`).
    fn string_list(&mut self) -> PResult<Vec<StrLit>> {
        self.expect(&Token::LBracket, "`[`")?;
        let mut items = Vec::new();
        if self.eat(&Token::RBracket)? {
            return Ok(items);
        }
        items.push(self.string_lit("a string or `]`")?);
        loop {
            if self.eat(&Token::RBracket)? {
                return Ok(items);
            }
            self.expect(&Token::Comma, "`,` or `]`")?;
            if let Some(Token::String(_)) = self.peek() {
                items.push(self.string_lit("a string")?);
            }
        }
    }

    /// `{}` or `{ name: Class, other }` (the shorthand `{x}` means `{x: x}`).
    fn relation_dict(&mut self) -> PResult<Vec<(Ident, Ident)>> {
        let fields = self.object(|p| {
            let ident = p.ident("a class name")?;
            Ok(Term::new(TermKind::Variable(ident.name), ident.span))
        })?;
        Ok(fields
            .into_iter()
            .map(|f| {
                let class =
                    Ident { name: f.value.as_variable().unwrap_or_default().to_owned(), span: f.value.span };
                (f.key, class)
            })
            .collect())
    }

    // ----- expressions: Exp1 (or) .. Exp10 (primary) -----

    /// `Exp1`: `a or b or c`.
    fn exp1(&mut self, mode: Mode) -> PResult<(Term, Kind)> {
        self.nested(|p| p.flattened(mode, Junction::Or))
    }

    /// `Exp2`: `a and b and c`.
    fn exp2(&mut self, mode: Mode) -> PResult<(Term, Kind)> {
        self.flattened(mode, Junction::And)
    }

    /// An n-ary `or` or `and` of logical operands, flattened like Oso does (also through a
    /// parenthesised last operand: `a or (b or c)` is `or(a, b, c)`).
    fn flattened(&mut self, mode: Mode, junction: Junction) -> PResult<(Term, Kind)> {
        let (token, level) = match junction {
            Junction::Or => (Token::Or, follow::OR),
            Junction::And => (Token::And, follow::AND),
        };
        let operand = |p: &mut Self| match junction {
            Junction::Or => p.exp2(mode),
            Junction::And => p.exp3(mode),
        };
        let start = self.pos;
        let first = operand(self)?;
        if !self.at(&token) {
            return Ok(first);
        }
        let mut args = vec![self.expect_logical(first, follow::of(level, mode))?];
        while self.eat(&token)? {
            let next = operand(self)?;
            let next = self.expect_logical(next, follow::of(level, mode))?;
            let last = !self.at(&token);
            match next.kind {
                TermKind::Or(inner) if last && junction == Junction::Or => args.extend(inner),
                TermKind::And(inner) if last && junction == Junction::And => args.extend(inner),
                kind => args.push(Term { kind, ..next }),
            }
        }
        let kind = match junction {
            Junction::Or => TermKind::Or(args),
            Junction::And => TermKind::And(args),
        };
        Ok((Term::new(kind, self.since(start)), Kind::Logical))
    }

    /// `Exp3`: `not Exp4` (so `not not x` needs parentheses, as in Oso).
    fn exp3(&mut self, mode: Mode) -> PResult<(Term, Kind)> {
        let start = self.pos;
        if self.eat(&Token::Not)? {
            return self.nested(|p| {
                let operand = p.exp4(mode)?;
                let operand = p.expect_logical(operand, follow::of(follow::AND, mode))?;
                Ok((Term::new(TermKind::Not(Box::new(operand)), p.since(start)), Kind::Logical))
            });
        }
        self.exp4(mode)
    }

    /// `Exp4`: `a = b` (left-associative, so `a = b = c` is a kind error) and `var := b`.
    fn exp4(&mut self, mode: Mode) -> PResult<(Term, Kind)> {
        self.chain(|p| {
            let start = p.pos;
            let mut left = p.exp5(mode)?;
            // `:=` only takes a bare variable on its left.
            if p.at(&Token::Assign) && p.pos == start + 1 && matches!(left.0.kind, TermKind::Variable(_)) {
                p.bump()?;
                let right = p.exp5(mode)?;
                let right = p.expect_value(right, follow::of(follow::UNIFY, mode))?;
                left = (binary(BinOp::Assign, left.0, right, p.since(start)), Kind::Logical);
            }
            while p.at(&Token::Eq) {
                let l = p.expect_value(left, follow::of(follow::UNIFY, mode))?;
                p.bump()?;
                p.enter()?;
                let right = p.exp5(mode)?;
                let right = p.expect_value(right, follow::of(follow::UNIFY, mode))?;
                left = (binary(BinOp::Unify, l, right, p.since(start)), Kind::Logical);
            }
            Ok(left)
        })
    }

    /// `Exp5`: comparisons.
    fn exp5(&mut self, mode: Mode) -> PResult<(Term, Kind)> {
        self.binary_level(mode, comparison_op, Self::exp6, (follow::UNIFY, follow::ADD), Kind::Logical)
    }

    /// `Exp6`: `+ -`, left-associative.
    fn exp6(&mut self, mode: Mode) -> PResult<(Term, Kind)> {
        let ops = |t: &Token| match t {
            Token::Plus => Some(BinOp::Add),
            Token::Minus => Some(BinOp::Sub),
            _ => None,
        };
        self.binary_level(mode, ops, Self::exp7, (follow::ADD, follow::MUL), Kind::Value)
    }

    /// `Exp7`: `* / mod rem`, left-associative.
    fn exp7(&mut self, mode: Mode) -> PResult<(Term, Kind)> {
        let ops = |t: &Token| match t {
            Token::Star => Some(BinOp::Mul),
            Token::Slash => Some(BinOp::Div),
            Token::Mod => Some(BinOp::Mod),
            Token::Rem => Some(BinOp::Rem),
            _ => None,
        };
        self.binary_level(mode, ops, Self::exp8, (follow::MUL, follow::IN), Kind::Value)
    }

    /// One left-associative level `operand (op operand)*`: both operands must be values
    /// (checked against the lookahead sets `levels` of the left and right operand), and the
    /// result has kind `result`.
    fn binary_level(
        &mut self,
        mode: Mode,
        ops: impl Fn(&Token) -> Option<BinOp>,
        operand: fn(&mut Self, Mode) -> PResult<(Term, Kind)>,
        (left_level, right_level): (usize, usize),
        result: Kind,
    ) -> PResult<(Term, Kind)> {
        self.chain(|p| {
            let start = p.pos;
            let mut left = operand(p, mode)?;
            while let Some(op) = p.peek().and_then(&ops) {
                let l = p.expect_value(left, follow::of(left_level, mode))?;
                p.bump()?;
                p.enter()?;
                let right = operand(p, mode)?;
                let right = p.expect_value(right, follow::of(right_level, mode))?;
                left = (binary(op, l, right, p.since(start)), result);
            }
            Ok(left)
        })
    }

    /// `Exp8`: `in` and `matches`, which bind tighter than arithmetic in Polar.
    fn exp8(&mut self, mode: Mode) -> PResult<(Term, Kind)> {
        self.chain(|p| {
            let start = p.pos;
            let mut left = p.exp9(mode)?;
            loop {
                if p.at(&Token::In) {
                    let l = p.expect_value(left, follow::of(follow::IN, mode))?;
                    p.bump()?;
                    p.enter()?;
                    let right = p.exp9(mode)?;
                    let right = p.expect_value(right, follow::of(follow::DOT, mode))?;
                    left = (binary(BinOp::In, l, right, p.since(start)), Kind::Logical);
                } else if p.at(&Token::Matches) {
                    let l = p.expect_value(left, follow::of(follow::IN, mode))?;
                    p.bump()?;
                    p.enter()?;
                    let pattern = p.pattern()?;
                    let pattern = class_pattern(pattern);
                    let kind = TermKind::Matches { value: Box::new(l), pattern: Box::new(pattern) };
                    left = (Term::new(kind, p.since(start)), Kind::Logical);
                } else {
                    return Ok(left);
                }
            }
        })
    }

    /// `Exp9`: `receiver.member`, left-associative.
    fn exp9(&mut self, mode: Mode) -> PResult<(Term, Kind)> {
        self.chain(|p| {
            let start = p.pos;
            let mut left = p.exp10(mode)?;
            while p.at(&Token::Dot) {
                let receiver = p.expect_value(left, follow::of(follow::DOT, mode))?;
                p.bump()?;
                p.enter()?;
                let member = p.member()?;
                let kind = TermKind::Dot { receiver: Box::new(receiver), member };
                left = (Term::new(kind, p.since(start)), Kind::Either);
            }
            Ok(left)
        })
    }

    /// What may follow a `.`: `name`, `name(args)`, a reserved word used as a name,
    /// `(var)` or `("key")`.
    fn member(&mut self) -> PResult<Member> {
        if let Some(name) = self.peek().and_then(member_name) {
            let span = self.bump()?;
            let name = Ident { name, span };
            if self.at(&Token::LParen) {
                let (args, kwargs) = self.call_args()?;
                return Ok(Member::Method(Call { name, args, kwargs }));
            }
            return Ok(Member::Field(name));
        }
        if self.eat(&Token::LParen)? {
            let member = match self.peek() {
                Some(Token::Symbol(name)) => {
                    let name = name.clone();
                    Member::DynamicKey(Ident { name, span: self.bump()? })
                }
                Some(Token::String(s)) => {
                    let name = s.clone();
                    Member::Field(Ident { name, span: self.bump()? })
                }
                _ => return self.unexpected("a variable or a string"),
            };
            self.expect(&Token::RParen, "`)`")?;
            return Ok(member);
        }
        self.unexpected("a field or method name")
    }

    /// `Exp10`: a primary, or a parenthesised expression (whose kind passes through).
    fn exp10(&mut self, mode: Mode) -> PResult<(Term, Kind)> {
        let start = self.pos;
        if self.eat(&Token::LParen)? {
            let (inner, kind) = self.exp1(mode)?;
            self.expect(&Token::RParen, "`)`")?;
            return Ok((Term { span: self.since(start), ..inner }, kind));
        }
        match mode {
            Mode::Pattern => Ok((self.pattern()?, Kind::Value)),
            Mode::Term => self.value(),
        }
    }

    /// A primary value in term position (`Value` in the grammar).
    fn value(&mut self) -> PResult<(Term, Kind)> {
        let start = self.pos;
        let token = match self.peek() {
            Some(t) => t.clone(),
            None => return self.unexpected("an expression"),
        };
        let (kind, tag) = match token {
            Token::Debug | Token::Print => {
                self.bump()?;
                let args = self.builtin_args()?;
                let kind = if token == Token::Debug { TermKind::Debug(args) } else { TermKind::Print(args) };
                (kind, Kind::Logical)
            }
            Token::Cut => {
                self.bump()?;
                (TermKind::Cut, Kind::Logical)
            }
            Token::Forall => {
                self.bump()?;
                self.expect(&Token::LParen, "`(`")?;
                let (condition, action) = self.nested(|p| {
                    let c = p.exp1(Mode::Term)?;
                    let c = p.expect_logical(c, follow::ARGS)?;
                    p.expect(&Token::Comma, "`,`")?;
                    let a = p.exp1(Mode::Term)?;
                    let a = p.expect_logical(a, follow::ARGS)?;
                    Ok((c, a))
                })?;
                self.expect(&Token::RParen, "`)`")?;
                (TermKind::ForAll { condition: Box::new(condition), action: Box::new(action) }, Kind::Logical)
            }
            Token::Boolean(b) => {
                self.bump()?;
                (TermKind::Boolean(b), Kind::Either)
            }
            Token::Symbol(name) => {
                let span = self.bump()?;
                if self.at(&Token::LParen) {
                    let (args, kwargs) = self.call_args()?;
                    (TermKind::Call(Call { name: Ident { name, span }, args, kwargs }), Kind::Logical)
                } else {
                    (TermKind::Variable(name), Kind::Either)
                }
            }
            Token::New if self.peek_at(1) == Some(&Token::LParen) => {
                self.bump()?;
                (TermKind::Rewritten { op: RewrittenOp::New, args: self.rewritten_args()? }, Kind::Logical)
            }
            Token::New => {
                self.bump()?;
                let name = self.ident("a class name")?;
                if !self.at(&Token::LParen) {
                    return self.unexpected("`(`");
                }
                let (args, kwargs) = self.call_args()?;
                (TermKind::New(Call { name, args, kwargs }), Kind::Value)
            }
            Token::Dot | Token::In => {
                self.bump()?;
                if !self.at(&Token::LParen) {
                    return self.unexpected("`(`");
                }
                let op = if token == Token::Dot { RewrittenOp::Dot } else { RewrittenOp::In };
                (TermKind::Rewritten { op, args: self.rewritten_args()? }, Kind::Logical)
            }
            Token::LBracket => (self.list(Mode::Term)?, Kind::Value),
            Token::LBrace => (TermKind::Dict(self.dict_fields(Mode::Term)?), Kind::Value),
            Token::String(s) => {
                self.bump()?;
                (TermKind::String(s), Kind::Value)
            }
            Token::Integer(_) | Token::Float(_) | Token::Plus | Token::Minus => (self.number()?, Kind::Value),
            _ => return self.unexpected("an expression"),
        };
        Ok((Term::new(kind, self.since(start)), tag))
    }

    /// A numeric literal with an optional sign (the only place a unary `+`/`-` is allowed).
    fn number(&mut self) -> PResult<TermKind> {
        let negative = match self.peek() {
            Some(Token::Minus) => {
                self.bump()?;
                true
            }
            Some(Token::Plus) => {
                self.bump()?;
                false
            }
            _ => false,
        };
        match self.peek() {
            // Oso negates after parsing the i64, so `-9223372036854775808` overflows there too.
            Some(Token::Integer(i)) => {
                let i = *i;
                self.bump()?;
                Ok(TermKind::Integer(if negative { i.wrapping_neg() } else { i }))
            }
            Some(Token::Float(f)) => {
                let f = *f;
                self.bump()?;
                Ok(TermKind::Float(if negative { -f } else { f }))
            }
            _ => self.unexpected("a number (a sign may only stand before a numeric literal)"),
        }
    }

    /// A pattern (`Pattern` in the grammar): a literal, a variable, `{..}`, `Tag{..}` or a list.
    fn pattern(&mut self) -> PResult<Term> {
        let start = self.pos;
        let kind = match self.peek() {
            Some(Token::Symbol(name)) => {
                let name = name.clone();
                let span = self.bump()?;
                if self.at(&Token::LBrace) {
                    let fields = self.dict_fields(Mode::Pattern)?;
                    TermKind::Instance { tag: Ident { name, span }, fields, bare: false }
                } else {
                    TermKind::Variable(name)
                }
            }
            Some(Token::LBrace) => TermKind::DictPattern(self.dict_fields(Mode::Pattern)?),
            Some(Token::LBracket) => self.list(Mode::Pattern)?,
            Some(Token::String(s)) => {
                let s = s.clone();
                self.bump()?;
                TermKind::String(s)
            }
            Some(Token::Boolean(b)) => {
                let b = *b;
                self.bump()?;
                TermKind::Boolean(b)
            }
            Some(Token::Integer(_) | Token::Float(_) | Token::Plus | Token::Minus) => self.number()?,
            _ => return self.unexpected("a pattern"),
        };
        Ok(Term::new(kind, self.since(start)))
    }

    /// `[]`, `[*rest]`, `[a, b]`, `[a, b, *rest]`; elements are `Exp6` values. Oso's grammar
    /// accepts empty entries after the first element (`[1,,2]`, `[1,]`).
    fn list(&mut self, mode: Mode) -> PResult<TermKind> {
        self.nested(|p| {
            p.expect(&Token::LBracket, "`[`")?;
            let mut elements = Vec::new();
            let mut rest = None;
            if p.eat(&Token::RBracket)? {
                return Ok(TermKind::List { elements, rest });
            }
            if p.at(&Token::Star) {
                rest = Some(p.rest_var()?);
                p.expect(&Token::RBracket, "`]`")?;
                return Ok(TermKind::List { elements, rest });
            }
            let e = p.exp6(mode)?;
            elements.push(p.expect_value(e, follow::of(follow::ADD, mode))?);
            loop {
                if p.eat(&Token::RBracket)? {
                    break;
                }
                p.expect(&Token::Comma, "`,` or `]`")?;
                match p.peek() {
                    Some(Token::Comma | Token::RBracket) => {}
                    Some(Token::Star) => {
                        rest = Some(p.rest_var()?);
                        p.expect(&Token::RBracket, "`]` (the rest variable must come last)")?;
                        break;
                    }
                    _ => {
                        let e = p.exp6(mode)?;
                        elements.push(p.expect_value(e, follow::of(follow::ADD, mode))?);
                    }
                }
            }
            Ok(TermKind::List { elements, rest })
        })
    }

    fn rest_var(&mut self) -> PResult<Ident> {
        self.expect(&Token::Star, "`*`")?;
        self.ident("a rest variable name")
    }

    /// `{k: v, ...}` for dictionaries (values are `Exp5`) and patterns (values are `Exp9`).
    fn dict_fields(&mut self, mode: Mode) -> PResult<Vec<Field>> {
        self.nested(|p| {
            p.object(|p| match mode {
                Mode::Term => {
                    let v = p.exp5(Mode::Term)?;
                    p.expect_value(v, follow::of(follow::UNIFY, Mode::Term))
                }
                Mode::Pattern => {
                    let v = p.exp9(Mode::Pattern)?;
                    p.expect_value(v, follow::of(follow::DOT, Mode::Pattern))
                }
            })
        })
    }

    /// `{}` or `{field, ...}` where a field is `key: value` (the key may be a reserved word)
    /// or a bare `key` meaning `key: key`. Empty entries after the first are accepted, as in
    /// Oso (`{a: 1,,b: 2}`, `{a: 1,}`).
    fn object(&mut self, mut value: impl FnMut(&mut Self) -> PResult<Term>) -> PResult<Vec<Field>> {
        self.expect(&Token::LBrace, "`{`")?;
        let mut fields: Vec<Field> = Vec::new();
        if self.eat(&Token::RBrace)? {
            return Ok(fields);
        }
        loop {
            let field = self.field(&mut value, false)?;
            self.add_field(&mut fields, field, "key", follow::COMMA | follow::RBRACE);
            if self.comma_or_close(&Token::RBrace, "`,` or `}`")? {
                return Ok(fields);
            }
        }
    }

    /// Adds a field unless its key is already there; a duplicate is deferred like Oso's
    /// `DuplicateKey` (reported on the next token if it is in `follow`).
    fn add_field(&mut self, fields: &mut Vec<Field>, field: Field, what: &str, follow: u16) {
        match fields.iter().find(|f| f.key.name == field.key.name) {
            Some(first) => {
                let first = first.key.span;
                self.defer(
                    Diagnostic::error(
                        codes::DUPLICATE_KEY,
                        field.key.span,
                        format!("duplicate {what} `{}`", field.key.name),
                    )
                    .with_label("used again here")
                    .with_secondary(first, "first used here"),
                    follow,
                );
            }
            None => fields.push(field),
        }
    }

    /// After a field: `close` ends the list (true); otherwise a `,` and, as Oso accepts, any
    /// number of empty entries (`a,,b`, `a,}`).
    fn comma_or_close(&mut self, close: &Token, expected: &str) -> PResult<bool> {
        loop {
            if self.eat(close)? {
                return Ok(true);
            }
            self.expect(&Token::Comma, expected)?;
            if self.peek() != Some(&Token::Comma) && self.peek() != Some(close) {
                return Ok(false);
            }
        }
    }

    /// `key: value`, or (unless `keyword_argument`) the shorthand `key`. A reserved word
    /// may be a key but needs its `:` (Oso reports the token after it otherwise).
    fn field(
        &mut self,
        value: &mut impl FnMut(&mut Self) -> PResult<Term>,
        keyword_argument: bool,
    ) -> PResult<Field> {
        let (key_name, reserved) = match self.peek() {
            Some(Token::Symbol(name)) => (name.clone(), false),
            Some(t) => match keyword_text(t) {
                Some(word) => (word.to_owned(), true),
                None => return self.unexpected("a key"),
            },
            None => return self.unexpected("a key"),
        };
        let key = Ident { name: key_name, span: self.bump()? };
        if self.eat(&Token::Colon)? {
            let value = value(self)?;
            Ok(Field { key, value, shorthand: false })
        } else if reserved || keyword_argument {
            self.unexpected("`:`")
        } else {
            let value = Term::new(TermKind::Variable(key.name.clone()), key.span);
            Ok(Field { key, value, shorthand: true })
        }
    }

    /// `(a, b)` or `(a, k: v)` after a call's name. Positional arguments take no trailing
    /// comma; keyword arguments come last and (as in Oso) may.
    fn call_args(&mut self) -> PResult<(Vec<Term>, Option<Vec<Field>>)> {
        self.nested(|p| {
            p.expect(&Token::LParen, "`(`")?;
            let mut args = Vec::new();
            if p.eat(&Token::RParen)? {
                return Ok((args, None));
            }
            loop {
                // A reserved word that starts no expression can only be a keyword's name.
                let reserved_key = matches!(
                    p.peek(),
                    Some(Token::If | Token::And | Token::Or | Token::Type | Token::Matches)
                );
                if reserved_key || p.starts_kwarg() {
                    let kwargs = p.kwargs()?;
                    return Ok((args, Some(kwargs)));
                }
                let a = p.exp1(Mode::Term)?;
                args.push(p.expect_value(a, follow::ARGS)?);
                if p.eat(&Token::RParen)? {
                    return Ok((args, None));
                }
                p.expect(&Token::Comma, "`,` or `)`")?;
            }
        })
    }

    fn starts_kwarg(&self) -> bool {
        let name =
            matches!(self.peek(), Some(Token::Symbol(_))) || self.peek().and_then(keyword_text).is_some();
        name && self.peek_at(1) == Some(&Token::Colon)
    }

    fn kwargs(&mut self) -> PResult<Vec<Field>> {
        let mut fields: Vec<Field> = Vec::new();
        loop {
            let field = self.field(
                &mut |p: &mut Self| {
                    let v = p.exp1(Mode::Term)?;
                    p.expect_value(v, follow::ARGS)
                },
                true,
            )?;
            self.add_field(&mut fields, field, "keyword argument", follow::COMMA | follow::RPAREN);
            if self.comma_or_close(&Token::RParen, "`,` or `)`")? {
                return Ok(fields);
            }
        }
    }

    /// `print(a, b,)` / `debug()`: value arguments, a trailing comma allowed.
    fn builtin_args(&mut self) -> PResult<Vec<Term>> {
        self.sequence(true)
    }

    /// `.(a, b)`, `new(a)`, `in(a, b)`: any terms, a trailing comma allowed.
    fn rewritten_args(&mut self) -> PResult<Vec<Term>> {
        self.sequence(false)
    }

    fn sequence(&mut self, values_only: bool) -> PResult<Vec<Term>> {
        self.nested(|p| {
            p.expect(&Token::LParen, "`(`")?;
            let mut args = Vec::new();
            loop {
                if p.eat(&Token::RParen)? {
                    return Ok(args);
                }
                let a = p.exp1(Mode::Term)?;
                args.push(if values_only { p.expect_value(a, follow::ARGS)? } else { a.0 });
                if p.eat(&Token::RParen)? {
                    return Ok(args);
                }
                p.expect(&Token::Comma, "`,` or `)`")?;
            }
        })
    }
}

/// Lookahead sets on which Oso's parser reduces a production whose operand has the wrong
/// kind (see [`Parser::defer`]). Its LALR tables share one state between every context an
/// operand level appears in, so the set for a level is the union of what may follow that
/// level anywhere in the grammar (separately for terms and for patterns, which LALRPOP
/// instantiates as different nonterminals).
mod follow {
    use super::{Mode, Token};

    pub const SEMI: u16 = 1 << 0;
    pub const RPAREN: u16 = 1 << 1;
    pub const COMMA: u16 = 1 << 2;
    pub const RBRACKET: u16 = 1 << 3;
    pub const RBRACE: u16 = 1 << 4;
    const OR_T: u16 = 1 << 5;
    const AND_T: u16 = 1 << 6;
    const UNIFY_T: u16 = 1 << 7;
    const CMP_T: u16 = 1 << 8;
    const ADD_T: u16 = 1 << 9;
    const MUL_T: u16 = 1 << 10;
    const IN_T: u16 = 1 << 11;
    const DOT_T: u16 = 1 << 12;

    /// Arguments of calls, `print`, `forall` and keyword arguments.
    pub const ARGS: u16 = COMMA | RPAREN;

    /// Operand levels, loosest first: operands of `or`, of `and` (and `not`), of `=` (and
    /// left of comparisons), of comparisons (right) and `+` (left), and so on.
    pub const OR: usize = 0;
    pub const AND: usize = 1;
    pub const UNIFY: usize = 2;
    pub const ADD: usize = 3;
    pub const MUL: usize = 4;
    pub const IN: usize = 5;
    pub const DOT: usize = 6;

    const TERM: [u16; 7] = {
        let or = OR_T | SEMI | RPAREN | COMMA;
        let and = or | AND_T;
        let unify = and | UNIFY_T | CMP_T | RBRACE; // `}`: dictionary values
        let add = unify | ADD_T | RBRACKET; // `]`: list elements
        let mul = add | MUL_T;
        let in_ = mul | IN_T;
        [or, and, unify, add, mul, in_, in_ | DOT_T]
    };

    const PATTERN: [u16; 7] = {
        let or = OR_T | RPAREN;
        let and = or | AND_T;
        let unify = and | UNIFY_T | CMP_T;
        let add = unify | ADD_T | COMMA | RBRACKET; // list pattern elements
        let mul = add | MUL_T;
        let in_ = mul | IN_T;
        [or, and, unify, add, mul, in_, in_ | DOT_T | COMMA | RBRACE] // dictionary pattern values
    };

    pub fn of(level: usize, mode: Mode) -> u16 {
        match mode {
            Mode::Term => TERM[level],
            Mode::Pattern => PATTERN[level],
        }
    }

    pub fn bit(token: &Token) -> u16 {
        match token {
            Token::Semi => SEMI,
            Token::RParen => RPAREN,
            Token::Comma => COMMA,
            Token::RBracket => RBRACKET,
            Token::RBrace => RBRACE,
            Token::Or => OR_T,
            Token::And => AND_T,
            Token::Eq => UNIFY_T,
            Token::EqEq | Token::Neq | Token::Lt | Token::Leq | Token::Gt | Token::Geq => CMP_T,
            Token::Plus | Token::Minus => ADD_T,
            Token::Star | Token::Slash | Token::Mod | Token::Rem => MUL_T,
            Token::In | Token::Matches => IN_T,
            Token::Dot => DOT_T,
            _ => 0,
        }
    }
}

fn binary(op: BinOp, left: Term, right: Term, span: Span) -> Term {
    Term::new(TermKind::Binary { op, left: Box::new(left), right: Box::new(right) }, span)
}

/// In a specializer or after `matches`, a bare name is a class: `x: Foo` is `x: Foo{}`.
fn class_pattern(pattern: Term) -> Term {
    match pattern.kind {
        TermKind::Variable(name) => {
            let tag = Ident { name, span: pattern.span };
            Term::new(TermKind::Instance { tag, fields: Vec::new(), bare: true }, pattern.span)
        }
        kind => Term { kind, ..pattern },
    }
}

fn comparison_op(token: &Token) -> Option<BinOp> {
    Some(match token {
        Token::EqEq => BinOp::Eq,
        Token::Neq => BinOp::Neq,
        Token::Lt => BinOp::Lt,
        Token::Leq => BinOp::Leq,
        Token::Gt => BinOp::Gt,
        Token::Geq => BinOp::Geq,
        _ => return None,
    })
}

/// Reserved words that Oso's grammar accepts as field, method and key names (`ResWord`).
fn keyword_text(token: &Token) -> Option<&'static str> {
    Some(match token {
        Token::Type => "type",
        Token::Cut => "cut",
        Token::Debug => "debug",
        Token::Print => "print",
        Token::In => "in",
        Token::Forall => "forall",
        Token::If => "if",
        Token::And => "and",
        Token::Or => "or",
        Token::Not => "not",
        Token::New => "new",
        Token::Matches => "matches",
        _ => return None,
    })
}

fn member_name(token: &Token) -> Option<String> {
    match token {
        Token::Symbol(s) => Some(s.clone()),
        t => keyword_text(t).map(str::to_owned),
    }
}

fn describe(token: &Token) -> String {
    match token {
        Token::Integer(i) => format!("integer `{i}`"),
        Token::Float(f) => format!("number `{f}`"),
        Token::String(s) => format!("string {s:?}"),
        Token::Boolean(b) => format!("`{b}`"),
        Token::Symbol(s) => format!("name `{s}`"),
        Token::Isa => "`isa`".to_owned(),
        Token::Mod => "`mod`".to_owned(),
        Token::Rem => "`rem`".to_owned(),
        Token::Error => "invalid token".to_owned(),
        t => match keyword_text(t) {
            Some(word) => format!("keyword `{word}`"),
            None => format!("`{}`", punctuation(t)),
        },
    }
}

fn punctuation(token: &Token) -> &'static str {
    match token {
        Token::Colon => ":",
        Token::Comma => ",",
        Token::LBracket => "[",
        Token::RBracket => "]",
        Token::LParen => "(",
        Token::RParen => ")",
        Token::LBrace => "{",
        Token::RBrace => "}",
        Token::Dot => ".",
        Token::Bang => "!",
        Token::Star => "*",
        Token::Slash => "/",
        Token::Plus => "+",
        Token::Minus => "-",
        Token::EqEq => "==",
        Token::Neq => "!=",
        Token::Leq => "<=",
        Token::Geq => ">=",
        Token::Lt => "<",
        Token::Gt => ">",
        Token::Eq => "=",
        Token::Assign => ":=",
        Token::Pipe => "|",
        Token::Semi => ";",
        Token::Query => "?=",
        _ => "token",
    }
}

fn lex_diagnostic(error: LexError, span: Span, text: &str) -> Diagnostic {
    let slice = text.get(span.range()).unwrap_or("");
    match error {
        LexError::InvalidCharacter => {
            let c = slice.chars().next().unwrap_or('?');
            let d = Diagnostic::error(codes::INVALID_CHARACTER, span, format!("invalid character {c:?}"));
            match c {
                '?' => d.with_help("`?` may only end a name (`foo?`) or start an inline query `?=`"),
                '\'' => d.with_help("strings use double quotes"),
                '.' => d.with_help("a number needs a digit before the point: write `0.5`"),
                _ => d,
            }
        }
        LexError::UnterminatedString => Diagnostic::error(codes::BAD_STRING, span, "unterminated string")
            .with_label("this string has no closing `\"`"),
        LexError::NewlineInString => {
            // Point at the line break itself, as Oso does: with `\` escaping a line break,
            // a string may legitimately start lines earlier.
            let at = Span { start: span.end, ..span };
            Diagnostic::error(codes::BAD_STRING, at, "unterminated string: a string cannot span lines")
                .with_label("the line ends inside a string")
                .with_secondary(span, "the string starts here")
                .with_help("close the string, or write `\\n` for a line break inside it")
        }
        LexError::IntegerOverflow => Diagnostic::error(
            codes::INTEGER_OVERFLOW,
            span,
            format!("integer `{slice}` does not fit in 64 bits"),
        ),
        LexError::InvalidFloat => {
            Diagnostic::error(codes::INVALID_FLOAT, span, format!("invalid number `{slice}`"))
        }
        LexError::TrailingColons => Diagnostic::error(
            codes::INVALID_CHARACTER,
            span,
            format!("invalid name `{slice}`: `::` must separate two names"),
        ),
    }
}

#[cfg(test)]
mod tests;
