//! `lower-cluster : surface -> surface` — spec 05 §10.1. Checks every `@cluster` /
//! `@cluster(N)` declaration and turns it into a *declared handler*: a wrapper
//!
//! ```text
//! pub fn mesh_cluster__f() -> Int do f(); 0 end
//! ```
//!
//! (with the legacy pair `f(request_key, attempt_id)` it passes the running attempt's
//! key and id, `Continuity.running_key()` / `running_attempt()`), registered under the
//! runtime name `<Module>.f` with its replication count at the start of `main`
//! (`Continuity.declare`). The runtime runs each once per cluster after `main` returns
//! (startup work) and on demand (`Continuity.submit_declared_work`). The function stays
//! an ordinary function: a direct call runs it locally.
//!
//! Errors (before code generation, spec 05 §10.1): a private target, a nested one, an
//! overloaded one, parameters other than none or `(String, String)`, a count below 1.
//!
//! `HTTP.clustered(N, h)` in a route's handler position becomes a registration of `h`
//! under its runtime name (`routes.rs`).
//!
//! Paper: `papers/lower-cluster.md`.

mod routes;

use crate::build::{call, fn_item, library, named_type, stmt, var};
use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::surface::*;

pub struct LowerCluster;

impl Pass for LowerCluster {
    const NAME: &'static str = "lower-cluster";
    const STOPS_ON_ERROR: bool = false;
    type In = Program;
    type Out = Program;
    fn run(&self, mut p: Program, cx: &mut PassCx) -> Program {
        let fns = routes::functions(&p);
        let mut counts = std::collections::HashMap::new();
        for m in p.modules.iter_mut().filter(|m| !m.library) {
            routes::lower(m, &fns, &mut counts, cx);
        }
        let mut declared: Vec<(String, i64, String)> = Vec::new();
        for m in &mut p.modules {
            if m.library {
                continue;
            }
            nested(&m.items, cx);
            let mut wrappers = Vec::new();
            for it in &m.items {
                let ItemKind::Fn(f) = &it.kind else { continue };
                let Some(count) = f.cluster else { continue };
                if let Some(w) = check(f, count, &m.items, cx) {
                    let name = format!("{}.{}", m.name, f.name);
                    let wrapper = format!("{}.mesh_cluster__{}", m.name, f.name);
                    declared.push((name, count.unwrap_or(2), wrapper));
                    wrappers.push(w);
                }
            }
            for it in &mut m.items {
                if let ItemKind::Fn(f) = &mut it.kind {
                    f.cluster = None;
                }
            }
            m.items.extend(wrappers);
        }
        if declared.is_empty() {
            return p;
        }
        let user = || p.modules.iter().filter(|m| !m.library);
        let home = user()
            .find(|m| m.name == "Main" && has_main(m))
            .or_else(|| user().find(|m| has_main(m)))
            .map(|m| m.name.clone());
        let Some(home) = home else { return p };
        let main = p
            .modules
            .iter_mut()
            .find(|m| m.name == home)
            .and_then(|m| {
                m.items.iter_mut().find_map(|it| match &mut it.kind {
                    ItemKind::Fn(f) if f.name == "main" => Some(f),
                    _ => None,
                })
            })
            .expect("the module has a main");
        // the registrations are `main`'s code: they take its span (the IR keeps each
        // node's span in its own file)
        let span = main.span;
        let calls = declared.into_iter().map(|(name, count, wrapper)| {
            stmt(call(
                library("Continuity", "declare", span),
                vec![
                    Expr::new(ExprKind::Str(vec![StrPart::Text(name)]), span),
                    Expr::new(ExprKind::Int(count), span),
                    Expr::new(ExprKind::Global(wrapper), span),
                ],
                span,
            ))
        });
        let body = std::mem::take(&mut main.body);
        main.body = calls.chain(body).collect();
        p
    }
}

fn has_main(m: &Module) -> bool {
    m.items
        .iter()
        .any(|it| matches!(&it.kind, ItemKind::Fn(f) if f.name == "main"))
}

/// `@cluster` inside a nested `module … end` is not a top-level function.
fn nested(items: &[Item], cx: &mut PassCx) {
    for it in items {
        let ItemKind::Module { items, .. } = &it.kind else {
            continue;
        };
        for inner in items {
            if let ItemKind::Fn(f) = &inner.kind {
                if f.cluster.is_some() {
                    cx.emit(Diagnostic::error(
                        "clustered work",
                        "target is not a top-level function; declare `@cluster` on a `pub fn` at the top of its file",
                        f.span,
                    ));
                }
            }
        }
        nested(items, cx);
    }
}

fn is_string(t: &Option<TypeExpr>) -> bool {
    matches!(t, Some(TypeExpr { kind: TypeKind::Named { path, args }, .. }) if args.is_empty() && path.last().is_some_and(|n| n == "String"))
}

/// The wrapper of a valid declaration, or its errors.
fn check(f: &FnDef, count: Option<i64>, items: &[Item], cx: &mut PassCx) -> Option<Item> {
    let span = f.span;
    let mut ok = true;
    let mut error = |msg: &str| {
        cx.emit(Diagnostic::error("clustered work", msg.to_string(), span));
        ok = false;
    };
    if count.is_some_and(|n| n < 1) {
        error("expected integer replication count inside `@cluster(...)`: the count is at least 1");
    }
    let same = items
        .iter()
        .filter(|it| matches!(&it.kind, ItemKind::Fn(g) if g.name == f.name && g.is_pub))
        .count();
    if !f.is_pub {
        error(
            "target resolves to a private function; declare a `pub fn` clustered work entrypoint",
        );
    } else if same > 1 {
        error("target resolves to multiple public functions with the same source name; overloaded clustered work entrypoints are unsupported");
    }
    let legacy = f.params.len() == 2 && f.params.iter().all(|p| is_string(&p.ty));
    if !(f.params.is_empty() || legacy) {
        error("clustered work entrypoints take no parameters (or the legacy pair `(request_key :: String, attempt_id :: String)`)");
    }
    if !ok {
        return None;
    }
    let args = if legacy {
        vec![
            call(library("Continuity", "running_key", span), vec![], span),
            call(library("Continuity", "running_attempt", span), vec![], span),
        ]
    } else {
        vec![]
    };
    let int = named_type("Int", span);
    Some(fn_item(
        format!("mesh_cluster__{}", f.name),
        vec![],
        Some(int),
        vec![
            stmt(call(var(&f.name, span), args, span)),
            stmt(Expr::new(ExprKind::Int(0), span)),
        ],
        false,
        span,
    ))
}
