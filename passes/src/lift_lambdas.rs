//! `lift-lambdas : core -> core` — lambda lifting of closed lambdas (Johnsson 1985):
//! each converted `Lambda` becomes a top-level function whose first parameter is the
//! closure object, and in its place the closure object is built: the function's code
//! address, then the captured locals. Paper: `papers/lift-lambdas.md`.

use crate::{Pass, PassCx};
use mesh_ir::core::vars::children_mut;
use mesh_ir::core::{CTy, Closed, Expr, ExprKind, Fn, Lifted};

pub struct LiftLambdas;

impl Pass for LiftLambdas {
    const NAME: &'static str = "lift-lambdas";
    type In = Closed;
    type Out = Lifted;
    fn run(&self, Closed(mut p): Closed, cx: &mut PassCx) -> Lifted {
        let mut lifted = Vec::new();
        for f in &mut p.fns {
            lift(&mut f.body, &mut lifted, cx);
        }
        p.fns.extend(lifted);
        Lifted(p)
    }
}

fn lift(e: &mut Expr, out: &mut Vec<Fn>, cx: &mut PassCx) {
    for c in children_mut(e) {
        lift(c, out, cx);
    }
    let span = e.span;
    if let ExprKind::Lambda {
        params,
        ret,
        body,
        env: Some(env),
    } = &mut e.kind
    {
        let name = cx.fresh("lambda");
        let mut ps = vec![(env.param.clone(), CTy::Obj)];
        ps.extend(params.iter().cloned());
        let body = std::mem::replace(
            &mut **body,
            Expr {
                kind: ExprKind::Unit,
                ty: CTy::Unit,
                span,
            },
        );
        out.push(Fn {
            name: name.clone(),
            params: ps,
            ret: *ret,
            body,
            span,
        });
        let mut fields = vec![Expr {
            kind: ExprKind::FnRef(name),
            ty: CTy::Raw,
            span,
        }];
        fields.extend(env.captured.iter().map(|(n, t)| Expr {
            kind: ExprKind::Var(n.clone()),
            ty: *t,
            span,
        }));
        e.kind = ExprKind::Alloc { tag: 0, fields };
    }
}
