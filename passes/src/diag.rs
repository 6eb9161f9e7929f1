//! Diagnostics are data: passes push them into the `PassCx` sink instead of returning
//! early, so one run reports every independent error. The driver renders them.

use mesh_ir::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A short category such as `syntax`, `type mismatch`, `undefined variable`.
    pub category: &'static str,
    /// A stable error code (`E0001`), as the spec's compile_fail examples name them.
    pub code: Option<&'static str>,
    pub message: String,
    pub span: Span,
    /// Text under the caret.
    pub label: String,
    pub secondary: Vec<(Span, String)>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(category: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            category,
            code: None,
            message: message.into(),
            span,
            label: String::new(),
            secondary: Vec::new(),
            notes: Vec::new(),
        }
    }
    pub fn warning(category: &'static str, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(category, message, span)
        }
    }
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }
    pub fn with_label(mut self, l: impl Into<String>) -> Self {
        self.label = l.into();
        self
    }
    pub fn with_note(mut self, n: impl Into<String>) -> Self {
        self.notes.push(n.into());
        self
    }
    pub fn with_secondary(mut self, span: Span, l: impl Into<String>) -> Self {
        self.secondary.push((span, l.into()));
        self
    }
}
