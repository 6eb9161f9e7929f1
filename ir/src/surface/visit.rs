//! Generic traversals of the `surface` tree, so that a pass touching one kind of node
//! does not restate the whole tree.

use super::*;

/// Calls `f` on every expression of the program, children before parents.
pub fn exprs_mut(p: &mut Program, f: &mut dyn FnMut(&mut Expr)) {
    for m in &mut p.modules {
        for it in &mut m.items {
            item_exprs_mut(it, f);
        }
    }
}

pub fn item_exprs_mut(it: &mut Item, f: &mut dyn FnMut(&mut Expr)) {
    match &mut it.kind {
        ItemKind::Import(_)
        | ItemKind::FromImport { .. }
        | ItemKind::TypeAlias { .. }
        | ItemKind::ExternType { .. }
        | ItemKind::SumType(_) => {}
        ItemKind::Module { items, .. } => items.iter_mut().for_each(|i| item_exprs_mut(i, f)),
        ItemKind::Fn(d) => fn_exprs_mut(d, f),
        ItemKind::Struct(s) => s
            .meta
            .iter_mut()
            .flat_map(|(_, es)| es.iter_mut())
            .for_each(|e| expr_mut(e, f)),
        ItemKind::Interface(i) => i.methods.iter_mut().for_each(|d| fn_exprs_mut(d, f)),
        ItemKind::Impl(i) => i.methods.iter_mut().for_each(|d| fn_exprs_mut(d, f)),
        ItemKind::Actor(a) => {
            block_mut(&mut a.body, f);
            if let Some(t) = &mut a.terminate {
                block_mut(t, f);
            }
        }
        ItemKind::Service(s) => {
            s.fns.iter_mut().for_each(|d| fn_exprs_mut(d, f));
            s.handlers
                .iter_mut()
                .for_each(|h| block_mut(&mut h.body, f));
        }
        ItemKind::Supervisor(s) => {
            s.settings.iter_mut().for_each(|(_, e)| expr_mut(e, f));
            s.children
                .iter_mut()
                .flat_map(|c| c.settings.iter_mut())
                .for_each(|(_, e)| expr_mut(e, f));
        }
        ItemKind::Stmt(s) => stmt_mut(s, f),
    }
}

pub fn fn_exprs_mut(d: &mut FnDef, f: &mut dyn FnMut(&mut Expr)) {
    if let Some(g) = &mut d.guard {
        expr_mut(g, f);
    }
    block_mut(&mut d.body, f);
}

pub fn block_mut(b: &mut Block, f: &mut dyn FnMut(&mut Expr)) {
    b.iter_mut().for_each(|s| stmt_mut(s, f));
}

pub fn stmt_mut(s: &mut Stmt, f: &mut dyn FnMut(&mut Expr)) {
    match &mut s.kind {
        StmtKind::Let { value, .. } => expr_mut(value, f),
        StmtKind::Expr(e) => expr_mut(e, f),
        StmtKind::Item(i) => item_exprs_mut(i, f),
    }
}

/// The expressions of a block's statements (not their sub-expressions): a nested
/// definition's top-level expressions count as the block's.
fn block_children(b: &mut Block, f: &mut dyn FnMut(&mut Expr)) {
    for s in b {
        match &mut s.kind {
            StmtKind::Let { value, .. } => f(value),
            StmtKind::Expr(e) => f(e),
            StmtKind::Item(i) => match &mut i.kind {
                ItemKind::Fn(d) => {
                    if let Some(g) = &mut d.guard {
                        f(g);
                    }
                    block_children(&mut d.body, f);
                }
                _ => item_exprs_mut(i, f),
            },
        }
    }
}

fn arms_children(arms: &mut [Arm], f: &mut dyn FnMut(&mut Expr)) {
    for a in arms {
        if let Some(g) = &mut a.guard {
            f(g);
        }
        block_children(&mut a.body, f);
    }
}

/// Visits the children of `e`, then `e` itself.
pub fn expr_mut(e: &mut Expr, f: &mut dyn FnMut(&mut Expr)) {
    children_mut(e, &mut |c| expr_mut(c, f));
    f(e);
}

/// Calls `f` on each direct child expression of `e` (statements of nested blocks
/// included, since they are expressions of this level's tree).
pub fn children_mut(e: &mut Expr, f: &mut dyn FnMut(&mut Expr)) {
    match &mut e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Bool(_)
        | ExprKind::Nil
        | ExprKind::Atom(_)
        | ExprKind::Regex { .. }
        | ExprKind::Var(_)
        | ExprKind::Global(_)
        | ExprKind::Variant { .. }
        | ExprKind::SelfRef
        | ExprKind::SelfPid
        | ExprKind::Unit
        | ExprKind::Break
        | ExprKind::Continue => {}
        ExprKind::Str(parts) => {
            for p in parts {
                if let StrPart::Interp(e) = p {
                    f(e);
                }
            }
        }
        ExprKind::Tuple(es) | ExprKind::List(es) => es.iter_mut().for_each(f),
        ExprKind::Map(kvs) => kvs.iter_mut().for_each(|(k, v)| {
            f(k);
            f(v)
        }),
        ExprKind::StructLit { ty, fields } => {
            f(ty);
            fields.iter_mut().for_each(|(_, e)| f(e));
        }
        ExprKind::StructUpdate { base, fields } => {
            f(base);
            fields.iter_mut().for_each(|(_, e)| f(e));
        }
        ExprKind::Json(fs) => fs.iter_mut().for_each(|(_, e)| f(e)),
        ExprKind::Call { callee, args } => {
            f(callee);
            args.iter_mut().for_each(|a| f(&mut a.value));
        }
        ExprKind::Field(b, _) | ExprKind::Try(b, _) | ExprKind::Unary(_, b) => f(b),
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            f(a);
            f(b)
        }
        ExprKind::Pipe { lhs, rhs, .. } => {
            f(lhs);
            f(rhs)
        }
        ExprKind::If { cond, then, else_ } => {
            f(cond);
            block_children(then, f);
            if let Some(b) = else_ {
                block_children(b, f);
            }
        }
        ExprKind::Case { scrutinee, arms } => {
            f(scrutinee);
            arms_children(arms, f);
        }
        ExprKind::Receive { arms, after } => {
            arms_children(arms, f);
            if let Some((t, b)) = after {
                f(t);
                block_children(b, f);
            }
        }
        ExprKind::While { cond, body } => {
            f(cond);
            block_children(body, f)
        }
        ExprKind::For {
            iter, filter, body, ..
        } => {
            f(iter);
            if let Some(x) = filter {
                f(x);
            }
            block_children(body, f)
        }
        ExprKind::Return(v) => {
            if let Some(v) = v {
                f(v)
            }
        }
        ExprKind::Closure(cs) => {
            for c in cs {
                if let Some(g) = &mut c.guard {
                    f(g);
                }
                block_children(&mut c.body, f);
            }
        }
    }
}

/// Calls `f` on every statement block inside `it` (function bodies, branches, arm and
/// loop bodies, closure bodies, nested definitions), inner blocks before outer ones.
pub fn item_blocks_mut(it: &mut Item, f: &mut dyn FnMut(&mut Block)) {
    match &mut it.kind {
        ItemKind::Fn(d) => fn_blocks_mut(d, f),
        ItemKind::Module { items, .. } => items.iter_mut().for_each(|i| item_blocks_mut(i, f)),
        ItemKind::Interface(i) => i.methods.iter_mut().for_each(|d| fn_blocks_mut(d, f)),
        ItemKind::Impl(i) => i.methods.iter_mut().for_each(|d| fn_blocks_mut(d, f)),
        ItemKind::Actor(a) => {
            block_blocks_mut(&mut a.body, f);
            if let Some(t) = &mut a.terminate {
                block_blocks_mut(t, f);
            }
        }
        ItemKind::Service(s) => {
            s.fns.iter_mut().for_each(|d| fn_blocks_mut(d, f));
            s.handlers
                .iter_mut()
                .for_each(|h| block_blocks_mut(&mut h.body, f));
        }
        ItemKind::Supervisor(s) => {
            s.settings
                .iter_mut()
                .for_each(|(_, e)| expr_blocks_mut(e, f));
            s.children
                .iter_mut()
                .flat_map(|c| c.settings.iter_mut())
                .for_each(|(_, e)| expr_blocks_mut(e, f));
        }
        ItemKind::Stmt(s) => stmt_blocks_mut(s, f),
        _ => {}
    }
}

fn fn_blocks_mut(d: &mut FnDef, f: &mut dyn FnMut(&mut Block)) {
    if let Some(g) = &mut d.guard {
        expr_blocks_mut(g, f);
    }
    block_blocks_mut(&mut d.body, f);
}

/// The blocks inside `b`, then `b` itself.
pub fn block_blocks_mut(b: &mut Block, f: &mut dyn FnMut(&mut Block)) {
    b.iter_mut().for_each(|s| stmt_blocks_mut(s, f));
    f(b);
}

fn stmt_blocks_mut(s: &mut Stmt, f: &mut dyn FnMut(&mut Block)) {
    match &mut s.kind {
        StmtKind::Let { value, .. } => expr_blocks_mut(value, f),
        StmtKind::Expr(e) => expr_blocks_mut(e, f),
        StmtKind::Item(i) => item_blocks_mut(i, f),
    }
}

fn expr_blocks_mut(e: &mut Expr, f: &mut dyn FnMut(&mut Block)) {
    match &mut e.kind {
        ExprKind::If { cond, then, else_ } => {
            expr_blocks_mut(cond, f);
            block_blocks_mut(then, f);
            if let Some(b) = else_ {
                block_blocks_mut(b, f);
            }
        }
        ExprKind::Case { scrutinee, arms } => {
            expr_blocks_mut(scrutinee, f);
            for a in arms {
                if let Some(g) = &mut a.guard {
                    expr_blocks_mut(g, f);
                }
                block_blocks_mut(&mut a.body, f);
            }
        }
        ExprKind::Receive { arms, after } => {
            for a in arms {
                if let Some(g) = &mut a.guard {
                    expr_blocks_mut(g, f);
                }
                block_blocks_mut(&mut a.body, f);
            }
            if let Some((t, b)) = after {
                expr_blocks_mut(t, f);
                block_blocks_mut(b, f);
            }
        }
        ExprKind::While { cond, body } => {
            expr_blocks_mut(cond, f);
            block_blocks_mut(body, f);
        }
        ExprKind::For {
            iter, filter, body, ..
        } => {
            expr_blocks_mut(iter, f);
            if let Some(x) = filter {
                expr_blocks_mut(x, f);
            }
            block_blocks_mut(body, f);
        }
        ExprKind::Closure(cs) => {
            for c in cs {
                if let Some(g) = &mut c.guard {
                    expr_blocks_mut(g, f);
                }
                block_blocks_mut(&mut c.body, f);
            }
        }
        _ => children_mut(e, &mut |c| expr_blocks_mut(c, f)),
    }
}
