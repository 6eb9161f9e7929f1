//! Closures (spec 01 §4.12) become core `Lambda`s; `convert-closures` and `lift-lambdas`
//! turn them into closure objects (slot 0 the code, then the captured locals) and
//! top-level functions taking the object first. Named functions and constructors used
//! as values get a small wrapper function of that shape here.

use super::*;

impl Lower<'_> {
    /// Lowers a closure expression of type `fty` to a core `Lambda` whose body uses
    /// the enclosing locals directly; `convert-closures` and `lift-lambdas` make it a
    /// closure object and a top-level function.
    pub(crate) fn closure(&mut self, clauses: &[Clause], fty: &Ty, span: Span) -> core::Expr {
        let Ty::Fun(ptys, rty) = fty else {
            unreachable!("closure of non-function type")
        };
        let saved_ret = self.ret_ty.replace((**rty).clone());
        let saved_loops = std::mem::take(&mut self.loops);
        self.env.push(HashMap::new());
        let ret = self.cty(Some(rty), span);
        let mut params = Vec::new();
        let simple = clauses.len() == 1
            && clauses[0].guard.is_none()
            && clauses[0]
                .params
                .iter()
                .all(|p| matches!(p.pat.kind, PatKind::Var(_) | PatKind::Wild));
        let mut body = if simple {
            for (p, t) in clauses[0].params.iter().zip(ptys) {
                let ct = self.cty(Some(t), span);
                let c = match &p.pat.kind {
                    PatKind::Var(v) => {
                        let c = self.cx.fresh(v);
                        self.bind(v, c.clone());
                        c
                    }
                    _ => self.cx.fresh("_"),
                };
                params.push((c, ct));
            }
            self.block(&clauses[0].body, true, span)
        } else {
            // several clauses or patterns: a `case` over the parameters
            let mut scrut = Vec::new();
            for t in ptys {
                let ct = self.cty(Some(t), span);
                let c = self.cx.fresh("p");
                let surface = format!("{c}$");
                self.bind(&surface, c.clone());
                params.push((c, ct));
                scrut.push(Expr {
                    kind: ExprKind::Var(surface),
                    span,
                    ty: Some(t.clone()),
                });
            }
            let scrutinee = if scrut.len() == 1 {
                scrut.pop().unwrap()
            } else {
                Expr {
                    kind: ExprKind::Tuple(scrut),
                    span,
                    ty: Some(Ty::Tuple(ptys.clone())),
                }
            };
            let arms: Vec<Arm> = clauses
                .iter()
                .map(|c| {
                    let pat = if c.params.len() == 1 {
                        c.params[0].pat.clone()
                    } else {
                        Pat {
                            kind: PatKind::Tuple(c.params.iter().map(|p| p.pat.clone()).collect()),
                            span,
                            ty: Some(Ty::Tuple(ptys.clone())),
                        }
                    };
                    Arm {
                        pat,
                        guard: c.guard.clone(),
                        body: c.body.clone(),
                        span,
                    }
                })
                .collect();
            self.case(&scrutinee, &arms, ret, true, span)
        };
        self.env.pop();
        self.ret_ty = saved_ret;
        self.loops = saved_loops;
        if body.ty != ret
            && !matches!(
                body.kind,
                core::ExprKind::Fail(_) | core::ExprKind::Return(_)
            )
        {
            body = mk(
                core::ExprKind::Seq(
                    Box::new(body),
                    Box::new(mk(core::ExprKind::Unit, CTy::Unit, span)),
                ),
                CTy::Unit,
                span,
            );
        }
        mk(
            core::ExprKind::Lambda {
                params,
                ret,
                body: Box::new(body),
                env: None,
            },
            CTy::Obj,
            span,
        )
    }

    /// A named function (`g`, core name `func`) or a constructor used as a value: a
    /// closure object around a wrapper with the closure calling convention.
    pub(crate) fn function_value(
        &mut self,
        key: &str,
        fty: &Ty,
        make: impl FnOnce(&mut Self, Vec<core::Expr>) -> core::Expr,
        span: Span,
    ) -> core::Expr {
        let Ty::Fun(ptys, rty) = fty else {
            unreachable!()
        };
        let wrapper = format!("ref:{key}");
        if !self.helpers.contains_key(&wrapper) {
            let ret = self.cty(Some(rty), span);
            self.helpers.insert(wrapper.clone(), ret);
            let mut params = vec![(self.cx.fresh("env"), CTy::Obj)];
            for t in ptys {
                let ct = self.cty(Some(t), span);
                params.push((self.cx.fresh("a"), ct));
            }
            let args = params[1..].iter().map(|(n, t)| var(n, *t, span)).collect();
            let body = make(self, args);
            self.extra.push(core::Fn {
                name: wrapper.clone(),
                params,
                ret,
                body,
                span,
            });
        }
        mk(
            core::ExprKind::Alloc {
                tag: 0,
                fields: vec![mk(core::ExprKind::FnRef(wrapper), CTy::Raw, span)],
            },
            CTy::Obj,
            span,
        )
    }
}
