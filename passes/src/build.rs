//! Small builders of surface trees for the passes that write Mesh code (`lower-actors`,
//! `lower-cluster`).

use mesh_ir::surface::visit;
use mesh_ir::surface::*;
use mesh_ir::Span;

pub(crate) fn fn_item(
    name: String,
    params: Vec<Param>,
    ret: Option<TypeExpr>,
    body: Block,
    actor: bool,
    span: Span,
) -> Item {
    Item {
        kind: ItemKind::Fn(FnDef {
            is_pub: true,
            cluster: None,
            external: None,
            name,
            generics: vec![],
            params,
            ret,
            bounds: vec![],
            guard: None,
            body,
            eq_form: false,
            actor,
            sig: None,
            span,
        }),
        span,
    }
}

pub(crate) fn param(name: &str, ty: Option<TypeExpr>, span: Span) -> Param {
    Param {
        pat: Pat::new(PatKind::Var(name.to_string()), span),
        ty,
    }
}

pub(crate) fn stmt(e: Expr) -> Stmt {
    Stmt {
        span: e.span,
        kind: StmtKind::Expr(e),
    }
}

pub(crate) fn var(n: &str, span: Span) -> Expr {
    Expr::new(ExprKind::Var(n.to_string()), span)
}

pub(crate) fn library(module: &str, name: &str, span: Span) -> Expr {
    Expr::library(module, name, span)
}

pub(crate) fn call(callee: Expr, args: Vec<Expr>, span: Span) -> Expr {
    Expr::call(callee, args, span)
}

/// A type without arguments (`Int`, `Pid`).
pub(crate) fn named_type(name: &str, span: Span) -> TypeExpr {
    TypeExpr {
        kind: TypeKind::Named {
            path: vec![name.into()],
            args: vec![],
        },
        span,
    }
}

/// Visits every expression of one module (as `visit::exprs_mut` does a program's).
pub(crate) fn module_exprs(m: &mut Module, f: &mut dyn FnMut(&mut Expr)) {
    let taken = std::mem::replace(
        m,
        Module {
            name: String::new(),
            file: 0,
            library: false,
            items: vec![],
        },
    );
    let mut one = Program {
        modules: vec![taken],
    };
    visit::exprs_mut(&mut one, f);
    *m = one.modules.pop().unwrap();
}
