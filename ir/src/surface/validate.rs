//! Validator for `surface`: spans lie in their module's file and are ordered; names
//! are non-empty; every module has a name.

use super::*;

pub fn validate(p: &Program) -> Result<(), Vec<String>> {
    let mut errs = Vec::new();
    let mut p = p.clone();
    for m in &mut p.modules {
        if m.name.is_empty() {
            errs.push(format!("module of file {} has no name", m.file));
        }
        let file = m.file;
        for it in &mut m.items {
            if it.span.file != file || it.span.lo > it.span.hi {
                errs.push(format!("item span {:?} is not in file {file}", it.span));
            }
            visit::item_exprs_mut(it, &mut |e| {
                if e.span.file != file || e.span.lo > e.span.hi {
                    errs.push(format!(
                        "expression span {:?} is not in file {file}",
                        e.span
                    ));
                }
                if let ExprKind::Var(n) | ExprKind::Global(n) = &e.kind {
                    if n.is_empty() {
                        errs.push(format!("empty name at {:?}", e.span));
                    }
                }
            });
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}
