//! `check-exhaustiveness : typed -> typed` — spec 02 §6.2. Every `case` (including the
//! clause sets merged into one by `merge-clauses`) must cover all values of its
//! scrutinee's type; an arm that no value can reach is reported as a warning.
//!
//! Algorithm: Maranget, *Warnings for pattern matching* (JFP 2007), §3 usefulness
//! `U(P, q)` with specialisation `S(c, P)` and the default matrix `D(P)`, extended to
//! compute a witness of non-exhaustiveness (§5, "exhibiting non-matched values").
//! Guarded arms do not count toward exhaustiveness. Paper: `papers/check-exhaustiveness.md`.

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::surface::*;
use mesh_ir::types::{Ty, TypeDefs};

pub struct CheckExhaustiveness;

impl Pass for CheckExhaustiveness {
    const NAME: &'static str = "check-exhaustiveness";
    type In = Typed;
    type Out = Typed;
    fn run(&self, Typed(mut p, defs): Typed, cx: &mut PassCx) -> Typed {
        visit::exprs_mut(&mut p, &mut |e| {
            let result = e.ty.clone().unwrap_or(Ty::Unit);
            if let ExprKind::Case { scrutinee, arms } = &mut e.kind {
                let partial = partial_ok(scrutinee);
                let t = scrutinee.ty.clone().unwrap_or(Ty::Unit);
                // a selective receive's matcher (lower-actors) ends in `_ -> false`, which
                // the arms before it may leave unreachable: that is no user's arm
                let matcher = matches!(&scrutinee.kind, ExprKind::Var(v) if v == "receive.msg");
                let judged = &arms[..arms.len() - usize::from(matcher && !arms.is_empty())];
                let missing = check(
                    &defs,
                    t.clone(),
                    judged,
                    partial.is_some() || matcher,
                    e.span,
                    cx,
                );
                if let (Some(missing), Some(what)) = (missing, partial) {
                    // allowed to fail at run time: complete it with a failing arm
                    if what == CLAUSES {
                        cx.emit(
                            Diagnostic::warning(
                                "non-exhaustive function clauses",
                                format!("non-exhaustive function clauses: a call with [{}] crashes the process", missing.join(", ")),
                                e.span,
                            )
                            .with_code("W0002"),
                        );
                    }
                    arms.push(failing_arm(what, result, t, e.span));
                }
            }
        });
        Typed(p, defs)
    }
}

/// A constructor of the pattern space.
#[derive(Clone, Debug, PartialEq)]
enum Ctor {
    Bool(bool),
    /// Variant `index` of a sum type.
    Variant(usize),
    /// The single constructor of a tuple or struct-like product.
    Tuple,
    /// A literal of an infinite type (Int, Float, String), by its text.
    Lit(String),
}

#[derive(Clone, Debug)]
enum P {
    Wild,
    C(Ctor, Vec<P>),
}

/// Lowers a typed pattern; or-patterns become several rows.
fn lower(p: &Pat) -> Vec<P> {
    match &p.kind {
        PatKind::Wild | PatKind::Var(_) | PatKind::SelfParam => vec![P::Wild],
        PatKind::As(q, _) => lower(q),
        PatKind::Bool(b) => vec![P::C(Ctor::Bool(*b), vec![])],
        PatKind::Int(n) => vec![P::C(Ctor::Lit(n.to_string()), vec![])],
        PatKind::Float(f) => vec![P::C(Ctor::Lit(format!("{f:?}")), vec![])],
        PatKind::Str(s) => vec![P::C(Ctor::Lit(format!("{s:?}")), vec![])],
        PatKind::Or(ps) => ps.iter().flat_map(lower).collect(),
        PatKind::Tuple(ps) | PatKind::Brace(ps) => product(ps)
            .into_iter()
            .map(|args| P::C(Ctor::Tuple, args))
            .collect(),
        PatKind::Variant { index, args, .. } => product(args)
            .into_iter()
            .map(|a| P::C(Ctor::Variant(*index), a))
            .collect(),
        // not produced for typed programs (resolved by `infer`) or not yet supported
        _ => vec![P::Wild],
    }
}

fn product(ps: &[Pat]) -> Vec<Vec<P>> {
    let mut rows = vec![vec![]];
    for q in ps {
        let alts = lower(q);
        rows = rows
            .into_iter()
            .flat_map(|r| {
                alts.iter()
                    .map(move |a| [r.clone(), vec![a.clone()]].concat())
            })
            .collect();
    }
    rows
}

/// All constructors of a type with their argument types, or `None` for infinite types.
fn ctors(defs: &TypeDefs, t: &Ty) -> Option<Vec<(Ctor, Vec<Ty>)>> {
    match t {
        Ty::Bool => Some(vec![
            (Ctor::Bool(true), vec![]),
            (Ctor::Bool(false), vec![]),
        ]),
        Ty::Tuple(ts) => Some(vec![(Ctor::Tuple, ts.clone())]),
        Ty::Unit => Some(vec![(Ctor::Tuple, vec![])]),
        Ty::Con(k, args) => defs.types.get(k).map(|d| {
            if d.variants().is_empty() {
                vec![]
            } else {
                d.variants()
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        (
                            Ctor::Variant(i),
                            v.fields.iter().map(|(_, t)| t.subst(args)).collect(),
                        )
                    })
                    .collect()
            }
        }),
        _ => None,
    }
    .filter(|cs| !cs.is_empty())
}

fn arity(defs: &TypeDefs, t: &Ty, c: &Ctor) -> Vec<Ty> {
    ctors(defs, t)
        .and_then(|cs| cs.into_iter().find(|(d, _)| d == c).map(|(_, a)| a))
        .unwrap_or_default()
}

/// `S(c, P)`: rows whose head matches `c`, with the head replaced by its arguments.
fn specialise(rows: &[Vec<P>], c: &Ctor, n: usize) -> Vec<Vec<P>> {
    rows.iter()
        .filter_map(|r| match &r[0] {
            P::Wild => Some([vec![P::Wild; n], r[1..].to_vec()].concat()),
            P::C(d, args) if d == c => Some([args.clone(), r[1..].to_vec()].concat()),
            _ => None,
        })
        .collect()
}

/// `D(P)`: rows with a wildcard head, without it.
fn default(rows: &[Vec<P>]) -> Vec<Vec<P>> {
    rows.iter()
        .filter(|r| matches!(r[0], P::Wild))
        .map(|r| r[1..].to_vec())
        .collect()
}

fn heads(rows: &[Vec<P>]) -> Vec<Ctor> {
    let mut out: Vec<Ctor> = Vec::new();
    for r in rows {
        if let P::C(c, _) = &r[0] {
            if !out.contains(c) {
                out.push(c.clone());
            }
        }
    }
    out
}

/// `U(P, q)`: can some value match `q` but no row of `P`?
fn useful(defs: &TypeDefs, rows: &[Vec<P>], q: &[P], tys: &[Ty]) -> bool {
    if q.is_empty() {
        return rows.is_empty();
    }
    let t = &tys[0];
    match &q[0] {
        P::C(c, args) => {
            let sub = arity(defs, t, c);
            let sub = if sub.len() == args.len() {
                sub
            } else {
                vec![Ty::Unit; args.len()]
            };
            let q2 = [args.clone(), q[1..].to_vec()].concat();
            useful(
                defs,
                &specialise(rows, c, args.len()),
                &q2,
                &[sub, tys[1..].to_vec()].concat(),
            )
        }
        P::Wild => {
            let seen = heads(rows);
            match ctors(defs, t) {
                Some(all) if !seen.is_empty() && all.iter().all(|(c, _)| seen.contains(c)) => {
                    all.iter().any(|(c, sub)| {
                        let q2 = [vec![P::Wild; sub.len()], q[1..].to_vec()].concat();
                        useful(
                            defs,
                            &specialise(rows, c, sub.len()),
                            &q2,
                            &[sub.clone(), tys[1..].to_vec()].concat(),
                        )
                    })
                }
                _ => useful(defs, &default(rows), &q[1..], &tys[1..]),
            }
        }
    }
}

/// A vector of values (as patterns) matched by no row, if there is one.
fn missing(defs: &TypeDefs, rows: &[Vec<P>], tys: &[Ty]) -> Option<Vec<String>> {
    if tys.is_empty() {
        return if rows.is_empty() { Some(vec![]) } else { None };
    }
    let t = &tys[0];
    let seen = heads(rows);
    match ctors(defs, t) {
        Some(all) if !seen.is_empty() && all.iter().all(|(c, _)| seen.contains(c)) => {
            for (c, sub) in &all {
                let n = sub.len();
                if let Some(w) = missing(
                    defs,
                    &specialise(rows, c, n),
                    &[sub.clone(), tys[1..].to_vec()].concat(),
                ) {
                    let head = show_ctor(defs, t, c, &w[..n]);
                    return Some([vec![head], w[n..].to_vec()].concat());
                }
            }
            None
        }
        all => {
            let rest = missing(defs, &default(rows), &tys[1..])?;
            let head = match all {
                Some(all) if !seen.is_empty() => {
                    let (c, sub) = all.iter().find(|(c, _)| !seen.contains(c)).unwrap();
                    show_ctor(defs, t, c, &vec!["_".to_string(); sub.len()])
                }
                _ => "_".to_string(),
            };
            Some([vec![head], rest].concat())
        }
    }
}

fn show_ctor(defs: &TypeDefs, t: &Ty, c: &Ctor, args: &[String]) -> String {
    let name = match (c, t) {
        (Ctor::Bool(b), _) => return b.to_string(),
        (Ctor::Lit(l), _) => return l.clone(),
        (Ctor::Tuple, _) => String::new(),
        (Ctor::Variant(i), Ty::Con(k, _)) => defs.types[k].variants()[*i].name.clone(),
        (Ctor::Variant(_), _) => "_".into(),
    };
    if args.is_empty() && !name.is_empty() {
        name
    } else {
        format!("{name}({})", args.join(", "))
    }
}

const CLAUSES: &str = "no function clause matches the arguments";
const RECEIVE: &str = "no `receive` clause matches the message";

/// Matches that may be partial, failing at run time: the clauses of a function (spec 04
/// §10 crashes the calling process; decision 31) and a `receive` (spec 04 §7).
fn partial_ok(scrutinee: &Expr) -> Option<&'static str> {
    let clause_arg = |e: &Expr| matches!(&e.kind, ExprKind::Var(v) if v.starts_with("arg."));
    match &scrutinee.kind {
        ExprKind::Call { callee, .. } if matches!(&callee.kind, ExprKind::Global(g) if g == "Process.receive" || g == "Process.receive_matching" || g == "Process.receive_signal") => {
            Some(RECEIVE)
        }
        ExprKind::Tuple(es) if !es.is_empty() && es.iter().all(clause_arg) => Some(CLAUSES),
        _ if clause_arg(scrutinee) => Some(CLAUSES),
        _ => None,
    }
}

/// `_ -> Kernel.panic(message)`, typed.
fn failing_arm(message: &str, result: Ty, scrutinee: Ty, span: mesh_ir::Span) -> Arm {
    let typed = |kind, ty| Expr {
        kind,
        span,
        ty: Some(ty),
    };
    let callee = typed(
        ExprKind::Global("Kernel.panic".into()),
        Ty::Fun(vec![Ty::String], Box::new(Ty::Never)),
    );
    let msg = typed(
        ExprKind::Str(vec![StrPart::Text(message.into())]),
        Ty::String,
    );
    let call = typed(
        ExprKind::Call {
            callee: Box::new(callee),
            args: vec![Arg {
                name: None,
                value: msg,
            }],
        },
        result,
    );
    let mut pat = Pat::new(PatKind::Wild, span);
    pat.ty = Some(scrutinee);
    Arm {
        pat,
        guard: None,
        body: vec![Stmt {
            kind: StmtKind::Expr(call),
            span,
        }],
        span,
    }
}

/// Reports redundant arms, and a non-exhaustive match unless it may be `partial`;
/// returns the missing patterns when it is not exhaustive.
fn check(
    defs: &TypeDefs,
    t: Ty,
    arms: &[Arm],
    partial: bool,
    span: mesh_ir::Span,
    cx: &mut PassCx,
) -> Option<Vec<String>> {
    let mut rows: Vec<Vec<P>> = Vec::new();
    for arm in arms {
        let alts: Vec<Vec<P>> = lower(&arm.pat).into_iter().map(|p| vec![p]).collect();
        if !alts
            .iter()
            .any(|q| useful(defs, &rows, q, std::slice::from_ref(&t)))
        {
            cx.emit(
                Diagnostic::warning(
                    "redundant match arm",
                    "redundant match arm: no value reaches it",
                    arm.pat.span,
                )
                .with_code("W0001"),
            );
        }
        if arm.guard.is_none() {
            rows.extend(alts);
        }
    }
    let w = missing(defs, &rows, std::slice::from_ref(&t))?;
    if !partial {
        cx.emit(
            Diagnostic::error(
                "non-exhaustive match",
                format!(
                    "non-exhaustive match on `{t}`: missing patterns [{}]",
                    w.join(", ")
                ),
                span,
            )
            .with_code("E0012")
            .with_note("add an arm for the missing values, or a final `_ -> …` arm"),
        );
    }
    Some(w)
}
