//! `convert-closures : core -> core` — flat closure conversion (Appel, *Compiling with
//! Continuations*, ch. 10; Cardelli 1983): each `Lambda` becomes closed. Its free
//! locals are listed as `captured` (they will be stored in the closure object after the
//! code pointer), and inside the body each is read back from the environment parameter
//! under a fresh name. Inner lambdas are converted first, so their captures count as
//! uses in the enclosing lambda. Paper: `papers/convert-closures.md`.

use crate::{Pass, PassCx};
use mesh_ir::core::vars::{binder_types, children_mut, free_vars, rename};
use mesh_ir::core::{CTy, Closed, ClosureEnv, Expr, ExprKind, Program};
use std::collections::HashMap;

pub struct ConvertClosures;

impl Pass for ConvertClosures {
    const NAME: &'static str = "convert-closures";
    type In = Program;
    type Out = Closed;
    fn run(&self, mut p: Program, cx: &mut PassCx) -> Closed {
        for f in &mut p.fns {
            let mut types: HashMap<String, CTy> = f.params.iter().cloned().collect();
            binder_types(&f.body, &mut types);
            convert(&mut f.body, &types, cx);
        }
        Closed(p)
    }
}

fn convert(e: &mut Expr, types: &HashMap<String, CTy>, cx: &mut PassCx) {
    for c in children_mut(e) {
        convert(c, types, cx);
    }
    let span = e.span;
    if let ExprKind::Lambda {
        params,
        body,
        env: env @ None,
        ..
    } = &mut e.kind
    {
        let mut free = free_vars(body);
        for (n, _) in params.iter() {
            free.remove(n);
        }
        let param = cx.fresh("env");
        let captured: Vec<(String, CTy)> = free
            .into_iter()
            .map(|n| {
                let t = types.get(&n).copied().unwrap_or(CTy::Unit);
                (n, t)
            })
            .collect();
        // read each captured local back from the environment, under a fresh name
        let mut loads = Vec::new();
        for (i, (n, t)) in captured.iter().enumerate() {
            let fresh = cx.fresh(n.split('.').next().unwrap_or("c"));
            rename(body, n, &fresh);
            let obj = Expr {
                kind: ExprKind::Var(param.clone()),
                ty: CTy::Obj,
                span,
            };
            loads.push((
                fresh,
                Expr {
                    kind: ExprKind::Load(Box::new(obj), i as u32 + 1),
                    ty: *t,
                    span,
                },
            ));
        }
        let mut new_body = std::mem::replace(
            &mut **body,
            Expr {
                kind: ExprKind::Unit,
                ty: CTy::Unit,
                span,
            },
        );
        for (n, v) in loads.into_iter().rev() {
            let (ty, sp) = (new_body.ty, new_body.span);
            new_body = Expr {
                kind: ExprKind::Let(n, Box::new(v), Box::new(new_body)),
                ty,
                span: sp,
            };
        }
        **body = new_body;
        *env = Some(ClosureEnv { param, captured });
    }
}
