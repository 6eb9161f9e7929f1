//! `merge-clauses : surface -> surface` — spec 01 §3.2. Consecutive `fn` definitions
//! with one name and arity form one function; each group whose clauses use patterns or
//! guards becomes a single function over fresh parameters whose body is a `case` on
//! them (a tuple of them when there are several), one arm per clause, in order.
//! Non-consecutive redefinitions and clause groups of mixed arity are errors.
//! Paper: `papers/merge-clauses.md`.

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::surface::*;
use std::collections::HashMap;

pub struct MergeClauses;

impl Pass for MergeClauses {
    const NAME: &'static str = "merge-clauses";
    const STOPS_ON_ERROR: bool = false;
    type In = Program;
    type Out = Program;
    fn run(&self, mut p: Program, cx: &mut PassCx) -> Program {
        for m in &mut p.modules {
            merge_items(&mut m.items, cx);
        }
        p
    }
}

fn merge_items(items: &mut Vec<Item>, cx: &mut PassCx) {
    for it in items.iter_mut() {
        match &mut it.kind {
            ItemKind::Module { items, .. } => merge_items(items, cx),
            ItemKind::Impl(i) => merge_fn_list(&mut i.methods, cx),
            ItemKind::Service(s) => merge_fn_list(&mut s.fns, cx),
            _ => {}
        }
        visit_nested_blocks(it, cx);
    }
    let taken = std::mem::take(items);
    let mut out: Vec<Item> = Vec::new();
    let mut group: Vec<(FnDef, mesh_ir::Span)> = Vec::new();
    let mut seen: HashMap<(String, usize), mesh_ir::Span> = HashMap::new();
    for it in taken {
        match it.kind {
            ItemKind::Fn(f) => {
                if let Some((g, _)) = group.first() {
                    if g.name != f.name || g.params.len() != f.params.len() {
                        flush(&mut group, &mut out, &mut seen, cx);
                    }
                }
                group.push((f, it.span));
            }
            kind => {
                flush(&mut group, &mut out, &mut seen, cx);
                out.push(Item {
                    kind,
                    span: it.span,
                });
            }
        }
    }
    flush(&mut group, &mut out, &mut seen, cx);
    *items = out;
}

fn flush(
    group: &mut Vec<(FnDef, mesh_ir::Span)>,
    out: &mut Vec<Item>,
    seen: &mut HashMap<(String, usize), mesh_ir::Span>,
    cx: &mut PassCx,
) {
    if group.is_empty() {
        return;
    }
    let clauses: Vec<FnDef> = group.drain(..).map(|(f, _)| f).collect();
    let key = (clauses[0].name.clone(), clauses[0].params.len());
    let span = clauses
        .iter()
        .map(|c| c.span)
        .reduce(|a, b| a.to(b))
        .unwrap();
    if let Some(first) = seen.get(&key) {
        cx.emit(
            Diagnostic::error("duplicate definition", format!("function `{}/{}` already defined; multi-clause functions must have consecutive clauses", key.0, key.1), clauses[0].span)
                .with_secondary(*first, "first defined here"),
        );
        return;
    }
    seen.insert(key.clone(), span);
    // a catch-all clause (only variables or `_`, no guard) before others hides them
    for c in &clauses[..clauses.len() - 1] {
        let catch_all = c.guard.is_none()
            && c.params
                .iter()
                .all(|p| matches!(p.pat.kind, PatKind::Var(_) | PatKind::Wild));
        if catch_all {
            cx.emit(
                Diagnostic::error(
                    "catch-all clause not last",
                    format!(
                        "catch-all clause of function `{}/{}` must be last",
                        key.0, key.1
                    ),
                    c.span,
                )
                .with_code("E0022")
                .with_note("the clauses after it can never run; move it to the end"),
            );
        }
    }
    out.push(Item {
        kind: ItemKind::Fn(merge(clauses, cx)),
        span,
    });
}

fn merge_fn_list(fns: &mut Vec<FnDef>, cx: &mut PassCx) {
    let mut items: Vec<Item> = fns
        .drain(..)
        .map(|f| Item {
            span: f.span,
            kind: ItemKind::Fn(f),
        })
        .collect();
    merge_items(&mut items, cx);
    *fns = items
        .into_iter()
        .filter_map(|i| {
            if let ItemKind::Fn(f) = i.kind {
                Some(f)
            } else {
                None
            }
        })
        .collect();
}

/// Nested function definitions inside blocks get the same treatment, block by block.
fn visit_nested_blocks(it: &mut Item, cx: &mut PassCx) {
    visit::item_blocks_mut(it, &mut |b| {
        if b.iter()
            .any(|s| matches!(&s.kind, StmtKind::Item(i) if matches!(i.kind, ItemKind::Fn(_))))
        {
            merge_block(b, cx);
        }
    });
}

fn merge_block(b: &mut Block, cx: &mut PassCx) {
    let stmts = std::mem::take(b);
    // Keep statement order: merge each run of consecutive nested functions.
    let mut run: Vec<Item> = Vec::new();
    let mut out: Block = Vec::new();
    for s in stmts {
        match s.kind {
            StmtKind::Item(i) if matches!(i.kind, ItemKind::Fn(_)) => run.push(*i),
            kind => {
                flush_run(&mut run, &mut out, cx);
                out.push(Stmt { kind, span: s.span });
            }
        }
    }
    flush_run(&mut run, &mut out, cx);
    *b = out;
}

fn flush_run(run: &mut Vec<Item>, out: &mut Block, cx: &mut PassCx) {
    if run.is_empty() {
        return;
    }
    let mut items = std::mem::take(run);
    merge_items(&mut items, cx);
    out.extend(items.into_iter().map(|i| Stmt {
        span: i.span,
        kind: StmtKind::Item(Box::new(i)),
    }));
}

fn is_simple(f: &FnDef) -> bool {
    f.guard.is_none()
        && f.params
            .iter()
            .all(|p| matches!(p.pat.kind, PatKind::Var(_) | PatKind::SelfParam))
}

fn merge(mut clauses: Vec<FnDef>, cx: &mut PassCx) -> FnDef {
    if clauses.len() == 1 && is_simple(&clauses[0]) {
        return clauses.pop().unwrap();
    }
    let first = &clauses[0];
    let span = clauses
        .iter()
        .map(|c| c.span)
        .reduce(|a, b| a.to(b))
        .unwrap();
    let arity = first.params.len();
    let names: Vec<String> = (0..arity).map(|_| cx.fresh("arg")).collect();
    let params = (0..arity)
        .map(|i| Param {
            pat: Pat::new(PatKind::Var(names[i].clone()), first.params[i].pat.span),
            ty: clauses.iter().find_map(|c| c.params[i].ty.clone()),
        })
        .collect();
    let var = |i: usize| Expr::new(ExprKind::Var(names[i].clone()), span);
    let scrutinee = match arity {
        0 => Expr::new(ExprKind::Unit, span),
        1 => var(0),
        _ => Expr::new(ExprKind::Tuple((0..arity).map(var).collect()), span),
    };
    let arms = clauses
        .iter()
        .map(|c| {
            let pats: Vec<Pat> = c.params.iter().map(|p| p.pat.clone()).collect();
            let pat = match arity {
                0 => Pat::new(PatKind::Wild, c.span),
                1 => pats.into_iter().next().unwrap(),
                _ => Pat::new(PatKind::Tuple(pats), c.span),
            };
            Arm {
                pat,
                guard: c.guard.clone(),
                body: c.body.clone(),
                span: c.span,
            }
        })
        .collect();
    let case = Expr::new(
        ExprKind::Case {
            scrutinee: Box::new(scrutinee),
            arms,
        },
        span,
    );
    FnDef {
        is_pub: clauses.iter().any(|c| c.is_pub),
        cluster: first.cluster,
        external: None,
        name: first.name.clone(),
        generics: first.generics.clone(),
        params,
        ret: clauses.iter().find_map(|c| c.ret.clone()),
        bounds: first.bounds.clone(),
        guard: None,
        body: vec![Stmt {
            span,
            kind: StmtKind::Expr(case),
        }],
        eq_form: false,
        actor: first.actor,
        sig: None,
        span,
    }
}
