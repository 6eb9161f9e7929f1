//! `lift-impls : surface -> surface` — spec 01 §3.6–3.7, spec 02 §4. Each method of an
//! `impl Trait for Type` becomes an ordinary module-level function named
//! `Trait::Type::method`, with the receiver explicit: `self` is annotated with the
//! implementing type and `Self` / `Self.Assoc` in signatures are replaced by the types
//! they stand for. Methods the impl omits take the interface's default body (the
//! interface then keeps only its signatures). The impl keeps only its associated types
//! and the table `lifted` (method → function), which inference uses to resolve method
//! calls, operators and conversions.
//! Missing required methods are errors. Paper: `papers/lift-impls.md`.

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::surface::*;
use std::collections::HashMap;

pub struct LiftImpls;

/// Required methods of the compiler-known traits (spec 02 §4.4).
fn builtin_required(t: &str) -> Option<&'static [&'static str]> {
    Some(match t {
        "Display" => &["to_string"],
        "Debug" => &["inspect"],
        "Eq" => &["eq"],
        "Ord" => &["compare"],
        "Hash" => &["hash"],
        "Add" => &["add"],
        "Sub" => &["sub"],
        "Mul" => &["mul"],
        "Div" => &["div"],
        "Mod" => &["mod"],
        "Neg" => &["neg"],
        "Not" => &["not"],
        "Default" => &["default"],
        "From" => &["from"],
        "TryFrom" => &["try_from"],
        _ => return None,
    })
}

impl Pass for LiftImpls {
    const NAME: &'static str = "lift-impls";
    const STOPS_ON_ERROR: bool = false;
    type In = Program;
    type Out = Program;
    fn run(&self, mut p: Program, cx: &mut PassCx) -> Program {
        let interfaces: HashMap<String, InterfaceDef> = p
            .modules
            .iter()
            .flat_map(|m| m.items.iter())
            .filter_map(|it| match &it.kind {
                ItemKind::Interface(i) => Some((i.name.clone(), i.clone())),
                _ => None,
            })
            .collect();
        for m in &mut p.modules {
            let mut lifted_fns = Vec::new();
            for it in &mut m.items {
                let ItemKind::Impl(imp) = &mut it.kind else {
                    continue;
                };
                let trait_name = imp.trait_path.last().cloned().unwrap_or_default();
                let type_name = type_name(&imp.for_ty);
                let iface = interfaces.get(&trait_name);
                if iface.is_none() && builtin_required(&trait_name).is_none() {
                    cx.emit(
                        Diagnostic::error(
                            "unknown trait",
                            format!("unknown interface `{trait_name}`"),
                            it.span,
                        )
                        .with_code("E0005"),
                    );
                    continue;
                }
                let mut methods = std::mem::take(&mut imp.methods);
                // defaults, and required methods that are missing
                let required: Vec<String> = match iface {
                    Some(i) => i
                        .methods
                        .iter()
                        .filter(|f| f.body.is_empty())
                        .map(|f| f.name.clone())
                        .collect(),
                    None => builtin_required(&trait_name)
                        .unwrap()
                        .iter()
                        .map(|s| s.to_string())
                        .collect(),
                };
                for r in &required {
                    if !methods.iter().any(|f| &f.name == r) {
                        cx.emit(
                            Diagnostic::error(
                                "missing method",
                                format!(
                                    "impl `{trait_name}` for `{type_name}` is missing method `{r}`"
                                ),
                                it.span,
                            )
                            .with_code("E0008"),
                        );
                    }
                }
                if let Some(i) = iface {
                    for d in i.methods.iter().filter(|f| !f.body.is_empty()) {
                        if !methods.iter().any(|f| f.name == d.name) {
                            methods.push(d.clone());
                        }
                    }
                    for a in &imp.assoc {
                        if !i.assoc_types.contains(&a.0) {
                            cx.emit(
                                Diagnostic::error(
                                    "associated type",
                                    format!(
                                        "`{}` is not an associated type of `{trait_name}`",
                                        a.0
                                    ),
                                    it.span,
                                )
                                .with_code("E0041"),
                            );
                        }
                    }
                    for a in &i.assoc_types {
                        if !imp.assoc.iter().any(|(n, _)| n == a) {
                            cx.emit(Diagnostic::error("associated type", format!("impl `{trait_name}` for `{type_name}` is missing associated type `{a}`"), it.span).with_code("E0040"));
                        }
                    }
                }
                let assoc: HashMap<String, TypeExpr> = imp.assoc.iter().cloned().collect();
                for mut f in methods {
                    let lifted = format!("{trait_name}::{type_name}::{}", f.name);
                    imp.lifted.push((f.name.clone(), lifted.clone()));
                    f.name = lifted;
                    f.is_pub = true;
                    for prm in &mut f.params {
                        if matches!(prm.pat.kind, PatKind::SelfParam) {
                            prm.ty = Some(imp.for_ty.clone());
                        } else if let Some(t) = &mut prm.ty {
                            replace_self(t, &imp.for_ty, &assoc);
                        }
                    }
                    if let Some(r) = &mut f.ret {
                        replace_self(r, &imp.for_ty, &assoc);
                    }
                    lifted_fns.push(Item {
                        span: f.span,
                        kind: ItemKind::Fn(f),
                    });
                }
            }
            m.items.extend(lifted_fns);
        }
        // the default bodies now live in the impls that took them; the interface keeps
        // the signatures (what `infer` reads), so no body is left that no pass types
        for m in &mut p.modules {
            for it in &mut m.items {
                if let ItemKind::Interface(i) = &mut it.kind {
                    for f in &mut i.methods {
                        f.body.clear();
                    }
                }
            }
        }
        p
    }
}

/// The implementing type's name as used in lifted names: `Box<T>` → `Box`.
pub fn type_name(t: &TypeExpr) -> String {
    match &t.kind {
        TypeKind::Named { path, .. } => path.last().cloned().unwrap_or_default(),
        _ => type_str(t),
    }
}

fn replace_self(t: &mut TypeExpr, for_ty: &TypeExpr, assoc: &HashMap<String, TypeExpr>) {
    match &mut t.kind {
        TypeKind::Named { path, args } => {
            if path.len() == 1 && path[0] == "Self" && args.is_empty() {
                *t = for_ty.clone();
                return;
            }
            if path.len() == 2 && path[0] == "Self" {
                if let Some(a) = assoc.get(&path[1]) {
                    *t = a.clone();
                    return;
                }
            }
            args.iter_mut().for_each(|a| replace_self(a, for_ty, assoc));
        }
        TypeKind::Tuple(ts) => ts.iter_mut().for_each(|a| replace_self(a, for_ty, assoc)),
        TypeKind::Fun(ps, r) => {
            ps.iter_mut().for_each(|a| replace_self(a, for_ty, assoc));
            replace_self(r, for_ty, assoc);
        }
        TypeKind::Optional(x) => replace_self(x, for_ty, assoc),
        TypeKind::Fallible(x, e) => {
            replace_self(x, for_ty, assoc);
            replace_self(e, for_ty, assoc);
        }
    }
}
