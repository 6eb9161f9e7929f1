//! The pipeline as data: every pass, in order, listed once in `pipeline!`. The macro
//! generates the `PASSES` table (name, input and output language, a runner over
//! `AnyIr`) that `mesh dump` uses, and `compile_typed`, which chains the passes with
//! their real types — so a pass placed after one whose output it cannot take fails to
//! build. Between passes the output is validated in debug builds and tests.

use mesh_ir::core;
use mesh_ir::llvm::LlvmModule;
use mesh_ir::source::Sources;
use mesh_ir::surface::{Desugared, Matched, Mono, Program, Typed};
use mesh_ir::Ir;
use mesh_passes::check_exhaustiveness::CheckExhaustiveness;
use mesh_passes::codegen::Codegen;
use mesh_passes::convert_closures::ConvertClosures;
use mesh_passes::expand_keyword_args::ExpandKeywordArgs;
use mesh_passes::explicate_core::ExplicateCore;
use mesh_passes::infer::Infer;
use mesh_passes::insert_rc::InsertRc;
use mesh_passes::insert_yield_points::InsertYieldPoints;
use mesh_passes::lift_impls::LiftImpls;
use mesh_passes::lift_lambdas::LiftLambdas;
use mesh_passes::lift_nested_fns::LiftNestedFns;
use mesh_passes::lower_actors::LowerActors;
use mesh_passes::lower_cluster::LowerCluster;
use mesh_passes::match_compile::MatchCompile;
use mesh_passes::merge_clauses::MergeClauses;
use mesh_passes::monomorphise::Monomorphise;
use mesh_passes::parse::ParsePass;
use mesh_passes::remove_pipes::RemovePipes;
use mesh_passes::resolve_names::ResolveNames;
use mesh_passes::reuse_cells::ReuseCells;
use mesh_passes::specialise_drops::SpecialiseDrops;
use mesh_passes::tail_mod_cons::TailModCons;
use mesh_passes::{Pass, PassCx};

/// A value of any intermediate language.
pub enum AnyIr {
    Sources(Sources),
    Surface(Program),
    Desugared(Desugared),
    Typed(Typed),
    Mono(Mono),
    Matched(Matched),
    Core(core::Program),
    Closed(core::Closed),
    Lifted(core::Lifted),
    Rc(core::RcExplicit),
    Llvm(LlvmModule),
}

impl AnyIr {
    pub fn print(&self) -> String {
        match self {
            AnyIr::Sources(x) => x.print(),
            AnyIr::Surface(x) => x.print(),
            AnyIr::Desugared(x) => x.print(),
            AnyIr::Typed(x) => x.print(),
            AnyIr::Mono(x) => x.print(),
            AnyIr::Matched(x) => x.print(),
            AnyIr::Core(x) => x.print(),
            AnyIr::Closed(x) => x.print(),
            AnyIr::Lifted(x) => x.print(),
            AnyIr::Rc(x) => x.print(),
            AnyIr::Llvm(x) => x.print(),
        }
    }
    pub fn validate(&self) -> Result<(), Vec<String>> {
        match self {
            AnyIr::Sources(x) => x.validate(),
            AnyIr::Surface(x) => x.validate(),
            AnyIr::Desugared(x) => x.validate(),
            AnyIr::Typed(x) => x.validate(),
            AnyIr::Mono(x) => x.validate(),
            AnyIr::Matched(x) => x.validate(),
            AnyIr::Core(x) => x.validate(),
            AnyIr::Closed(x) => x.validate(),
            AnyIr::Lifted(x) => x.validate(),
            AnyIr::Rc(x) => x.validate(),
            AnyIr::Llvm(x) => x.validate(),
        }
    }

    /// The program of any language of the `core` family (core, closed, lifted, rc).
    pub fn core(&self) -> Option<&core::Program> {
        match self {
            AnyIr::Core(p)
            | AnyIr::Closed(core::Closed(p))
            | AnyIr::Lifted(core::Lifted(p))
            | AnyIr::Rc(core::RcExplicit(p)) => Some(p),
            _ => None,
        }
    }
}

pub struct PassInfo {
    pub name: &'static str,
    pub input: &'static str,
    pub output: &'static str,
    /// An error reported by the pass stops the pipeline after it (`Pass::STOPS_ON_ERROR`).
    pub stops_on_error: bool,
    pub run: fn(AnyIr, &mut PassCx) -> AnyIr,
}

macro_rules! pipeline {
    ($($pass:ident : $in:ident ($inty:ty) -> $out:ident ($outty:ty)),* $(,)?) => {
        /// Every pass, in pipeline order.
        pub fn passes() -> Vec<PassInfo> {
            vec![$(PassInfo {
                name: <$pass as Pass>::NAME,
                input: <$inty as Ir>::LANG,
                output: <$outty as Ir>::LANG,
                stops_on_error: <$pass as Pass>::STOPS_ON_ERROR,
                run: |ir, cx| match ir {
                    AnyIr::$in(x) => AnyIr::$out($pass.run(x, cx)),
                    _ => unreachable!("pipeline table out of order before {}", <$pass as Pass>::NAME),
                },
            }),*]
        }

        /// The same chain with static types; stops after the first pass that reports an
        /// error. `check` runs after every pass (validation).
        pub fn compile_typed(src: Sources, cx: &mut PassCx, check: &mut dyn FnMut(&'static str, &AnyIr) -> bool) -> Option<LlvmModule> {
            let ir = AnyIr::Sources(src);
            $(
                let AnyIr::$in(x) = ir else { unreachable!() };
                let out: $outty = $pass.run(x, cx);
                let ir = AnyIr::$out(out);
                if (cx.has_errors() && <$pass as Pass>::STOPS_ON_ERROR) || !check(<$pass as Pass>::NAME, &ir) {
                    return None;
                }
            )*
            match ir {
                AnyIr::Llvm(m) => Some(m),
                _ => None,
            }
        }
    };
}

pipeline! {
    ParsePass: Sources(Sources) -> Surface(Program),
    MergeClauses: Surface(Program) -> Surface(Program),
    LowerActors: Surface(Program) -> Surface(Program),
    LowerCluster: Surface(Program) -> Surface(Program),
    LiftImpls: Surface(Program) -> Surface(Program),
    RemovePipes: Surface(Program) -> Desugared(Desugared),
    ExpandKeywordArgs: Desugared(Desugared) -> Desugared(Desugared),
    ResolveNames: Desugared(Desugared) -> Desugared(Desugared),
    LiftNestedFns: Desugared(Desugared) -> Desugared(Desugared),
    Infer: Desugared(Desugared) -> Typed(Typed),
    CheckExhaustiveness: Typed(Typed) -> Typed(Typed),
    Monomorphise: Typed(Typed) -> Mono(Mono),
    MatchCompile: Mono(Mono) -> Matched(Matched),
    ExplicateCore: Matched(Matched) -> Core(core::Program),
    ConvertClosures: Core(core::Program) -> Closed(core::Closed),
    LiftLambdas: Closed(core::Closed) -> Lifted(core::Lifted),
    TailModCons: Lifted(core::Lifted) -> Lifted(core::Lifted),
    InsertRc: Lifted(core::Lifted) -> Rc(core::RcExplicit),
    ReuseCells: Rc(core::RcExplicit) -> Rc(core::RcExplicit),
    SpecialiseDrops: Rc(core::RcExplicit) -> Rc(core::RcExplicit),
    InsertYieldPoints: Rc(core::RcExplicit) -> Rc(core::RcExplicit),
    Codegen: Rc(core::RcExplicit) -> Llvm(LlvmModule),
}

/// Validation is on in debug builds and tests, and when `MESH_VALIDATE=1`.
pub fn validation_enabled() -> bool {
    cfg!(debug_assertions) || std::env::var("MESH_VALIDATE").is_ok_and(|v| v == "1")
}

/// Runs the passes up to and including `last` (all of them when `None`). Returns the
/// IR after the last pass that ran and that pass's name; stops early on errors.
pub fn run_until(
    src: Sources,
    cx: &mut PassCx,
    last: Option<&str>,
) -> Result<(AnyIr, &'static str), String> {
    let mut ir = AnyIr::Sources(src);
    let mut ran = "source";
    for p in passes() {
        ir = (p.run)(ir, cx);
        ran = p.name;
        // a pass that reported errors in the input stops here; its output need not be
        // a valid IR (an unsupported construct is left untyped, …)
        let failed = cx.has_errors() && p.stops_on_error;
        if validation_enabled() && !failed {
            if let Err(errs) = ir.validate() {
                return Err(format!(
                    "internal error: the {} IR after pass `{}` is invalid:\n  {}\n{}",
                    p.output,
                    p.name,
                    errs.join("\n  "),
                    ir.print()
                ));
            }
        }
        if failed || Some(p.name) == last {
            break;
        }
    }
    Ok((ir, ran))
}
