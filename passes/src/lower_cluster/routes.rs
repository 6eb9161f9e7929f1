//! `HTTP.clustered(h)` / `HTTP.clustered(N, h)` (spec 05 §11.1). In the handler
//! position of `HTTP.route` / `HTTP.on_*` (a direct call or the right side of a pipe)
//! it becomes `HTTP.clustered_route("<defining module>.h", N, h)`, the library function
//! that registers `h` under that runtime name and answers through the continuity
//! registry; anywhere else it is E0049. The handler must be a bare reference to a public
//! top-level function — local, imported with `from M import h`, or `M.h` after
//! `import M` — of type `(Request) -> Response` (E0047, E0048, E0051); one handler has
//! one count in a program (E0050).

use crate::build::{call, library, module_exprs};
use crate::diag::Diagnostic;
use crate::PassCx;
use mesh_ir::surface::*;
use mesh_ir::Span;
use std::collections::HashMap;

const ROUTE_FNS: [&str; 6] = [
    "route",
    "on_get",
    "on_post",
    "on_put",
    "on_delete",
    "on_patch",
];

fn is_http(e: &Expr, member: &str) -> bool {
    matches!(&e.kind, ExprKind::Field(m, f) if f == member && matches!(&m.kind, ExprKind::Var(v) if v == "HTTP"))
}

fn is_clustered(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Call { callee, .. } if is_http(callee, "clustered"))
}

/// What a module sees: its own functions, `from M import h`, `import M`.
struct Scope<'a> {
    module: &'a str,
    modules: &'a HashMap<String, Vec<(String, bool, FnSig)>>,
    from: HashMap<String, String>,
    aliases: HashMap<String, String>,
}

/// What the checks need of a function: its parameters' and result's annotations.
#[derive(Clone)]
pub(super) struct FnSig {
    params: Vec<Option<String>>,
    ret: Option<String>,
}

fn type_name(t: &Option<TypeExpr>) -> Option<String> {
    match t {
        Some(TypeExpr {
            kind: TypeKind::Named { path, .. },
            ..
        }) => path.last().cloned(),
        _ => None,
    }
}

/// Every module's top-level functions: (name, pub, signature).
pub(super) fn functions(p: &Program) -> HashMap<String, Vec<(String, bool, FnSig)>> {
    p.modules
        .iter()
        .map(|m| {
            let fns = m
                .items
                .iter()
                .filter_map(|it| match &it.kind {
                    ItemKind::Fn(f) => Some((
                        f.name.clone(),
                        f.is_pub,
                        FnSig {
                            params: f.params.iter().map(|p| type_name(&p.ty)).collect(),
                            ret: type_name(&f.ret),
                        },
                    )),
                    _ => None,
                })
                .collect();
            (m.name.clone(), fns)
        })
        .collect()
}

fn error(cx: &mut PassCx, code: &'static str, msg: String, span: Span) {
    cx.emit(Diagnostic::error("clustered route", msg, span).with_code(code));
}

/// Rewrites the clustered routes of module `m`; `counts` holds every handler's count so
/// far (E0050 across modules).
pub(super) fn lower(
    m: &mut Module,
    modules: &HashMap<String, Vec<(String, bool, FnSig)>>,
    counts: &mut HashMap<String, i64>,
    cx: &mut PassCx,
) {
    let name = m.name.clone();
    let mut scope = Scope {
        module: &name,
        modules,
        from: HashMap::new(),
        aliases: HashMap::new(),
    };
    for it in &m.items {
        match &it.kind {
            ItemKind::FromImport { path, names, .. } => {
                for n in names {
                    scope.from.insert(n.clone(), path.join("."));
                }
            }
            ItemKind::Import(path) => {
                if let Some(last) = path.last() {
                    scope.aliases.insert(last.clone(), path.join("."));
                }
            }
            _ => {}
        }
    }
    module_exprs(m, &mut |e| {
        let ExprKind::Call { callee, args } = &mut e.kind else {
            return;
        };
        if !ROUTE_FNS.iter().any(|f| is_http(callee, f)) {
            return;
        }
        if let Some(last) = args.last_mut() {
            if is_clustered(&last.value) {
                let span = last.value.span;
                // reported: a handler of the right type stands in, so later passes add
                // nothing
                last.value =
                    rewrite(&last.value, &scope, counts, cx).unwrap_or_else(|| stand_in(span));
            }
        }
    });
    let misplaced = |cx: &mut PassCx, span: Span| {
        error(
            cx,
            "E0049",
            "HTTP.clustered(...) can only appear in the route handler position of HTTP.route(...) or HTTP.on_*(...)".into(),
            span,
        )
    };
    // calls elsewhere first, then bare references (`HTTP.clustered` as a value)
    module_exprs(m, &mut |e| {
        if is_clustered(e) {
            misplaced(cx, e.span);
            *e = stand_in(e.span);
        }
    });
    module_exprs(m, &mut |e| {
        if is_http(e, "clustered") {
            misplaced(cx, e.span);
            *e = stand_in(e.span);
        }
    });
}

/// `fn(_) -> HTTP.response(500, "") end`: a handler that stands in for a rejected use.
fn stand_in(span: Span) -> Expr {
    let body = call(
        library("HTTP", "response", span),
        vec![
            Expr::new(ExprKind::Int(500), span),
            Expr::new(ExprKind::Str(vec![]), span),
        ],
        span,
    );
    Expr::new(
        ExprKind::Closure(vec![Clause {
            params: vec![Param {
                pat: Pat::new(PatKind::Wild, span),
                ty: None,
            }],
            guard: None,
            body: vec![crate::build::stmt(body)],
        }]),
        span,
    )
}

fn rewrite(
    e: &Expr,
    scope: &Scope,
    counts: &mut HashMap<String, i64>,
    cx: &mut PassCx,
) -> Option<Expr> {
    let span = e.span;
    let ExprKind::Call { args, .. } = &e.kind else {
        return None;
    };
    let usage = |cx: &mut PassCx, why: &str| {
        error(
            cx,
            "E0047",
            format!("invalid HTTP.clustered(...) usage: {why}"),
            span,
        );
        None
    };
    if args.iter().any(|a| a.name.is_some()) || args.is_empty() || args.len() > 2 {
        return usage(
            cx,
            "expected `HTTP.clustered(handler)` or `HTTP.clustered(<int>, handler)`",
        );
    }
    let count = match args.len() {
        1 => 2,
        _ => match &args[0].value.kind {
            ExprKind::Int(n) if *n >= 1 => *n,
            _ => {
                return usage(
                    cx,
                    "the replication count must be a positive integer literal, e.g. `HTTP.clustered(3, handler)`",
                )
            }
        },
    };
    let h = &args[args.len() - 1].value;
    let (module, fname) = match &h.kind {
        ExprKind::Var(f) => match scope.from.get(f) {
            Some(m) => (m.clone(), f.clone()),
            None => (scope.module.to_string(), f.clone()),
        },
        ExprKind::Field(m, f) => match &m.kind {
            ExprKind::Var(a) => (
                scope.aliases.get(a).cloned().unwrap_or_else(|| a.clone()),
                f.clone(),
            ),
            _ => {
                return usage(
                    cx,
                    "expected a bare handler reference or module-qualified handler reference",
                )
            }
        },
        _ => {
            return usage(
                cx,
                "expected a bare handler reference or module-qualified handler reference",
            )
        }
    };
    let Some(fns) = scope.modules.get(&module) else {
        error(
            cx,
            "E0051",
            format!(
                "clustered route handler `{fname}` is imported from an unknown module `{module}`"
            ),
            h.span,
        );
        return None;
    };
    let Some((_, public, sig)) = fns.iter().find(|(n, ..)| *n == fname) else {
        if module == scope.module {
            return usage(
                cx,
                "expected a bare handler reference or module-qualified handler reference",
            );
        }
        error(
            cx,
            "E0051",
            format!("module `{module}` has no route handler `{fname}`"),
            h.span,
        );
        return None;
    };
    if !public {
        error(
            cx,
            "E0048",
            format!("route handler `{fname}` must be public to use HTTP.clustered(...)"),
            h.span,
        );
        return None;
    }
    let typed = sig.params.len() == 1
        && sig.params[0].as_deref().is_none_or(|t| t == "Request")
        && sig.ret.as_deref().is_none_or(|t| t == "Response");
    if !typed {
        return usage(
            cx,
            &format!("`{module}.{fname}` must have type `(Request) -> Response`"),
        );
    }
    let runtime = format!("{module}.{fname}");
    match counts.get(&runtime) {
        Some(c) if *c != count => {
            error(
                cx,
                "E0050",
                format!("clustered route handler `{runtime}` already uses replication count {c}; found conflicting count {count}"),
                span,
            );
            return None;
        }
        _ => {
            counts.insert(runtime.clone(), count);
        }
    }
    Some(call(
        library("HTTP", "clustered_route", span),
        vec![
            Expr::new(ExprKind::Str(vec![StrPart::Text(runtime)]), span),
            Expr::new(ExprKind::Int(count), span),
            h.clone(),
        ],
        span,
    ))
}
