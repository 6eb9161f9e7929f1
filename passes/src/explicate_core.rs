//! `explicate-core : typed -> core` — makes evaluation explicit for codegen (after the
//! `explicate-control` pass of Siek's *Essentials of Compilation*, ch. 2–5): blocks
//! become `let`/`seq` chains, operators become typed primitives (chosen by operand
//! type), `and`/`or` become `if`s, string interpolation becomes `Display` conversions
//! and concatenations, literal `case`s become test chains ending in a runtime failure,
//! locals get unique names, and calls in tail position are marked. Only functions
//! reachable from `main` are lowered. Paper: `papers/explicate-core.md`.

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::core::{self, CTy, Cmp, Prim};
use mesh_ir::surface::*;
use mesh_ir::types::Ty;
use mesh_ir::Span;
use std::collections::{HashMap, HashSet, VecDeque};

pub struct ExplicateCore;

impl Pass for ExplicateCore {
    const NAME: &'static str = "explicate-core";
    type In = Typed;
    type Out = core::Program;
    fn run(&self, Typed(p): Typed, cx: &mut PassCx) -> core::Program {
        let mut defs: HashMap<String, &FnDef> = HashMap::new();
        for m in &p.modules {
            for it in &m.items {
                if let ItemKind::Fn(f) = &it.kind {
                    defs.insert(
                        core_name(&format!("{}.{}", m.name, f.name), f.params.len()),
                        f,
                    );
                }
            }
        }
        let entry = core_name("Main.main", 0);
        if !defs.contains_key(&entry) {
            let span = p
                .modules
                .first()
                .and_then(|m| m.items.first())
                .map(|i| i.span)
                .unwrap_or_default();
            cx.emit(Diagnostic::error(
                "missing main",
                "the entry file must define `fn main()`",
                span,
            ));
            return core::Program { fns: vec![], entry };
        }
        let mut lw = Lower {
            cx,
            env: Vec::new(),
            queue: VecDeque::from([entry.clone()]),
            seen: HashSet::from([entry.clone()]),
        };
        let mut fns = Vec::new();
        while let Some(name) = lw.queue.pop_front() {
            let f = defs[&name];
            fns.push(lw.function(&name, f));
        }
        core::Program { fns, entry }
    }
}

/// Core name of a module-level function: `Main.fib/1` (arity keeps overloads apart).
pub fn core_name(global: &str, arity: usize) -> String {
    format!("{global}/{arity}")
}

struct Lower<'a> {
    cx: &'a mut PassCx,
    /// Surface local name → core name, innermost scope last.
    env: Vec<HashMap<String, String>>,
    queue: VecDeque<String>,
    seen: HashSet<String>,
}

fn mk(kind: core::ExprKind, ty: CTy, span: Span) -> core::Expr {
    core::Expr { kind, ty, span }
}

impl Lower<'_> {
    fn unsupported(&mut self, what: &str, span: Span) -> core::Expr {
        self.cx.emit(Diagnostic::error(
            "unsupported",
            format!("{what} are not supported by the code generator yet"),
            span,
        ));
        mk(core::ExprKind::Fail("unsupported".into()), CTy::Unit, span)
    }

    fn cty(&mut self, t: Option<&Ty>, span: Span) -> CTy {
        match t {
            Some(Ty::Int) => CTy::Int,
            Some(Ty::Float) => CTy::Float,
            Some(Ty::Bool) => CTy::Bool,
            Some(Ty::String) => CTy::Str,
            Some(Ty::Unit) | Some(Ty::Never) => CTy::Unit,
            Some(Ty::Param(_)) | Some(Ty::Var(_)) | None => {
                self.cx.emit(
                    Diagnostic::error(
                        "ambiguous type",
                        "cannot determine a concrete type here; add a type annotation",
                        span,
                    )
                    .with_note("generic functions are compiled once the type-system work lands"),
                );
                CTy::Unit
            }
            Some(t) => {
                self.cx.emit(Diagnostic::error(
                    "unsupported",
                    format!("values of type `{t}` are not supported by the code generator yet"),
                    span,
                ));
                CTy::Unit
            }
        }
    }

    fn local(&self, n: &str) -> Option<String> {
        self.env.iter().rev().find_map(|s| s.get(n).cloned())
    }

    fn bind(&mut self, n: &str, core: String) {
        self.env.last_mut().unwrap().insert(n.to_string(), core);
    }

    fn function(&mut self, name: &str, f: &FnDef) -> core::Fn {
        self.env.push(HashMap::new());
        let (ptys, rty) = match &f.sig {
            Some(Ty::Fun(ps, r)) => (ps.clone(), (**r).clone()),
            _ => (vec![], Ty::Unit),
        };
        let mut params = Vec::new();
        for (p, t) in f.params.iter().zip(&ptys) {
            let ct = self.cty(Some(t), p.pat.span);
            let n = match &p.pat.kind {
                PatKind::Var(v) => {
                    let c = self.cx.fresh(v);
                    self.bind(v, c.clone());
                    c
                }
                _ => self.cx.fresh("_"),
            };
            params.push((n, ct));
        }
        let ret = self.cty(Some(&rty), f.span);
        let mut body = self.block(&f.body, true, f.span);
        if body.ty != ret && !matches!(body.kind, core::ExprKind::Fail(_)) {
            // a body of type Never (only a failure) or a discarded value for a unit function
            body = mk(
                core::ExprKind::Seq(
                    Box::new(body),
                    Box::new(mk(core::ExprKind::Unit, CTy::Unit, f.span)),
                ),
                CTy::Unit,
                f.span,
            );
        }
        self.env.pop();
        core::Fn {
            name: name.to_string(),
            params,
            ret,
            body,
            span: f.span,
        }
    }

    fn block(&mut self, b: &[Stmt], tail: bool, span: Span) -> core::Expr {
        self.env.push(HashMap::new());
        let e = self.stmts(b, tail, span);
        self.env.pop();
        e
    }

    fn stmts(&mut self, b: &[Stmt], tail: bool, span: Span) -> core::Expr {
        let Some((first, rest)) = b.split_first() else {
            return mk(core::ExprKind::Unit, CTy::Unit, span);
        };
        match &first.kind {
            StmtKind::Expr(e) if rest.is_empty() => self.expr(e, tail),
            StmtKind::Expr(e) => {
                let v = self.expr(e, false);
                let r = self.stmts(rest, tail, span);
                let ty = r.ty;
                mk(
                    core::ExprKind::Seq(Box::new(v), Box::new(r)),
                    ty,
                    first.span,
                )
            }
            StmtKind::Let { pat, value, .. } => {
                let v = self.expr(value, false);
                match &pat.kind {
                    PatKind::Var(n) => {
                        let c = self.cx.fresh(n);
                        self.bind(n, c.clone());
                        let r = self.stmts(rest, tail, span);
                        let ty = r.ty;
                        mk(
                            core::ExprKind::Let(c, Box::new(v), Box::new(r)),
                            ty,
                            first.span,
                        )
                    }
                    PatKind::Wild => {
                        let r = self.stmts(rest, tail, span);
                        let ty = r.ty;
                        mk(
                            core::ExprKind::Seq(Box::new(v), Box::new(r)),
                            ty,
                            first.span,
                        )
                    }
                    _ => self.unsupported("destructuring `let` patterns", pat.span),
                }
            }
            StmtKind::Item(i) => self.unsupported("nested definitions", i.span),
        }
    }

    fn expr(&mut self, e: &Expr, tail: bool) -> core::Expr {
        let span = e.span;
        let ty = self.cty(e.ty.as_ref(), span);
        let kind = match &e.kind {
            ExprKind::Int(n) => core::ExprKind::Int(*n),
            ExprKind::Float(f) => core::ExprKind::Float(*f),
            ExprKind::Bool(b) => core::ExprKind::Bool(*b),
            ExprKind::Unit => core::ExprKind::Unit,
            ExprKind::Str(parts) => return self.interpolation(parts, span),
            ExprKind::Var(n) => match self.local(n) {
                Some(c) => core::ExprKind::Var(c),
                None => return self.unsupported("references to this name", span),
            },
            ExprKind::Global(_) => return self.unsupported("functions used as values", span),
            ExprKind::Call { callee, args } => {
                let ExprKind::Global(g) = &callee.kind else {
                    return self.unsupported("calls of function values", span);
                };
                let cargs: Vec<core::Expr> =
                    args.iter().map(|a| self.expr(&a.value, false)).collect();
                match g.as_str() {
                    "Prelude.println" | "IO.puts" => core::ExprKind::Prim(Prim::Println, cargs),
                    "Prelude.print" => core::ExprKind::Prim(Prim::Print, cargs),
                    _ => {
                        let name = core_name(g, cargs.len());
                        if self.seen.insert(name.clone()) {
                            self.queue.push_back(name.clone());
                        }
                        core::ExprKind::Call {
                            func: name,
                            args: cargs,
                            tail,
                        }
                    }
                }
            }
            ExprKind::Unary(op, x) => {
                let xt = self.cty(x.ty.as_ref(), x.span);
                let cx = self.expr(x, false);
                let p = match (op, xt) {
                    (UnOp::Neg, CTy::Float) => Prim::FNeg,
                    (UnOp::Neg, _) => Prim::INeg,
                    (UnOp::Not, _) => Prim::BNot,
                };
                core::ExprKind::Prim(p, vec![cx])
            }
            ExprKind::Binary(op, a, b) => return self.binary(*op, a, b, ty, span),
            ExprKind::If { cond, then, else_ } => {
                let c = self.expr(cond, false);
                let t = self.block(then, tail, span);
                match else_ {
                    Some(els) => {
                        let f = self.block(els, tail, span);
                        core::ExprKind::If(Box::new(c), Box::new(t), Box::new(f))
                    }
                    None => {
                        let unit = |s| mk(core::ExprKind::Unit, CTy::Unit, s);
                        let t = mk(
                            core::ExprKind::Seq(Box::new(t), Box::new(unit(span))),
                            CTy::Unit,
                            span,
                        );
                        return mk(
                            core::ExprKind::If(Box::new(c), Box::new(t), Box::new(unit(span))),
                            CTy::Unit,
                            span,
                        );
                    }
                }
            }
            ExprKind::Case { scrutinee, arms } => {
                return self.case(scrutinee, arms, ty, tail, span)
            }
            _ => return self.unsupported("these expressions", span),
        };
        mk(kind, ty, span)
    }

    fn interpolation(&mut self, parts: &[StrPart], span: Span) -> core::Expr {
        let mut pieces: Vec<core::Expr> = Vec::new();
        for p in parts {
            match p {
                StrPart::Text(t) => pieces.push(mk(core::ExprKind::Str(t.clone()), CTy::Str, span)),
                StrPart::Interp(x) => {
                    let xt = self.cty(x.ty.as_ref(), x.span);
                    let cx = self.expr(x, false);
                    let conv = match xt {
                        CTy::Int => Some(Prim::IntToStr),
                        CTy::Float => Some(Prim::FloatToStr),
                        CTy::Bool => Some(Prim::BoolToStr),
                        CTy::Str => None,
                        CTy::Unit => {
                            pieces.push(self.unsupported("interpolating `()`", x.span));
                            continue;
                        }
                    };
                    pieces.push(match conv {
                        Some(p) => mk(core::ExprKind::Prim(p, vec![cx]), CTy::Str, x.span),
                        None => cx,
                    });
                }
            }
        }
        pieces
            .into_iter()
            .reduce(|a, b| {
                mk(
                    core::ExprKind::Prim(Prim::StrConcat, vec![a, b]),
                    CTy::Str,
                    span,
                )
            })
            .unwrap_or_else(|| mk(core::ExprKind::Str(String::new()), CTy::Str, span))
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, ty: CTy, span: Span) -> core::Expr {
        let at = self.cty(a.ty.as_ref(), a.span);
        let ca = self.expr(a, false);
        let cb = self.expr(b, false);
        let bool_ = |v| mk(core::ExprKind::Bool(v), CTy::Bool, span);
        let prim = |p: Prim, x: core::Expr, y: core::Expr| {
            mk(core::ExprKind::Prim(p, vec![x, y]), p.sig().1, span)
        };
        use BinOp::*;
        let float = at == CTy::Float;
        let cmp = |c: Cmp| match at {
            CTy::Float => Prim::FCmp(c),
            CTy::Bool => Prim::BCmp(c),
            CTy::Str => Prim::SCmp(c),
            _ => Prim::ICmp(c),
        };
        match op {
            Add => prim(if float { Prim::FAdd } else { Prim::IAdd }, ca, cb),
            Sub => prim(if float { Prim::FSub } else { Prim::ISub }, ca, cb),
            Mul => prim(if float { Prim::FMul } else { Prim::IMul }, ca, cb),
            Div => prim(if float { Prim::FDiv } else { Prim::IDiv }, ca, cb),
            Rem => prim(if float { Prim::FRem } else { Prim::IRem }, ca, cb),
            Concat => prim(Prim::StrConcat, ca, cb),
            Eq | Ne if at == CTy::Unit => {
                let v = bool_(op == Eq);
                let both = mk(
                    core::ExprKind::Seq(Box::new(ca), Box::new(cb)),
                    CTy::Unit,
                    span,
                );
                mk(
                    core::ExprKind::Seq(Box::new(both), Box::new(v)),
                    CTy::Bool,
                    span,
                )
            }
            Eq => prim(cmp(Cmp::Eq), ca, cb),
            Ne => prim(cmp(Cmp::Ne), ca, cb),
            Lt => prim(cmp(Cmp::Lt), ca, cb),
            Le => prim(cmp(Cmp::Le), ca, cb),
            Gt => prim(cmp(Cmp::Gt), ca, cb),
            Ge => prim(cmp(Cmp::Ge), ca, cb),
            And => mk(
                core::ExprKind::If(Box::new(ca), Box::new(cb), Box::new(bool_(false))),
                CTy::Bool,
                span,
            ),
            Or => mk(
                core::ExprKind::If(Box::new(ca), Box::new(bool_(true)), Box::new(cb)),
                CTy::Bool,
                span,
            ),
            ListConcat | Range => {
                let _ = ty;
                self.unsupported("lists and ranges", span)
            }
        }
    }

    /// A `case` over literals: the scrutinee (each element of a tuple scrutinee) is bound
    /// to a fresh local, then each arm becomes `if tests-and-guard then body else next`.
    fn case(
        &mut self,
        scrutinee: &Expr,
        arms: &[Arm],
        ty: CTy,
        tail: bool,
        span: Span,
    ) -> core::Expr {
        let columns: Vec<&Expr> = match &scrutinee.kind {
            ExprKind::Tuple(es)
                if arms.iter().all(|a| {
                    matches!(&a.pat.kind, PatKind::Tuple(ps) if ps.len() == es.len())
                        || matches!(a.pat.kind, PatKind::Wild)
                }) =>
            {
                es.iter().collect()
            }
            _ => vec![scrutinee],
        };
        let mut lets = Vec::new();
        let mut vars = Vec::new();
        for c in &columns {
            let ce = self.expr(c, false);
            let n = self.cx.fresh("s");
            vars.push((n.clone(), ce.ty));
            lets.push((n, ce));
        }
        let (line, col) = self.cx.sources.line_col(span.file, span.lo);
        let file = self
            .cx
            .sources
            .files
            .get(span.file as usize)
            .map(|f| f.path.clone())
            .unwrap_or_default();
        let mut acc = mk(
            core::ExprKind::Fail(format!("{file}:{line}:{col}: no clause matched")),
            ty,
            span,
        );
        for arm in arms.iter().rev() {
            self.env.push(HashMap::new());
            let pats: Vec<&Pat> = match (&arm.pat.kind, columns.len()) {
                (PatKind::Tuple(ps), n) if n > 1 => ps.iter().collect(),
                (PatKind::Wild, n) if n > 1 => vec![&arm.pat; n],
                _ => vec![&arm.pat],
            };
            let mut tests = Vec::new();
            for (p, (v, vt)) in pats.iter().zip(&vars) {
                self.pat_tests(p, v, *vt, &mut tests);
            }
            if let Some(g) = &arm.guard {
                tests.push(self.expr(g, false));
            }
            let body = self.block(&arm.body, tail, arm.span);
            self.env.pop();
            acc = match tests.into_iter().reduce(|a, b| {
                mk(
                    core::ExprKind::If(
                        Box::new(a),
                        Box::new(b),
                        Box::new(mk(core::ExprKind::Bool(false), CTy::Bool, span)),
                    ),
                    CTy::Bool,
                    span,
                )
            }) {
                None => body,
                Some(cond) => mk(
                    core::ExprKind::If(Box::new(cond), Box::new(body), Box::new(acc)),
                    ty,
                    arm.span,
                ),
            };
        }
        for (n, v) in lets.into_iter().rev() {
            acc = mk(core::ExprKind::Let(n, Box::new(v), Box::new(acc)), ty, span);
        }
        acc
    }

    /// Tests that `p` matches the local `v`; binds the pattern's variables to `v`.
    fn pat_tests(&mut self, p: &Pat, v: &str, vt: CTy, tests: &mut Vec<core::Expr>) {
        let span = p.span;
        let var = mk(core::ExprKind::Var(v.to_string()), vt, span);
        let eq = |prim: Prim, lit: core::ExprKind, lt: CTy| {
            mk(
                core::ExprKind::Prim(prim, vec![var.clone(), mk(lit, lt, span)]),
                CTy::Bool,
                span,
            )
        };
        match &p.kind {
            PatKind::Wild => {}
            PatKind::Var(n) => self.bind(n, v.to_string()),
            PatKind::As(q, n) => {
                self.pat_tests(q, v, vt, tests);
                self.bind(n, v.to_string());
            }
            PatKind::Int(k) => {
                tests.push(eq(Prim::ICmp(Cmp::Eq), core::ExprKind::Int(*k), CTy::Int))
            }
            PatKind::Float(k) => tests.push(eq(
                Prim::FCmp(Cmp::Eq),
                core::ExprKind::Float(*k),
                CTy::Float,
            )),
            PatKind::Str(s) => tests.push(eq(
                Prim::SCmp(Cmp::Eq),
                core::ExprKind::Str(s.clone()),
                CTy::Str,
            )),
            PatKind::Bool(b) => {
                tests.push(eq(Prim::BCmp(Cmp::Eq), core::ExprKind::Bool(*b), CTy::Bool))
            }
            PatKind::Or(alts) => {
                let mut any: Option<core::Expr> = None;
                for a in alts {
                    let mut ts = Vec::new();
                    self.pat_tests(a, v, vt, &mut ts);
                    let t = ts
                        .into_iter()
                        .reduce(|x, y| {
                            mk(
                                core::ExprKind::If(
                                    Box::new(x),
                                    Box::new(y),
                                    Box::new(mk(core::ExprKind::Bool(false), CTy::Bool, span)),
                                ),
                                CTy::Bool,
                                span,
                            )
                        })
                        .unwrap_or_else(|| mk(core::ExprKind::Bool(true), CTy::Bool, span));
                    any = Some(match any {
                        None => t,
                        Some(prev) => mk(
                            core::ExprKind::If(
                                Box::new(prev),
                                Box::new(mk(core::ExprKind::Bool(true), CTy::Bool, span)),
                                Box::new(t),
                            ),
                            CTy::Bool,
                            span,
                        ),
                    });
                }
                tests.extend(any);
            }
            _ => {
                let e = self.unsupported("these patterns", span);
                tests.push(mk(e.kind, CTy::Bool, span));
            }
        }
    }
}
