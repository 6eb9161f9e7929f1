//! `lower-actors : surface -> surface` — spec 04 §2, §4, §7. Turns the actor forms into
//! plain functions and library calls that the rest of the pipeline already knows:
//!
//! * `actor name(params) do body end` becomes the function `name` marked `actor`
//!   (inference gives it the type `fn(params) -> Pid<M>` and types `receive`/`self()`
//!   in it against the message type `M`);
//! * `spawn(f, a1, …, an)` becomes `(fn(x1, …, xn) -> Process.spawn(fn() -> f(x1, …,
//!   xn) end) end)(a1, …, an)`: the arguments are evaluated by the parent, then the
//!   new process runs a closure holding them (the runtime copies it, spec 04 §6);
//! * `receive do p1 -> e1 … after t -> e end` becomes `case Process.receive(t) do
//!   Some(p1) -> e1 … None -> e end` (`t` is -1, wait for ever, without `after`). A
//!   message that matches no arm crashes the process: `check-exhaustiveness` completes
//!   such a `case` with a failing arm instead of rejecting it.
//!
//! `terminate` clauses are not run yet (reported). Paper: `papers/actors.md`.

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::surface::*;
use mesh_ir::Span;

pub struct LowerActors;

impl Pass for LowerActors {
    const NAME: &'static str = "lower-actors";
    type In = Program;
    type Out = Program;
    fn run(&self, mut p: Program, cx: &mut PassCx) -> Program {
        for m in &mut p.modules {
            for it in &mut m.items {
                if let ItemKind::Actor(a) = &mut it.kind {
                    if let Some(t) = &a.terminate {
                        let span = t.first().map_or(it.span, |s| s.span);
                        cx.emit(Diagnostic::error(
                            "unsupported",
                            "`terminate` clauses are not supported by this compiler yet",
                            span,
                        ));
                    }
                    let f = FnDef {
                        is_pub: a.is_pub,
                        cluster: None,
                        name: a.name.clone(),
                        generics: vec![],
                        params: std::mem::take(&mut a.params),
                        ret: None,
                        bounds: vec![],
                        guard: None,
                        body: std::mem::take(&mut a.body),
                        eq_form: false,
                        actor: true,
                        sig: None,
                        span: it.span,
                    };
                    it.kind = ItemKind::Fn(f);
                }
            }
        }
        visit::exprs_mut(&mut p, &mut |e| lower(e, cx));
        p
    }
}

fn lower(e: &mut Expr, cx: &mut PassCx) {
    let span = e.span;
    match &mut e.kind {
        ExprKind::Call { callee, args } if is_name(callee, "spawn") => {
            if args.is_empty() || args.iter().any(|a| a.name.is_some()) {
                cx.emit(
                    Diagnostic::error(
                        "spawn",
                        "`spawn` takes a function and its arguments: `spawn(f, a, b)`",
                        span,
                    )
                    .with_code("E0016"),
                );
                return;
            }
            let mut args = std::mem::take(args);
            let f = args.remove(0).value;
            let names: Vec<String> = (1..=args.len()).map(|i| format!("spawn.{i}")).collect();
            let inner_call = call(f, names.iter().map(|n| var(n, span)).collect(), span);
            let thunk = closure(vec![], inner_call, span);
            let spawn = call(library("Process", "spawn", span), vec![thunk], span);
            if names.is_empty() {
                *e = spawn;
            } else {
                let outer = closure(names, spawn, span);
                *e = call(outer, args.into_iter().map(|a| a.value).collect(), span);
            }
        }
        ExprKind::Receive { .. } => {
            let ExprKind::Receive { arms, after } = std::mem::replace(&mut e.kind, ExprKind::Unit)
            else {
                unreachable!()
            };
            let mut arms: Vec<Arm> = arms
                .into_iter()
                .map(|a| Arm {
                    pat: ctor("Some", Some(vec![a.pat]), a.span),
                    ..a
                })
                .collect();
            let timeout = match after {
                Some((t, body)) => {
                    let s = body.first().map_or(t.span, |s| s.span);
                    arms.push(Arm {
                        pat: ctor("None", None, s),
                        guard: None,
                        body,
                        span: s,
                    });
                    *t
                }
                None => Expr::new(ExprKind::Int(-1), span),
            };
            let scrutinee = call(library("Process", "receive", span), vec![timeout], span);
            e.kind = ExprKind::Case {
                scrutinee: Box::new(scrutinee),
                arms,
            };
        }
        _ => {}
    }
}

fn is_name(e: &Expr, n: &str) -> bool {
    matches!(&e.kind, ExprKind::Var(v) if v == n)
}

fn var(n: &str, span: Span) -> Expr {
    Expr::new(ExprKind::Var(n.to_string()), span)
}

fn library(module: &str, name: &str, span: Span) -> Expr {
    Expr::new(
        ExprKind::Field(Box::new(var(module, span)), name.to_string()),
        span,
    )
}

fn call(callee: Expr, args: Vec<Expr>, span: Span) -> Expr {
    Expr::new(
        ExprKind::Call {
            callee: Box::new(callee),
            args: args
                .into_iter()
                .map(|value| Arg { name: None, value })
                .collect(),
        },
        span,
    )
}

fn closure(params: Vec<String>, body: Expr, span: Span) -> Expr {
    Expr::new(
        ExprKind::Closure(vec![Clause {
            params: params
                .into_iter()
                .map(|n| Param {
                    pat: Pat::new(PatKind::Var(n), span),
                    ty: None,
                })
                .collect(),
            guard: None,
            body: vec![Stmt {
                kind: StmtKind::Expr(body),
                span,
            }],
        }]),
        span,
    )
}

fn ctor(name: &str, args: Option<Vec<Pat>>, span: Span) -> Pat {
    Pat::new(
        PatKind::Ctor {
            path: vec![name.to_string()],
            args,
        },
        span,
    )
}
