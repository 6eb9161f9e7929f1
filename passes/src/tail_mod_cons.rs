//! `tail-mod-cons : core -> core` — tail recursion modulo constructors, in
//! destination-passing style (Minamide, *A functional representation of data
//! structures with a hole*, POPL 1998; as OCaml 5.1's `[@tail_mod_cons]` and Leijen &
//! Lorenzen, *Tail Recursion Modulo Context*, POPL 2023). A function whose result, on
//! some path, is a constructor holding a recursive call —
//!
//! ```text
//! fn map(xs, f) = case xs do h :: t -> Cons(f(h), map(t, f)); _ -> [] end
//! ```
//!
//! — needs a stack frame per element: a million-element list overflows the stack. The
//! pass gives such a function `f` a companion `f%dps(params…, dst, slot)` that writes
//! its result into field `slot` of the cell `dst` instead of returning it:
//!
//! - in `f`, the constructor is built with a *hole* (`mesh_rt_hole`, a null field) where
//!   the call was, then `f%dps(args…, cell, k)` fills it, and the cell is the result;
//! - in `f%dps`, every result `v` becomes `mesh_rt_set_slot(dst, slot, v)`; a
//!   constructor holding the recursive call becomes: build it with a hole, store it in
//!   `dst`, and *tail-call* `f%dps` on its hole; a tail call of `f` becomes a tail call
//!   of `f%dps` with the same destination.
//!
//! So the recursion runs as a loop, and the cells are built front to back (with
//! `reuse-cells`, in the cells of the list taken apart). Fields after the call must be
//! locals or literals (they are evaluated before the call then, which is unobservable);
//! functions with `return` or loops are left alone. Until the hole is filled, the cell
//! is reachable only from this function. The pass is idempotent.
//! Paper: `papers/tail-mod-cons.md`.

use crate::{Pass, PassCx};
use mesh_ir::core::vars::children;
use mesh_ir::core::{CTy, Expr, ExprKind, Fn, Lifted, Prim};
use mesh_ir::Span;

pub struct TailModCons;

impl Pass for TailModCons {
    const NAME: &'static str = "tail-mod-cons";
    type In = Lifted;
    type Out = Lifted;
    fn run(&self, Lifted(mut p): Lifted, cx: &mut PassCx) -> Lifted {
        let mut extra = Vec::new();
        for f in &mut p.fns {
            if f.ret != CTy::Obj || !has_site(&f.body, &f.name) || leaves(&f.body) {
                continue;
            }
            let dps = format!("{}%dps", f.name);
            let (dst, slot) = (cx.fresh("dst"), cx.fresh("slot"));
            let mut params = f.params.clone();
            params.push((dst.clone(), CTy::Obj));
            params.push((slot.clone(), CTy::Int));
            let mut body = f.body.clone();
            let t = Target {
                f: &f.name,
                dps: &dps,
                dst: &dst,
                slot: &slot,
            };
            t.in_dps(&mut body, cx);
            t.in_direct(&mut f.body, cx);
            extra.push(Fn {
                name: dps,
                params,
                ret: CTy::Unit,
                body,
                span: f.span,
            });
        }
        p.fns.extend(extra);
        Lifted(p)
    }
}

struct Target<'a> {
    f: &'a str,
    dps: &'a str,
    dst: &'a str,
    slot: &'a str,
}

fn mk(kind: ExprKind, ty: CTy, span: Span) -> Expr {
    Expr { kind, ty, span }
}

fn var(n: &str, ty: CTy, span: Span) -> Expr {
    mk(ExprKind::Var(n.to_string()), ty, span)
}

/// The field of constructor `e` holding a (non-tail) call of `f`, when every later
/// field is a local or a literal.
fn site(e: &Expr, f: &str) -> Option<usize> {
    let ExprKind::Alloc { fields, .. } = &e.kind else {
        return None;
    };
    let k = fields
        .iter()
        .position(|x| matches!(&x.kind, ExprKind::Call { func, .. } if func == f))?;
    let simple = fields[k + 1..].iter().all(Expr::is_atom);
    (simple && k < 62).then_some(k)
}

/// Some tail position of `e` is a site.
fn has_site(e: &Expr, f: &str) -> bool {
    match &e.kind {
        ExprKind::Let(_, _, b) | ExprKind::Seq(_, b) => has_site(b, f),
        ExprKind::If(_, t, e2) => has_site(t, f) || has_site(e2, f),
        _ => site(e, f).is_some(),
    }
}

/// `e` has a `return` or a loop (whose exits and results this pass does not follow).
fn leaves(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Return(_) | ExprKind::Loop { .. } | ExprKind::Lambda { .. }
    ) || children(e).into_iter().any(leaves)
}

impl Target<'_> {
    /// The site `e` (a constructor, field `k` a call of `f`) with a hole for the call:
    /// `(let c = C(…, hole, …) in <then(c, args)>)`.
    fn split(
        &self,
        e: &mut Expr,
        k: usize,
        cx: &mut PassCx,
        then: impl FnOnce(&Self, String, Vec<Expr>, Span) -> Expr,
    ) {
        let span = e.span;
        let ExprKind::Alloc { fields, .. } = &mut e.kind else {
            unreachable!()
        };
        let hole = mk(ExprKind::Prim(Prim::Hole, vec![]), CTy::Obj, span);
        let call = std::mem::replace(&mut fields[k], hole);
        let ExprKind::Call { args, .. } = call.kind else {
            unreachable!()
        };
        let c = cx.fresh("cell");
        let cell = std::mem::replace(e, mk(ExprKind::Unit, CTy::Unit, span));
        let rest = then(self, c.clone(), args, span);
        let ty = rest.ty;
        *e = mk(ExprKind::Let(c, Box::new(cell), Box::new(rest)), ty, span);
    }

    fn dps_call(&self, mut args: Vec<Expr>, dst: Expr, slot: Expr, tail: bool, span: Span) -> Expr {
        args.push(dst);
        args.push(slot);
        mk(
            ExprKind::Call {
                func: self.dps.to_string(),
                args,
                tail,
            },
            CTy::Unit,
            span,
        )
    }

    /// `f`'s own body: each site fills its hole through `f%dps`.
    fn in_direct(&self, e: &mut Expr, cx: &mut PassCx) {
        match &mut e.kind {
            ExprKind::Let(_, _, b) | ExprKind::Seq(_, b) => return self.in_direct(b, cx),
            ExprKind::If(_, t, f) => {
                self.in_direct(t, cx);
                return self.in_direct(f, cx);
            }
            _ => {}
        }
        if let Some(k) = site(e, self.f) {
            self.split(e, k, cx, |t, c, args, span| {
                let fill = t.dps_call(
                    args,
                    var(&c, CTy::Obj, span),
                    mk(ExprKind::Int(k as i64), CTy::Int, span),
                    false,
                    span,
                );
                mk(
                    ExprKind::Seq(Box::new(fill), Box::new(var(&c, CTy::Obj, span))),
                    CTy::Obj,
                    span,
                )
            });
        }
    }

    /// `f%dps`'s body: results go to `dst.slot`.
    fn in_dps(&self, e: &mut Expr, cx: &mut PassCx) {
        let span = e.span;
        match &mut e.kind {
            ExprKind::Let(_, _, b) | ExprKind::Seq(_, b) => {
                self.in_dps(b, cx);
                e.ty = CTy::Unit;
                return;
            }
            ExprKind::If(_, t, f) => {
                self.in_dps(t, cx);
                self.in_dps(f, cx);
                e.ty = CTy::Unit;
                return;
            }
            ExprKind::Fail(_) => {
                e.ty = CTy::Unit;
                return;
            }
            ExprKind::Call {
                func, tail: true, ..
            } if func == self.f => {
                let ExprKind::Call { args, .. } = std::mem::replace(&mut e.kind, ExprKind::Unit)
                else {
                    unreachable!()
                };
                *e = self.dps_call(
                    args,
                    var(self.dst, CTy::Obj, span),
                    var(self.slot, CTy::Int, span),
                    true,
                    span,
                );
                return;
            }
            _ => {}
        }
        if let Some(k) = site(e, self.f) {
            self.split(e, k, cx, |t, c, args, span| {
                let store = t.set(var(&c, CTy::Obj, span), span);
                let next = t.dps_call(
                    args,
                    var(&c, CTy::Obj, span),
                    mk(ExprKind::Int(k as i64), CTy::Int, span),
                    true,
                    span,
                );
                mk(
                    ExprKind::Seq(Box::new(store), Box::new(next)),
                    CTy::Unit,
                    span,
                )
            });
            return;
        }
        // any other result: stored in the destination (a tail call of another
        // function becomes an ordinary call)
        if let ExprKind::Call { tail, .. } | ExprKind::CallClosure { tail, .. } = &mut e.kind {
            *tail = false;
        }
        let v = std::mem::replace(e, mk(ExprKind::Unit, CTy::Unit, span));
        *e = self.set(v, span);
    }

    fn set(&self, v: Expr, span: Span) -> Expr {
        mk(
            ExprKind::Prim(
                Prim::SetSlot,
                vec![
                    var(self.dst, CTy::Obj, span),
                    var(self.slot, CTy::Int, span),
                    v,
                ],
            ),
            CTy::Unit,
            span,
        )
    }
}
