//! `insert-rc : core -> core` — precise reference counting after Perceus (Reinking,
//! Xie, de Moura & Leijen, *Perceus: Garbage Free Reference Counting with Reuse*, PLDI
//! 2021), §2 and the syntax-directed rules of Fig. 5: every counted local is *owned* by
//! exactly one continuation; a use that is not the last one takes a `dup`, a local that
//! a continuation does not use is `drop`ped as early as possible, function parameters
//! are owned by the callee, and reading a field borrows the object and dups the field.
//!
//! Adaptations to `core`: runtime functions and primitives *borrow* their operands (a
//! temporary made for them is dropped after the call), except the map and set updates,
//! which own them like Mesh functions; a loop borrows the outer locals
//! its body uses ("lent") and drops them when it ends; `return`, `exit` and `recur`
//! drop whatever they leave behind. Reuse of unique cells is the next pass,
//! `reuse-cells`.
//!
//! Borrowed parameters (`borrow.rs`, after Lean's borrow inference): a parameter the
//! function never consumes is *borrowed* — the caller keeps its reference (dropping
//! it after the call if that was its last use) and the callee takes none. A borrowed
//! parameter, its aliases and the fields read from it are *stable* locals: alive for
//! the whole call, used without a `dup` unless consumed. A walk such as `List.length`
//! over a shared list then touches no count at all.
//! Paper: `papers/insert-rc.md`.

use crate::{Pass, PassCx};
use mesh_ir::core::vars::{binder_types, free_vars};
use mesh_ir::core::{CTy, Expr, ExprKind, Lifted, Prim, Program, RcExplicit};

mod borrow;
use mesh_ir::Span;
use std::collections::{BTreeSet, HashMap};

pub struct InsertRc;

type Set = BTreeSet<String>;

impl Pass for InsertRc {
    const NAME: &'static str = "insert-rc";
    type In = Lifted;
    type Out = RcExplicit;
    fn run(&self, Lifted(mut p): Lifted, cx: &mut PassCx) -> RcExplicit {
        let borrows = borrow::infer(&p);
        let owning = owning(&p);
        for f in &mut p.fns {
            let flags = borrows[&f.name].clone();
            let mut types = HashMap::new();
            for (n, t) in &f.params {
                types.insert(n.clone(), *t);
            }
            binder_types(&f.body, &mut types);
            let stable: Set = f
                .params
                .iter()
                .zip(&flags)
                .filter(|(_, b)| **b)
                .map(|((n, _), _)| n.clone())
                .collect();
            let mut rc = Rc {
                types,
                loops: Vec::new(),
                cx,
                borrows: &borrows,
                stable,
                owning: &owning,
            };
            let owned: Set = f
                .params
                .iter()
                .zip(&flags)
                .filter(|((_, t), b)| t.is_counted() && !**b)
                .map(|((n, _), _)| n.clone())
                .collect();
            let body = std::mem::replace(&mut f.body, unit(f.span));
            f.body = rc.go(body, owned, &Set::new());
        }
        RcExplicit(p)
    }
}

fn unit(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Unit,
        ty: CTy::Unit,
        span,
    }
}

struct Rc<'a> {
    types: HashMap<String, CTy>,
    /// For each enclosing loop: its label and the locals its body starts out borrowing.
    /// Everything borrowed belongs to a continuation of this function, so leaving a
    /// scope early gives back what was borrowed since that scope began.
    loops: Vec<(String, Set)>,
    cx: &'a mut PassCx,
    borrows: &'a borrow::Borrows,
    /// Locals alive for the whole call without a reference of this function's own.
    stable: Set,
    /// Runtime functions that take over their arguments (`@extern(…, owns)`).
    owning: &'a std::collections::HashSet<String>,
}

/// The symbols of the runtime functions that take over their counted arguments.
pub(crate) fn owning(p: &Program) -> std::collections::HashSet<String> {
    p.externs
        .iter()
        .filter(|x| x.owns)
        .map(|x| x.symbol.clone())
        .collect()
}

fn mk(kind: ExprKind, ty: CTy, span: Span) -> Expr {
    Expr { kind, ty, span }
}

fn var(n: &str, ty: CTy, span: Span) -> Expr {
    mk(ExprKind::Var(n.to_string()), ty, span)
}

/// `drop v1; drop v2; …; body`.
fn drops(vars: impl IntoIterator<Item = String>, body: Expr) -> Expr {
    let mut vs: Vec<String> = vars.into_iter().collect();
    vs.reverse();
    vs.into_iter().fold(body, |b, v| {
        let (ty, span) = (b.ty, b.span);
        mk(ExprKind::Drop(v, Box::new(b)), ty, span)
    })
}

/// Turns tail calls into ordinary calls (a loop whose result is followed by drops).
fn untail(e: &mut Expr) {
    match &mut e.kind {
        ExprKind::Call { tail, .. } | ExprKind::CallClosure { tail, .. } => *tail = false,
        _ => {}
    }
    match &mut e.kind {
        ExprKind::Let(_, a, b) | ExprKind::Seq(a, b) => {
            untail(a);
            untail(b)
        }
        ExprKind::If(a, b, c) => {
            untail(a);
            untail(b);
            untail(c)
        }
        ExprKind::Drop(_, b) => untail(b),
        ExprKind::Loop { body, .. } => untail(body),
        _ => {}
    }
}

impl Rc<'_> {
    fn counted(&self, v: &str) -> bool {
        self.types.get(v).is_some_and(|t| t.is_counted())
    }

    /// Free counted locals of `e`.
    fn fv(&self, e: &Expr) -> Set {
        let mut out = free_vars(e);
        out.retain(|v| self.counted(v));
        out
    }

    fn temp(&mut self, base: &str, ty: CTy) -> String {
        let n = self.cx.fresh(base);
        self.types.insert(n.clone(), ty);
        n
    }

    /// `e` consuming exactly `owned` (each either used once or dropped); the result is
    /// owned by the caller. `borrowed` locals may be used but stay owned elsewhere.
    fn go(&mut self, e: Expr, owned: Set, borrowed: &Set) -> Expr {
        let used = self.fv(&e);
        let (keep, unused): (Set, Set) = owned.into_iter().partition(|v| used.contains(v));
        let body = self.go_used(e, keep, borrowed);
        drops(unused, body)
    }

    /// Distributes `owned` over operands evaluated in order: each local goes to the last
    /// operand that uses it; earlier ones borrow it.
    fn split(&self, es: &[Expr], owned: &Set) -> Vec<(Set, Set)> {
        let fvs: Vec<Set> = es.iter().map(|x| self.fv(x)).collect();
        let mut out = Vec::new();
        for i in 0..es.len() {
            let later: Set = fvs[i + 1..].iter().flatten().cloned().collect();
            let mine: Set = owned
                .iter()
                .filter(|v| fvs[i].contains(*v) && !later.contains(*v))
                .cloned()
                .collect();
            let lend: Set = owned
                .iter()
                .filter(|v| later.contains(*v))
                .cloned()
                .collect();
            out.push((mine, lend));
        }
        out
    }

    /// Operands that are consumed (call arguments, object fields).
    fn consumed(&mut self, es: Vec<Expr>, owned: &Set, borrowed: &Set) -> Vec<Expr> {
        let parts = self.split(&es, owned);
        es.into_iter()
            .zip(parts)
            .map(|(x, (mine, lend))| {
                let b: Set = borrowed.union(&lend).cloned().collect();
                self.go(x, mine, &b)
            })
            .collect()
    }

    /// Operands that are borrowed (primitives, runtime functions): returns the bindings
    /// to make first, the operands, and the temporaries/locals to drop afterwards.
    #[allow(clippy::type_complexity)]
    fn borrowed_args(
        &mut self,
        es: Vec<Expr>,
        owned: &Set,
        borrowed: &Set,
    ) -> (Vec<(String, Expr)>, Vec<Expr>, Vec<String>) {
        let all = vec![true; es.len()];
        self.mixed_args(es, &all, owned, borrowed)
    }

    /// `e` reads a stable local: `x` or `load x i`.
    fn stable_read(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Var(x) => self.stable.contains(x),
            ExprKind::Load(o, _) => matches!(&o.kind, ExprKind::Var(x) if self.stable.contains(x)),
            _ => false,
        }
    }

    /// Arguments of a call with borrowed parameters (`flags`): a borrowed one is passed
    /// like a runtime function's operand (given back after the call when it was the
    /// caller's last use), an owned one is consumed. Every operand that is not a local
    /// or a literal is bound first, in order, so evaluation order is kept.
    #[allow(clippy::type_complexity)]
    fn mixed_args(
        &mut self,
        es: Vec<Expr>,
        flags: &[bool],
        owned: &Set,
        borrowed: &Set,
    ) -> (Vec<(String, Expr)>, Vec<Expr>, Vec<String>) {
        let parts = self.split(&es, owned);
        let mut lets = Vec::new();
        let mut args = Vec::new();
        let mut after = Vec::new();
        for (i, (x, (mine, lend))) in es.into_iter().zip(parts).enumerate() {
            let b: Set = borrowed.union(&lend).cloned().collect();
            let lends = flags.get(i).copied().unwrap_or(false);
            let simple = x.is_atom();
            if lends && self.stable_read(&x) {
                // a field of a stable local, lent as it is (no side effect to order)
                args.push(x);
                continue;
            }
            if simple {
                if let ExprKind::Var(v) = &x.kind {
                    if lends && mine.contains(v) {
                        after.push(v.clone());
                    }
                }
                args.push(if lends { x } else { self.go(x, mine, &b) });
                continue;
            }
            let (ty, span) = (x.ty, x.span);
            let v = self.go(x, mine, &b);
            let t = self.temp("arg", ty);
            lets.push((t.clone(), v));
            if lends && ty.is_counted() {
                after.push(t.clone());
            }
            args.push(var(&t, ty, span));
        }
        (lets, args, after)
    }

    fn wrap_lets(lets: Vec<(String, Expr)>, body: Expr) -> Expr {
        lets.into_iter().rev().fold(body, |b, (n, v)| {
            let (ty, span) = (b.ty, b.span);
            mk(ExprKind::Let(n, Box::new(v), Box::new(b)), ty, span)
        })
    }

    /// What leaving to loop `label` (or the function, for `None`) must give back: the
    /// locals borrowed since that loop's body began (everything, for the function).
    fn left_behind(&self, label: Option<&str>, borrowed: &Set) -> Vec<String> {
        let base = label
            .and_then(|l| self.loops.iter().rev().find(|(x, _)| x == l))
            .map(|(_, b)| b.clone())
            .unwrap_or_default();
        borrowed.difference(&base).cloned().collect()
    }

    fn go_used(&mut self, e: Expr, owned: Set, borrowed: &Set) -> Expr {
        let (ty, span) = (e.ty, e.span);
        match e.kind {
            ExprKind::Var(ref v) => {
                if owned.contains(v) || !self.counted(v) {
                    e
                } else {
                    mk(ExprKind::Dup(v.clone()), ty, span)
                }
            }
            ExprKind::Let(n, v, b) if self.counted(&n) && self.stable_read(&v) => {
                // an alias of a stable local, or a field read from one: stable too
                self.stable.insert(n.clone());
                let b2 = self.go(*b, owned, borrowed);
                mk(ExprKind::Let(n, v, Box::new(b2)), ty, span)
            }
            ExprKind::Let(n, v, b) => {
                let mut fb = self.fv(&b);
                fb.remove(&n);
                let (ob, ov): (Set, Set) = owned.into_iter().partition(|x| fb.contains(x));
                let bv: Set = borrowed.union(&ob).cloned().collect();
                let v2 = self.go(*v, ov, &bv);
                let mut body_owned = ob;
                if self.counted(&n) {
                    body_owned.insert(n.clone());
                }
                let b2 = self.go(*b, body_owned, borrowed);
                mk(ExprKind::Let(n, Box::new(v2), Box::new(b2)), ty, span)
            }
            ExprKind::Seq(a, b) => {
                let fb = self.fv(&b);
                let (ob, oa): (Set, Set) = owned.into_iter().partition(|x| fb.contains(x));
                let ba: Set = borrowed.union(&ob).cloned().collect();
                let a_ty = a.ty;
                let a2 = self.go(*a, oa, &ba);
                let b2 = self.go(*b, ob, borrowed);
                if a_ty.is_counted() {
                    // a discarded counted value is dropped
                    let t = self.temp("discard", a_ty);
                    let dropped = mk(ExprKind::Drop(t.clone(), Box::new(b2)), ty, span);
                    mk(ExprKind::Let(t, Box::new(a2), Box::new(dropped)), ty, span)
                } else {
                    mk(ExprKind::Seq(Box::new(a2), Box::new(b2)), ty, span)
                }
            }
            ExprKind::If(c, t, f) => {
                let fb: Set = self.fv(&t).union(&self.fv(&f)).cloned().collect();
                let (ob, oc): (Set, Set) = owned.into_iter().partition(|x| fb.contains(x));
                let bc: Set = borrowed.union(&ob).cloned().collect();
                let c2 = self.go(*c, oc, &bc);
                let t2 = self.go(*t, ob.clone(), borrowed);
                let f2 = self.go(*f, ob, borrowed);
                mk(
                    ExprKind::If(Box::new(c2), Box::new(t2), Box::new(f2)),
                    ty,
                    span,
                )
            }
            ExprKind::Call { func, args, tail } => {
                let flags = self.borrows.get(&func).cloned().unwrap_or_default();
                if !flags.iter().any(|b| *b) {
                    let args = self.consumed(args, &owned, borrowed);
                    return mk(ExprKind::Call { func, args, tail }, ty, span);
                }
                let (lets, args, after) = self.mixed_args(args, &flags, &owned, borrowed);
                // what the caller gives back after the call makes it no tail call
                // (borrow inference keeps tail calls free of those)
                let tail = tail && after.is_empty();
                let call = mk(ExprKind::Call { func, args, tail }, ty, span);
                Self::wrap_lets(lets, self.then_drop(call, after))
            }
            ExprKind::CallClosure {
                closure,
                args,
                tail,
            } => {
                let mut all = vec![*closure];
                all.extend(args);
                let mut all = self.consumed(all, &owned, borrowed);
                let closure = all.remove(0);
                mk(
                    ExprKind::CallClosure {
                        closure: Box::new(closure),
                        args: all,
                        tail,
                    },
                    ty,
                    span,
                )
            }
            ExprKind::Alloc { tag, fields } => {
                let fields = self.consumed(fields, &owned, borrowed);
                mk(ExprKind::Alloc { tag, fields }, ty, span)
            }
            // filling a hole (`tail-mod-cons`) lends the cell and gives the value to it
            ExprKind::Prim(Prim::SetSlot, args) => {
                let (lets, args, after) =
                    self.mixed_args(args, &[true, false, false], &owned, borrowed);
                let call = mk(ExprKind::Prim(Prim::SetSlot, args), ty, span);
                Self::wrap_lets(lets, self.then_drop(call, after))
            }
            ExprKind::Prim(p, args) => {
                let (lets, args, after) = self.borrowed_args(args, &owned, borrowed);
                let call = mk(ExprKind::Prim(p, args), ty, span);
                Self::wrap_lets(lets, self.then_drop(call, after))
            }
            // map and set updates own their arguments (so a map held once is reused)
            ExprKind::Runtime(sym, args) if self.owning.contains(&sym) => {
                let args = self.consumed(args, &owned, borrowed);
                mk(ExprKind::Runtime(sym, args), ty, span)
            }
            ExprKind::Runtime(sym, args) => {
                let (lets, args, after) = self.borrowed_args(args, &owned, borrowed);
                let call = mk(ExprKind::Runtime(sym, args), ty, span);
                Self::wrap_lets(lets, self.then_drop(call, after))
            }
            ExprKind::Load(o, i) => self.read(*o, Some(i), ty, span, owned, borrowed),
            ExprKind::Tag(o) => self.read(*o, None, ty, span, owned, borrowed),
            ExprKind::Return(v) => {
                let lent = self.left_behind(None, borrowed);
                let v2 = self.go(*v, owned, borrowed);
                self.leave(v2, lent, |r| ExprKind::Return(Box::new(r)), ty, span)
            }
            ExprKind::Exit { label, value } => {
                let lent = self.left_behind(Some(&label), borrowed);
                let v2 = self.go(*value, owned, borrowed);
                self.leave(
                    v2,
                    lent,
                    |r| ExprKind::Exit {
                        label,
                        value: Box::new(r),
                    },
                    ty,
                    span,
                )
            }
            ExprKind::Recur { label, args } => {
                let lent = self.left_behind(Some(&label), borrowed);
                let args = self.consumed(args, &owned, borrowed);
                if lent.is_empty() {
                    return mk(ExprKind::Recur { label, args }, ty, span);
                }
                // the next values first, then give back what the iteration leaves behind
                let mut lets = Vec::new();
                let mut vals = Vec::new();
                for a in args {
                    let (at, asp) = (a.ty, a.span);
                    let t = self.temp("next", at);
                    lets.push((t.clone(), a));
                    vals.push(var(&t, at, asp));
                }
                Self::wrap_lets(
                    lets,
                    drops(lent, mk(ExprKind::Recur { label, args: vals }, ty, span)),
                )
            }
            ExprKind::Loop {
                label,
                params,
                inits,
                body,
            } => {
                let mut fb = self.fv(&body);
                for (n, _) in &params {
                    fb.remove(n);
                }
                let (lent, rest): (Set, Set) = owned.into_iter().partition(|x| fb.contains(x));
                let bi: Set = borrowed.union(&lent).cloned().collect();
                let inits = self.consumed(inits, &rest, &bi);
                let body_owned: Set = params
                    .iter()
                    .filter(|(_, t)| t.is_counted())
                    .map(|(n, _)| n.clone())
                    .collect();
                let body_borrowed: Set = borrowed.union(&lent).cloned().collect();
                self.loops.push((label.clone(), body_borrowed.clone()));
                let mut body2 = self.go(*body, body_owned, &body_borrowed);
                self.loops.pop();
                // a loop that borrowed is followed by giving back what it borrowed, so
                // its body's calls are no tail calls
                if !lent.is_empty() {
                    untail(&mut body2);
                }
                let lp = mk(
                    ExprKind::Loop {
                        label,
                        params,
                        inits,
                        body: Box::new(body2),
                    },
                    ty,
                    span,
                );
                if lent.is_empty() {
                    return lp;
                }
                let r = self.temp("loop", ty);
                let after = drops(lent, var(&r, ty, span));
                mk(ExprKind::Let(r, Box::new(lp), Box::new(after)), ty, span)
            }
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::Str(_)
            | ExprKind::Unit
            | ExprKind::FnRef(_)
            | ExprKind::Fail(_) => e,
            // inserted by this pass, or removed before it (`lift-lambdas`)
            ExprKind::Dup(_) | ExprKind::Drop(..) | ExprKind::Lambda { .. } => e,
            // made by `reuse-cells`, which runs after this pass
            ExprKind::Reuse { .. } => e,
        }
    }

    /// `call; drop after…; result`.
    fn then_drop(&mut self, call: Expr, after: Vec<String>) -> Expr {
        if after.is_empty() {
            return call;
        }
        let (ty, span) = (call.ty, call.span);
        let r = self.temp("r", ty);
        let body = drops(after, var(&r, ty, span));
        mk(ExprKind::Let(r, Box::new(call), Box::new(body)), ty, span)
    }

    /// Leaving a scope (`return`, `exit`) with value `v`, giving back `lent` locals.
    fn leave(
        &mut self,
        v: Expr,
        lent: Vec<String>,
        make: impl FnOnce(Expr) -> ExprKind,
        ty: CTy,
        span: Span,
    ) -> Expr {
        if lent.is_empty() {
            return mk(make(v), ty, span);
        }
        let vt = v.ty;
        let r = self.temp("out", vt);
        let body = drops(lent, mk(make(var(&r, vt, span)), ty, span));
        mk(ExprKind::Let(r, Box::new(v), Box::new(body)), ty, span)
    }

    /// `Load` (field `Some(i)`, dup'ed) or `Tag` (`None`) of an object it borrows.
    fn read(
        &mut self,
        o: Expr,
        field: Option<u32>,
        ty: CTy,
        span: Span,
        owned: Set,
        borrowed: &Set,
    ) -> Expr {
        let (obj, give_back, lets) = match &o.kind {
            ExprKind::Var(v) => {
                let back = if owned.contains(v) {
                    Some(v.clone())
                } else {
                    None
                };
                (o.clone(), back, None)
            }
            _ => {
                let ot = o.ty;
                let o2 = self.go(o, owned, borrowed);
                let t = self.temp("obj", ot);
                (
                    var(&t, ot, span),
                    if ot.is_counted() {
                        Some(t.clone())
                    } else {
                        None
                    },
                    Some((t, o2)),
                )
            }
        };
        let read = match field {
            Some(i) => mk(ExprKind::Load(Box::new(obj), i), ty, span),
            None => mk(ExprKind::Tag(Box::new(obj)), ty, span),
        };
        let out = if ty.is_counted() || give_back.is_some() {
            let r = self.temp("field", ty);
            let mut body = var(&r, ty, span);
            if let Some(g) = give_back {
                body = drops([g], body);
            }
            if ty.is_counted() {
                let d = mk(ExprKind::Dup(r.clone()), ty, span);
                body = mk(ExprKind::Seq(Box::new(d), Box::new(body)), ty, span);
            }
            mk(ExprKind::Let(r, Box::new(read), Box::new(body)), ty, span)
        } else {
            read
        };
        match lets {
            Some((t, v)) => mk(ExprKind::Let(t, Box::new(v), Box::new(out)), ty, span),
            None => out,
        }
    }
}
