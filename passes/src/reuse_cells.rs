//! `reuse-cells : core -> core` — reuse of unique cells (Reinking, Xie, de Moura &
//! Leijen, *Perceus*, PLDI 2021, §2.4 "reuse analysis"): when a function drops an
//! object and then, on every path, allocates one, the drop becomes
//! `let tok = mesh_rt_drop_reuse(x)` — which keeps `x`'s cell when that was its last
//! reference — and the allocation becomes `alloc-in tok …`, which builds the new object
//! in that cell. `List.map` over a list held once, `rev_onto`, a tree rebuilt along a
//! path: each step reuses the cell it takes apart instead of freeing one and
//! allocating another.
//!
//! 1. *Float drops*: `let n = (…; drop x; v) in b` becomes `let n = (…; v) in drop x;
//!    b`, so that a drop made right after reading a field meets the allocation in the
//!    continuation (delaying a drop never changes meaning).
//! 2. *Pair*: for `drop x; body` with `x` an object, the first allocation `body`
//!    evaluates unconditionally takes the token; a branch of an `if` that does not
//!    allocate frees it (`mesh_rt_free_reuse`). A body that may leave (`return`, a
//!    loop exit) before allocating is left alone. Sizes are checked at run time: a
//!    token too small for the new object is freed and a fresh cell allocated.
//!
//! Paper: `papers/reuse-cells.md`.

use crate::{Pass, PassCx};
use mesh_ir::core::vars::binder_types;
use mesh_ir::core::{CTy, Expr, ExprKind, Prim, RcExplicit};
use std::collections::{HashMap, HashSet};

pub struct ReuseCells;

impl Pass for ReuseCells {
    const NAME: &'static str = "reuse-cells";
    type In = RcExplicit;
    type Out = RcExplicit;
    fn run(&self, RcExplicit(mut p): RcExplicit, cx: &mut PassCx) -> RcExplicit {
        for f in &mut p.fns {
            let mut types: HashMap<String, CTy> = f.params.iter().cloned().collect();
            binder_types(&f.body, &mut types);
            let body = std::mem::replace(&mut f.body, unit(f.span));
            let body = float_drops(body);
            f.body = pair(body, &types, &HashMap::new(), cx);
        }
        RcExplicit(p)
    }
}

fn unit(span: mesh_ir::Span) -> Expr {
    Expr {
        kind: ExprKind::Unit,
        ty: CTy::Unit,
        span,
    }
}

fn mk(kind: ExprKind, ty: CTy, span: mesh_ir::Span) -> Expr {
    Expr { kind, ty, span }
}

/// Step 1, bottom-up.
fn float_drops(mut e: Expr) -> Expr {
    for c in mesh_ir::core::vars::children_mut(&mut e) {
        let x = std::mem::replace(c, unit(c.span));
        *c = float_drops(x);
    }
    if let ExprKind::Let(n, v, b) = e.kind {
        let mut dropped = Vec::new();
        let v = peel(*v, &mut HashSet::new(), &mut dropped);
        let b = dropped.into_iter().rev().fold(*b, |b, x| {
            let (ty, span) = (b.ty, b.span);
            mk(ExprKind::Drop(x, Box::new(b)), ty, span)
        });
        e.kind = ExprKind::Let(n, Box::new(v), Box::new(b));
    }
    e
}

/// Removes the drops at the end of `e`'s spine (of locals not bound on it), in order.
fn peel(e: Expr, bound: &mut HashSet<String>, dropped: &mut Vec<String>) -> Expr {
    let (ty, span) = (e.ty, e.span);
    match e.kind {
        ExprKind::Drop(x, b) if !bound.contains(&x) => {
            dropped.push(x);
            peel(*b, bound, dropped)
        }
        ExprKind::Let(n, v, b) => {
            bound.insert(n.clone());
            let b = peel(*b, bound, dropped);
            mk(ExprKind::Let(n, v, Box::new(b)), ty, span)
        }
        ExprKind::Seq(a, b) => {
            let b = peel(*b, bound, dropped);
            mk(ExprKind::Seq(a, Box::new(b)), ty, span)
        }
        kind => mk(kind, ty, span),
    }
}

/// Whether a reuse token was taken by an allocation in the expression searched.
#[derive(Clone, Copy, PartialEq)]
enum Took {
    Yes,
    No,
    /// The expression may leave before allocating: no reuse.
    Unsafe,
}

/// Step 2, top-down. `dom`: for each local, the slots it is known to have — one more
/// than the highest slot read from it by a load that runs before this point on every
/// path (a load is valid only once the tests that prove the variant have passed).
fn pair(
    mut e: Expr,
    types: &HashMap<String, CTy>,
    dom: &HashMap<String, u32>,
    cx: &mut PassCx,
) -> Expr {
    if let ExprKind::Drop(x, body) = &e.kind {
        if types.get(x) == Some(&CTy::Obj) {
            let tok = cx.fresh("reuse");
            let mut trial = (**body).clone();
            if take(&mut trial, &tok, dom.get(x).copied().unwrap_or(0)) == Took::Yes {
                let (ty, span) = (e.ty, e.span);
                let drop = mk(
                    ExprKind::Prim(
                        Prim::DropReuse,
                        vec![mk(ExprKind::Var(x.clone()), CTy::Obj, span)],
                    ),
                    CTy::Raw,
                    span,
                );
                e = mk(
                    ExprKind::Let(tok, Box::new(drop), Box::new(trial)),
                    ty,
                    span,
                );
            }
        }
    }
    let step = |x: &mut Box<Expr>, dom: &HashMap<String, u32>, cx: &mut PassCx| {
        let span = x.span;
        let inner = std::mem::replace(&mut **x, unit(span));
        **x = pair(inner, types, dom, cx);
    };
    match &mut e.kind {
        ExprKind::Let(_, a, b) | ExprKind::Seq(a, b) => {
            step(a, dom, cx);
            let mut after = dom.clone();
            spine_loads(a, &mut after);
            step(b, &after, cx);
        }
        ExprKind::If(c, t, f) => {
            step(c, dom, cx);
            let mut after = dom.clone();
            spine_loads(c, &mut after);
            step(t, &after, cx);
            step(f, &after, cx);
        }
        _ => {
            for c in mesh_ir::core::vars::children_mut(&mut e) {
                let x = std::mem::replace(c, unit(c.span));
                *c = pair(x, types, dom, cx);
            }
        }
    }
    e
}

/// Records the loads `e` makes on every path (not those inside a branch or a loop).
fn spine_loads(e: &Expr, out: &mut HashMap<String, u32>) {
    match &e.kind {
        ExprKind::Load(o, i) => {
            if let ExprKind::Var(x) = &o.kind {
                let n = out.entry(x.clone()).or_insert(0);
                *n = (*n).max(i + 1);
            }
            spine_loads(o, out);
        }
        ExprKind::If(c, _, _) => spine_loads(c, out),
        ExprKind::Loop { inits, .. } => inits.iter().for_each(|x| spine_loads(x, out)),
        ExprKind::Lambda { .. } => {}
        _ => mesh_ir::core::vars::children(e)
            .into_iter()
            .for_each(|c| spine_loads(c, out)),
    }
}

/// Operands evaluated in order: the first that takes the token decides.
fn take_seq<'a>(es: impl IntoIterator<Item = &'a mut Expr>, tok: &str, known: u32) -> Took {
    for x in es {
        match take(x, tok, known) {
            Took::No => {}
            t => return t,
        }
    }
    Took::No
}

/// Gives the token to the first allocation `e` makes on every path.
fn take(e: &mut Expr, tok: &str, known: u32) -> Took {
    match &mut e.kind {
        ExprKind::Alloc { fields, .. } if !fields.is_empty() => {
            match take_seq(fields.iter_mut(), tok, known) {
                Took::No => {}
                t => return t,
            }
            let ExprKind::Alloc { tag, fields } = std::mem::replace(&mut e.kind, ExprKind::Unit)
            else {
                unreachable!()
            };
            e.kind = ExprKind::Reuse {
                token: tok.to_string(),
                tag,
                fits: fields.len() as u32 <= known,
                fields,
            };
            Took::Yes
        }
        ExprKind::Let(_, a, b) | ExprKind::Seq(a, b) => match take(a, tok, known) {
            Took::No => take(b, tok, known),
            t => t,
        },
        ExprKind::Drop(_, b) => take(b, tok, known),
        ExprKind::Call { args, .. } | ExprKind::Prim(_, args) | ExprKind::Runtime(_, args) => {
            take_seq(args.iter_mut(), tok, known)
        }
        ExprKind::Alloc { fields, .. } | ExprKind::Reuse { fields, .. } => {
            take_seq(fields.iter_mut(), tok, known)
        }
        ExprKind::CallClosure { closure, args, .. } => take_seq(
            std::iter::once(&mut **closure).chain(args.iter_mut()),
            tok,
            known,
        ),
        ExprKind::Load(o, _) | ExprKind::Tag(o) => take(o, tok, known),
        ExprKind::Return(v) | ExprKind::Exit { value: v, .. } => match take(v, tok, known) {
            Took::No => Took::Unsafe,
            t => t,
        },
        ExprKind::Recur { args, .. } => match take_seq(args.iter_mut(), tok, known) {
            Took::No => Took::Unsafe,
            t => t,
        },
        ExprKind::If(c, t, f) => match take(c, tok, known) {
            Took::No => {
                let (tt, ft) = (take(t, tok, known), take(f, tok, known));
                match (tt, ft) {
                    (Took::Yes, Took::Yes) => Took::Yes,
                    (Took::Yes, _) => {
                        free_first(f, tok);
                        Took::Yes
                    }
                    (_, Took::Yes) => {
                        free_first(t, tok);
                        Took::Yes
                    }
                    (Took::No, Took::No) => Took::No,
                    _ => Took::Unsafe,
                }
            }
            t => t,
        },
        ExprKind::Loop {
            label, inits, body, ..
        } => match take_seq(inits.iter_mut(), tok, known) {
            Took::No if leaves(body, label) => Took::Unsafe,
            t => t,
        },
        ExprKind::Lambda { .. } => Took::Unsafe,
        _ => Took::No,
    }
}

/// `free tok; e`.
fn free_first(e: &mut Expr, tok: &str) {
    let (ty, span) = (e.ty, e.span);
    let free = mk(
        ExprKind::Prim(
            Prim::FreeReuse,
            vec![mk(ExprKind::Var(tok.to_string()), CTy::Raw, span)],
        ),
        CTy::Unit,
        span,
    );
    let inner = std::mem::replace(e, unit(span));
    *e = mk(ExprKind::Seq(Box::new(free), Box::new(inner)), ty, span);
}

/// Whether a loop body may leave the enclosing function or an outer loop.
fn leaves(body: &Expr, own: &str) -> bool {
    let here = match &body.kind {
        ExprKind::Return(_) => true,
        ExprKind::Exit { label, .. } | ExprKind::Recur { label, .. } => label != own,
        _ => false,
    };
    here || mesh_ir::core::vars::children(body)
        .into_iter()
        .any(|c| leaves(c, own))
}
