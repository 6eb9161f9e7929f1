//! `lower-actors : surface -> surface` — spec 04 §2, §4, §7. Turns the actor forms into
//! plain functions and library calls that the rest of the pipeline already knows:
//!
//! * `actor name(params) do body end` becomes the function `name` marked `actor`
//!   (inference gives it the type `fn(params) -> Pid<M>` and types `receive`/`self()`
//!   in it against the message type `M`);
//! * `spawn(f, a1, …, an)` becomes `(fn(x1, …, xn) -> Process.spawn(fn() -> f(x1, …,
//!   xn) end) end)(a1, …, an)`: the arguments are evaluated by the parent, then the
//!   new process runs a closure holding them (the runtime copies it, spec 04 §6);
//! * `receive do p1 -> e1 … after t -> e end` becomes `case Process.receive(t) do
//!   Some(p1) -> e1 … None -> e end` (`t` is -1, wait for ever, without `after`).
//!   Unless an arm takes any message, the receive is *selective* (issue 6, decision
//!   35): the scrutinee is `Process.receive_matching(t, fn(m) -> case m do p1 when g1
//!   -> true … _ -> false end end)`, and the runtime takes the oldest message the
//!   matcher accepts, leaving the others queued in order. Arms matching the prelude's
//!   `Signal` (`Exit(pid, reason)`, `Down(ref, pid, reason)`) make it a
//!   `Process.receive_signal` over `Received<M>` (`Recv__Message(m)`, `Recv__Signal(s)`,
//!   `Recv__Timeout`), which also takes the process's queued signals. `check-exhaustiveness`
//!   completes such a `case` with a failing arm instead of rejecting it.
//!
//! * `service S do fn init(…) … call V(ps) :: R do |st| … end … cast W(ps) do |st| … end
//!   end` (spec 04 §12) becomes: a message type `S__Msg` (a variant per handler; a call
//!   carries the id of its reply), a function per handler (`s__h_v(st, ps) -> (State,
//!   R)`), the service loop `actor s__loop(state)` receiving one request at a time, an
//!   actor `s__run(init params)` that runs `init` in the new process, and the helpers
//!   `s__start(…)`, `s__v(pid, ps)` (a call: `Process.call_id`, `send`,
//!   `Process.await_reply`) and `s__w(pid, ps)` (a cast: `send`). `S.start(…)`,
//!   `S.v(…)` in the module become calls of those helpers.
//!
//! * `supervisor S do strategy: … child c do start: fn -> … end … end end` (spec 04
//!   §9) becomes `fn s__start() -> Pid` building the runtime's supervisor
//!   (`Process.sup_new`, `Process.sup_child` per child, `Process.sup_start`);
//!   `spawn(S)` calls it. Options are checked here: E0019 strategy, E0020 restart type,
//!   E0021 shutdown, duplicate child ids; E0018 (`start` must return a pid) is a type
//!   error in `infer`.
//!
//! * An actor's `terminate do … end` becomes `fn a__terminate()`; a `spawn` of that
//!   actor in its module registers it first (`Process.on_exit`), and the runtime runs
//!   it when the process exits, normally or not (spec 04 §2, §10).
//!
//! * `Node.spawn(node, f, args…)` / `Node.spawn_link` (spec 05 §7) become a remote
//!   spawn of a spawner generated per target and registered in `main`
//!   (`lower_actors/remote_spawn.rs`).
//!
//! Paper: `papers/lower-actors.md`.

mod remote_spawn;

use crate::build::{call, fn_item, library, module_exprs, named_type, param, stmt, var};
use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::surface::*;
use mesh_ir::Span;

pub struct LowerActors;

impl Pass for LowerActors {
    const NAME: &'static str = "lower-actors";
    const STOPS_ON_ERROR: bool = false;
    type In = Program;
    type Out = Program;
    fn run(&self, mut p: Program, cx: &mut PassCx) -> Program {
        // actors with a `terminate` clause: (module, name)
        let mut with_cleanup: Vec<(String, String)> = Vec::new();
        for m in &mut p.modules {
            let mut cleanups = Vec::new();
            for it in &mut m.items {
                if let ItemKind::Actor(a) = &mut it.kind {
                    if let Some(t) = a.terminate.take() {
                        // fn a__terminate() -> Pid do cleanup; <no pid> end: run by the
                        // runtime when the actor exits (spec 04 §2, §10)
                        let span = t.first().map_or(it.span, |s| s.span);
                        let mut body = t;
                        body.push(stmt(call(
                            library("Process", "whereis", span),
                            vec![Expr::new(ExprKind::Str(vec![]), span)],
                            span,
                        )));
                        cleanups.push(fn_item(
                            format!("{}__terminate", a.name),
                            vec![],
                            Some(pid_type(span)),
                            body,
                            false,
                            span,
                        ));
                        with_cleanup.push((m.name.clone(), a.name.clone()));
                    }
                    let mut f = fn_item(
                        a.name.clone(),
                        std::mem::take(&mut a.params),
                        None,
                        std::mem::take(&mut a.body),
                        true,
                        it.span,
                    );
                    if let ItemKind::Fn(def) = &mut f.kind {
                        def.is_pub = a.is_pub;
                    }
                    it.kind = f.kind;
                }
            }
            m.items.extend(cleanups);
        }
        for m in &mut p.modules {
            let mut services = Vec::new();
            let mut supervisors = Vec::new();
            let mut items = Vec::new();
            for it in std::mem::take(&mut m.items) {
                match it.kind {
                    ItemKind::Service(s) => {
                        services.push(s.name.clone());
                        items.extend(service(s, it.span, cx));
                    }
                    ItemKind::Supervisor(s) => {
                        supervisors.push(s.name.clone());
                        items.push(supervisor(s, it.span, cx));
                    }
                    kind => items.push(Item {
                        kind,
                        span: it.span,
                    }),
                }
            }
            m.items = items;
            if !supervisors.is_empty() {
                module_exprs(m, &mut |e| spawn_supervisor(e, &supervisors));
            }
            if !services.is_empty() {
                module_exprs(m, &mut |e| service_call(e, &services));
            }
        }
        remote_spawn::lower(&mut p, cx);
        for m in &mut p.modules {
            let cleanups: Vec<String> = with_cleanup
                .iter()
                .filter(|(module, _)| *module == m.name)
                .map(|(_, a)| a.clone())
                .collect();
            module_exprs(m, &mut |e| lower(e, &cleanups, cx));
        }
        p
    }
}

/// The written type `Pid`.
fn pid_type(span: Span) -> TypeExpr {
    named_type("Pid", span)
}

/// `spawn(S)` for a supervisor `S` of this module: `s__start()`.
fn spawn_supervisor(e: &mut Expr, supervisors: &[String]) {
    if let ExprKind::Call { callee, args } = &e.kind {
        if is_name(callee, "spawn") && args.len() == 1 {
            if let ExprKind::Var(s) = &args[0].value.kind {
                if supervisors.contains(s) {
                    let span = e.span;
                    *e = call(var(&format!("{}__start", snake(s)), span), vec![], span);
                }
            }
        }
    }
}

/// A supervisor option written as a word (`one_for_one`) or a number.
fn option_word(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Var(w) => Some(w),
        _ => None,
    }
}

/// `fn s__start() -> Pid` for a supervisor declaration (see the module comment).
fn supervisor(s: SupervisorDef, span: Span, cx: &mut PassCx) -> Item {
    let int = |n: i64, sp| Expr::new(ExprKind::Int(n), sp);
    let mut strategy = 0;
    let mut max_restarts = 3;
    let mut max_seconds = 5;
    for (k, v) in &s.settings {
        match (k.as_str(), option_word(v), &v.kind) {
            ("strategy", Some(w), _) => match w {
                "one_for_one" | "simple_one_for_one" => strategy = 0,
                "one_for_all" => strategy = 1,
                "rest_for_one" => strategy = 2,
                _ => {
                    cx.emit(
                        Diagnostic::error("supervisor", format!("unknown supervisor strategy `{w}` (one_for_one, one_for_all, rest_for_one, simple_one_for_one)"), v.span)
                            .with_code("E0019"),
                    );
                }
            },
            ("max_restarts", _, ExprKind::Int(n)) if *n >= 0 => max_restarts = *n,
            ("max_seconds", _, ExprKind::Int(n)) if *n > 0 => max_seconds = *n,
            (k, _, _) => cx.emit(Diagnostic::error(
                "supervisor",
                format!("invalid supervisor option `{k}` (strategy, max_restarts: a count, max_seconds: a positive count, child)"),
                v.span,
            )),
        }
    }
    let h = |sp| var("sup.spec", sp);
    let mut body = vec![let_(
        pvar("sup.spec", span),
        call(
            library("Process", "sup_new", span),
            vec![
                int(strategy, span),
                int(max_restarts, span),
                int(max_seconds, span),
            ],
            span,
        ),
    )];
    let mut ids: Vec<&str> = Vec::new();
    for c in &s.children {
        if ids.contains(&c.id.as_str()) {
            cx.emit(Diagnostic::error(
                "supervisor",
                format!("duplicate child id `{}` in supervisor `{}`", c.id, s.name),
                c.span,
            ));
        }
        ids.push(&c.id);
        let (mut start, mut restart, mut shutdown) = (None, 0, 5000);
        for (k, v) in &c.settings {
            match (k.as_str(), option_word(v), &v.kind) {
                ("start", _, _) => start = Some(v.clone()),
                ("restart", Some(w), _) => match w {
                    "permanent" => restart = 0,
                    "transient" => restart = 1,
                    "temporary" => restart = 2,
                    _ => cx.emit(
                        Diagnostic::error(
                            "supervisor",
                            format!("unknown restart type `{w}` (permanent, transient, temporary)"),
                            v.span,
                        )
                        .with_code("E0020"),
                    ),
                },
                ("restart", None, _) => cx.emit(
                    Diagnostic::error(
                        "supervisor",
                        "a restart type is `permanent`, `transient` or `temporary`",
                        v.span,
                    )
                    .with_code("E0020"),
                ),
                ("shutdown", Some("brutal_kill"), _) => shutdown = -1,
                ("shutdown", _, ExprKind::Int(n)) if *n > 0 => shutdown = *n,
                ("shutdown", _, _) => cx.emit(
                    Diagnostic::error(
                        "supervisor",
                        "`shutdown` is a positive number of milliseconds or `brutal_kill`",
                        v.span,
                    )
                    .with_code("E0021"),
                ),
                (k, _, _) => cx.emit(Diagnostic::error(
                    "supervisor",
                    format!("invalid child option `{k}` (start, restart, shutdown)"),
                    v.span,
                )),
            }
        }
        let Some(start) = start else {
            cx.emit(Diagnostic::error(
                "supervisor",
                format!("child `{}` has no `start: fn -> spawn(…) end`", c.id),
                c.span,
            ));
            continue;
        };
        let sp = c.span;
        let id = Expr::new(ExprKind::Str(vec![StrPart::Text(c.id.clone())]), sp);
        body.push(stmt(call(
            library("Process", "sup_child", sp),
            vec![h(sp), id, start, int(restart, sp), int(shutdown, sp)],
            sp,
        )));
    }
    body.push(stmt(call(
        library("Process", "sup_start", span),
        vec![h(span)],
        span,
    )));
    fn_item(
        format!("{}__start", snake(&s.name)),
        vec![],
        Some(pid_type(span)),
        body,
        false,
        span,
    )
}

/// `S.start` / `S.handler` for a service `S` of this module: its generated helper.
fn service_call(e: &mut Expr, services: &[String]) {
    if let ExprKind::Field(base, member) = &e.kind {
        if let ExprKind::Var(s) = &base.kind {
            if services.contains(s) {
                e.kind = ExprKind::Var(format!("{}__{member}", snake(s)));
            }
        }
    }
}

/// `GetCount` → `get_count`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn let_(pat: Pat, value: Expr) -> Stmt {
    Stmt {
        span: value.span,
        kind: StmtKind::Let {
            pat,
            ty: None,
            value,
        },
    }
}

fn pvar(n: &str, span: Span) -> Pat {
    Pat::new(PatKind::Var(n.to_string()), span)
}

/// The items a `service` stands for (see the module comment).
fn service(s: ServiceDef, span: Span, cx: &mut PassCx) -> Vec<Item> {
    let base = snake(&s.name);
    let msg_ty = format!("{}__Msg", s.name);
    let mut items = Vec::new();
    let mut init = None;
    for f in s.fns {
        if f.name == "init" {
            init = Some(f);
        } else {
            let mut f = f;
            f.name = format!("{base}__{}", f.name);
            let sp = f.span;
            items.push(Item {
                kind: ItemKind::Fn(f),
                span: sp,
            });
        }
    }
    let Some(mut init) = init else {
        cx.emit(Diagnostic::error(
            "service",
            format!("service `{}` has no `fn init(…)`", s.name),
            span,
        ));
        return items;
    };
    let state_ty = init.ret.clone();
    let init_params: Vec<Param> = init.params.clone();
    init.name = format!("{base}__init");
    init.is_pub = true;
    let init_span = init.span;
    items.push(Item {
        kind: ItemKind::Fn(init),
        span: init_span,
    });
    let int_ty = |sp| TypeExpr {
        kind: TypeKind::Named {
            path: vec!["Int".into()],
            args: vec![],
        },
        span: sp,
    };
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut helpers = Vec::new();
    for h in s.handlers {
        let sp = h.span;
        if h.kind == HandlerKind::Info {
            cx.emit(Diagnostic::error(
                "unsupported",
                "`info` handlers are not supported by this compiler yet",
                sp,
            ));
            continue;
        }
        let is_call = h.kind == HandlerKind::Call;
        let vname = format!("{}__{}", s.name, h.name);
        let mut fields: Vec<(Option<String>, TypeExpr)> = Vec::new();
        for p in &h.params {
            match (&p.pat.kind, &p.ty) {
                (PatKind::Var(_), Some(t)) => fields.push((None, t.clone())),
                _ => cx.emit(Diagnostic::error(
                    "service",
                    "a service handler's parameters are written `name :: Type`",
                    p.pat.span,
                )),
            }
        }
        let names: Vec<String> = h
            .params
            .iter()
            .map(|p| match &p.pat.kind {
                PatKind::Var(n) => n.clone(),
                _ => "_".into(),
            })
            .collect();
        if is_call {
            fields.push((None, int_ty(sp)));
        }
        variants.push(Variant {
            name: vname.clone(),
            fields,
            span: sp,
        });
        // the handler as a function of the state and the parameters
        let hname = format!("{base}__h_{}", snake(&h.name));
        let mut hparams = vec![match h.state.first() {
            Some(p) => Param {
                pat: p.pat.clone(),
                ty: state_ty.clone(),
            },
            None => param("_", state_ty.clone(), sp),
        }];
        hparams.extend(h.params.iter().cloned());
        let hret = if is_call {
            match (&state_ty, &h.reply) {
                (Some(st), Some(r)) => Some(TypeExpr {
                    kind: TypeKind::Tuple(vec![st.clone(), r.clone()]),
                    span: sp,
                }),
                _ => None,
            }
        } else {
            state_ty.clone()
        };
        items.push(fn_item(hname.clone(), hparams, hret, h.body, false, sp));
        // the loop's arm
        let mut pats: Vec<Pat> = names.iter().map(|n| pvar(n, sp)).collect();
        if is_call {
            pats.push(pvar("reply.id", sp));
        }
        let pat = Pat::new(
            PatKind::Ctor {
                path: vec![vname.clone()],
                args: if pats.is_empty() { None } else { Some(pats) },
            },
            sp,
        );
        let mut hargs = vec![var("state", sp)];
        hargs.extend(names.iter().map(|n| var(n, sp)));
        let handled = call(var(&hname, sp), hargs, sp);
        let again = |next: Expr| call(var(&format!("{base}__loop"), sp), vec![next], sp);
        let body = if is_call {
            vec![
                let_(
                    Pat::new(
                        PatKind::Tuple(vec![pvar("next", sp), pvar("answer", sp)]),
                        sp,
                    ),
                    handled,
                ),
                stmt(call(
                    library("Process", "reply", sp),
                    vec![var("reply.id", sp), var("answer", sp)],
                    sp,
                )),
                stmt(again(var("next", sp))),
            ]
        } else {
            vec![stmt(again(handled))]
        };
        arms.push(Arm {
            pat,
            guard: None,
            body,
            span: sp,
        });
        // the helper callers use
        let mut cparams = vec![param("pid", None, sp)];
        cparams.extend(h.params.iter().cloned());
        let mut margs: Vec<Expr> = names.iter().map(|n| var(n, sp)).collect();
        let body = if is_call {
            margs.push(var("reply.id", sp));
            vec![
                let_(
                    pvar("reply.id", sp),
                    call(library("Process", "call_id", sp), vec![var("pid", sp)], sp),
                ),
                stmt(call(
                    var("send", sp),
                    vec![var("pid", sp), call_or_const(&vname, margs, sp)],
                    sp,
                )),
                stmt(call(
                    library("Process", "await_reply", sp),
                    vec![var("reply.id", sp)],
                    sp,
                )),
            ]
        } else {
            vec![stmt(call(
                var("send", sp),
                vec![var("pid", sp), call_or_const(&vname, margs, sp)],
                sp,
            ))]
        };
        let ret = if is_call { h.reply.clone() } else { None };
        helpers.push(fn_item(
            format!("{base}__{}", snake(&h.name)),
            cparams,
            ret,
            body,
            false,
            sp,
        ));
    }
    items.push(Item {
        kind: ItemKind::SumType(SumTypeDef {
            is_pub: true,
            name: msg_ty,
            generics: vec![],
            variants,
            deriving: None,
        }),
        span,
    });
    // actor s__loop(state) do receive do … end end; the arms cover every request, so
    // the receive takes the oldest message (no matcher)
    let arms = arms
        .into_iter()
        .map(|a| Arm {
            pat: ctor("Some", Some(vec![a.pat]), a.span),
            ..a
        })
        .collect();
    let receive = Expr::new(
        ExprKind::Case {
            scrutinee: Box::new(call(
                library("Process", "receive", span),
                vec![Expr::new(ExprKind::Int(-1), span)],
                span,
            )),
            arms,
        },
        span,
    );
    items.push(fn_item(
        format!("{base}__loop"),
        vec![param("state", state_ty.clone(), span)],
        None,
        vec![stmt(receive)],
        true,
        span,
    ));
    // actor s__run(init params) do s__loop(s__init(params)) end
    let init_names: Vec<String> = (1..=init_params.len())
        .map(|i| format!("init.{i}"))
        .collect();
    let run_params: Vec<Param> = init_params
        .iter()
        .zip(&init_names)
        .map(|(p, n)| param(n, p.ty.clone(), span))
        .collect();
    let init_call = call(
        var(&format!("{base}__init"), span),
        init_names.iter().map(|n| var(n, span)).collect(),
        span,
    );
    items.push(fn_item(
        format!("{base}__run"),
        run_params.clone(),
        None,
        vec![stmt(call(
            var(&format!("{base}__loop"), span),
            vec![init_call],
            span,
        ))],
        true,
        span,
    ));
    // fn s__start(init params) -> Pid = spawn(s__run, params)
    let mut spawn_args = vec![var(&format!("{base}__run"), span)];
    spawn_args.extend(init_names.iter().map(|n| var(n, span)));
    items.push(fn_item(
        format!("{base}__start"),
        run_params,
        Some(pid_type(span)),
        vec![stmt(call(var("spawn", span), spawn_args, span))],
        false,
        span,
    ));
    items.extend(helpers);
    items
}

/// `V(args)`, or the bare constructor `V` without arguments.
fn call_or_const(v: &str, args: Vec<Expr>, span: Span) -> Expr {
    if args.is_empty() {
        var(v, span)
    } else {
        call(var(v, span), args, span)
    }
}

/// `cleanups`: the actors of this module that have a `terminate` clause.
fn lower(e: &mut Expr, cleanups: &[String], cx: &mut PassCx) {
    let span = e.span;
    match &mut e.kind {
        ExprKind::Call { callee, args } if is_name(callee, "spawn") => {
            if args.is_empty() || args.iter().any(|a| a.name.is_some()) {
                cx.emit(
                    Diagnostic::error(
                        "spawn",
                        "`spawn` takes a function and its arguments: `spawn(f, a, b)`",
                        span,
                    )
                    .with_code("E0016"),
                );
                return;
            }
            let mut args = std::mem::take(args);
            let f = args.remove(0).value;
            let f_name = match &f.kind {
                ExprKind::Var(n) => Some(n.clone()),
                _ => None,
            };
            let names: Vec<String> = (1..=args.len()).map(|i| format!("spawn.{i}")).collect();
            let inner_call = call(f, names.iter().map(|n| var(n, span)).collect(), span);
            let cleanup = match &f_name {
                Some(n) if cleanups.contains(n) => Some(n.clone()),
                _ => None,
            };
            let thunk = match cleanup {
                // the process registers the actor's `terminate` first
                Some(a) => {
                    let register = call(
                        library("Process", "on_exit", span),
                        vec![closure(
                            vec![],
                            call(var(&format!("{a}__terminate"), span), vec![], span),
                            span,
                        )],
                        span,
                    );
                    closure_block(vec![], vec![stmt(register), stmt(inner_call)], span)
                }
                None => closure(vec![], inner_call, span),
            };
            let spawn = call(library("Process", "spawn", span), vec![thunk], span);
            if names.is_empty() {
                *e = spawn;
            } else {
                let outer = closure(names, spawn, span);
                *e = call(outer, args.into_iter().map(|a| a.value).collect(), span);
            }
        }
        ExprKind::Receive { .. } => {
            let ExprKind::Receive { arms, after } = std::mem::replace(&mut e.kind, ExprKind::Unit)
            else {
                unreachable!()
            };
            if arms.iter().any(|a| is_signal(&a.pat)) {
                e.kind = receive_signal(arms, after, span);
                return;
            }
            let mut arms: Vec<Arm> = arms
                .into_iter()
                .map(|a| Arm {
                    pat: ctor("Some", Some(vec![a.pat]), a.span),
                    ..a
                })
                .collect();
            let timeout = match after {
                Some((t, body)) => {
                    let s = body.first().map_or(t.span, |s| s.span);
                    arms.push(Arm {
                        pat: ctor("None", None, s),
                        guard: None,
                        body,
                        span: s,
                    });
                    *t
                }
                None => Expr::new(ExprKind::Int(-1), span),
            };
            // selective receive (issue 6): unless an arm takes any message, the runtime
            // skips (and keeps, in order) the messages no arm matches, asking a matcher
            // closure made of the patterns and guards
            let takes_all = arms.iter().any(|a| {
                a.guard.is_none()
                    && matches!(&a.pat.kind, PatKind::Ctor { args: Some(ps), .. }
                        if ps.len() == 1 && matches!(ps[0].kind, PatKind::Wild | PatKind::Var(_)))
            });
            let scrutinee = if takes_all {
                call(library("Process", "receive", span), vec![timeout], span)
            } else {
                let tests: Vec<(Pat, Option<Expr>, Span)> = arms
                    .iter()
                    .filter(
                        |a| matches!(&a.pat.kind, PatKind::Ctor { path, .. } if path[0] == "Some"),
                    )
                    .map(|a| {
                        let PatKind::Ctor { args: Some(ps), .. } = &a.pat.kind else {
                            unreachable!()
                        };
                        (ps[0].clone(), a.guard.clone(), a.span)
                    })
                    .collect();
                let matcher = matcher(tests, span);
                call(
                    library("Process", "receive_matching", span),
                    vec![timeout, matcher],
                    span,
                )
            };
            e.kind = ExprKind::Case {
                scrutinee: Box::new(scrutinee),
                arms,
            };
        }
        _ => {}
    }
}

/// The matcher closure of a selective receive: `fn(m) -> case m do p1 when g1 -> true
/// … _ -> false end end` for the arms' patterns and guards.
fn matcher(arms: Vec<(Pat, Option<Expr>, Span)>, span: Span) -> Expr {
    let yes = |b: bool, at: Span| vec![stmt(Expr::new(ExprKind::Bool(b), at))];
    let mut tests: Vec<Arm> = arms
        .into_iter()
        .map(|(pat, guard, at)| Arm {
            pat,
            guard,
            body: yes(true, at),
            span: at,
        })
        .collect();
    tests.push(Arm {
        pat: Pat::new(PatKind::Wild, span),
        guard: None,
        body: yes(false, span),
        span,
    });
    let test = Expr::new(
        ExprKind::Case {
            scrutinee: Box::new(var("receive.msg", span)),
            arms: tests,
        },
        span,
    );
    closure(vec!["receive.msg".into()], test, span)
}

/// `Exit(…)` / `Down(…)` / `NodeUp(…)` / `NodeDown(…)`: an arm for a signal (prelude
/// type `Signal`).
fn is_signal(p: &Pat) -> bool {
    matches!(&p.kind, PatKind::Ctor { path, .. }
        if matches!(path.last().map(String::as_str), Some("Exit" | "Down" | "NodeUp" | "NodeDown")))
}

/// A `receive` with signal arms: `case Process.receive_signal(t, matcher) do
/// Recv__Message(p) -> … Recv__Signal(Exit(…)) -> … Recv__Timeout -> after end`.
fn receive_signal(arms: Vec<Arm>, after: Option<(Box<Expr>, Block)>, span: Span) -> ExprKind {
    let mut arms: Vec<Arm> = arms
        .into_iter()
        .map(|a| {
            let wrap = if is_signal(&a.pat) {
                "Recv__Signal"
            } else {
                "Recv__Message"
            };
            Arm {
                pat: ctor(wrap, Some(vec![a.pat]), a.span),
                ..a
            }
        })
        .collect();
    let tests = arms
        .iter()
        .map(|a| (a.pat.clone(), a.guard.clone(), a.span))
        .collect();
    let matcher = matcher(tests, span);
    let timeout = match after {
        Some((t, body)) => {
            let s = body.first().map_or(t.span, |s| s.span);
            arms.push(Arm {
                pat: ctor("Recv__Timeout", None, s),
                guard: None,
                body,
                span: s,
            });
            *t
        }
        None => Expr::new(ExprKind::Int(-1), span),
    };
    ExprKind::Case {
        scrutinee: Box::new(call(
            library("Process", "receive_signal", span),
            vec![timeout, matcher],
            span,
        )),
        arms,
    }
}

fn is_name(e: &Expr, n: &str) -> bool {
    matches!(&e.kind, ExprKind::Var(v) if v == n)
}

fn closure(params: Vec<String>, body: Expr, span: Span) -> Expr {
    closure_block(
        params,
        vec![Stmt {
            kind: StmtKind::Expr(body),
            span,
        }],
        span,
    )
}

fn closure_block(params: Vec<String>, body: Block, span: Span) -> Expr {
    Expr::new(
        ExprKind::Closure(vec![Clause {
            params: params
                .into_iter()
                .map(|n| Param {
                    pat: Pat::new(PatKind::Var(n), span),
                    ty: None,
                })
                .collect(),
            guard: None,
            body,
        }]),
        span,
    )
}

fn ctor(name: &str, args: Option<Vec<Pat>>, span: Span) -> Pat {
    Pat::new(
        PatKind::Ctor {
            path: vec![name.to_string()],
            args,
        },
        span,
    )
}
