//! Mesh's intermediate languages. One module per language; each has its data types,
//! a printer (`print`, the text `mesh dump` shows) and a validator (`validate`, its
//! invariants, checked between passes in debug builds and tests).
//!
//! Architecture invariant: this crate depends on no other Mesh crate.

pub mod core;
pub mod llvm;
pub mod source;
pub mod span;
pub mod surface;
pub mod types;

pub use span::Span;

/// An intermediate language: something a pass produces and `mesh dump` prints.
pub trait Ir {
    /// The language's name, as shown by `mesh dump --list`.
    const LANG: &'static str;
    /// The text form shown by `mesh dump`.
    fn print(&self) -> String;
    /// Checks the language's invariants; returns every violation found.
    fn validate(&self) -> Result<(), Vec<String>>;
}
