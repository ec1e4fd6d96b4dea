//! The Polar ahead-of-time compiler: front end (lexer, parser, lowering, validation,
//! dependency graph) and diagnostics. See ARCHITECTURE.md at the repository root.

pub mod ast;
pub mod diagnostic;
pub mod graph;
pub mod lexer;
pub mod lower;
pub mod parser;
pub mod source;
pub mod validate;
