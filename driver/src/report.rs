//! Rendering diagnostics with codespan-reporting: `error[E0001]: message`, then
//! `┌─ file:line:col`, the source line and a caret under the span.

use codespan_reporting::diagnostic::{Diagnostic as CsDiag, Label, Severity as CsSev};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor};
use mesh_ir::source::Sources;
use mesh_passes::diag::{Diagnostic, Severity};

/// Renders diagnostics as text (no colour), in source order.
pub fn render(sources: &Sources, diags: &[Diagnostic], color: bool) -> String {
    let mut files = SimpleFiles::new();
    for f in &sources.files {
        files.add(f.path.clone(), f.text.clone());
    }
    let mut sorted: Vec<&Diagnostic> = diags.iter().collect();
    sorted.sort_by_key(|d| (d.span.file, d.span.lo));
    let mut buf = if color {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    let config = term::Config::default();
    for d in sorted {
        let clamp = |file: u32, lo: u32, hi: u32| {
            let len = sources
                .files
                .get(file as usize)
                .map(|f| f.text.len())
                .unwrap_or(0);
            let lo = (lo as usize).min(len);
            lo..(hi as usize).clamp(lo, len)
        };
        let mut labels = Vec::new();
        if (d.span.file as usize) < sources.files.len() {
            labels.push(
                Label::primary(
                    d.span.file as usize,
                    clamp(d.span.file, d.span.lo, d.span.hi),
                )
                .with_message(&d.label),
            );
        }
        for (s, l) in &d.secondary {
            if (s.file as usize) < sources.files.len() {
                labels.push(
                    Label::secondary(s.file as usize, clamp(s.file, s.lo, s.hi)).with_message(l),
                );
            }
        }
        let sev = match d.severity {
            Severity::Error => CsSev::Error,
            Severity::Warning => CsSev::Warning,
        };
        let mut cd = CsDiag::new(sev)
            .with_message(&d.message)
            .with_labels(labels)
            .with_notes(d.notes.clone());
        if let Some(code) = d.code {
            cd = cd.with_code(code);
        }
        let _ = term::emit(&mut buf, &config, &files, &cd);
    }
    String::from_utf8_lossy(buf.as_slice()).into_owned()
}

/// Spec 02 §10 `--json`: one JSON object per diagnostic and line, with fields `code`,
/// `severity`, `message`, `file`, `spans` (each with 1-based `line`/`column` and byte
/// offsets) and `fix` (the notes, or null).
pub fn render_json(sources: &Sources, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let span = |s: &mesh_ir::Span, label: &str, primary: bool| {
            let (line, column) = sources.line_col(s.file, s.lo);
            serde_json::json!({ "file": sources.files.get(s.file as usize).map(|f| f.path.clone()), "line": line, "column": column, "start": s.lo, "end": s.hi, "label": label, "primary": primary })
        };
        let mut spans = vec![span(&d.span, &d.label, true)];
        spans.extend(d.secondary.iter().map(|(s, l)| span(s, l, false)));
        let obj = serde_json::json!({
            "code": d.code,
            "category": d.category,
            "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
            "message": d.message,
            "file": sources.files.get(d.span.file as usize).map(|f| f.path.clone()),
            "spans": spans,
            "fix": if d.notes.is_empty() { serde_json::Value::Null } else { serde_json::Value::String(d.notes.join("\n")) },
        });
        out.push_str(&obj.to_string());
        out.push('\n');
    }
    out
}
