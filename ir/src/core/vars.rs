//! Variables of `core` expressions: free variables and renaming (locals are unique per
//! function, so renaming needs no capture-avoidance).

use super::*;
use std::collections::BTreeSet;

/// The locals `e` uses but does not bind.
pub fn free_vars(e: &Expr) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    free_into(e, &mut out);
    out
}

fn free_into(e: &Expr, out: &mut BTreeSet<String>) {
    match &e.kind {
        ExprKind::Var(v) | ExprKind::Dup(v) => {
            out.insert(v.clone());
        }
        ExprKind::Drop(v, b) => {
            out.insert(v.clone());
            free_into(b, out);
        }
        ExprKind::Let(n, v, b) => {
            free_into(v, out);
            let mut inner = free_vars(b);
            inner.remove(n);
            out.extend(inner);
        }
        ExprKind::Loop {
            params,
            inits,
            body,
            ..
        } => {
            inits.iter().for_each(|x| free_into(x, out));
            let mut inner = free_vars(body);
            for (n, _) in params {
                inner.remove(n);
            }
            out.extend(inner);
        }
        ExprKind::Lambda {
            params, body, env, ..
        } => match env {
            Some(c) => out.extend(c.captured.iter().map(|(n, _)| n.clone())),
            None => {
                let mut inner = free_vars(body);
                for (n, _) in params {
                    inner.remove(n);
                }
                out.extend(inner);
            }
        },
        _ => children(e).into_iter().for_each(|c| free_into(c, out)),
    }
}

/// The direct subexpressions of `e` (a lambda's body included).
pub fn children(e: &Expr) -> Vec<&Expr> {
    match &e.kind {
        ExprKind::Let(_, a, b) | ExprKind::Seq(a, b) => vec![a, b],
        ExprKind::If(a, b, c) => vec![a, b, c],
        ExprKind::Call { args, .. }
        | ExprKind::Prim(_, args)
        | ExprKind::Runtime(_, args)
        | ExprKind::Recur { args, .. } => args.iter().collect(),
        ExprKind::Alloc { fields, .. } | ExprKind::Reuse { fields, .. } => fields.iter().collect(),
        ExprKind::CallClosure { closure, args, .. } => {
            std::iter::once(&**closure).chain(args).collect()
        }
        ExprKind::Load(o, _)
        | ExprKind::Tag(o)
        | ExprKind::Return(o)
        | ExprKind::Exit { value: o, .. } => vec![o],
        ExprKind::Loop { inits, body, .. } => {
            inits.iter().chain(std::iter::once(&**body)).collect()
        }
        ExprKind::Drop(_, b) | ExprKind::Lambda { body: b, .. } => vec![b],
        _ => vec![],
    }
}

/// Mutable direct subexpressions of `e`.
pub fn children_mut(e: &mut Expr) -> Vec<&mut Expr> {
    match &mut e.kind {
        ExprKind::Let(_, a, b) | ExprKind::Seq(a, b) => vec![a, b],
        ExprKind::If(a, b, c) => vec![a, b, c],
        ExprKind::Call { args, .. }
        | ExprKind::Prim(_, args)
        | ExprKind::Runtime(_, args)
        | ExprKind::Recur { args, .. } => args.iter_mut().collect(),
        ExprKind::Alloc { fields, .. } | ExprKind::Reuse { fields, .. } => {
            fields.iter_mut().collect()
        }
        ExprKind::CallClosure { closure, args, .. } => std::iter::once(&mut **closure)
            .chain(args.iter_mut())
            .collect(),
        ExprKind::Load(o, _)
        | ExprKind::Tag(o)
        | ExprKind::Return(o)
        | ExprKind::Exit { value: o, .. } => vec![o],
        ExprKind::Loop { inits, body, .. } => inits
            .iter_mut()
            .chain(std::iter::once(&mut **body))
            .collect(),
        ExprKind::Drop(_, b) | ExprKind::Lambda { body: b, .. } => vec![b],
        _ => vec![],
    }
}

/// Renames every occurrence of local `from` in `e` to `to`.
pub fn rename(e: &mut Expr, from: &str, to: &str) {
    match &mut e.kind {
        ExprKind::Var(v) | ExprKind::Dup(v) if v == from => *v = to.to_string(),
        ExprKind::Drop(v, _) if v == from => *v = to.to_string(),
        ExprKind::Lambda { env: Some(c), .. } => {
            for (n, _) in &mut c.captured {
                if n == from {
                    *n = to.to_string();
                }
            }
            return; // a converted lambda's body is closed
        }
        _ => {}
    }
    for c in children_mut(e) {
        rename(c, from, to);
    }
}

/// The types of every local bound in `e` (lets, loop and lambda parameters).
pub fn binder_types(e: &Expr, out: &mut std::collections::HashMap<String, CTy>) {
    match &e.kind {
        ExprKind::Let(n, v, _) => {
            out.insert(n.clone(), v.ty);
        }
        ExprKind::Loop { params, .. } | ExprKind::Lambda { params, .. } => {
            for (n, t) in params {
                out.insert(n.clone(), *t);
            }
        }
        _ => {}
    }
    if let ExprKind::Lambda { env: Some(c), .. } = &e.kind {
        out.insert(c.param.clone(), CTy::Obj);
    }
    children(e).into_iter().for_each(|c| binder_types(c, out));
}
