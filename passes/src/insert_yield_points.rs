//! `insert-yield-points : core -> core` — preemption and stack checks for processes
//! (spec 04 §15). Every function that calls another, and every loop body, starts with
//! a *check* (`mesh_rt_check()`): codegen compares the stack pointer with this thread's
//! limit and calls the runtime only below it. The limit is the running process's stack
//! limit, or — when the runtime's monitor sees a process run past its time slice — a
//! value no stack pointer is above, so the next check lets other processes run. A
//! function that calls nothing and has no loop runs in bounded time and stack and gets
//! none. The marker is a no-op to the core interpreter.
//!
//! Algorithm: Go's stack-bound prologue check (`morestack`), whose guard doubles as the
//! preemption request (Go 1.2–1.13 cooperative preemption), at the places where the
//! BEAM counts reductions (calls and loop back-edges). The pass is idempotent.
//! Paper: `papers/insert-yield-points.md`.

use crate::{Pass, PassCx};
use mesh_ir::core::vars::{children, children_mut};
use mesh_ir::core::{CTy, Expr, ExprKind, Prim, RcExplicit};

pub struct InsertYieldPoints;

impl Pass for InsertYieldPoints {
    const NAME: &'static str = "insert-yield-points";
    type In = RcExplicit;
    type Out = RcExplicit;
    fn run(&self, RcExplicit(mut p): RcExplicit, _cx: &mut PassCx) -> RcExplicit {
        for f in &mut p.fns {
            loops(&mut f.body);
            if calls(&f.body) && !starts_with_check(&f.body) {
                let body = std::mem::replace(&mut f.body, check(f.span));
                f.body = seq(check(f.span), body);
            }
        }
        RcExplicit(p)
    }
}

fn check(span: mesh_ir::Span) -> Expr {
    Expr {
        kind: ExprKind::Prim(Prim::Check, vec![]),
        ty: CTy::Unit,
        span,
    }
}

fn seq(a: Expr, b: Expr) -> Expr {
    let (ty, span) = (b.ty, b.span);
    Expr {
        kind: ExprKind::Seq(Box::new(a), Box::new(b)),
        ty,
        span,
    }
}

/// `e` is `check; …`.
pub fn starts_with_check(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Seq(a, _) if matches!(&a.kind, ExprKind::Prim(Prim::Check, _)))
}

/// Whether `e` calls a function or a closure (and so needs a stack check).
pub fn calls(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Call { .. } | ExprKind::CallClosure { .. })
        || children(e).into_iter().any(calls)
}

fn loops(e: &mut Expr) {
    for c in children_mut(e) {
        loops(c);
    }
    if let ExprKind::Loop { body, .. } = &mut e.kind {
        if !starts_with_check(body) {
            let span = body.span;
            let b = std::mem::replace(&mut **body, check(span));
            **body = seq(check(span), b);
        }
    }
}
