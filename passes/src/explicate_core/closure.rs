//! Closures (spec 01 §4.12): flat closure conversion (Appel, *Compiling with
//! Continuations*, ch. 10; Cardelli 1983) and lambda lifting. A closure value is an
//! object whose slot 0 is the code and whose other slots are the captured variables;
//! its body becomes a top-level function taking the object first. Named functions and
//! constructors used as values get a small wrapper function of the same shape.

use super::*;

/// The free local variables of some closure clauses: (surface name, its type).
fn free_vars(clauses: &[Clause]) -> Vec<(String, Option<Ty>)> {
    let mut out: Vec<(String, Option<Ty>)> = Vec::new();
    let mut cs = clauses.to_vec();
    let mut note = |e: &mut Expr| {
        let name = match &e.kind {
            ExprKind::Var(n) => n.clone(),
            ExprKind::SelfRef => "self".to_string(),
            _ => return,
        };
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, e.ty.clone()));
        }
    };
    for c in &mut cs {
        if let Some(g) = &mut c.guard {
            visit::expr_mut(g, &mut note);
        }
        visit::block_mut(&mut c.body, &mut note);
    }
    out
}

impl Lower<'_> {
    /// Lowers a closure expression of type `fty` to a closure object.
    pub(crate) fn closure(&mut self, clauses: &[Clause], fty: &Ty, span: Span) -> core::Expr {
        let Ty::Fun(ptys, rty) = fty else {
            unreachable!("closure of non-function type")
        };
        // captured: the free names that are locals here (more is harmless)
        let captured: Vec<(String, String, CTy)> = free_vars(clauses)
            .into_iter()
            .filter_map(|(n, t)| {
                let c = self.local(&n)?;
                let ct = self.cty(t.as_ref(), span);
                Some((n, c, ct))
            })
            .collect();
        let name = self.cx.fresh("lambda");
        let saved_env = std::mem::replace(&mut self.env, vec![HashMap::new()]);
        let saved_ret = self.ret_ty.replace((**rty).clone());
        let saved_loops = std::mem::take(&mut self.loops);
        let env_param = self.cx.fresh("env");
        let mut params = vec![(env_param.clone(), CTy::Obj)];
        let mut lets = Vec::new();
        for (i, (n, _, ct)) in captured.iter().enumerate() {
            let c = self.cx.fresh(n);
            self.bind(n, c.clone());
            lets.push((
                c,
                mk(
                    core::ExprKind::Load(Box::new(var(&env_param, CTy::Obj, span)), i as u32 + 1),
                    *ct,
                    span,
                ),
            ));
        }
        let ret = self.cty(Some(rty), span);
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
        for (c, v) in lets.into_iter().rev() {
            body = let_(&c, v, body);
        }
        self.env = saved_env;
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
        self.extra.push(core::Fn {
            name: name.clone(),
            params,
            ret,
            body,
            span,
        });
        let mut fields = vec![mk(core::ExprKind::FnRef(name), CTy::Raw, span)];
        fields.extend(captured.iter().map(|(_, c, ct)| var(c, *ct, span)));
        mk(core::ExprKind::Alloc { tag: 0, fields }, CTy::Obj, span)
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
