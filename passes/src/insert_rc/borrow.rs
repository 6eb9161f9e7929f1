//! Borrow inference for `insert-rc` (Ullrich & de Moura, *Counting Immutable Beans*,
//! IFL 2019, §5): which counted parameters a function may *borrow* — use without
//! owning a reference, so that neither the caller's `dup` before the call nor the
//! callee's `drop` at its end is needed.
//!
//! Every counted parameter starts borrowed; a fixpoint marks one owned when the body
//! (through the parameter or a local bound to it) consumes it: returns it, stores it
//! in an object, passes it to a closure, to an owning runtime function, to a loop or to
//! an owned parameter of a call. Two rules of the paper keep what `insert-rc` needs:
//! a parameter read by a function that also builds objects stays owned, so that
//! `reuse-cells` can take its cell (a `map` consumes the list it walks); and a tail
//! call passing an owned value to a borrowed parameter makes that parameter owned (the
//! caller would otherwise drop the value after the call, which is then no tail call).
//! Functions used as values (closure code, the entry point) keep every parameter
//! owned: they are called through the closure convention.

use mesh_ir::core::vars::children;
use mesh_ir::core::{Expr, ExprKind, Prim, Program};
use std::collections::{HashMap, HashSet};

/// Function name → for each parameter, whether it is borrowed.
pub type Borrows = HashMap<String, Vec<bool>>;

pub fn infer(p: &Program) -> Borrows {
    let mut as_value = HashSet::new();
    for f in &p.fns {
        fn_refs(&f.body, &mut as_value);
    }
    let owning = super::owning(p);
    let mut b: Borrows = p
        .fns
        .iter()
        .map(|f| {
            let fixed = as_value.contains(&f.name) || f.name == p.entry;
            let flags = f
                .params
                .iter()
                .map(|(_, t)| t.is_counted() && !fixed)
                .collect();
            (f.name.clone(), flags)
        })
        .collect();
    loop {
        let mut owned: Vec<(String, usize)> = Vec::new();
        for f in &p.fns {
            let mut w = Walk {
                borrows: &b,
                params: HashMap::new(),
                stable: HashSet::new(),
                builds: builds(&f.body),
                owned: &mut owned,
                me: &f.name,
                owning: &owning,
            };
            for (i, (n, _)) in f.params.iter().enumerate() {
                if b[&f.name][i] {
                    w.params.insert(n.clone(), i);
                    w.stable.insert(n.clone());
                }
            }
            w.expr(&f.body, true);
        }
        let mut changed = false;
        for (f, i) in owned {
            if let Some(flags) = b.get_mut(&f) {
                if flags[i] {
                    flags[i] = false;
                    changed = true;
                }
            }
        }
        if !changed {
            return b;
        }
    }
}

fn fn_refs(e: &Expr, out: &mut HashSet<String>) {
    if let ExprKind::FnRef(f) = &e.kind {
        out.insert(f.clone());
    }
    children(e).into_iter().for_each(|c| fn_refs(c, out));
}

/// The body allocates an object with fields (a candidate for reusing a parameter's cell).
fn builds(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Alloc { fields, .. } if !fields.is_empty())
        || children(e).into_iter().any(builds)
}

struct Walk<'a> {
    borrows: &'a Borrows,
    /// Locals standing for a borrowed parameter (the parameter and its aliases).
    params: HashMap<String, usize>,
    /// Locals that need no reference of their own: borrowed parameters, their aliases
    /// and the fields read from them.
    stable: HashSet<String>,
    builds: bool,
    owned: &'a mut Vec<(String, usize)>,
    me: &'a str,
    owning: &'a HashSet<String>,
}

impl Walk<'_> {
    fn own(&mut self, x: &str) {
        if let Some(&i) = self.params.get(x) {
            self.owned.push((self.me.to_string(), i));
        }
    }

    /// `consuming`: the value of `e` is consumed where it is used.
    fn expr(&mut self, e: &Expr, consuming: bool) {
        match &e.kind {
            ExprKind::Var(x) => {
                if consuming {
                    self.own(x)
                }
            }
            ExprKind::Let(n, v, b) => {
                match &v.kind {
                    ExprKind::Var(x) => {
                        if let Some(&i) = self.params.get(x) {
                            self.params.insert(n.clone(), i);
                        }
                        if self.stable.contains(x) {
                            self.stable.insert(n.clone());
                        }
                    }
                    ExprKind::Load(o, _) => {
                        self.expr(v, false);
                        if let ExprKind::Var(x) = &o.kind {
                            if self.stable.contains(x) {
                                self.stable.insert(n.clone());
                            }
                        }
                    }
                    _ => self.expr(v, true),
                }
                self.expr(b, consuming);
            }
            ExprKind::Seq(a, b) => {
                self.expr(a, false);
                self.expr(b, consuming);
            }
            ExprKind::If(c, t, f) => {
                self.expr(c, false);
                self.expr(t, consuming);
                self.expr(f, consuming);
            }
            ExprKind::Call { func, args, tail } => {
                let flags = self.borrows.get(func);
                for (i, a) in args.iter().enumerate() {
                    let borrowed = flags.is_some_and(|f| f.get(i).copied().unwrap_or(false));
                    self.expr(a, !borrowed);
                    let stable = matches!(&a.kind, ExprKind::Var(x) if self.stable.contains(x));
                    if borrowed && *tail && a.ty.is_counted() && !stable {
                        self.owned.push((func.clone(), i));
                    }
                }
            }
            ExprKind::Load(o, _) | ExprKind::Tag(o) => {
                if self.builds {
                    if let ExprKind::Var(x) = &o.kind {
                        self.own(x);
                    }
                }
                self.expr(o, false);
            }
            // a hole's cell is lent, its value given
            ExprKind::Prim(Prim::SetSlot, args) => {
                for (i, a) in args.iter().enumerate() {
                    self.expr(a, i == 2);
                }
            }
            ExprKind::Prim(_, args) => args.iter().for_each(|a| self.expr(a, false)),
            ExprKind::Runtime(sym, args) => {
                let owns = self.owning.contains(sym);
                args.iter().for_each(|a| self.expr(a, owns));
            }
            ExprKind::Loop { inits, body, .. } => {
                inits.iter().for_each(|a| self.expr(a, true));
                self.expr(body, consuming);
            }
            // closure calls, objects, results leaving a scope: all consume
            _ => children(e).into_iter().for_each(|c| self.expr(c, true)),
        }
    }
}
