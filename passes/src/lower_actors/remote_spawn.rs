//! `Node.spawn(node, f, a1, …, an)` and `Node.spawn_link(…)` (spec 05 §7), for any
//! sendable arguments: every node runs the same build, so each target `f` of a module
//! gets two generated functions, registered under the key `Module.f` at the start of
//! `main` (`Node.register_spawn`):
//!
//! * `mesh_spawn_local__f(x1, …, xn)` = `spawn(f, x1, …, xn)` — typed by `f`;
//! * `mesh_spawn__f()`, the spawner a remote request runs: `case Node.spawn_args() do
//!   Some((x1, …, xn)) -> mesh_spawn_local__f(x1, …, xn)  None -> Node.no_pid() end`
//!   (the runtime decodes the arguments with the schema of their type, or gives `None`
//!   when they do not have it).
//!
//! The call becomes `(fn(node, x1, …, xn) -> Node.spawn_remote(node, "Module.f",
//! (x1, …, xn), link) end)(node, a1, …, an)`, with an unused closure calling
//! `mesh_spawn_local__f(x1, …, xn)` in it so that `infer` checks the arguments
//! against `f`'s parameters.

use super::*;
use mesh_ir::surface::StrPart;

/// Rewrites the remote spawns of every module and registers their targets in `main`.
pub(super) fn lower(p: &mut Program, cx: &mut PassCx) {
    let mut registered: Vec<(String, String)> = Vec::new();
    for m in &mut p.modules {
        if m.library {
            continue;
        }
        let mut targets: Vec<(String, usize, Span)> = Vec::new();
        let module = m.name.clone();
        module_exprs(m, &mut |e| rewrite(e, &module, &mut targets, cx));
        let mut seen = Vec::new();
        for (f, n, span) in targets {
            if seen.contains(&f) {
                continue;
            }
            seen.push(f.clone());
            m.items.extend(spawners(&f, n, span));
            registered.push((m.name.clone(), f));
        }
    }
    if registered.is_empty() {
        return;
    }
    let Some(main) = p
        .modules
        .iter_mut()
        .filter(|m| !m.library)
        .flat_map(|m| m.items.iter_mut())
        .find_map(|it| match &mut it.kind {
            ItemKind::Fn(f) if f.name == "main" => Some(f),
            _ => None,
        })
    else {
        return;
    };
    let span = main.span;
    let calls = registered.into_iter().map(|(module, f)| {
        let spawner = Expr::new(ExprKind::Global(format!("{module}.mesh_spawn__{f}")), span);
        let key = Expr::new(
            ExprKind::Str(vec![StrPart::Text(format!("{module}.{f}"))]),
            span,
        );
        stmt(call(
            library("Node", "register_spawn", span),
            vec![key, spawner],
            span,
        ))
    });
    let body = std::mem::take(&mut main.body);
    main.body = calls.chain(body).collect();
}

fn rewrite(e: &mut Expr, module: &str, targets: &mut Vec<(String, usize, Span)>, cx: &mut PassCx) {
    let span = e.span;
    let ExprKind::Call { callee, args } = &mut e.kind else {
        return;
    };
    let link = match &callee.kind {
        ExprKind::Field(m, f) if is_name(m, "Node") && (f == "spawn" || f == "spawn_link") => {
            f == "spawn_link"
        }
        _ => return,
    };
    let target = match args.get(1).map(|a| &a.value.kind) {
        Some(ExprKind::Var(f)) if args.iter().all(|a| a.name.is_none()) => f.clone(),
        _ => {
            cx.emit(
                Diagnostic::error(
                    "spawn",
                    "`Node.spawn` takes a node, a top-level function or actor, and its arguments: `Node.spawn(node, f, a, b)`",
                    span,
                )
                .with_code("E0016"),
            );
            return;
        }
    };
    let mut args = std::mem::take(args);
    let node = args.remove(0).value;
    args.remove(0);
    let n = args.len();
    targets.push((target.clone(), n, span));
    let names: Vec<String> = (1..=n).map(|i| format!("spawn.{i}")).collect();
    let vars = || names.iter().map(|x| var(x, span)).collect::<Vec<_>>();
    let check = closure(
        vec![],
        call(
            var(&format!("mesh_spawn_local__{target}"), span),
            vars(),
            span,
        ),
        span,
    );
    let remote = call(
        library("Node", "spawn_remote", span),
        vec![
            var("spawn.node", span),
            Expr::new(
                ExprKind::Str(vec![StrPart::Text(format!("{module}.{target}"))]),
                span,
            ),
            pack(vars(), span),
            Expr::new(ExprKind::Bool(link), span),
        ],
        span,
    );
    let body = vec![
        Stmt {
            kind: StmtKind::Let {
                pat: Pat::new(PatKind::Wild, span),
                ty: None,
                value: check,
            },
            span,
        },
        stmt(remote),
    ];
    let mut params = vec!["spawn.node".to_string()];
    params.extend(names);
    let outer = closure_block(params, body, span);
    let mut actual = vec![node];
    actual.extend(args.into_iter().map(|a| a.value));
    *e = call(outer, actual, span);
}

/// The arguments as one value: `()`, the one argument, or a tuple.
fn pack(mut xs: Vec<Expr>, span: Span) -> Expr {
    match xs.len() {
        0 => Expr::new(ExprKind::Unit, span),
        1 => xs.remove(0),
        _ => Expr::new(ExprKind::Tuple(xs), span),
    }
}

fn spawners(f: &str, n: usize, span: Span) -> Vec<Item> {
    let names: Vec<String> = (1..=n).map(|i| format!("x{i}")).collect();
    let vars = || names.iter().map(|x| var(x, span)).collect::<Vec<_>>();
    let mut spawn_args = vec![var(f, span)];
    spawn_args.extend(vars());
    let local = fn_item(
        format!("mesh_spawn_local__{f}"),
        names.iter().map(|x| param(x, None, span)).collect(),
        None,
        vec![stmt(call(var("spawn", span), spawn_args, span))],
        false,
        span,
    );
    let run_local = call(var(&format!("mesh_spawn_local__{f}"), span), vars(), span);
    let body = if n == 0 {
        run_local
    } else {
        let pat = match n {
            1 => Pat::new(PatKind::Var("x1".into()), span),
            _ => Pat::new(
                PatKind::Tuple(
                    names
                        .iter()
                        .map(|x| Pat::new(PatKind::Var(x.clone()), span))
                        .collect(),
                ),
                span,
            ),
        };
        let arm = |pat: Pat, body: Expr| Arm {
            pat,
            guard: None,
            body: vec![stmt(body)],
            span,
        };
        Expr::new(
            ExprKind::Case {
                scrutinee: Box::new(call(library("Node", "spawn_args", span), vec![], span)),
                arms: vec![
                    arm(ctor("Some", Some(vec![pat]), span), run_local),
                    arm(
                        ctor("None", None, span),
                        call(library("Node", "no_pid", span), vec![], span),
                    ),
                ],
            },
            span,
        )
    };
    let spawner = fn_item(
        format!("mesh_spawn__{f}"),
        vec![],
        Some(pid_type(span)),
        vec![stmt(body)],
        false,
        span,
    );
    vec![local, spawner]
}
