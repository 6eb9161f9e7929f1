//! `monomorphise : typed -> mono` — one copy of each generic function per set of type
//! arguments it is used at (spec 02 §1: no runtime type information). Starting from
//! `main`, each reached function is copied with its type parameters substituted; a
//! reference to a generic function is matched against the function's scheme to find its
//! type arguments and renamed to the instance (`Main.first[Int, String]`). Compiler-known
//! traits needed by operators and interpolation are checked on the now-concrete types
//! (spec 02 §3.2: "type `T` does not satisfy trait `Add`"). Only reached functions
//! remain. Paper: `papers/monomorphise.md`.

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::surface::*;
use mesh_ir::types::{Ty, TypeDefKind, TypeDefs};
use mesh_ir::Span;
use std::collections::{HashMap, VecDeque};

pub struct Monomorphise;

type Key = (String, usize, Vec<Ty>);

impl Pass for Monomorphise {
    const NAME: &'static str = "monomorphise";
    type In = Typed;
    type Out = Mono;
    fn run(&self, Typed(p, defs): Typed, cx: &mut PassCx) -> Mono {
        // generic definitions by (global name, arity)
        let mut generic: HashMap<(String, usize), (usize, FnDef)> = HashMap::new();
        for (mi, m) in p.modules.iter().enumerate() {
            for it in &m.items {
                if let ItemKind::Fn(f) = &it.kind {
                    if f.external.is_some() {
                        // declarations without a body stay as they are, uninstantiated
                        // (their calls keep the plain name)
                        continue;
                    }
                    generic.insert(
                        (format!("{}.{}", m.name, f.name), f.params.len()),
                        (mi, f.clone()),
                    );
                }
            }
        }
        let mut out = p.clone();
        for m in &mut out.modules {
            m.items
                .retain(|it| !matches!(&it.kind, ItemKind::Fn(f) if f.external.is_none()));
        }
        let mut mono = Mono_ {
            generic: &generic,
            instances: HashMap::new(),
            queue: VecDeque::new(),
            defs: &defs,
            cx,
            bad_key_reported: false,
            used_at: HashMap::new(),
            current: None,
        };
        let entry = ("Main.main".to_string(), 0, vec![]);
        if generic.contains_key(&(entry.0.clone(), 0)) {
            mono.instance(&entry);
        }
        // methods of impls for concrete types: reachable through derived code and
        // conversions as well as calls, so they are always instantiated
        let mut roots: Vec<Key> = defs
            .impls
            .iter()
            .flat_map(|i| i.methods.values())
            .filter_map(|g| {
                generic
                    .iter()
                    .find(|((n, _), (_, f))| {
                        n == g && f.sig.as_ref().is_some_and(|s| !s.has_params())
                    })
                    .map(|((n, a), _)| (n.clone(), *a, vec![]))
            })
            .collect();
        roots.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        roots.dedup();
        for r in roots {
            mono.instance(&r);
        }
        while let Some((key, name)) = mono.queue.pop_front() {
            let (mi, f) = &generic[&(key.0.clone(), key.1)];
            let mut f = f.clone();
            f.name = name;
            mono.current = Some(key.clone());
            mono.substitute(&mut f, &key.2);
            out.modules[*mi].items.push(Item {
                span: f.span,
                kind: ItemKind::Fn(f),
            });
        }
        Mono(out, defs)
    }
}

struct Mono_<'a> {
    generic: &'a HashMap<(String, usize), (usize, FnDef)>,
    instances: HashMap<Key, String>,
    queue: VecDeque<(Key, String)>,
    defs: &'a TypeDefs,
    cx: &'a mut PassCx,
    /// A map key type that is not `Int`/`String`/`Bool` was reported (once per program).
    bad_key_reported: bool,
    /// Where each instance was first asked for (for errors found inside it).
    used_at: HashMap<Key, Span>,
    /// The instance being made.
    current: Option<Key>,
}

/// `first[Int, String]`: the instance's name inside its module.
fn instance_name(base: &str, args: &[Ty]) -> String {
    if args.is_empty() {
        base.to_string()
    } else {
        format!(
            "{base}[{}]",
            args.iter()
                .map(|t| t.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Binds the parameters of `scheme` by matching it against `concrete`.
fn match_ty(scheme: &Ty, concrete: &Ty, out: &mut Vec<Option<Ty>>) {
    match (scheme, concrete) {
        (Ty::Param(i), t) => {
            let i = *i as usize;
            if out.len() <= i {
                out.resize(i + 1, None);
            }
            out[i].get_or_insert_with(|| t.clone());
        }
        (Ty::Fun(ps, r), Ty::Fun(qs, s)) => {
            ps.iter().zip(qs).for_each(|(a, b)| match_ty(a, b, out));
            match_ty(r, s, out);
        }
        (Ty::Tuple(a), Ty::Tuple(b)) | (Ty::Con(_, a), Ty::Con(_, b)) => {
            a.iter().zip(b).for_each(|(x, y)| match_ty(x, y, out))
        }
        _ => {}
    }
}

impl Mono_<'_> {
    /// The instance name for `key`, queueing it the first time.
    fn instance(&mut self, key: &Key) -> String {
        if let Some(n) = self.instances.get(key) {
            return n.clone();
        }
        let base = key.0.rsplit('.').next().unwrap_or(&key.0);
        let name = instance_name(base, &key.2);
        self.instances.insert(key.clone(), name.clone());
        self.queue.push_back((key.clone(), name.clone()));
        name
    }

    fn substitute(&mut self, f: &mut FnDef, args: &[Ty]) {
        if let Some(s) = &f.sig {
            f.sig = Some(s.subst(args));
        }
        for p in &mut f.params {
            subst_pat(&mut p.pat, args);
        }
        visit::fn_exprs_mut(f, &mut |e| {
            if let Some(t) = &e.ty {
                e.ty = Some(t.subst(args));
            }
            if let ExprKind::Case { arms, .. } = &mut e.kind {
                arms.iter_mut().for_each(|a| subst_pat(&mut a.pat, args));
            }
            if let ExprKind::For { pat, .. } = &mut e.kind {
                subst_pat(pat, args);
            }
            if let ExprKind::Closure(cs) = &mut e.kind {
                cs.iter_mut()
                    .flat_map(|c| c.params.iter_mut())
                    .for_each(|p| subst_pat(&mut p.pat, args));
            }
            self.rewrite(e);
        });
        visit::block_blocks_mut(&mut f.body, &mut |b| {
            for s in b.iter_mut() {
                if let StmtKind::Let { pat, .. } = &mut s.kind {
                    subst_pat(pat, args);
                }
            }
        });
    }

    /// Points references to generic functions at their instances; checks traits.
    fn rewrite(&mut self, e: &mut Expr) {
        let span = e.span;
        // a method call left generic by `infer` (a `where`-bounded receiver): its
        // receiver is concrete now, so the impl is known
        if let ExprKind::Call { callee, args } = &mut e.kind {
            if let ExprKind::Field(recv, m) = &callee.kind {
                let rt = recv.ty.clone().unwrap_or(Ty::Unit);
                // `x.into()` / `x.try_into()`: the `From` / `TryFrom` impl of the target
                let conversion = match (m.as_str(), &e.ty) {
                    ("into", Some(target)) => self
                        .defs
                        .impl_for("From", target, Some(std::slice::from_ref(&rt)))
                        .and_then(|i| i.methods.get("from"))
                        .cloned()
                        .ok_or(("From", target.clone())),
                    ("try_into", Some(Ty::Con(_, ra))) if !ra.is_empty() => self
                        .defs
                        .impl_for("TryFrom", &ra[0], Some(std::slice::from_ref(&rt)))
                        .and_then(|i| i.methods.get("try_from"))
                        .cloned()
                        .ok_or(("TryFrom", ra[0].clone())),
                    _ => Err(("", Ty::Unit)),
                };
                let found = match conversion {
                    Ok(f) => Some(f),
                    Err((tr, target)) if !tr.is_empty() => {
                        self.cx.emit(Diagnostic::error("trait not satisfied", format!("no `impl {tr}<{rt}> for {target}`: cannot convert `{rt}` into `{target}`"), span).with_code("E0006"));
                        None
                    }
                    _ => self.defs.method_for(&rt, m).map(|(_, f)| f.clone()),
                };
                if found.is_none() {
                    // a method of a user interface on a type without that impl (the
                    // bound was implicit: `impl Describe for Box<T>` used at `Box<Float>`)
                    let field = matches!(&rt, Ty::Con(k, _) if matches!(
                        self.defs.types.get(k).map(|d| &d.kind),
                        Some(TypeDefKind::Struct(fs)) if fs.iter().any(|(n, _)| n == m)));
                    let declared = self.defs.impls.iter().find(|i| i.methods.contains_key(m));
                    if let (false, Some(i)) = (field, declared) {
                        let tr = i.trait_.clone();
                        let mut d = Diagnostic::error(
                            "trait not satisfied",
                            format!("type `{rt}` does not implement `{tr}`: no method `{m}`"),
                            span,
                        )
                        .with_code("E0006");
                        if let Some(k) = &self.current {
                            if let Some(at) = self.used_at.get(k) {
                                let name = k.0.rsplit('.').next().unwrap_or(&k.0);
                                let args: Vec<String> = k.2.iter().map(|t| t.to_string()).collect();
                                d = d.with_secondary(
                                    *at,
                                    format!("`{name}` used here with [{}]", args.join(", ")),
                                );
                            }
                        }
                        self.cx.emit(d);
                    }
                }
                if let Some(f) = found {
                    let ExprKind::Field(recv, _) =
                        std::mem::replace(&mut callee.kind, ExprKind::Unit)
                    else {
                        unreachable!()
                    };
                    let mut ft_params = vec![rt.clone()];
                    if let Some(Ty::Fun(ps, _)) = &callee.ty {
                        ft_params.extend(ps.iter().cloned());
                    }
                    let ret = e.ty.clone().unwrap_or(Ty::Unit);
                    callee.ty = Some(Ty::Fun(ft_params, Box::new(ret)));
                    callee.kind = ExprKind::Global(f);
                    args.insert(
                        0,
                        Arg {
                            name: None,
                            value: *recv,
                        },
                    );
                    self.rewrite(callee);
                }
            }
        }
        match &mut e.kind {
            ExprKind::Global(g) => {
                if let Some(k) = e.ty.as_ref().and_then(bad_map_key) {
                    if !self.bad_key_reported {
                        self.bad_key_reported = true;
                        self.cx.emit(
                            Diagnostic::error(
                                "trait not satisfied",
                                format!(
                                    "type `{k}` cannot be a map key: map keys are `Int`, `String` or `Bool` (spec 03 §5)"
                                ),
                                span,
                            )
                            .with_code("E0006"),
                        );
                    }
                }
                let Some(Ty::Fun(ps, _)) = &e.ty else { return };
                let arity = ps.len();
                let Some((_, def)) = self.generic.get(&(g.clone(), arity)) else {
                    return;
                };
                let mut targs = Vec::new();
                if let Some(s) = &def.sig {
                    match_ty(s, e.ty.as_ref().unwrap(), &mut targs);
                }
                let targs: Vec<Ty> = targs.into_iter().map(|t| t.unwrap_or(Ty::Unit)).collect();
                let module = g.rsplit_once('.').map(|x| x.0).unwrap_or("").to_string();
                let key = (g.clone(), arity, targs);
                self.used_at.entry(key.clone()).or_insert(span);
                let name = self.instance(&key);
                *g = format!("{module}.{name}");
            }
            ExprKind::Binary(op, a, _) => {
                let t = a.ty.clone().unwrap_or(Ty::Unit);
                let need = match op {
                    BinOp::Eq | BinOp::Ne => Some("Eq"),
                    BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => Some("Ord"),
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => Some("Num"),
                    _ => None,
                };
                if let Some(tr) = need {
                    self.check(&t, tr, span);
                }
            }
            ExprKind::Try(_, Some(g)) => {
                // the `From` conversion of `?` is a plain, non-generic function
                let name = self.instance(&(g.clone(), 1, vec![]));
                let module = g.rsplit_once('.').map(|x| x.0).unwrap_or("").to_string();
                *g = format!("{module}.{name}");
            }
            ExprKind::Str(parts) => {
                let tys: Vec<(Ty, Span)> = parts
                    .iter()
                    .filter_map(|p| match p {
                        StrPart::Interp(x) => Some((x.ty.clone().unwrap_or(Ty::Unit), x.span)),
                        _ => None,
                    })
                    .collect();
                for (t, s) in tys {
                    self.check(&t, "Display", s);
                }
            }
            _ => {}
        }
    }

    fn check(&mut self, t: &Ty, trait_: &str, span: Span) {
        if !satisfies(self.defs, t, trait_) {
            let shown = if trait_ == "Num" {
                "Add".to_string()
            } else {
                trait_.to_string()
            };
            self.cx.emit(
                Diagnostic::error(
                    "trait not satisfied",
                    format!("type `{t}` does not satisfy trait `{shown}`"),
                    span,
                )
                .with_code("E0006"),
            );
        }
    }
}

/// Whether a concrete type has a compiler-known trait (built in or derived).
/// A concrete key type of a `Map` inside `t` that maps cannot hash (spec 03 §5: keys
/// are `Int` or `String`; `Bool`, `Atom` and `DateTime` are words too).
fn bad_map_key(t: &Ty) -> Option<Ty> {
    match t {
        Ty::Con(m, args) if m == "Map" && args.len() == 2 => {
            let ok = match &args[0] {
                Ty::Int | Ty::String | Ty::Bool | Ty::Unit => true,
                Ty::Con(k, _) => k == "Atom" || k == "DateTime",
                Ty::Param(_) | Ty::Var(_) => true,
                _ => false,
            };
            if ok {
                args.iter().find_map(bad_map_key)
            } else {
                Some(args[0].clone())
            }
        }
        Ty::Fun(ps, r) => ps.iter().chain([r.as_ref()]).find_map(bad_map_key),
        Ty::Tuple(ts) | Ty::Con(_, ts) => ts.iter().find_map(bad_map_key),
        _ => None,
    }
}

pub fn satisfies(defs: &TypeDefs, t: &Ty, trait_: &str) -> bool {
    let user = if trait_ == "Num" { "Add" } else { trait_ };
    if defs.impl_for(user, t, None).is_some() {
        return true;
    }
    match t {
        Ty::Int | Ty::Float | Ty::Never => true,
        Ty::String => trait_ != "Num",
        Ty::Bool => trait_ == "Eq" || trait_ == "Display" || trait_ == "Debug" || trait_ == "Hash",
        Ty::Unit => matches!(trait_, "Eq" | "Display" | "Debug"),
        // process ids print as `<0.N>` and compare as numbers (spec 04 §1)
        Ty::Con(key, _) if key == "Pid" => !matches!(trait_, "Num" | "Json"),
        Ty::Con(key, _) if key == "Json" => matches!(trait_, "Display" | "Debug" | "Json"),
        Ty::Con(key, args)
            if trait_ == "Json" && matches!(key.as_str(), "List" | "Option" | "Map") =>
        {
            args.iter().all(|a| satisfies(defs, a, trait_))
        }
        Ty::Con(key, args) if matches!(key.as_str(), "List" | "Map" | "Set") => {
            trait_ != "Num" && trait_ != "Hash" && args.iter().all(|a| satisfies(defs, a, trait_))
        }
        Ty::Con(key, args) => {
            if trait_ == "Num" {
                return false;
            }
            match defs.types.get(key) {
                Some(def) => {
                    let builtin = matches!(key.as_str(), "Option" | "Result" | "Ordering")
                        && trait_ != "Display";
                    (builtin || def.derives(trait_))
                        && args.iter().all(|a| satisfies(defs, a, trait_))
                }
                None => key == "List" && args.iter().all(|a| satisfies(defs, a, trait_)),
            }
        }
        _ => false,
    }
}

fn subst_pat(p: &mut Pat, args: &[Ty]) {
    if let Some(t) = &p.ty {
        p.ty = Some(t.subst(args));
    }
    match &mut p.kind {
        PatKind::Tuple(ps)
        | PatKind::Brace(ps)
        | PatKind::Or(ps)
        | PatKind::Variant { args: ps, .. } => ps.iter_mut().for_each(|q| subst_pat(q, args)),
        PatKind::As(q, _) => subst_pat(q, args),
        PatKind::Cons(h, t) => {
            subst_pat(h, args);
            subst_pat(t, args);
        }
        _ => {}
    }
}
