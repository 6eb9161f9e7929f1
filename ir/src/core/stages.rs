//! `core` as a family of languages (nanopass's `(define-language L2 (extends L1) …)`,
//! rustc's `MirPhase`): the passes after `explicate-core` keep core's nodes but each
//! stage forbids what its passes have removed or not yet introduced, and its validator
//! checks exactly that on top of core's own invariants.
//!
//! * `core` (from `explicate-core`): lambdas with free variables; no reference counts
//!   (`dup`, `drop`), no reuse tokens, holes or checks.
//! * `closed` (from `convert-closures`): every lambda names its environment and the
//!   locals it captures.
//! * `lifted` (from `lift-lambdas`): no lambdas; closures are code references stored in
//!   objects. `tail-mod-cons` adds holes (`hole`, `set-slot`).
//! * `rc` (from `insert-rc`): reference counts explicit. `reuse-cells`,
//!   `specialise-drops` and `insert-yield-points` add reuse tokens, specialised drops and
//!   checks. Codegen consumes this language.

use super::vars::children;
use super::*;

/// `core` after closure conversion.
#[derive(Clone, Debug, PartialEq)]
pub struct Closed(pub Program);

/// `core` after lambda lifting.
#[derive(Clone, Debug, PartialEq)]
pub struct Lifted(pub Program);

/// `core` with explicit reference counting.
#[derive(Clone, Debug, PartialEq)]
pub struct RcExplicit(pub Program);

/// Which stage's rules to check.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Core,
    Closed,
    Lifted,
    Rc,
}

/// The first node of `p` the stage forbids, per function.
fn forbidden(p: &Program, stage: Stage) -> Vec<String> {
    fn walk(e: &Expr, stage: Stage, out: &mut Option<String>) {
        if out.is_some() {
            return;
        }
        let bad = match &e.kind {
            ExprKind::Lambda { env: None, .. } if stage >= Stage::Closed => {
                Some("a lambda that was not closure-converted")
            }
            ExprKind::Lambda { .. } if stage >= Stage::Lifted => {
                Some("a lambda (lift-lambdas removes them)")
            }
            ExprKind::Dup(_) | ExprKind::Drop(..) if stage < Stage::Rc => {
                Some("a reference count before insert-rc")
            }
            ExprKind::Reuse { .. } if stage < Stage::Rc => Some("a reused cell before insert-rc"),
            ExprKind::Prim(p, _) => match p {
                Prim::DropReuse | Prim::FreeReuse | Prim::DropReuseMoved | Prim::DropMoved
                    if stage < Stage::Rc =>
                {
                    Some("a reuse token or specialised drop before insert-rc")
                }
                Prim::Hole | Prim::SetSlot if stage < Stage::Lifted => {
                    Some("a hole before tail-mod-cons")
                }
                Prim::Check if stage < Stage::Rc => {
                    Some("a yield check before insert-yield-points")
                }
                _ => None,
            },
            _ => None,
        };
        if let Some(b) = bad {
            *out = Some(b.to_string());
            return;
        }
        for c in children(e) {
            walk(c, stage, out);
        }
    }
    p.fns
        .iter()
        .filter_map(|f| {
            let mut found = None;
            walk(&f.body, stage, &mut found);
            found.map(|what| format!("in {}: {what}", f.name))
        })
        .collect()
}

fn check(p: &Program, stage: Stage) -> Result<(), Vec<String>> {
    let mut errs = validate::validate(p).err().unwrap_or_default();
    errs.extend(forbidden(p, stage));
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

/// Core's own validator plus the `core` stage's rules.
pub(crate) fn validate_core(p: &Program) -> Result<(), Vec<String>> {
    check(p, Stage::Core)
}

impl crate::Ir for Closed {
    const LANG: &'static str = "closed";
    fn print(&self) -> String {
        print::print(&self.0)
    }
    fn validate(&self) -> Result<(), Vec<String>> {
        check(&self.0, Stage::Closed)
    }
}

impl crate::Ir for Lifted {
    const LANG: &'static str = "lifted";
    fn print(&self) -> String {
        print::print(&self.0)
    }
    fn validate(&self) -> Result<(), Vec<String>> {
        check(&self.0, Stage::Lifted)
    }
}

impl crate::Ir for RcExplicit {
    const LANG: &'static str = "rc";
    fn print(&self) -> String {
        print::print(&self.0)
    }
    fn validate(&self) -> Result<(), Vec<String>> {
        check(&self.0, Stage::Rc)
    }
}
