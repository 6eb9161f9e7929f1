//! `case` as a chain of tests. After `match-compile` every `case` tests one value once
//! per arm (a decision-tree node), so the chain is a switch: each arm's pattern becomes
//! a tag or literal test, its variables `let`s of loads from the scrutinee, its guard
//! joins the test. The general form (nested patterns as conjunctions of tests on
//! *paths*, Augustsson's 1985 backtracking automaton) remains for `let` and `for`
//! patterns. A chain ends in a runtime failure that exhaustiveness checking makes
//! unreachable.

use super::*;

impl Lower<'_> {
    pub(crate) fn case(
        &mut self,
        scrutinee: &Expr,
        arms: &[Arm],
        ty: CTy,
        tail: bool,
        span: Span,
    ) -> core::Expr {
        // a tuple scrutinee matched by tuple patterns (merged clauses) is not built:
        // each component is its own column
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
            vars.push(var(&n, ce.ty, c.span));
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
            let pats: Vec<&Pat> = match (&arm.pat.kind, columns.len()) {
                (PatKind::Tuple(ps), n) if n > 1 => ps.iter().collect(),
                (PatKind::Wild, n) if n > 1 => vec![&arm.pat; n],
                _ => vec![&arm.pat],
            };
            let mut tests = Vec::new();
            let mut binds = Vec::new();
            for (p, v) in pats.iter().zip(&vars) {
                self.pat_tests(p, v, &mut tests, &mut binds);
            }
            if let Some(g) = &arm.guard {
                let guard = self.with_binds(&binds, |lw| lw.expr(g, false));
                tests.push(guard);
            }
            let body = self.with_binds(&binds, |lw| lw.block(&arm.body, tail, arm.span));
            acc = match tests.into_iter().reduce(and) {
                None => body,
                Some(cond) => mk(
                    core::ExprKind::If(Box::new(cond), Box::new(body), Box::new(acc)),
                    ty,
                    arm.span,
                ),
            };
        }
        for (n, v) in lets.into_iter().rev() {
            acc = let_(&n, v, acc);
        }
        acc
    }

    /// Lowers `f` with the pattern variables bound (by fresh `let`s of their paths).
    pub(crate) fn with_binds(
        &mut self,
        binds: &[(String, core::Expr)],
        f: impl FnOnce(&mut Self) -> core::Expr,
    ) -> core::Expr {
        self.env.push(HashMap::new());
        let names: Vec<(String, core::Expr)> = binds
            .iter()
            .map(|(n, path)| {
                let c = self.cx.fresh(n);
                self.bind(n, c.clone());
                (c, path.clone())
            })
            .collect();
        let mut out = f(self);
        self.env.pop();
        for (c, path) in names.into_iter().rev() {
            out = let_(&c, path, out);
        }
        out
    }

    /// Tests that `p` matches the value at `path`, and the variables it binds.
    pub(crate) fn pat_tests(
        &mut self,
        p: &Pat,
        path: &core::Expr,
        tests: &mut Vec<core::Expr>,
        binds: &mut Vec<(String, core::Expr)>,
    ) {
        let span = p.span;
        let lit_eq = |prim_: Prim, lit: core::ExprKind, lt: CTy| {
            prim(prim_, vec![path.clone(), mk(lit, lt, span)], span)
        };
        match &p.kind {
            PatKind::Wild => {}
            PatKind::Var(n) => binds.push((n.clone(), path.clone())),
            PatKind::As(q, n) => {
                self.pat_tests(q, path, tests, binds);
                binds.push((n.clone(), path.clone()));
            }
            PatKind::Int(k) => tests.push(lit_eq(
                Prim::ICmp(Cmp::Eq),
                core::ExprKind::Int(*k),
                CTy::Int,
            )),
            PatKind::Float(k) => tests.push(lit_eq(
                Prim::FCmp(Cmp::Eq),
                core::ExprKind::Float(*k),
                CTy::Float,
            )),
            PatKind::Str(s) => tests.push(lit_eq(
                Prim::SCmp(Cmp::Eq),
                core::ExprKind::Str(s.clone()),
                CTy::Str,
            )),
            PatKind::Bool(b) => tests.push(lit_eq(
                Prim::BCmp(Cmp::Eq),
                core::ExprKind::Bool(*b),
                CTy::Bool,
            )),
            PatKind::Tuple(ps) | PatKind::Brace(ps) => {
                for (i, q) in ps.iter().enumerate() {
                    let ct = self.cty(q.ty.as_ref(), q.span);
                    let sub = mk(
                        core::ExprKind::Load(Box::new(path.clone()), i as u32),
                        ct,
                        q.span,
                    );
                    self.pat_tests(q, &sub, tests, binds);
                }
            }
            PatKind::Variant {
                ty, index, args, ..
            } => {
                if self.defs.types[ty].variants().len() > 1 {
                    let tag = mk(core::ExprKind::Tag(Box::new(path.clone())), CTy::Int, span);
                    tests.push(prim(
                        Prim::ICmp(Cmp::Eq),
                        vec![tag, mk(core::ExprKind::Int(*index as i64), CTy::Int, span)],
                        span,
                    ));
                }
                for (i, q) in args.iter().enumerate() {
                    let ct = self.cty(q.ty.as_ref(), q.span);
                    let sub = mk(
                        core::ExprKind::Load(Box::new(path.clone()), i as u32),
                        ct,
                        q.span,
                    );
                    self.pat_tests(q, &sub, tests, binds);
                }
            }
            PatKind::Or(alts) => {
                let mut any: Option<core::Expr> = None;
                for a in alts {
                    let mut ts = Vec::new();
                    let mut bs = Vec::new();
                    self.pat_tests(a, path, &mut ts, &mut bs);
                    if !bs.is_empty() {
                        self.unsupported("or-patterns that bind variables", a.span);
                    }
                    let t = ts
                        .into_iter()
                        .reduce(and)
                        .unwrap_or_else(|| bool_(true, span));
                    any = Some(match any {
                        None => t,
                        Some(prev) => mk(
                            core::ExprKind::If(
                                Box::new(prev),
                                Box::new(bool_(true, span)),
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
