//! The `mesh` command: CLI, project loading, the pipeline table, diagnostics rendering
//! and linking. Architecture invariant: only this crate touches files and processes.

pub mod cli;
pub mod cluster;
pub mod link;
pub mod pipeline;
pub mod project;
pub mod report;
