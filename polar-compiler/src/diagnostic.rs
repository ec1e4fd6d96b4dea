//! Diagnostics as plain data, and their rendering in rustc's style.
//!
//! Every stage reports [`Diagnostic`] values; only [`render`] knows about the renderer
//! (`codespan-reporting`), so the proc macro and build.rs can choose how to show them.

use std::fmt;
use std::ops::Range;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term;

use crate::source::{FileId, SourceMap, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// One finding about a policy. `code` is a stable identifier (e.g. `E0101`, see `codes`).
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    /// Text shown under the primary marker.
    pub label: Option<String>,
    /// Other places that explain this one (e.g. the first definition of a duplicate).
    pub secondary: Vec<(Span, String)>,
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, span, message)
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, span, message)
    }

    fn new(severity: Severity, code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            span,
            label: None,
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> Self {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// True when any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(Diagnostic::is_error)
}

impl<'a> Files<'a> for SourceMap {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.get(id).name)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.get(id).text)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let starts = self.get(id).line_starts();
        Ok(starts.partition_point(|&s| s <= byte_index).saturating_sub(1))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.get(id);
        let starts = file.line_starts();
        let start = *starts
            .get(line_index)
            .ok_or(FilesError::LineTooLarge { given: line_index, max: starts.len() - 1 })?;
        let end = starts.get(line_index + 1).copied().unwrap_or(file.text.len());
        Ok(start..end)
    }
}

fn to_codespan(d: &Diagnostic, sources: &SourceMap) -> cs::Diagnostic<FileId> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
    };
    let clamp = |span: Span| {
        let len = sources.get(span.file).text.len();
        let mut start = (span.start as usize).min(len);
        let mut end = (span.end as usize).clamp(start, len);
        let text = &sources.get(span.file).text;
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        start..end
    };
    let mut labels = vec![
        cs::Label::primary(d.span.file, clamp(d.span)).with_message(d.label.clone().unwrap_or_default()),
    ];
    labels.extend(
        d.secondary.iter().map(|(s, m)| cs::Label::secondary(s.file, clamp(*s)).with_message(m.clone())),
    );
    let mut notes: Vec<String> = d.notes.iter().map(|n| format!("note: {n}")).collect();
    if let Some(h) = &d.help {
        notes.push(format!("help: {h}"));
    }
    cs::Diagnostic::new(severity)
        .with_code(d.code)
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

/// Renders diagnostics as rustc renders them: severity, message, `--> path:line:column`,
/// the source line and a marker under the span. Plain text, no colour.
pub fn render(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let config = term::Config { chars: term::Chars::ascii(), ..term::Config::default() };
    let mut out = String::new();
    for d in diagnostics {
        // The files are our own SourceMap and spans are clamped to it, so rendering cannot
        // fail; should it, fall back to the one-line form rather than lose the message.
        if term::emit_to_string(&mut out, &config, sources, &to_codespan(d, sources)).is_err() {
            out.push_str(&format!("{}: {}\n  --> {}\n", d.severity, d.message, sources.location(d.span)));
        }
    }
    out
}

/// One line per diagnostic: `path:line:column: severity[code]: message`.
pub fn render_short(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    diagnostics
        .iter()
        .map(|d| format!("{}: {}[{}]: {}\n", sources.location(d.span), d.severity, d.code, d.message))
        .collect()
}
