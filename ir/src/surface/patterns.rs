//! Or-patterns whose alternatives bind variables. Mesh gives them Rust's meaning: the
//! alternatives are tried left to right, and a guard is tested with the bindings of
//! each alternative that matches until one passes (decision 30). Both the decision
//! trees of `match-compile` and the surface evaluator expand such patterns into one
//! pattern per alternative.

use super::*;

/// The rows a row of patterns stands for once its binding or-patterns are expanded
/// (or-patterns that bind nothing stay, tested as one).
pub fn expand_binding_ors(pats: &[Pat]) -> Vec<Vec<Pat>> {
    let mut out = vec![vec![]];
    for p in pats {
        let alts = expand_pat(p);
        out = out
            .into_iter()
            .flat_map(|prefix| {
                alts.iter().map(move |a| {
                    let mut r = prefix.clone();
                    r.push(a.clone());
                    r
                })
            })
            .collect();
    }
    out
}

fn binds_vars(p: &Pat) -> bool {
    match &p.kind {
        PatKind::Var(_) | PatKind::As(..) => true,
        PatKind::Tuple(ps) | PatKind::Variant { args: ps, .. } | PatKind::Or(ps) => {
            ps.iter().any(binds_vars)
        }
        _ => false,
    }
}

pub fn expand_pat(p: &Pat) -> Vec<Pat> {
    let with = |kind: PatKind| Pat {
        kind,
        span: p.span,
        ty: p.ty.clone(),
    };
    match &p.kind {
        PatKind::Or(alts) if binds_vars(p) => alts.iter().flat_map(expand_pat).collect(),
        PatKind::As(q, x) => expand_pat(q)
            .into_iter()
            .map(|q| with(PatKind::As(Box::new(q), x.clone())))
            .collect(),
        PatKind::Tuple(ps) => expand_binding_ors(ps)
            .into_iter()
            .map(|ps| with(PatKind::Tuple(ps)))
            .collect(),
        PatKind::Variant {
            ty,
            index,
            name,
            args,
        } => expand_binding_ors(args)
            .into_iter()
            .map(|args| {
                with(PatKind::Variant {
                    ty: ty.clone(),
                    index: *index,
                    name: name.clone(),
                    args,
                })
            })
            .collect(),
        _ => vec![p.clone()],
    }
}
