//! `polarc`: check Polar policies and explain them without building Rust.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use polar_compiler::codegen::generate_with_sources;
use polar_compiler::diagnostic::{Severity, render};
use polar_compiler::plan::Plans;
use polar_compiler::source::SourceMap;
use polar_compiler::{Stop, check};

#[derive(Parser)]
#[command(name = "polarc", version, about = "The Polar ahead-of-time compiler")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report every error and warning in a policy. The files together form one policy, as
    /// with Oso's `load_files`. Exits 0 when it is valid (warnings allowed), 1 otherwise.
    Check {
        /// Stop after parsing.
        #[arg(long)]
        syntax_only: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the Rust code the policy compiles to, formatted.
    Expand {
        /// Include data filtering (`authorized_filter`, `authorized_actors` and the plan data),
        /// as `polar!(..., filters = true)` generates it.
        #[arg(long)]
        filters: bool,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the plan of every rule: the operations each clause runs and the facts the
    /// back ends read (may it raise, is it recursive, which binding modes, literal arguments).
    Plan {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the rule dependency graph in Graphviz DOT.
    Graph {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn load(paths: &[PathBuf]) -> Result<SourceMap, ExitCode> {
    let mut sources = SourceMap::new();
    for path in paths {
        match std::fs::read(path) {
            // Oso reads policies as UTF-8; replacement characters then surface as syntax errors.
            Ok(bytes) => {
                sources.add(path.display().to_string(), String::from_utf8_lossy(&bytes).into_owned());
            }
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", path.display());
                return Err(ExitCode::from(2));
            }
        }
    }
    Ok(sources)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check { syntax_only, files } => {
            let sources = match load(&files) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let stop = if syntax_only { Stop::AfterParsing } else { Stop::AfterValidation };
            let mut checked = check(&sources, stop);
            // A policy the code generator refuses (G0001 and the other G errors) is not valid
            // either: `check` says what a build would say, short of rustc's own type checks.
            if !syntax_only
                && !checked.has_errors()
                && let (Some(program), Some(graph)) = (&checked.program, &checked.graph)
                && let Err(errors) = generate_with_sources(program, graph, Some(&sources))
            {
                checked.diagnostics.extend(errors);
            }
            eprint!("{}", render(&checked.diagnostics, &sources));
            let count = |s| checked.diagnostics.iter().filter(|d| d.severity == s).count();
            let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
            if errors > 0 {
                eprintln!("{errors} error(s), {warnings} warning(s)");
                ExitCode::FAILURE
            } else {
                eprintln!("ok: {} file(s), {warnings} warning(s)", files.len());
                ExitCode::SUCCESS
            }
        }
        Command::Expand { files, filters } => {
            let sources = match load(&files) {
                Ok(s) => s,
                Err(code) => return code,
            };
            match polar_compiler::expand_with(&sources, &polar_compiler::Options { filters }) {
                Ok(code) => {
                    print!("{code}");
                    ExitCode::SUCCESS
                }
                Err(rendered) => {
                    eprint!("{rendered}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Plan { files } => {
            let sources = match load(&files) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let checked = check(&sources, Stop::AfterValidation);
            eprint!("{}", render(&checked.diagnostics, &sources));
            match (&checked.program, &checked.graph) {
                (Some(program), Some(graph)) if !checked.has_errors() => {
                    print!("{}", Plans::new(program, graph).to_text(Some(&sources)));
                    ExitCode::SUCCESS
                }
                _ => ExitCode::FAILURE,
            }
        }
        Command::Graph { files } => {
            let sources = match load(&files) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let checked = check(&sources, Stop::AfterValidation);
            match checked.graph {
                Some(graph) => {
                    eprint!("{}", render(&checked.diagnostics, &sources));
                    print!("{}", graph.to_dot());
                    ExitCode::SUCCESS
                }
                None => {
                    eprint!("{}", render(&checked.diagnostics, &sources));
                    ExitCode::FAILURE
                }
            }
        }
    }
}
