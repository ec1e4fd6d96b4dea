//! The Polar ahead-of-time compiler: front end (lexer, parser, lowering, validation,
//! dependency graph) and diagnostics. See ARCHITECTURE.md at the repository root.
//!
//! [`check`] runs the whole front end over a set of files that together form one policy
//! (as Oso's `load_files` does) and returns everything later stages need.

pub mod ast;
pub mod builder;
pub mod codegen;
pub mod diagnostic;
pub mod filter;
mod fxhash;
pub mod graph;
pub mod lexer;
pub mod lower;
pub mod parser;
pub mod plan;
pub mod source;
pub mod validate;

pub use builder::Builder;
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
    // `validate::check`, with the rule graph built once for validation and the result.
    let (program, mut found) = lower::lower(&files);
    diagnostics.append(&mut found);
    let graph =
        RuleGraph::build(program.rules.iter().map(|r| (r.name.name.as_str(), &r.body)), &program.queries);
    diagnostics.extend(validate::validate_with_graph(&program, Some(&graph)));
    diagnostics.sort_by_key(|d| (d.span.file, d.span.start, std::cmp::Reverse(d.severity)));
    Checked { files, program: Some(program), graph: Some(graph), diagnostics }
}

/// Compiles the policy in `sources` to Rust items (`is_allowed`, `rules::*`, ...), or returns
/// every error, rendered: the front end's and the code generator's.
pub fn compile(sources: &SourceMap) -> Result<proc_macro2::TokenStream, String> {
    compile_with(sources, &Options::default())
}

/// What to generate besides the checks.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Data filtering: `authorized_filter` and the plan data its evaluator reads
    /// (`polar!(..., filters = true)`, `Builder::filters(true)`).
    pub filters: bool,
}

/// [`compile`] with [`Options`].
pub fn compile_with(sources: &SourceMap, options: &Options) -> Result<proc_macro2::TokenStream, String> {
    let checked = check(sources, Stop::AfterValidation);
    if checked.has_errors() {
        let errors: Vec<Diagnostic> = checked.diagnostics.into_iter().filter(|d| d.is_error()).collect();
        return Err(diagnostic::render(&errors, sources));
    }
    let (Some(program), Some(graph)) = (checked.program, checked.graph) else {
        return Err("the policy did not parse".into());
    };
    let mut tokens = codegen::generate_with_sources(&program, &graph, Some(sources))
        .map_err(|errors| diagnostic::render(&errors, sources))?;
    if options.filters {
        let plans = plan::Plans::new(&program, &graph);
        tokens.extend(filter::generate(&program, &plans, Some(sources)));
    }
    Ok(tokens)
}

/// [`compile`], formatted as a Rust file with `prettyplease` (`polarc expand`).
pub fn expand(sources: &SourceMap) -> Result<String, String> {
    expand_with(sources, &Options::default())
}

/// [`expand`] with [`Options`].
pub fn expand_with(sources: &SourceMap, options: &Options) -> Result<String, String> {
    let tokens = compile_with(sources, options)?;
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("internal error: generated code does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file))
}
