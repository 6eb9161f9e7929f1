//! `specialise-drops : core -> core` — drop specialisation and dup/drop fusion
//! (Reinking, Xie, de Moura & Leijen, *Perceus*, PLDI 2021, §2.5). Taking a cell apart
//! reads its fields with a `dup` each (`insert-rc`: reading a field borrows the cell
//! and dups the field), then drops the cell — which, when that was the last reference,
//! drops the same fields again. For
//!
//! ```text
//! let f = (let t = load x 1 in dup t; t) in … drop x …
//! ```
//!
//! the pass removes the `dup` and makes the drop say which slots were read:
//! `%drop.moved x {1}` (or `%reuse.drop_moved x {1}` for a `reuse-cells` token). At
//! run time a unique `x` hands those fields' references to the reader and releases only
//! its other children (nothing, for a cons cell whose tail was read); a shared `x`
//! gives the reader one reference to each read field and loses one itself. Codegen
//! inlines both cases, so `List.map` over a list it owns touches each cell once, with
//! no count updates and no call.
//!
//! The rewrite is local to a *spine* (the `let`/`seq` chain of one block): a pending
//! field read moves to the drop of its cell only when everything between them is
//! simple (literals, variables, loads, tags, primitives — which borrow — and other
//! field reads or drops) and does not consume the field (a drop or a `reuse` of it or
//! of a name bound to it keeps its `dup`). The pass is idempotent.
//! Paper: `papers/specialise-drops.md`.

use crate::{Pass, PassCx};
use mesh_ir::core::vars::children_mut;
use mesh_ir::core::{CTy, Expr, ExprKind, Prim, RcExplicit};

pub struct SpecialiseDrops;

impl Pass for SpecialiseDrops {
    const NAME: &'static str = "specialise-drops";
    type In = RcExplicit;
    type Out = RcExplicit;
    fn run(&self, RcExplicit(mut p): RcExplicit, _cx: &mut PassCx) -> RcExplicit {
        for f in &mut p.fns {
            let mut s = Spines::default();
            s.visit(&mut f.body);
        }
        RcExplicit(p)
    }
}

/// A field read whose `dup` may move to the drop of its cell.
struct Pending {
    id: usize,
    /// The cell read from.
    obj: String,
    slot: u32,
    /// The names bound to the field's value (the read's own and its aliases).
    names: Vec<String>,
}

#[derive(Default)]
struct Spines {
    next: usize,
    /// Reads whose `dup` was moved into a drop.
    moved: std::collections::HashSet<usize>,
}

impl Spines {
    /// Every spine in `e`, each starting with no pending read.
    fn visit(&mut self, e: &mut Expr) {
        self.spine(e, &mut Vec::new());
    }

    fn spine(&mut self, e: &mut Expr, pend: &mut Vec<Pending>) {
        let span = e.span;
        match &mut e.kind {
            ExprKind::Let(n, v, b) => {
                if let Some((obj, slot, field)) = owned_field_read(v) {
                    let id = self.next;
                    self.next += 1;
                    pend.push(Pending {
                        id,
                        obj,
                        slot,
                        names: vec![field, n.clone()],
                    });
                    self.spine(b, pend);
                    if self.moved.contains(&id) {
                        strip_dup(v);
                    }
                    return;
                }
                if let ExprKind::Prim(p, args) = &mut v.kind {
                    let x = match args.as_slice() {
                        [Expr {
                            kind: ExprKind::Var(x),
                            ..
                        }] if *p == Prim::DropReuse => Some(x.clone()),
                        _ => None,
                    };
                    if let Some(x) = x {
                        if let Some(slots) = self.take(pend, &x) {
                            *p = Prim::DropReuseMoved;
                            args.push(int(slots, span));
                        }
                        forget(pend, &x);
                        self.spine(b, pend);
                        return;
                    }
                }
                if simple(v) {
                    if let ExprKind::Var(m) = &v.kind {
                        // an alias of a pending field is one of its names
                        for p in pend.iter_mut() {
                            if p.names.contains(m) {
                                p.names.push(n.clone());
                            }
                        }
                    }
                } else {
                    pend.clear();
                    self.visit(v);
                }
                self.spine(b, pend);
            }
            ExprKind::Seq(a, b) => {
                if !simple(a) {
                    pend.clear();
                    self.visit(a);
                }
                self.spine(b, pend);
            }
            ExprKind::Drop(x, _) => {
                let x = x.clone();
                if let Some(slots) = self.take(pend, &x) {
                    let ExprKind::Drop(_, rest) = std::mem::replace(&mut e.kind, ExprKind::Unit)
                    else {
                        unreachable!()
                    };
                    let var = Expr {
                        kind: ExprKind::Var(x.clone()),
                        ty: CTy::Obj,
                        span,
                    };
                    let drop = Expr {
                        kind: ExprKind::Prim(Prim::DropMoved, vec![var, int(slots, span)]),
                        ty: CTy::Unit,
                        span,
                    };
                    e.kind = ExprKind::Seq(Box::new(drop), rest);
                }
                // dropping a read field (or a name of it) consumes it: it keeps its dup
                forget(pend, &x);
                match &mut e.kind {
                    ExprKind::Seq(_, b) | ExprKind::Drop(_, b) => self.spine(b, pend),
                    _ => unreachable!(),
                }
            }
            _ => {
                pend.clear();
                for c in children_mut(e) {
                    self.visit(c);
                }
            }
        }
    }

    /// The slots of `x`'s pending reads, which move into `x`'s drop.
    fn take(&mut self, pend: &mut Vec<Pending>, x: &str) -> Option<i64> {
        let mut slots = 0i64;
        pend.retain(|p| {
            if p.obj == x {
                slots |= 1 << p.slot;
                self.moved.insert(p.id);
                false
            } else {
                true
            }
        });
        (slots != 0).then_some(slots)
    }
}

/// Pending reads of a consumed name no longer move (their `dup` stays).
fn forget(pend: &mut Vec<Pending>, x: &str) {
    pend.retain(|p| !p.names.iter().any(|n| n == x));
}

/// `let t = load x i in (dup t; t)` of a counted field: `(x, i, t)`.
fn owned_field_read(v: &Expr) -> Option<(String, u32, String)> {
    let ExprKind::Let(t, load, body) = &v.kind else {
        return None;
    };
    let ExprKind::Load(o, slot) = &load.kind else {
        return None;
    };
    let (ExprKind::Var(x), true) = (&o.kind, load.ty.is_counted()) else {
        return None;
    };
    if *slot >= 62 {
        return None;
    }
    let ExprKind::Seq(d, r) = &body.kind else {
        return None;
    };
    match (&d.kind, &r.kind) {
        (ExprKind::Dup(a), ExprKind::Var(b)) if a == t && b == t => {
            Some((x.clone(), *slot, t.clone()))
        }
        _ => None,
    }
}

/// `let t = load x i in (dup t; t)` becomes `let t = load x i in t`.
fn strip_dup(v: &mut Expr) {
    if let ExprKind::Let(_, _, body) = &mut v.kind {
        if let ExprKind::Seq(_, r) = &mut body.kind {
            let span = r.span;
            let r = std::mem::replace(&mut **r, int(0, span));
            **body = r;
        }
    }
}

/// Evaluating `e` neither consumes a local nor leaves the spine.
fn simple(e: &Expr) -> bool {
    if e.is_atom() {
        return true;
    }
    match &e.kind {
        ExprKind::Dup(_) | ExprKind::FnRef(_) => true,
        ExprKind::Load(o, _) | ExprKind::Tag(o) => simple(o),
        ExprKind::Prim(p, args) => {
            !matches!(p, mesh_ir::core::Prim::Panic) && args.iter().all(simple)
        }
        _ => false,
    }
}

fn int(n: i64, span: mesh_ir::Span) -> Expr {
    Expr {
        kind: ExprKind::Int(n),
        ty: CTy::Int,
        span,
    }
}
