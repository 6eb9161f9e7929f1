//! `lift-nested-fns : desugared -> desugared` — spec 01 §3.1 nested named functions.
//! A nested function that uses no local of its enclosing function is lambda-lifted
//! (Johnsson, *Lambda lifting*, FPCA 1985) to a module-level function `outer::name`,
//! so it may be recursive and is generalised like any top-level function; references to
//! it in its block become `Global`s. One that captures locals becomes a closure bound
//! by `let` at its definition point (closure conversion then handles the captures); such
//! a function cannot call itself. Paper: `papers/lift-nested-fns.md`.

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::surface::*;
use std::collections::{HashMap, HashSet};

pub struct LiftNestedFns;

impl Pass for LiftNestedFns {
    const NAME: &'static str = "lift-nested-fns";
    const STOPS_ON_ERROR: bool = false;
    type In = Desugared;
    type Out = Desugared;
    fn run(&self, Desugared(mut p): Desugared, cx: &mut PassCx) -> Desugared {
        for m in &mut p.modules {
            let mut lifted = Vec::new();
            for it in &mut m.items {
                if let ItemKind::Fn(f) = &mut it.kind {
                    let prefix = f.name.clone();
                    lift_block(&mut f.body, &m.name, &prefix, &mut lifted, cx);
                }
            }
            m.items.extend(lifted.into_iter().map(|f: FnDef| Item {
                span: f.span,
                kind: ItemKind::Fn(f),
            }));
        }
        Desugared(p)
    }
}

/// Names a pattern binds.
fn pat_binders(p: &Pat, out: &mut HashSet<String>) {
    match &p.kind {
        PatKind::Var(v) => {
            out.insert(v.clone());
        }
        PatKind::As(q, n) => {
            out.insert(n.clone());
            pat_binders(q, out);
        }
        PatKind::Tuple(ps)
        | PatKind::Brace(ps)
        | PatKind::Or(ps)
        | PatKind::Variant { args: ps, .. } => ps.iter().for_each(|q| pat_binders(q, out)),
        PatKind::Ctor { args: Some(ps), .. } => ps.iter().for_each(|q| pat_binders(q, out)),
        PatKind::Cons(h, t) => {
            pat_binders(h, out);
            pat_binders(t, out);
        }
        _ => {}
    }
}

/// The local names a function's body refers to but does not bind itself.
fn free_locals(f: &FnDef) -> HashSet<String> {
    let mut used = HashSet::new();
    let mut bound = HashSet::new();
    f.params
        .iter()
        .for_each(|p| pat_binders(&p.pat, &mut bound));
    let mut g = f.clone();
    visit::fn_exprs_mut(&mut g, &mut |e| match &e.kind {
        ExprKind::Var(n) if !n.starts_with(|c: char| c.is_uppercase()) => {
            used.insert(n.clone());
        }
        ExprKind::Case { arms, .. } => arms.iter().for_each(|a| pat_binders(&a.pat, &mut bound)),
        ExprKind::For { pat, .. } => pat_binders(pat, &mut bound),
        ExprKind::Closure(cs) => cs
            .iter()
            .flat_map(|c| c.params.iter())
            .for_each(|p| pat_binders(&p.pat, &mut bound)),
        _ => {}
    });
    visit::block_blocks_mut(&mut g.body, &mut |b| {
        for s in b.iter() {
            match &s.kind {
                StmtKind::Let { pat, .. } => pat_binders(pat, &mut bound),
                StmtKind::Item(i) => {
                    if let ItemKind::Fn(n) = &i.kind {
                        bound.insert(n.name.clone());
                    }
                }
                _ => {}
            }
        }
    });
    used.retain(|n| !bound.contains(n) && n != &f.name);
    used
}

fn lift_block(b: &mut Block, module: &str, prefix: &str, lifted: &mut Vec<FnDef>, cx: &mut PassCx) {
    // inner blocks first (nested functions of nested functions, branches, loops…)
    for s in b.iter_mut() {
        match &mut s.kind {
            StmtKind::Item(i) => {
                if let ItemKind::Fn(f) = &mut i.kind {
                    let p = format!("{prefix}::{}", f.name);
                    lift_block(&mut f.body, module, &p, lifted, cx);
                }
            }
            StmtKind::Let { value, .. } | StmtKind::Expr(value) => {
                visit::expr_mut(value, &mut |e| lift_in_expr(e, module, prefix, lifted, cx))
            }
        }
    }
    let nested: Vec<&FnDef> = b
        .iter()
        .filter_map(|s| {
            if let StmtKind::Item(i) = &s.kind {
                if let ItemKind::Fn(f) = &i.kind {
                    Some(f)
                } else {
                    None
                }
            } else {
                None
            }
        })
        .collect();
    if nested.is_empty() {
        return;
    }
    // which nested functions capture nothing but each other (those are lifted)
    let names: HashSet<String> = nested.iter().map(|f| f.name.clone()).collect();
    let mut liftable: HashSet<String> = names.clone();
    loop {
        let before = liftable.len();
        for f in &nested {
            let free = free_locals(f);
            if free.iter().any(|v| !liftable.contains(v)) {
                liftable.remove(&f.name);
            }
        }
        if liftable.len() == before {
            break;
        }
    }
    let renames: HashMap<String, String> = liftable
        .iter()
        .map(|n| (n.clone(), format!("{module}.{prefix}::{n}")))
        .collect();
    let stmts = std::mem::take(b);
    for mut s in stmts {
        if let StmtKind::Item(i) = &mut s.kind {
            if let ItemKind::Fn(f) = &mut i.kind {
                let mut f = f.clone();
                rename(&mut f.body, &renames);
                if liftable.contains(&f.name) {
                    f.name = format!("{prefix}::{}", f.name);
                    lifted.push(f);
                    continue;
                }
                // captures locals: a closure bound at the definition point
                if free_locals(&f).contains(&f.name) || uses_itself(&f) {
                    cx.emit(Diagnostic::error("unsupported", format!("nested function `{}` captures local variables and calls itself; this is not supported yet", f.name), f.span));
                }
                let clause = Clause {
                    params: f.params.clone(),
                    guard: None,
                    body: f.body.clone(),
                };
                let value = Expr::new(ExprKind::Closure(vec![clause]), f.span);
                b.push(Stmt {
                    span: s.span,
                    kind: StmtKind::Let {
                        pat: Pat::new(PatKind::Var(f.name.clone()), f.span),
                        ty: None,
                        value,
                    },
                });
                continue;
            }
        }
        if let StmtKind::Let { value, .. } | StmtKind::Expr(value) = &mut s.kind {
            rename_expr(value, &renames);
        }
        b.push(s);
    }
}

fn uses_itself(f: &FnDef) -> bool {
    let mut g = f.clone();
    let mut found = false;
    visit::fn_exprs_mut(&mut g, &mut |e| {
        if matches!(&e.kind, ExprKind::Var(n) if *n == f.name) {
            found = true;
        }
    });
    found
}

fn lift_in_expr(
    e: &mut Expr,
    module: &str,
    prefix: &str,
    lifted: &mut Vec<FnDef>,
    cx: &mut PassCx,
) {
    match &mut e.kind {
        ExprKind::If { then, else_, .. } => {
            lift_block(then, module, prefix, lifted, cx);
            if let Some(b) = else_ {
                lift_block(b, module, prefix, lifted, cx);
            }
        }
        ExprKind::Case { arms, .. } | ExprKind::Receive { arms, .. } => arms
            .iter_mut()
            .for_each(|a| lift_block(&mut a.body, module, prefix, lifted, cx)),
        ExprKind::While { body, .. } | ExprKind::For { body, .. } => {
            lift_block(body, module, prefix, lifted, cx)
        }
        ExprKind::Closure(cs) => cs
            .iter_mut()
            .for_each(|c| lift_block(&mut c.body, module, prefix, lifted, cx)),
        _ => {}
    }
}

fn rename(b: &mut Block, renames: &HashMap<String, String>) {
    for s in b.iter_mut() {
        match &mut s.kind {
            StmtKind::Let { value, .. } | StmtKind::Expr(value) => rename_expr(value, renames),
            StmtKind::Item(i) => {
                if let ItemKind::Fn(f) = &mut i.kind {
                    rename(&mut f.body, renames);
                }
            }
        }
    }
}

fn rename_expr(e: &mut Expr, renames: &HashMap<String, String>) {
    visit::expr_mut(e, &mut |x| {
        if let ExprKind::Var(n) = &x.kind {
            if let Some(g) = renames.get(n) {
                x.kind = ExprKind::Global(g.clone());
            }
        }
    });
}
