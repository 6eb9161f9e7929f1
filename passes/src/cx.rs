//! `PassCx`: what every pass may use besides its input — the diagnostics sink, the
//! fresh-name supply, the options and the sources (for spans).

use crate::diag::{Diagnostic, Severity};
use mesh_ir::source::Sources;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--release`: optimise the generated code.
    pub release: bool,
}

#[derive(Debug, Default)]
pub struct PassCx {
    pub sources: Sources,
    pub diags: Vec<Diagnostic>,
    pub options: Options,
    fresh: u32,
}

impl PassCx {
    pub fn new(sources: Sources, options: Options) -> PassCx {
        PassCx {
            sources,
            diags: Vec::new(),
            options,
            fresh: 0,
        }
    }
    /// Reports `d` — once: a pass that visits a node twice (a `receive` arm's pattern is
    /// also its matcher's) must not report one mistake twice.
    pub fn emit(&mut self, d: Diagnostic) {
        // spans compare equal whatever they cover (trees are compared spans aside)
        let at = |s: &mesh_ir::Span| (s.file, s.lo, s.hi);
        if !self
            .diags
            .iter()
            .any(|o| *o == d && at(&o.span) == at(&d.span))
        {
            self.diags.push(d);
        }
    }
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(|d| d.severity == Severity::Error)
    }
    /// A name no source program can write (`base.N`; `.` is not an identifier character).
    pub fn fresh(&mut self, base: &str) -> String {
        self.fresh += 1;
        format!("{base}.{}", self.fresh)
    }
}
