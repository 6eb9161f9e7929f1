//! Source spans. Every IR node has one; a node a pass creates takes the span of the
//! node it replaces.

/// A byte range in one source file of the program.
///
/// Spans are metadata: two spans always compare equal, so that tree equality
/// (used by the parser's print/re-parse property and by pass tests) ignores
/// positions. Compare `lo`/`hi` directly when positions matter.
#[derive(Clone, Copy, Debug, Default)]
pub struct Span {
    pub file: u32,
    pub lo: u32,
    pub hi: u32,
}

impl Span {
    pub const DUMMY: Span = Span {
        file: 0,
        lo: 0,
        hi: 0,
    };
    pub fn new(file: u32, lo: usize, hi: usize) -> Span {
        Span {
            file,
            lo: lo as u32,
            hi: hi as u32,
        }
    }
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            lo: self.lo.min(other.lo),
            hi: self.hi.max(other.hi),
        }
    }
}

impl PartialEq for Span {
    fn eq(&self, _: &Span) -> bool {
        true
    }
}
