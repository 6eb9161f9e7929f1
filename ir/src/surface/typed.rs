//! `desugared` and `typed`: the surface tree with stronger invariants.
//!
//! `desugared` — from `surface`: removes pipes (`|>`, `|N>`) and multi-clause function
//! groups (merged into one function whose body is a `case`). Invariants: no `Pipe`
//! node; no function has a guard; no two functions of one scope share a name and arity.
//!
//! `typed` — from `desugared`: adds a type on every expression and pattern. Invariants:
//! those of `desugared`, and every `ty` is present and free of inference variables.

use super::print::{print_module, Printer};
use super::*;
use crate::types::TypeDefs;
use std::collections::HashSet;

#[derive(Clone, Debug, PartialEq)]
pub struct Desugared(pub Program);

#[derive(Clone, Debug, PartialEq)]
pub struct Typed(pub Program, pub TypeDefs);

/// `mono` — from `typed`: removes polymorphism. Invariants: those of `typed`; no type
/// (of an expression, a pattern or a function) contains a type parameter; only
/// functions reachable from `main` remain, one copy per instance.
#[derive(Clone, Debug, PartialEq)]
pub struct Mono(pub Program, pub TypeDefs);

/// `matched` — from `mono`: pattern matching compiled to decision trees. Invariants:
/// those of `mono`; every `case` is one test of one value — each arm's pattern is a
/// wildcard, a variable, a literal, or a constructor or tuple whose sub-patterns are
/// all variables or wildcards (no nesting, no or-patterns, no `as`), and a `case`
/// whose arms test constructors tests them on a plain local.
#[derive(Clone, Debug, PartialEq)]
pub struct Matched(pub Program, pub TypeDefs);

/// Whether `p` tests at most its own head (the `matched` invariant).
pub fn is_simple_pattern(p: &Pat) -> bool {
    let flat = |ps: &[Pat]| {
        ps.iter()
            .all(|q| matches!(q.kind, PatKind::Wild | PatKind::Var(_)))
    };
    match &p.kind {
        PatKind::Wild
        | PatKind::Var(_)
        | PatKind::Int(_)
        | PatKind::Float(_)
        | PatKind::Str(_)
        | PatKind::Bool(_)
        | PatKind::Atom(_)
        | PatKind::Nil => true,
        PatKind::Tuple(ps) | PatKind::Variant { args: ps, .. } => flat(ps),
        _ => false,
    }
}

impl crate::Ir for Matched {
    const LANG: &'static str = "matched";
    fn print(&self) -> String {
        print_typed(&self.0)
    }
    fn validate(&self) -> Result<(), Vec<String>> {
        let mut errs = self.0.validate().err().unwrap_or_default();
        check_typed(&self.0, &mut errs, true);
        let mut p = self.0.clone();
        visit::exprs_mut(&mut p, &mut |e| {
            if let ExprKind::Case { scrutinee, arms } = &e.kind {
                for a in arms {
                    if !is_simple_pattern(&a.pat) {
                        errs.push(format!(
                            "a nested pattern `{}` left in a case at {:?}",
                            one_line_pat(&a.pat),
                            a.pat.span
                        ));
                    }
                }
                let tests_ctor = arms
                    .iter()
                    .any(|a| matches!(a.pat.kind, PatKind::Variant { .. } | PatKind::Tuple(_)));
                if tests_ctor && !matches!(scrutinee.kind, ExprKind::Var(_)) {
                    errs.push(format!(
                        "a case tests constructors of a compound expression at {:?}",
                        e.span
                    ));
                }
            }
        });
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}

fn one_line_pat(p: &Pat) -> String {
    format!("{:?}", p.kind).chars().take(80).collect()
}

fn check_desugared(p: &Program, errs: &mut Vec<String>) {
    let mut p = p.clone();
    for m in &mut p.modules {
        check_fn_scope(
            &m.items
                .iter()
                .filter_map(|i| match &i.kind {
                    ItemKind::Fn(f) => Some(f),
                    _ => None,
                })
                .collect::<Vec<_>>(),
            &m.name,
            errs,
        );
        for it in &mut m.items {
            visit::item_exprs_mut(it, &mut |e| {
                if matches!(e.kind, ExprKind::Pipe { .. }) {
                    errs.push(format!("pipe left at {:?}", e.span));
                }
            });
        }
    }
}

fn check_fn_scope(fns: &[&FnDef], scope: &str, errs: &mut Vec<String>) {
    let mut seen = HashSet::new();
    for f in fns {
        if f.guard.is_some() {
            errs.push(format!(
                "function `{}` in {scope} still has a guard",
                f.name
            ));
        }
        if !seen.insert((f.name.clone(), f.params.len())) {
            errs.push(format!(
                "function `{}/{}` in {scope} is defined twice",
                f.name,
                f.params.len()
            ));
        }
    }
}

impl crate::Ir for Desugared {
    const LANG: &'static str = "desugared";
    fn print(&self) -> String {
        print_program(&self.0)
    }
    fn validate(&self) -> Result<(), Vec<String>> {
        let mut errs = self.0.validate().err().unwrap_or_default();
        check_desugared(&self.0, &mut errs);
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}

fn print_typed(p: &Program) -> String {
    // the prelude is library code: dumps show the program's own modules
    p.modules
        .iter()
        .filter(|m| !m.library)
        .map(|m| print_module(m, true))
        .collect()
}

fn check_typed(p: &Program, errs: &mut Vec<String>, mono: bool) {
    check_desugared(p, errs);
    let mut p = p.clone();
    visit::exprs_mut(&mut p, &mut |e| match &e.ty {
        None => errs.push(format!(
            "untyped expression `{}` at {:?}",
            one_line(e),
            e.span
        )),
        Some(t) if t.has_vars() => errs.push(format!("unresolved type {t} at {:?}", e.span)),
        Some(t) if mono && t.has_params() => {
            errs.push(format!("generic type {t} left at {:?}", e.span))
        }
        _ => {}
    });
}

impl crate::Ir for Mono {
    const LANG: &'static str = "mono";
    fn print(&self) -> String {
        print_typed(&self.0)
    }
    fn validate(&self) -> Result<(), Vec<String>> {
        let mut errs = self.0.validate().err().unwrap_or_default();
        check_typed(&self.0, &mut errs, true);
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}

impl crate::Ir for Typed {
    const LANG: &'static str = "typed";
    fn print(&self) -> String {
        print_typed(&self.0)
    }
    fn validate(&self) -> Result<(), Vec<String>> {
        let mut errs = self.0.validate().err().unwrap_or_default();
        check_typed(&self.0, &mut errs, false);
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    }
}

fn one_line(e: &Expr) -> String {
    let mut p = Printer {
        out: String::new(),
        indent: 0,
        types: false,
    };
    p.expr(e);
    p.out.lines().next().unwrap_or("").to_string()
}
