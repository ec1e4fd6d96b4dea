//! The Polar ahead-of-time compiler: front end (lexer, parser, lowering, validation,
//! dependency graph) and diagnostics. See ARCHITECTURE.md at the repository root.
//!
//! [`check`] runs the whole front end over a set of files that together form one policy
//! (as Oso's `load_files` does) and returns everything later stages need.

pub mod ast;
pub mod diagnostic;
pub mod graph;
pub mod lexer;
pub mod lower;
pub mod parser;
pub mod source;
pub mod validate;

use diagnostic::{Diagnostic, has_errors};
use graph::RuleGraph;
use source::SourceMap;

/// How far [`check`] goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stop {
    /// Parse only (`polarc check --syntax-only`).
    AfterParsing,
    /// Parse, lower, validate and build the dependency graph.
    #[default]
    AfterValidation,
}

/// The result of the front end. `program` and `graph` are present when the files parsed;
/// they may still carry validation errors, listed in `diagnostics`.
#[derive(Debug)]
pub struct Checked {
    pub files: Vec<ast::File>,
    pub program: Option<lower::Program>,
    pub graph: Option<RuleGraph>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        has_errors(&self.diagnostics)
    }
}

/// Parses every file of `sources`, then (unless told to stop) lowers, validates and builds
/// the rule graph. Syntax errors stop the run after parsing: validating a policy with
/// missing rules would only add noise (undefined calls, unused variables) to the report.
pub fn check(sources: &SourceMap, stop: Stop) -> Checked {
    let mut diagnostics = Vec::new();
    let mut files = Vec::new();
    for (id, file) in sources.files() {
        let (ast, mut found) = parser::parse_file(id, &file.text);
        diagnostics.append(&mut found);
        files.push(ast);
    }
    if stop == Stop::AfterParsing || has_errors(&diagnostics) {
        return Checked { files, program: None, graph: None, diagnostics };
    }
    let (program, mut found) = validate::check(&files);
    diagnostics.append(&mut found);
    let graph =
        RuleGraph::build(program.rules.iter().map(|r| (r.name.name.as_str(), &r.body)), &program.queries);
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, std::cmp::Reverse(d.severity)));
    Checked { files, program: Some(program), graph: Some(graph), diagnostics }
}
