//! `infer : desugared -> typed` — Damas–Milner type inference (spec 02 §3) over `ena`
//! union-find variables, with numeric-constrained variables for the overloaded
//! arithmetic operators (defaulted to `Int`).
//!
//! Outline (after Damas & Milner 1982, algorithm W with in-place substitution):
//! 1. every top-level function gets a signature from its annotations, with fresh
//!    variables where there are none — all functions of the program are one binding
//!    group, so recursion and mutual recursion need no ordering;
//! 2. each body is inferred against its signature; errors go to the sink and inference
//!    continues with the expected type, so independent errors are all reported;
//! 3. every type is zonked (variables replaced by their values); numeric variables
//!    default to `Int`, and variables left free are quantified (`Param`).
//!
//! Not yet: let-generalisation by binding groups (SCCs) with Kiselyov levels, data
//! types, traits — the type-system issue adds them. Paper: `papers/infer.md`.

mod unify;

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::surface::*;
use mesh_ir::types::Ty;
use mesh_ir::Span;
use std::collections::HashMap;
use unify::{Mismatch, Table};

pub struct Infer;

impl Pass for Infer {
    const NAME: &'static str = "infer";
    type In = Desugared;
    type Out = Typed;
    fn run(&self, Desugared(mut p): Desugared, cx: &mut PassCx) -> Typed {
        let mut inf = Inferer {
            table: Table::default(),
            globals: HashMap::new(),
            scopes: Vec::new(),
            ret: Vec::new(),
            cx,
        };
        // 1. signatures
        for m in &p.modules {
            for it in &m.items {
                match &it.kind {
                    ItemKind::Fn(f) => {
                        let sig = inf.signature(f);
                        inf.globals
                            .entry(format!("{}.{}", m.name, f.name))
                            .or_default()
                            .push(sig);
                    }
                    ItemKind::Import(_) | ItemKind::FromImport { .. } => {}
                    other => inf.unsupported(item_word(other), it.span),
                }
            }
        }
        // 2. bodies
        for m in &mut p.modules {
            for it in &mut m.items {
                if let ItemKind::Fn(f) = &mut it.kind {
                    let sig = inf.globals[&format!("{}.{}", m.name, f.name)]
                        .iter()
                        .find(|t| matches!(t, Ty::Fun(ps, _) if ps.len() == f.params.len()))
                        .cloned()
                        .unwrap();
                    inf.fn_body(f, &sig);
                    f.sig = Some(sig);
                }
            }
        }
        // 3. zonk
        let mut params: HashMap<u32, u32> = HashMap::new();
        let table = &mut inf.table;
        visit::exprs_mut(&mut p, &mut |e| {
            if let Some(t) = &e.ty {
                e.ty = Some(finish(table, t, &mut params));
            }
            if let ExprKind::Case { arms, .. } = &mut e.kind {
                arms.iter_mut()
                    .for_each(|a| finish_pat(table, &mut a.pat, &mut params));
            }
        });
        for m in &mut p.modules {
            for it in &mut m.items {
                if let ItemKind::Fn(f) = &mut it.kind {
                    if let Some(t) = &f.sig {
                        f.sig = Some(finish(table, t, &mut params));
                    }
                    f.params
                        .iter_mut()
                        .for_each(|q| finish_pat(table, &mut q.pat, &mut params));
                }
                visit::item_blocks_mut(it, &mut |b| {
                    for s in b.iter_mut() {
                        if let StmtKind::Let { pat, .. } = &mut s.kind {
                            finish_pat(table, pat, &mut params);
                        }
                    }
                });
            }
        }
        Typed(p)
    }
}

fn item_word(k: &ItemKind) -> &'static str {
    match k {
        ItemKind::Struct(_) => "`struct` definitions",
        ItemKind::SumType(_) => "sum type definitions",
        ItemKind::TypeAlias { .. } => "type aliases",
        ItemKind::Interface(_) => "`interface` definitions",
        ItemKind::Impl(_) => "`impl` blocks",
        ItemKind::Actor(_) => "`actor` definitions",
        ItemKind::Service(_) => "`service` definitions",
        ItemKind::Supervisor(_) => "`supervisor` definitions",
        ItemKind::Module { .. } => "inline `module` blocks",
        ItemKind::Stmt(_) => "statements at top level",
        _ => "this definition",
    }
}

fn finish_pat(table: &mut Table, p: &mut Pat, params: &mut HashMap<u32, u32>) {
    if let Some(t) = &p.ty {
        p.ty = Some(finish(table, t, params));
    }
    match &mut p.kind {
        PatKind::Tuple(ps) | PatKind::Brace(ps) | PatKind::Or(ps) => {
            ps.iter_mut().for_each(|q| finish_pat(table, q, params))
        }
        PatKind::Ctor { args: Some(ps), .. } => {
            ps.iter_mut().for_each(|q| finish_pat(table, q, params))
        }
        PatKind::As(q, _) => finish_pat(table, q, params),
        PatKind::Cons(h, t) => {
            finish_pat(table, h, params);
            finish_pat(table, t, params);
        }
        _ => {}
    }
}

/// Zonks, defaults numeric variables to `Int` and quantifies the rest.
fn finish(table: &mut Table, t: &Ty, params: &mut HashMap<u32, u32>) -> Ty {
    match table.zonk(t) {
        Ty::Var(v) => {
            if table.is_numeric_var(v) {
                let _ = table.unify(&Ty::Var(v), &Ty::Int);
                Ty::Int
            } else {
                let n = params.len() as u32;
                Ty::Param(*params.entry(v).or_insert(n))
            }
        }
        Ty::Fun(ps, r) => Ty::Fun(
            ps.iter().map(|p| finish(table, p, params)).collect(),
            Box::new(finish(table, &r, params)),
        ),
        Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(|p| finish(table, p, params)).collect()),
        Ty::Con(n, ts) => Ty::Con(n, ts.iter().map(|p| finish(table, p, params)).collect()),
        t => t,
    }
}

struct Inferer<'a> {
    table: Table,
    /// Module-level functions by full name; one type per arity.
    globals: HashMap<String, Vec<Ty>>,
    scopes: Vec<HashMap<String, Ty>>,
    /// Return types of the enclosing functions (for `return`).
    ret: Vec<Ty>,
    cx: &'a mut PassCx,
}

impl Inferer<'_> {
    fn unsupported(&mut self, what: &str, span: Span) {
        self.cx.emit(Diagnostic::error(
            "unsupported",
            format!("{what} are not supported by this compiler yet"),
            span,
        ));
    }

    fn signature(&mut self, f: &FnDef) -> Ty {
        let ps = f
            .params
            .iter()
            .map(|p| self.annotation(p.ty.as_ref()))
            .collect();
        let r = self.annotation(f.ret.as_ref());
        Ty::Fun(ps, Box::new(r))
    }

    fn annotation(&mut self, t: Option<&TypeExpr>) -> Ty {
        match t {
            None => self.table.fresh(),
            Some(t) => self.type_expr(t),
        }
    }

    fn type_expr(&mut self, t: &TypeExpr) -> Ty {
        match &t.kind {
            TypeKind::Named { path, args } => {
                let args: Vec<Ty> = args.iter().map(|a| self.type_expr(a)).collect();
                match (path.join(".").as_str(), args.len()) {
                    ("Int", 0) => Ty::Int,
                    ("Float", 0) => Ty::Float,
                    ("Bool", 0) => Ty::Bool,
                    ("String", 0) => Ty::String,
                    (name, _) => Ty::Con(name.to_string(), args),
                }
            }
            TypeKind::Tuple(ts) if ts.is_empty() => Ty::Unit,
            TypeKind::Tuple(ts) => Ty::Tuple(ts.iter().map(|a| self.type_expr(a)).collect()),
            TypeKind::Fun(ps, r) => Ty::Fun(
                ps.iter().map(|a| self.type_expr(a)).collect(),
                Box::new(self.type_expr(r)),
            ),
            TypeKind::Optional(t) => Ty::Con("Option".into(), vec![self.type_expr(t)]),
            TypeKind::Fallible(t, e) => {
                Ty::Con("Result".into(), vec![self.type_expr(t), self.type_expr(e)])
            }
        }
    }

    fn show(&mut self, t: &Ty) -> String {
        let z = self.table.zonk(t);
        match z {
            Ty::Var(v) if self.table.is_numeric_var(v) => "a number".into(),
            Ty::Var(_) => "an unknown type".into(),
            z => format!("`{z}`"),
        }
    }

    /// Unifies `found` with `expected`; on failure reports a mismatch at `span`,
    /// `what` saying where the expectation comes from.
    fn expect(&mut self, expected: &Ty, found: &Ty, span: Span, what: &str) {
        if let Err(m) = self.table.unify(expected, found) {
            let (e, f) = (self.show(expected), self.show(found));
            let msg = match m {
                Mismatch::Occurs => {
                    format!("type mismatch: {f} would have to contain itself ({what})")
                }
                _ if what.is_empty() => format!("type mismatch: expected {e}, found {f}"),
                _ => format!("type mismatch: expected {e}, found {f} ({what})"),
            };
            self.cx.emit(
                Diagnostic::error("type mismatch", msg, span)
                    .with_code("E0001")
                    .with_label(format!("this is {f}")),
            );
        }
    }

    fn lookup(&self, n: &str) -> Option<Ty> {
        self.scopes.iter().rev().find_map(|s| s.get(n).cloned())
    }

    fn bind(&mut self, n: &str, t: Ty) {
        self.scopes.last_mut().unwrap().insert(n.to_string(), t);
    }

    fn fn_body(&mut self, f: &mut FnDef, sig: &Ty) {
        let Ty::Fun(ps, r) = sig else { unreachable!() };
        self.scopes.push(HashMap::new());
        for (p, t) in f.params.iter_mut().zip(ps) {
            self.pat(&mut p.pat, t);
        }
        self.ret.push((**r).clone());
        let (t, span) = self.block(&mut f.body, f.span);
        self.expect(r, &t, span, &format!("return type of `{}`", f.name));
        self.ret.pop();
        self.scopes.pop();
    }

    /// Types a block; returns its type and the span of its value.
    fn block(&mut self, b: &mut Block, span: Span) -> (Ty, Span) {
        self.scopes.push(HashMap::new());
        let mut last = (Ty::Unit, span);
        for s in b.iter_mut() {
            last = (Ty::Unit, s.span);
            match &mut s.kind {
                StmtKind::Let { pat, ty, value } => {
                    let vt = self.expr(value);
                    if let Some(ann) = ty {
                        let at = self.type_expr(ann);
                        self.expect(&at, &vt, value.span, "the annotated type");
                    }
                    self.pat(pat, &vt);
                }
                StmtKind::Expr(e) => last = (self.expr(e), e.span),
                StmtKind::Item(i) => self.unsupported("nested definitions", i.span),
            }
        }
        self.scopes.pop();
        last
    }

    /// Binds the variables of `p`, a pattern matched against a value of type `t`.
    fn pat(&mut self, p: &mut Pat, t: &Ty) {
        p.ty = Some(t.clone());
        match &mut p.kind {
            PatKind::Wild | PatKind::SelfParam => {}
            PatKind::Var(v) => self.bind(&v.clone(), t.clone()),
            PatKind::Int(_) => self.expect(t, &Ty::Int, p.span, "pattern"),
            PatKind::Float(_) => self.expect(t, &Ty::Float, p.span, "pattern"),
            PatKind::Str(_) => self.expect(t, &Ty::String, p.span, "pattern"),
            PatKind::Bool(_) => self.expect(t, &Ty::Bool, p.span, "pattern"),
            PatKind::Tuple(ps) => {
                let ts: Vec<Ty> = ps.iter().map(|_| self.table.fresh()).collect();
                self.expect(t, &Ty::Tuple(ts.clone()), p.span, "tuple pattern");
                for (q, qt) in ps.iter_mut().zip(&ts) {
                    self.pat(q, qt);
                }
            }
            PatKind::As(q, n) => {
                let n = n.clone();
                self.pat(q, t);
                self.bind(&n, t.clone());
            }
            PatKind::Or(ps) => ps.iter_mut().for_each(|q| self.pat(q, t)),
            _ => self.unsupported("these patterns", p.span),
        }
    }

    fn expr(&mut self, e: &mut Expr) -> Ty {
        let t = self.expr_inner(e);
        e.ty = Some(t.clone());
        t
    }

    fn expr_inner(&mut self, e: &mut Expr) -> Ty {
        let span = e.span;
        match &mut e.kind {
            ExprKind::Int(_) => Ty::Int,
            ExprKind::Float(_) => Ty::Float,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Unit => Ty::Unit,
            ExprKind::Str(parts) => {
                for p in parts {
                    if let StrPart::Interp(x) = p {
                        let t = self.expr(x);
                        self.displayable(&t, x.span);
                    }
                }
                Ty::String
            }
            ExprKind::Var(n) => match self.lookup(n) {
                Some(t) => t,
                None => {
                    // lower-case names were reported by `resolve-names`; upper-case ones
                    // are constructors and types, which come with the type-system work
                    if n.starts_with(|c: char| c.is_uppercase()) {
                        let n = n.clone();
                        self.cx.emit(
                            Diagnostic::error(
                                "unbound variable",
                                format!("unknown name `{n}`"),
                                span,
                            )
                            .with_code("E0004"),
                        );
                    }
                    self.table.fresh()
                }
            },
            ExprKind::Global(g) => {
                let g = g.clone();
                match self.global_type(&g, None) {
                    Some(t) => t,
                    None => {
                        self.cx.emit(Diagnostic::error(
                            "unsupported",
                            format!("`{g}` is not supported by this compiler yet"),
                            span,
                        ));
                        self.table.fresh()
                    }
                }
            }
            ExprKind::Call { callee, args } => {
                if args.iter().any(|a| a.name.is_some()) {
                    self.unsupported("keyword arguments", span);
                }
                let arg_tys: Vec<Ty> = args.iter_mut().map(|a| self.expr(&mut a.value)).collect();
                let callee_name = match &callee.kind {
                    ExprKind::Global(g) => Some(g.clone()),
                    _ => None,
                };
                let ft = match &callee_name {
                    Some(g) => {
                        match self.global_type(g, Some(arg_tys.len())) {
                            Some(t) => t,
                            None => {
                                let arities = self.global_arities(g);
                                if arities.is_empty() {
                                    self.cx.emit(Diagnostic::error(
                                        "unsupported",
                                        format!("`{g}` is not supported by this compiler yet"),
                                        callee.span,
                                    ));
                                } else {
                                    let expected = arities
                                        .iter()
                                        .map(|a| a.to_string())
                                        .collect::<Vec<_>>()
                                        .join(" or ");
                                    let noun = if arities == [1] {
                                        "argument"
                                    } else {
                                        "arguments"
                                    };
                                    self.cx.emit(
                                    Diagnostic::error("arity mismatch", format!("arity mismatch: expected {expected} {noun}, found {}", arg_tys.len()), span)
                                        .with_code("E0003")
                                        .with_label(format!("`{}` takes {expected} {noun}", short(g))),
                                );
                                }
                                callee.ty = Some(Ty::Never);
                                return self.table.fresh();
                            }
                        }
                    }
                    None => self.expr(callee),
                };
                callee.ty = Some(ft.clone());
                let ret = self.table.fresh();
                match self.table.shallow(&ft) {
                    Ty::Fun(ps, r) if ps.len() == arg_tys.len() => {
                        let fname = callee_name.as_deref().map(short).unwrap_or("the function");
                        for (i, ((p, a), arg)) in
                            ps.iter().zip(&arg_tys).zip(args.iter()).enumerate()
                        {
                            if fname == "println" || fname == "print" {
                                if self.table.unify(p, a).is_err() {
                                    let f = self.show(a);
                                    self.cx.emit(
                                        Diagnostic::error(
                                            "type mismatch",
                                            format!(
                                                "type mismatch: {fname} expects String, found {f}"
                                            ),
                                            arg.value.span,
                                        )
                                        .with_code("E0001")
                                        .with_note(
                                            "interpolate the value instead: println(\"${x}\")",
                                        ),
                                    );
                                }
                            } else {
                                self.expect(
                                    p,
                                    a,
                                    arg.value.span,
                                    &format!("argument {} of `{fname}`", i + 1),
                                );
                            }
                        }
                        self.expect(&ret, &r, span, "");
                    }
                    Ty::Fun(ps, _) => {
                        self.cx.emit(
                            Diagnostic::error(
                                "arity mismatch",
                                format!(
                                    "arity mismatch: expected {} arguments, found {}",
                                    ps.len(),
                                    arg_tys.len()
                                ),
                                span,
                            )
                            .with_code("E0003"),
                        );
                    }
                    _ => {
                        let want = Ty::Fun(arg_tys.clone(), Box::new(ret.clone()));
                        self.expect(&want, &ft, callee.span, "called as a function");
                    }
                }
                ret
            }
            ExprKind::Unary(op, x) => {
                let t = self.expr(x);
                match op {
                    UnOp::Neg => {
                        if self.table.constrain_numeric(&t).is_err() {
                            let f = self.show(&t);
                            self.cx.emit(
                                Diagnostic::error(
                                    "type mismatch",
                                    format!(
                                        "type mismatch: unary `-` needs Int or Float, found {f}"
                                    ),
                                    span,
                                )
                                .with_code("E0001"),
                            );
                        }
                        t
                    }
                    UnOp::Not => {
                        self.expect(&Ty::Bool, &t, x.span, "operand of `not`");
                        Ty::Bool
                    }
                }
            }
            ExprKind::Binary(op, a, b) => {
                let op = *op;
                let ta = self.expr(a);
                let tb = self.expr(b);
                self.binary(op, &ta, &tb, a.span, b.span, span)
            }
            ExprKind::If { cond, then, else_ } => {
                let ct = self.expr(cond);
                self.expect(&Ty::Bool, &ct, cond.span, "`if` condition");
                let (tt, tspan) = self.block(then, span);
                match else_ {
                    None => Ty::Unit,
                    Some(els) => {
                        let (et, espan) = self.block(els, span);
                        if self.table.unify(&tt, &et).is_err() {
                            let (a, b) = (self.show(&tt), self.show(&et));
                            self.cx.emit(
                                Diagnostic::error("type mismatch", format!("type mismatch: if/else branches have different types {} and {}", a.trim_matches('`'), b.trim_matches('`')), espan)
                                    .with_code("E0001")
                                    .with_label(format!("this branch is {b}"))
                                    .with_secondary(tspan, format!("this branch is {a}")),
                            );
                        }
                        tt
                    }
                }
            }
            ExprKind::Case { scrutinee, arms } => {
                let st = self.expr(scrutinee);
                let result = self.table.fresh();
                for arm in arms {
                    self.scopes.push(HashMap::new());
                    self.pat(&mut arm.pat, &st);
                    if let Some(g) = &mut arm.guard {
                        let gt = self.expr(g);
                        self.expect(
                            &Ty::Bool,
                            &gt,
                            g.span,
                            "guard expression must return `Bool`",
                        );
                    }
                    let (bt, bspan) = self.block(&mut arm.body, arm.span);
                    self.expect(&result, &bt, bspan, "all `case` arms must have one type");
                    self.scopes.pop();
                }
                result
            }
            ExprKind::Tuple(es) => Ty::Tuple(es.iter_mut().map(|x| self.expr(x)).collect()),
            ExprKind::Return(v) => {
                let t = match v {
                    Some(v) => self.expr(v),
                    None => Ty::Unit,
                };
                if let Some(r) = self.ret.last().cloned() {
                    self.expect(&r, &t, span, "the function's return type");
                }
                Ty::Never
            }
            _ => {
                self.unsupported(expr_word(&e.kind), span);
                self.table.fresh()
            }
        }
    }

    fn binary(&mut self, op: BinOp, ta: &Ty, tb: &Ty, sa: Span, sb: Span, span: Span) -> Ty {
        use BinOp::*;
        let sym = op_symbol(op);
        match op {
            Add | Sub | Mul | Div | Rem => {
                if self.table.unify(ta, tb).is_err() {
                    let (a, b) = (self.show(ta), self.show(tb));
                    self.cx.emit(
                        Diagnostic::error("type mismatch", format!("type mismatch: {} vs {} in `{sym}` (no implicit numeric conversion)", a.trim_matches('`'), b.trim_matches('`')), span)
                            .with_code("E0001")
                            .with_secondary(sa, format!("this is {a}"))
                            .with_secondary(sb, format!("this is {b}")),
                    );
                    return ta.clone();
                }
                if self.table.constrain_numeric(ta).is_err() {
                    let a = self.show(ta);
                    let hint = if op == Add && self.table.zonk(ta) == Ty::String {
                        " (use `<>` to concatenate strings)"
                    } else {
                        ""
                    };
                    self.cx.emit(Diagnostic::error("type mismatch", format!("type mismatch: `{sym}` needs Int or Float operands, found {a}{hint}"), span).with_code("E0001"));
                }
                ta.clone()
            }
            Concat => {
                self.expect(&Ty::String, ta, sa, "operand of `<>`");
                self.expect(&Ty::String, tb, sb, "operand of `<>`");
                Ty::String
            }
            Lt | Gt | Le | Ge | Eq | Ne => {
                self.expect(
                    ta,
                    tb,
                    sb,
                    &format!("both sides of `{sym}` must have one type"),
                );
                Ty::Bool
            }
            And | Or => {
                self.expect(&Ty::Bool, ta, sa, &format!("operand of `{sym}`"));
                self.expect(&Ty::Bool, tb, sb, &format!("operand of `{sym}`"));
                Ty::Bool
            }
            ListConcat | Range => {
                self.unsupported(
                    if op == Range {
                        "ranges"
                    } else {
                        "list concatenation"
                    },
                    span,
                );
                self.table.fresh()
            }
        }
    }

    /// Interpolated values need `Display`: for now Int, Float, Bool and String.
    fn displayable(&mut self, t: &Ty, span: Span) {
        match self.table.shallow(t) {
            Ty::Int | Ty::Float | Ty::Bool | Ty::String | Ty::Never => {}
            Ty::Var(v) if self.table.is_numeric_var(v) => {}
            Ty::Var(_) => {
                // an unconstrained value: default it to String, the common case
                let _ = self.table.unify(t, &Ty::String);
            }
            other => {
                self.cx.emit(
                    Diagnostic::error(
                        "trait not satisfied",
                        format!(
                            "`{other}` does not implement Display, so it cannot be interpolated"
                        ),
                        span,
                    )
                    .with_code("E0006"),
                );
            }
        }
    }

    fn global_arities(&self, g: &str) -> Vec<usize> {
        match self.globals.get(g) {
            Some(ts) => ts
                .iter()
                .filter_map(|t| {
                    if let Ty::Fun(ps, _) = t {
                        Some(ps.len())
                    } else {
                        None
                    }
                })
                .collect(),
            None => builtin(g)
                .map(|t| {
                    if let Ty::Fun(ps, _) = t {
                        vec![ps.len()]
                    } else {
                        vec![]
                    }
                })
                .unwrap_or_default(),
        }
    }

    /// The type of a global function, chosen by arity when one is given.
    fn global_type(&self, g: &str, arity: Option<usize>) -> Option<Ty> {
        let candidates: Vec<Ty> = match self.globals.get(g) {
            Some(ts) => ts.clone(),
            None => builtin(g).into_iter().collect(),
        };
        match arity {
            None => candidates.into_iter().next(),
            Some(n) => candidates
                .into_iter()
                .find(|t| matches!(t, Ty::Fun(ps, _) if ps.len() == n)),
        }
    }
}

/// Library functions the compiler knows so far.
fn builtin(g: &str) -> Option<Ty> {
    let f = |ps: Vec<Ty>, r: Ty| Some(Ty::Fun(ps, Box::new(r)));
    match g {
        "Prelude.println" | "Prelude.print" | "IO.puts" => f(vec![Ty::String], Ty::Unit),
        _ => None,
    }
}

fn short(g: &str) -> &str {
    g.rsplit('.').next().unwrap_or(g)
}

fn op_symbol(op: BinOp) -> &'static str {
    use BinOp::*;
    match op {
        Add => "+",
        Sub => "-",
        Mul => "*",
        Div => "/",
        Rem => "%",
        Concat => "<>",
        ListConcat => "++",
        Range => "..",
        Lt => "<",
        Gt => ">",
        Le => "<=",
        Ge => ">=",
        Eq => "==",
        Ne => "!=",
        And => "and",
        Or => "or",
    }
}

fn expr_word(k: &ExprKind) -> &'static str {
    match k {
        ExprKind::Nil => "`nil` values",
        ExprKind::Atom(_) => "atoms",
        ExprKind::Regex { .. } => "regex literals",
        ExprKind::SelfRef => "`self` receivers",
        ExprKind::SelfPid => "`self()` process ids",
        ExprKind::List(_) => "lists",
        ExprKind::Map(_) => "maps",
        ExprKind::StructLit { .. } => "struct literals",
        ExprKind::StructUpdate { .. } => "struct updates",
        ExprKind::Json(_) => "`json` literals",
        ExprKind::Field(..) => "field accesses",
        ExprKind::Index(..) => "index expressions",
        ExprKind::Try(_) => "`?` expressions",
        ExprKind::Receive { .. } => "`receive` expressions",
        ExprKind::While { .. } => "`while` loops",
        ExprKind::For { .. } => "`for` comprehensions",
        ExprKind::Break => "`break`",
        ExprKind::Continue => "`continue`",
        ExprKind::Closure(_) => "closures",
        _ => "these expressions",
    }
}
