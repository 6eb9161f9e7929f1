//! The passes of the Mesh compiler. Each is a pure function from one IR to the next,
//! in its own file, named with a verb (STYLE.md §1). Passes never call each other:
//! only the driver's pipeline table puts them in order.

mod build;
pub mod cx;
pub mod diag;

pub mod check_exhaustiveness;
pub mod codegen;
pub mod convert_closures;
pub mod expand_keyword_args;
pub mod explicate_core;
pub mod infer;
pub mod insert_rc;
pub mod insert_yield_points;
pub mod lift_impls;
pub mod lift_lambdas;
pub mod lift_nested_fns;
pub mod lower_actors;
pub mod lower_cluster;
pub mod match_compile;
pub mod merge_clauses;
pub mod monomorphise;
pub mod parse;
pub mod remove_pipes;
pub mod resolve_names;
pub mod reuse_cells;
pub mod specialise_drops;
pub mod tail_mod_cons;

pub use cx::{Options, PassCx};

/// A pass: one step from one intermediate language to the next.
pub trait Pass {
    /// Kebab-case name used by `mesh dump --after=NAME` and `snapshots/NAME/`.
    const NAME: &'static str;
    /// An error this pass reports stops the pipeline after it (the default). Name-level
    /// passes before inference continue, so one run reports an undefined name and a type
    /// error together.
    const STOPS_ON_ERROR: bool = true;
    type In;
    type Out;
    fn run(&self, input: Self::In, cx: &mut PassCx) -> Self::Out;
}
