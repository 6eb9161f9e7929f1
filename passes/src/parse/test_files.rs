//! Test files (`*.test.mpl`, spec 03 §17): their top-level `test(name) do … end` and
//! `describe(name) do … end` blocks — calls with a trailing block, as the grammar reads
//! them — become the body of a generated `main` that runs each test through
//! `Test.run(name, setup, body, teardown)` (`stdlib/test.mpl`) and ends with
//! `Test.summary()`. A `describe` prefixes its tests' names (`group > test`) and gives
//! them its `setup`/`teardown` blocks. `assert(e)`, `assert_eq(a, b)`, `assert_ne(a, b)`
//! and `assert_raises(f)` anywhere in the file become the `Test` functions, passed their
//! source text for the failure message. Spans are kept, so diagnostics point into the
//! file as written.

use crate::diag::Diagnostic;
use mesh_ir::surface::visit::item_exprs_mut;
use mesh_ir::surface::*;
use mesh_ir::Span;

const ASSERTIONS: &[&str] = &["assert", "assert_eq", "assert_ne", "assert_raises"];

/// Rewrites the items of a test file (see the module comment).
pub fn desugar(items: &mut Vec<Item>, text: &str, file: u32, diags: &mut Vec<Diagnostic>) {
    for it in items.iter_mut() {
        item_exprs_mut(it, &mut |e| with_source(e, text));
    }
    if let Some(m) = items
        .iter()
        .find(|i| matches!(&i.kind, ItemKind::Fn(f) if f.name == "main"))
    {
        diags.push(Diagnostic::error(
            "test file",
            "a test file has no `main`: its tests are top-level `test(...)` blocks, which `mesh test` runs".to_string(),
            m.span,
        ));
        return;
    }
    let mut body = Vec::new();
    let mut kept = Vec::new();
    for it in items.drain(..) {
        match it.kind {
            ItemKind::Stmt(s) => expand(s, None, &mut body),
            kind => kept.push(Item {
                kind,
                span: it.span,
            }),
        }
    }
    let span = Span::new(file, 0, 0);
    body.push(expr_stmt(Expr::call(
        test_fn("summary", span),
        vec![],
        span,
    )));
    kept.push(Item {
        kind: ItemKind::Fn(FnDef {
            is_pub: false,
            cluster: None,
            external: None,
            name: "main".into(),
            generics: vec![],
            params: vec![],
            ret: None,
            bounds: vec![],
            guard: None,
            body,
            eq_form: false,
            actor: false,
            sig: None,
            span,
        }),
        span,
    });
    *items = kept;
}

/// `assert…(args)` → `Test.assert…(args, "<source of args>")`.
fn with_source(e: &mut Expr, text: &str) {
    let ExprKind::Call { callee, args } = &mut e.kind else {
        return;
    };
    let ExprKind::Var(name) = &callee.kind else {
        return;
    };
    if !ASSERTIONS.contains(&name.as_str()) || args.iter().any(|a| a.name.is_some()) {
        return;
    }
    let source = match (args.first(), args.last()) {
        (Some(a), Some(b)) => text
            .get(a.value.span.lo as usize..b.value.span.hi as usize)
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    };
    let span = callee.span;
    **callee = test_fn(name, span);
    args.push(Arg {
        name: None,
        value: Expr::new(ExprKind::Str(vec![StrPart::Text(source)]), span),
    });
}

/// One top-level statement (or one inside a `describe`, whose name is `prefix`) into
/// statements of `main`.
fn expand(s: Stmt, prefix: Option<&Expr>, out: &mut Vec<Stmt>) {
    let StmtKind::Expr(e) = &s.kind else {
        return out.push(s);
    };
    match dsl_call(e) {
        Some(("test", name, body)) => {
            let span = e.span;
            let name = qualified(prefix, name, span);
            out.push(expr_stmt(test_run(name, None, body.clone(), None, span)));
        }
        Some(("describe", name, body)) => {
            let span = e.span;
            let group = qualified(prefix, name, span);
            let Some(block) = closure_block(body) else {
                return out.push(s);
            };
            let hook = |which: &str| {
                block.iter().find_map(|st| match &st.kind {
                    StmtKind::Expr(e) => match dsl_call(e) {
                        Some((w, f, _)) if w == which => Some(f.clone()),
                        _ => None,
                    },
                    _ => None,
                })
            };
            let (setup, teardown) = (hook("setup"), hook("teardown"));
            for st in block.clone() {
                match &st.kind {
                    StmtKind::Expr(e) => match dsl_call(e) {
                        Some(("setup" | "teardown", _, _)) => {}
                        Some(("test", name, body)) => {
                            let span = e.span;
                            let name = qualified(Some(&group), name, span);
                            out.push(expr_stmt(test_run(
                                name,
                                setup.clone(),
                                body.clone(),
                                teardown.clone(),
                                span,
                            )));
                        }
                        _ => expand(st.clone(), Some(&group), out),
                    },
                    _ => out.push(st.clone()),
                }
            }
        }
        _ => out.push(s),
    }
}

/// `test(name, body)`, `describe(name, body)`: (which, name, body); `setup(f)`,
/// `teardown(f)`: (which, f, f).
fn dsl_call(e: &Expr) -> Option<(&'static str, &Expr, &Expr)> {
    let ExprKind::Call { callee, args } = &e.kind else {
        return None;
    };
    let ExprKind::Var(n) = &callee.kind else {
        return None;
    };
    let which = ["test", "describe", "setup", "teardown"]
        .into_iter()
        .find(|w| w == n)?;
    match (which, args.as_slice()) {
        ("test" | "describe", [name, body]) => Some((which, &name.value, &body.value)),
        ("setup" | "teardown", [f]) => Some((which, &f.value, &f.value)),
        _ => None,
    }
}

/// The statements of a `fn() do … end` block.
fn closure_block(e: &Expr) -> Option<&Block> {
    match &e.kind {
        ExprKind::Closure(clauses) if clauses.len() == 1 && clauses[0].params.is_empty() => {
            Some(&clauses[0].body)
        }
        _ => None,
    }
}

/// `group > name` (two literals joined at compile time; otherwise a concatenation).
fn qualified(prefix: Option<&Expr>, name: &Expr, span: Span) -> Expr {
    let Some(prefix) = prefix else {
        return name.clone();
    };
    let literal = |e: &Expr| match &e.kind {
        ExprKind::Str(parts) => parts
            .iter()
            .map(|p| match p {
                StrPart::Text(t) => Some(t.as_str()),
                StrPart::Interp(_) => None,
            })
            .collect::<Option<String>>(),
        _ => None,
    };
    if let (Some(a), Some(b)) = (literal(prefix), literal(name)) {
        return Expr::new(
            ExprKind::Str(vec![StrPart::Text(format!("{a} > {b}"))]),
            span,
        );
    }
    let sep = Expr::new(ExprKind::Str(vec![StrPart::Text(" > ".into())]), span);
    let left = Expr::new(
        ExprKind::Binary(BinOp::Concat, Box::new(prefix.clone()), Box::new(sep)),
        span,
    );
    Expr::new(
        ExprKind::Binary(BinOp::Concat, Box::new(left), Box::new(name.clone())),
        span,
    )
}

/// `Test.run(name, setup, body, teardown)` (a missing hook does nothing).
fn test_run(
    name: Expr,
    setup: Option<Expr>,
    body: Expr,
    teardown: Option<Expr>,
    span: Span,
) -> Expr {
    let nothing = || {
        Expr::new(
            ExprKind::Closure(vec![Clause {
                params: vec![],
                guard: None,
                body: vec![expr_stmt(Expr::new(ExprKind::Unit, span))],
            }]),
            span,
        )
    };
    Expr::call(
        test_fn("run", span),
        vec![
            name,
            setup.unwrap_or_else(nothing),
            body,
            teardown.unwrap_or_else(nothing),
        ],
        span,
    )
}

fn test_fn(name: &str, span: Span) -> Expr {
    Expr::library("Test", name, span)
}

fn expr_stmt(e: Expr) -> Stmt {
    let span = e.span;
    Stmt {
        kind: StmtKind::Expr(e),
        span,
    }
}
