//! `infer : desugared -> typed` — Damas–Milner type inference (spec 02 §3) over `ena`
//! union-find variables, with algebraic data types (§2.4–2.7) and numeric-constrained
//! variables for the arithmetic operators.
//!
//! Outline (Damas & Milner 1982, algorithm W with in-place substitution):
//! 1. `env.rs` collects every struct and sum type, checks deriving clauses and
//!    translates written types;
//! 2. the module-level functions are split into binding groups — the strongly
//!    connected components of the call graph (Tarjan, via petgraph) — and the groups are
//!    inferred callees first. Inside a group functions are monomorphic (so mutual
//!    recursion works); after it, the group's free type variables are generalised into
//!    `Ty::Param`s and every use elsewhere instantiates them afresh (spec 02 §3.2);
//! 3. errors go to the sink and inference continues with the expected type, so
//!    independent errors are all reported; then every type is zonked. Leftover numeric
//!    variables default to `Int`, other leftovers to `()` (they cannot be observed).
//!
//! Paper: `papers/infer.md`.

mod env;
mod expr;
mod unify;

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use env::Env;
use mesh_ir::surface::*;
use mesh_ir::types::Ty;
use mesh_ir::Span;
use petgraph::graph::DiGraph;
use std::collections::{HashMap, HashSet};
use unify::Table;

pub use env::type_key;

pub struct Infer;

/// A generalised type: `Param(i)` are quantified; those in `numeric` are Int or Float.
#[derive(Clone, Debug)]
pub struct Scheme {
    pub ty: Ty,
    pub numeric: HashSet<u32>,
}

impl Pass for Infer {
    const NAME: &'static str = "infer";
    type In = Desugared;
    type Out = Typed;
    fn run(&self, Desugared(mut p): Desugared, cx: &mut PassCx) -> Typed {
        let env = Env::build(&p, cx);
        let mut inf = Inferer {
            table: Table::default(),
            env,
            globals: HashMap::new(),
            scopes: Vec::new(),
            ret: Vec::new(),
            module: String::new(),
            current_fn: String::new(),
            interfaces: HashMap::new(),
            sig_bounds: HashMap::new(),
            bounds: Vec::new(),
            actor_msg: None,
            cx,
        };
        // the functions of the program, and what is not supported yet
        let mut fns: Vec<(usize, usize)> = Vec::new();
        for (mi, m) in p.modules.iter().enumerate() {
            for (ii, it) in m.items.iter().enumerate() {
                match &it.kind {
                    ItemKind::Fn(f) if f.external.is_some() => {}
                    ItemKind::Fn(_) => fns.push((mi, ii)),
                    ItemKind::Import(_)
                    | ItemKind::FromImport { .. }
                    | ItemKind::Struct(_)
                    | ItemKind::SumType(_)
                    | ItemKind::ExternType { .. }
                    | ItemKind::TypeAlias { .. } => {}
                    ItemKind::Interface(i) => {
                        inf.interfaces.insert(i.name.clone(), i.clone());
                    }
                    ItemKind::Impl(imp) => {
                        inf.module = m.name.clone();
                        let info = inf.impl_info(&m.name, imp);
                        inf.env.defs.impls.push(info);
                    }
                    other => inf.unsupported(item_word(other), it.span),
                }
            }
        }
        let key = |p: &Program, (mi, ii): (usize, usize)| match &p.modules[mi].items[ii].kind {
            ItemKind::Fn(f) => (format!("{}.{}", p.modules[mi].name, f.name), f.params.len()),
            _ => unreachable!(),
        };
        // the standard library's functions without a body (decision 47): their written
        // signature is their scheme; `where T: Number` makes `T` Int or Float
        for m in p.modules.iter_mut() {
            inf.module = m.name.clone();
            for it in m.items.iter_mut() {
                if let ItemKind::Fn(f) = &mut it.kind {
                    if f.external.is_some() {
                        let scheme = inf.external_scheme(f);
                        f.sig = Some(scheme.ty.clone());
                        inf.declare(format!("{}.{}", m.name, f.name), scheme);
                    }
                }
            }
        }
        // fully annotated functions (impl methods, typically) are known before any body,
        // since method calls and operators reach them without a `Global` reference
        for &(mi, ii) in &fns {
            inf.module = p.modules[mi].name.clone();
            let ItemKind::Fn(f) = &p.modules[mi].items[ii].kind else {
                unreachable!()
            };
            let sig = inf.signature(f);
            let annotated = f.ret.is_some() && f.params.iter().all(|p| p.ty.is_some());
            if !sig.has_vars() {
                inf.declare(
                    format!("{}.{}", p.modules[mi].name, f.name),
                    Scheme {
                        ty: sig,
                        numeric: HashSet::new(),
                    },
                );
            } else if annotated && !f.actor {
                // a generic annotated signature (`self :: Box<T>` in an impl) is its
                // scheme: its type variables are the named parameters
                let (mut params, mut numeric) = (HashMap::new(), HashSet::new());
                let ty = inf.generalise(&sig, &mut params, &mut numeric);
                inf.declare(
                    format!("{}.{}", p.modules[mi].name, f.name),
                    Scheme { ty, numeric },
                );
            }
        }
        // binding groups: SCCs of the call graph, callees first
        let mut graph = DiGraph::<usize, ()>::new();
        let nodes: Vec<_> = (0..fns.len()).map(|i| graph.add_node(i)).collect();
        let by_name: HashMap<String, Vec<usize>> =
            fns.iter()
                .enumerate()
                .fold(HashMap::new(), |mut acc, (i, f)| {
                    acc.entry(key(&p, *f).0).or_default().push(i);
                    acc
                });
        for (i, &(mi, ii)) in fns.iter().enumerate() {
            let mut refs = Vec::new();
            if let ItemKind::Fn(f) = &mut p.modules[mi].items[ii].kind {
                visit::fn_exprs_mut(f, &mut |e| {
                    if let ExprKind::Global(g) = &e.kind {
                        refs.push(g.clone());
                    }
                });
            }
            for r in refs {
                for &j in by_name.get(&r).into_iter().flatten() {
                    graph.add_edge(nodes[i], nodes[j], ());
                }
            }
        }
        // callees first; the library's groups before the program's, since calls reach
        // library functions through `++` and method syntax as well as by name
        let mut sccs = petgraph::algo::tarjan_scc(&graph);
        let is_library = |scc: &Vec<petgraph::graph::NodeIndex>| {
            scc.iter().all(|n| p.modules[fns[graph[*n]].0].library)
        };
        sccs.sort_by_key(|scc| !is_library(scc));
        for scc in sccs {
            let members: Vec<usize> = scc.iter().map(|n| graph[*n]).collect();
            let mut sigs = Vec::new();
            for &i in &members {
                let (mi, ii) = fns[i];
                inf.module = p.modules[mi].name.clone();
                let ItemKind::Fn(f) = &p.modules[mi].items[ii].kind else {
                    unreachable!()
                };
                let sig = inf.signature(f);
                inf.declare(
                    key(&p, fns[i]).0,
                    Scheme {
                        ty: sig.clone(),
                        numeric: HashSet::new(),
                    },
                );
                sigs.push(sig);
            }
            for (&i, sig) in members.iter().zip(&sigs) {
                let (mi, ii) = fns[i];
                inf.module = p.modules[mi].name.clone();
                let ItemKind::Fn(f) = &mut p.modules[mi].items[ii].kind else {
                    unreachable!()
                };
                inf.fn_body(f, sig);
            }
            // `main` is not generic: what its last expression leaves open (the `Pid<M>`
            // of an actor that receives nothing, …) is `()`
            for (&i, sig) in members.iter().zip(&sigs) {
                if key(&p, fns[i]).0 == "Main.main" {
                    let empty = HashMap::new();
                    inf.finish(sig, &empty);
                }
            }
            // generalise the group
            let mut params: HashMap<u32, u32> = HashMap::new();
            let mut numeric = HashSet::new();
            let schemes: Vec<Ty> = sigs
                .iter()
                .map(|s| inf.generalise(s, &mut params, &mut numeric))
                .collect();
            for (&i, scheme) in members.iter().zip(schemes) {
                let (name, arity) = key(&p, fns[i]);
                let slot = inf.globals.get_mut(&name).unwrap();
                if let Some(s) = slot
                    .iter_mut()
                    .find(|s| matches!(&s.ty, Ty::Fun(ps, _) if ps.len() == arity))
                {
                    *s = Scheme {
                        ty: scheme.clone(),
                        numeric: numeric.clone(),
                    };
                }
                let (mi, ii) = fns[i];
                let ItemKind::Fn(f) = &mut p.modules[mi].items[ii].kind else {
                    unreachable!()
                };
                f.sig = Some(scheme);
                inf.zonk_fn(f, &params);
            }
        }
        let defs = std::mem::take(&mut inf.env.defs);
        Typed(p, defs)
    }
}

/// The message type of `f` when it is an actor (its result is `Pid<M>`).
fn actor_message(f: &FnDef, ret: &Ty) -> Option<Ty> {
    match ret {
        Ty::Con(k, args) if f.actor && k == "Pid" && args.len() == 1 => Some(args[0].clone()),
        _ => None,
    }
}

fn item_word(k: &ItemKind) -> &'static str {
    match k {
        ItemKind::Interface(_) => "`interface` definitions",
        ItemKind::Impl(_) => "`impl` blocks",
        ItemKind::Actor(_) => "`actor` definitions",
        ItemKind::Service(_) => "`service` definitions",
        ItemKind::Supervisor(_) => "`supervisor` definitions",
        ItemKind::Module { .. } => "inline `module` blocks",
        ItemKind::Stmt(_) => "statements at top level",
        _ => "this definition",
    }
}

pub(crate) struct Inferer<'a> {
    table: Table,
    env: Env,
    /// Module-level functions by full name; one scheme per arity.
    globals: HashMap<String, Vec<Scheme>>,
    scopes: Vec<HashMap<String, Ty>>,
    /// Return types of the enclosing functions (for `return`).
    ret: Vec<Ty>,
    /// The module whose code is being inferred (for name visibility).
    module: String,
    /// The function whose body is being inferred (for messages).
    current_fn: String,
    /// `interface` definitions by name.
    interfaces: HashMap<String, InterfaceDef>,
    /// `where` bounds by function: (type variable, trait).
    sig_bounds: HashMap<String, Vec<(Ty, String)>>,
    /// The bounds of the function being inferred.
    bounds: Vec<(Ty, String)>,
    /// The message type of the actor whose body is being inferred (spec 04 §2).
    actor_msg: Option<Ty>,
    cx: &'a mut PassCx,
}

impl Inferer<'_> {
    fn unsupported(&mut self, what: &str, span: Span) {
        self.cx.emit(Diagnostic::error(
            "unsupported",
            format!("{what} are not supported by this compiler yet"),
            span,
        ));
    }

    fn signature(&mut self, f: &FnDef) -> Ty {
        // `<T>` names (and any name not otherwise known) map to one fresh variable each
        let mut named: HashMap<String, Ty> = HashMap::new();
        for g in &f.generics {
            named.insert(g.clone(), self.table.fresh());
        }
        let ps = f
            .params
            .iter()
            .map(|p| self.annotation(p.ty.as_ref(), &mut named))
            .collect();
        let r = if f.actor {
            // an actor's result is its process id, typed by its message type (spec 04 §2)
            Ty::Con("Pid".into(), vec![self.table.fresh()])
        } else {
            self.annotation(f.ret.as_ref(), &mut named)
        };
        self.record_bounds(f, &named);
        Ty::Fun(ps, Box::new(r))
    }

    /// The `where` bounds of `f` over its named type variables, for its calls.
    fn record_bounds(&mut self, f: &FnDef, named: &HashMap<String, Ty>) {
        let mut bounds = Vec::new();
        for b in &f.bounds {
            if let Some(v) = named.get(&b.var) {
                for t in &b.traits {
                    if let TypeKind::Named { path, .. } = &t.kind {
                        bounds.push((v.clone(), path.join(".")));
                    }
                }
            }
        }
        self.sig_bounds
            .insert(format!("{}.{}", self.module, f.name), bounds);
    }

    /// The scheme of an `@extern`/`@intrinsic` declaration: its annotations, generalised
    /// over its `<T…>`; a `where T: Number` bound makes `T` numeric.
    fn external_scheme(&mut self, f: &mut FnDef) -> Scheme {
        let numbers: Vec<String> = f
            .bounds
            .iter()
            .filter(|b| {
                b.traits.iter().any(
                    |t| matches!(&t.kind, TypeKind::Named { path, .. } if path.len() == 1 && path[0] == "Number"),
                )
            })
            .map(|b| b.var.clone())
            .collect();
        f.bounds.retain(|b| !numbers.contains(&b.var));
        let mut named: HashMap<String, Ty> = HashMap::new();
        for g in &f.generics {
            let v = self.table.fresh();
            if numbers.contains(g) {
                let _ = self.table.constrain_numeric(&v);
            }
            named.insert(g.clone(), v);
        }
        let ps: Vec<Ty> = f
            .params
            .iter()
            .map(|p| self.annotation(p.ty.as_ref(), &mut named))
            .collect();
        let r = self.annotation(f.ret.as_ref(), &mut named);
        if f.external == Some(External::Constant) {
            let (mut params, mut numeric) = (HashMap::new(), HashSet::new());
            let ty = self.generalise(&r, &mut params, &mut numeric);
            return Scheme { ty, numeric };
        }
        self.record_bounds(f, &named);
        let (mut params, mut numeric) = (HashMap::new(), HashSet::new());
        let ty = self.generalise(&Ty::Fun(ps, Box::new(r)), &mut params, &mut numeric);
        Scheme { ty, numeric }
    }

    /// Records (or replaces) the scheme of a global function of this arity.
    fn declare(&mut self, name: String, s: Scheme) {
        let arity = |t: &Ty| if let Ty::Fun(ps, _) = t { ps.len() } else { 0 };
        let slot = self.globals.entry(name).or_default();
        match slot.iter_mut().find(|x| arity(&x.ty) == arity(&s.ty)) {
            Some(x) => *x = s,
            None => slot.push(s),
        }
    }

    /// An impl block's entry in the impl table.
    fn impl_info(&mut self, module: &str, imp: &ImplDef) -> mesh_ir::types::ImplInfo {
        let mut none = HashMap::new();
        let for_ty = self.annotation(Some(&imp.for_ty), &mut none);
        let trait_args = imp
            .trait_args
            .iter()
            .map(|t| self.annotation(Some(t), &mut none))
            .collect();
        let assoc = imp
            .assoc
            .iter()
            .map(|(n, t)| (n.clone(), self.annotation(Some(t), &mut none)))
            .collect();
        mesh_ir::types::ImplInfo {
            trait_: imp.trait_path.last().cloned().unwrap_or_default(),
            trait_args,
            for_ty,
            methods: imp
                .lifted
                .iter()
                .map(|(m, f)| (m.clone(), format!("{module}.{f}")))
                .collect(),
            assoc,
        }
    }

    fn annotation(&mut self, t: Option<&TypeExpr>, named: &mut HashMap<String, Ty>) -> Ty {
        match t {
            None => self.table.fresh(),
            Some(t) => {
                let module = self.module.clone();
                let table = &mut self.table;
                let env = &self.env;
                env.resolve_with(
                    &module,
                    t,
                    &mut |n| {
                        named.get(n).cloned().or_else(|| {
                            (n.len() == 1 && n.chars().all(|c| c.is_ascii_uppercase())).then(|| {
                                let v = table.fresh();
                                named.insert(n.to_string(), v.clone());
                                v
                            })
                        })
                    },
                    self.cx,
                )
            }
        }
    }

    /// A written type inside a body (`let x :: T`), with no type variables in scope.
    fn type_expr(&mut self, t: &TypeExpr) -> Ty {
        let mut named = HashMap::new();
        self.annotation(Some(t), &mut named)
    }

    pub(crate) fn show(&mut self, t: &Ty) -> String {
        let z = self.table.zonk(t);
        match z {
            Ty::Var(v) if self.table.is_numeric_var(v) => "a number".into(),
            Ty::Var(_) => "an unknown type".into(),
            z => format!("`{z}`"),
        }
    }

    /// Unifies `found` with `expected`; on failure reports a mismatch at `span`.
    fn expect(&mut self, expected: &Ty, found: &Ty, span: Span, what: &str) {
        if let Err(m) = self.table.unify(expected, found) {
            let (e, f) = (self.show(expected), self.show(found));
            let msg = match m {
                unify::Mismatch::Occurs => {
                    format!("infinite type: {f} would have to contain itself ({what})")
                }
                _ if what.is_empty() => format!("type mismatch: expected {e}, found {f}"),
                _ => format!("type mismatch: expected {e}, found {f} ({what})"),
            };
            self.cx.emit(
                Diagnostic::error("type mismatch", msg, span)
                    .with_code("E0001")
                    .with_label(format!("this is {f}")),
            );
        }
    }

    fn lookup(&self, n: &str) -> Option<Ty> {
        self.scopes.iter().rev().find_map(|s| s.get(n).cloned())
    }

    fn bind(&mut self, n: &str, t: Ty) {
        self.scopes.last_mut().unwrap().insert(n.to_string(), t);
    }

    fn instantiate(&mut self, s: &Scheme) -> Ty {
        let mut fresh: HashMap<u32, Ty> = HashMap::new();
        fn go(t: &Ty, s: &Scheme, fresh: &mut HashMap<u32, Ty>, table: &mut Table) -> Ty {
            match t {
                Ty::Param(i) => fresh
                    .entry(*i)
                    .or_insert_with(|| {
                        let v = table.fresh();
                        if s.numeric.contains(i) {
                            let _ = table.constrain_numeric(&v);
                        }
                        v
                    })
                    .clone(),
                Ty::Fun(ps, r) => Ty::Fun(
                    ps.iter().map(|p| go(p, s, fresh, table)).collect(),
                    Box::new(go(r, s, fresh, table)),
                ),
                Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(|p| go(p, s, fresh, table)).collect()),
                Ty::Con(n, ts) => Ty::Con(
                    n.clone(),
                    ts.iter().map(|p| go(p, s, fresh, table)).collect(),
                ),
                t => t.clone(),
            }
        }
        go(&s.ty, s, &mut fresh, &mut self.table)
    }

    /// Instantiates a type definition's parameters with fresh variables.
    fn fresh_args(&mut self, key: &str) -> Vec<Ty> {
        let n = self.env.defs.types[key].params.len();
        (0..n).map(|_| self.table.fresh()).collect()
    }

    /// Replaces the free variables of `t` by parameters (shared across a binding group).
    fn generalise(
        &mut self,
        t: &Ty,
        params: &mut HashMap<u32, u32>,
        numeric: &mut HashSet<u32>,
    ) -> Ty {
        match self.table.zonk(t) {
            Ty::Var(v) => {
                let n = params.len() as u32;
                let p = *params.entry(v).or_insert(n);
                if self.table.is_numeric_var(v) {
                    numeric.insert(p);
                }
                Ty::Param(p)
            }
            Ty::Fun(ps, r) => Ty::Fun(
                ps.iter()
                    .map(|x| self.generalise(x, params, numeric))
                    .collect(),
                Box::new(self.generalise(&r, params, numeric)),
            ),
            Ty::Tuple(ts) => Ty::Tuple(
                ts.iter()
                    .map(|x| self.generalise(x, params, numeric))
                    .collect(),
            ),
            Ty::Con(n, ts) => Ty::Con(
                n,
                ts.iter()
                    .map(|x| self.generalise(x, params, numeric))
                    .collect(),
            ),
            t => t,
        }
    }

    /// Final types inside a function: its scheme's variables become its parameters,
    /// numeric leftovers `Int`, other leftovers `()`.
    fn finish(&mut self, t: &Ty, params: &HashMap<u32, u32>) -> Ty {
        match self.table.zonk(t) {
            Ty::Var(v) => match params.get(&v) {
                Some(p) => Ty::Param(*p),
                None if self.table.is_numeric_var(v) => {
                    let _ = self.table.unify(&Ty::Var(v), &Ty::Int);
                    Ty::Int
                }
                None => {
                    let _ = self.table.unify(&Ty::Var(v), &Ty::Unit);
                    Ty::Unit
                }
            },
            Ty::Fun(ps, r) => Ty::Fun(
                ps.iter().map(|x| self.finish(x, params)).collect(),
                Box::new(self.finish(&r, params)),
            ),
            Ty::Tuple(ts) => Ty::Tuple(ts.iter().map(|x| self.finish(x, params)).collect()),
            Ty::Con(n, ts) => Ty::Con(n, ts.iter().map(|x| self.finish(x, params)).collect()),
            t => t,
        }
    }

    fn finish_pat(&mut self, p: &mut Pat, params: &HashMap<u32, u32>) {
        if let Some(t) = &p.ty {
            p.ty = Some(self.finish(t, params));
        }
        match &mut p.kind {
            PatKind::Tuple(ps)
            | PatKind::Brace(ps)
            | PatKind::Or(ps)
            | PatKind::Variant { args: ps, .. } => {
                ps.iter_mut().for_each(|q| self.finish_pat(q, params))
            }
            PatKind::Ctor { args: Some(ps), .. } => {
                ps.iter_mut().for_each(|q| self.finish_pat(q, params))
            }
            PatKind::As(q, _) => self.finish_pat(q, params),
            PatKind::Cons(h, t) => {
                self.finish_pat(h, params);
                self.finish_pat(t, params);
            }
            _ => {}
        }
    }

    fn zonk_fn(&mut self, f: &mut FnDef, params: &HashMap<u32, u32>) {
        for q in &mut f.params {
            self.finish_pat(&mut q.pat, params);
        }
        visit::fn_exprs_mut(f, &mut |e| {
            if let Some(t) = &e.ty {
                e.ty = Some(self.finish(t, params));
            }
            if let ExprKind::Case { arms, .. } = &mut e.kind {
                arms.iter_mut()
                    .for_each(|a| self.finish_pat(&mut a.pat, params));
            }
            if let ExprKind::For { pat, .. } = &mut e.kind {
                self.finish_pat(pat, params);
            }
            if let ExprKind::Closure(cs) = &mut e.kind {
                cs.iter_mut()
                    .flat_map(|c| c.params.iter_mut())
                    .for_each(|p| self.finish_pat(&mut p.pat, params));
            }
        });
        let mut body = std::mem::take(&mut f.body);
        visit::block_blocks_mut(&mut body, &mut |b| {
            for s in b.iter_mut() {
                if let StmtKind::Let { pat, .. } = &mut s.kind {
                    self.finish_pat(pat, params);
                }
            }
        });
        f.body = body;
    }

    fn fn_body(&mut self, f: &mut FnDef, sig: &Ty) {
        let Ty::Fun(ps, r) = sig else { unreachable!() };
        self.current_fn = f.name.clone();
        self.bounds = self
            .sig_bounds
            .get(&format!("{}.{}", self.module, f.name))
            .cloned()
            .unwrap_or_default();
        self.scopes.push(HashMap::new());
        for (p, t) in f.params.iter_mut().zip(ps) {
            self.pat(&mut p.pat, t);
        }
        self.ret.push((**r).clone());
        let outer = std::mem::replace(&mut self.actor_msg, actor_message(f, r));
        let (t, span) = self.block(&mut f.body, f.span);
        if f.actor
            && !matches!(self.table.shallow(&t), Ty::Con(k, _) if k == "Pid")
            && !matches!(self.table.shallow(&t), Ty::Var(_) | Ty::Never)
        {
            // a body that never loops may have any type; its value is discarded, and
            // the function returns the process id like a looping one (spec 04 §2)
            let mut pid = Expr::new(ExprKind::SelfPid, span);
            pid.ty = Some((**r).clone());
            f.body.push(Stmt {
                kind: StmtKind::Expr(pid),
                span,
            });
        } else {
            self.expect(r, &t, span, &format!("return type of `{}`", f.name));
        }
        self.actor_msg = outer;
        self.ret.pop();
        self.scopes.pop();
    }

    /// Types a block; returns its type and the span of its value.
    fn block(&mut self, b: &mut Block, span: Span) -> (Ty, Span) {
        self.scopes.push(HashMap::new());
        let mut last = (Ty::Unit, span);
        for s in b.iter_mut() {
            last = (Ty::Unit, s.span);
            match &mut s.kind {
                StmtKind::Let { pat, ty, value } => {
                    let vt = self.expr(value);
                    if let Some(ann) = ty {
                        let at = self.type_expr(ann);
                        self.expect(&at, &vt, value.span, "the annotated type");
                    }
                    self.pat(pat, &vt);
                }
                StmtKind::Expr(e) => last = (self.expr(e), e.span),
                StmtKind::Item(i) => self.unsupported("nested definitions", i.span),
            }
        }
        self.scopes.pop();
        last
    }

    /// Binds the variables of `p`, a pattern matched against a value of type `t`.
    fn pat(&mut self, p: &mut Pat, t: &Ty) {
        p.ty = Some(t.clone());
        let span = p.span;
        match &mut p.kind {
            PatKind::Wild => {}
            PatKind::SelfParam => self.bind("self", t.clone()),
            PatKind::Var(v) => self.bind(&v.clone(), t.clone()),
            PatKind::Int(_) => self.expect(t, &Ty::Int, span, "pattern"),
            PatKind::Float(_) => self.expect(t, &Ty::Float, span, "pattern"),
            PatKind::Str(_) => self.expect(t, &Ty::String, span, "pattern"),
            PatKind::Bool(_) => self.expect(t, &Ty::Bool, span, "pattern"),
            PatKind::Tuple(ps) | PatKind::Brace(ps) => {
                let ts: Vec<Ty> = ps.iter().map(|_| self.table.fresh()).collect();
                self.expect(t, &Ty::Tuple(ts.clone()), span, "tuple pattern");
                for (q, qt) in ps.iter_mut().zip(&ts) {
                    self.pat(q, qt);
                }
            }
            PatKind::As(q, n) => {
                let n = n.clone();
                self.pat(q, t);
                self.bind(&n, t.clone());
            }
            PatKind::Or(ps) => {
                let mut names: Option<Vec<String>> = None;
                for q in ps.iter_mut() {
                    self.pat(q, t);
                    let mut vs = Vec::new();
                    binders(q, &mut vs);
                    vs.sort();
                    match &names {
                        None => names = Some(vs),
                        Some(first) if *first != vs => {
                            self.cx.emit(Diagnostic::error("pattern error", "or-pattern binding mismatch: every alternative must bind the same names", q.span).with_code("E0011"));
                        }
                        _ => {}
                    }
                }
            }
            PatKind::Ctor { path, args } => {
                let resolved = match path.as_slice() {
                    [n] => self.env.ctor(&self.module, n),
                    [ty, v] => self.env.qualified_ctor(&self.module, ty, v).or_else(|| {
                        // `Module.Variant`
                        let m = self.env.module_alias(&self.module, ty)?.clone();
                        self.env.ctor_of_module(&self.module, &m, v)
                    }),
                    [m, ty, v] => self
                        .env
                        .module_alias(&self.module, m)
                        .cloned()
                        .and_then(|m| self.env.type_of_module(&self.module, &m, ty))
                        .and_then(|k| {
                            let d = &self.env.defs.types[&k];
                            self.env.qualified_ctor(&d.module, ty, v)
                        }),
                    _ => None,
                };
                let Some((key, index)) = resolved else {
                    self.cx.emit(
                        Diagnostic::error(
                            "unbound variable",
                            format!("unknown constructor `{}`", path.join(".")),
                            span,
                        )
                        .with_code("E0004"),
                    );
                    return;
                };
                let targs = self.fresh_args(&key);
                self.expect(
                    t,
                    &Ty::Con(key.clone(), targs.clone()),
                    span,
                    "constructor pattern",
                );
                let variant = self.env.defs.types[&key].variants()[index].clone();
                let fields: Vec<Ty> = variant
                    .fields
                    .iter()
                    .map(|(_, ft)| ft.subst(&targs))
                    .collect();
                let mut subs = match args.take() {
                    None => fields
                        .iter()
                        .map(|_| Pat::new(PatKind::Wild, span))
                        .collect(),
                    Some(a) => a,
                };
                if subs.len() != fields.len() {
                    self.cx.emit(
                        Diagnostic::error(
                            "arity mismatch",
                            format!(
                                "constructor `{}` takes {} argument(s), the pattern gives {}",
                                variant.name,
                                fields.len(),
                                subs.len()
                            ),
                            span,
                        )
                        .with_code("E0003"),
                    );
                    subs.resize_with(fields.len(), || Pat::new(PatKind::Wild, span));
                }
                for (q, ft) in subs.iter_mut().zip(&fields) {
                    self.pat(q, ft);
                }
                p.kind = PatKind::Variant {
                    ty: key,
                    index,
                    name: variant.name,
                    args: subs,
                };
            }
            PatKind::Variant {
                ty, index, args, ..
            } => {
                // re-inferring a resolved constructor pattern (an expression rewritten
                // after inference, such as `++` into `List.concat`)
                let (key, index) = (ty.clone(), *index);
                let targs = self.fresh_args(&key);
                self.expect(
                    t,
                    &Ty::Con(key.clone(), targs.clone()),
                    span,
                    "constructor pattern",
                );
                let fields: Vec<Ty> = self.env.defs.types[&key].variants()[index]
                    .fields
                    .iter()
                    .map(|(_, ft)| ft.subst(&targs))
                    .collect();
                for (q, ft) in args.iter_mut().zip(&fields) {
                    self.pat(q, ft);
                }
            }
            PatKind::Cons(h, tl) => {
                // `h :: t` is `Cons(h, t)` of the prelude's `List<T>`
                let elem = self.table.fresh();
                let list = Ty::Con("List".into(), vec![elem.clone()]);
                self.expect(t, &list, span, "a cons pattern matches a list");
                self.pat(h, &elem);
                self.pat(tl, &list);
                let (h, tl) = (
                    std::mem::replace(&mut **h, Pat::new(PatKind::Wild, span)),
                    std::mem::replace(&mut **tl, Pat::new(PatKind::Wild, span)),
                );
                p.kind = PatKind::Variant {
                    ty: "List".into(),
                    index: 1,
                    name: "Cons".into(),
                    args: vec![h, tl],
                };
            }
            _ => self.unsupported("these patterns", span),
        }
    }
}

/// The variables a pattern binds.
pub(crate) fn binders(p: &Pat, out: &mut Vec<String>) {
    match &p.kind {
        PatKind::Var(v) => out.push(v.clone()),
        PatKind::As(q, n) => {
            binders(q, out);
            out.push(n.clone());
        }
        PatKind::Tuple(ps) | PatKind::Brace(ps) | PatKind::Variant { args: ps, .. } => {
            ps.iter().for_each(|q| binders(q, out))
        }
        PatKind::Ctor { args: Some(ps), .. } => ps.iter().for_each(|q| binders(q, out)),
        PatKind::Or(ps) => {
            if let Some(q) = ps.first() {
                binders(q, out)
            }
        }
        PatKind::Cons(h, t) => {
            binders(h, out);
            binders(t, out);
        }
        _ => {}
    }
}
