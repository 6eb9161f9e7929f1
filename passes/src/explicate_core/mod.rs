//! `explicate-core : mono -> core` — makes evaluation explicit for codegen (after the
//! `explicate-control` pass of Siek's *Essentials of Compilation*, ch. 2–5): blocks
//! become `let`/`seq` chains, operators become typed primitives (chosen by operand
//! type), `and`/`or` become `if`s, string interpolation becomes `Display` conversions
//! and concatenations, structs, tuples and constructors become heap objects, `case`
//! becomes test chains (`case.rs`) ending in a runtime failure, and the derived traits
//! (`Display`, `Debug`, `Eq`, `Ord`) become functions synthesised per concrete type
//! (`derive.rs`). Locals get unique names and calls in tail position are marked. Only
//! functions reachable from `main` are lowered. Paper: `papers/explicate-core.md`.

mod case;
mod closure;
mod collections;
mod derive;
mod externs;
mod intrinsics;
mod json;
mod loops;
mod wire;

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::core::{self, CTy, Cmp, Prim};
use mesh_ir::surface::*;
use mesh_ir::types::{Ty, TypeDefKind, TypeDefs};
use mesh_ir::Span;
use std::collections::{HashMap, HashSet, VecDeque};

pub struct ExplicateCore;

impl Pass for ExplicateCore {
    const NAME: &'static str = "explicate-core";
    type In = Matched;
    type Out = core::Program;
    fn run(&self, Matched(p, defs): Matched, cx: &mut PassCx) -> core::Program {
        let declared = externs::Declared::of(&p, &defs, cx);
        let mut fn_defs: HashMap<String, &FnDef> = HashMap::new();
        for m in &p.modules {
            for it in &m.items {
                if let ItemKind::Fn(f) = &it.kind {
                    if f.external.is_some() {
                        continue;
                    }
                    fn_defs.insert(
                        core_name(&format!("{}.{}", m.name, f.name), f.params.len()),
                        f,
                    );
                }
            }
        }
        let entry = core_name("Main.main", 0);
        if !fn_defs.contains_key(&entry) {
            let span = p
                .modules
                .first()
                .and_then(|m| m.items.first())
                .map(|i| i.span)
                .unwrap_or_default();
            cx.emit(Diagnostic::error(
                "missing main",
                "the entry file must define `fn main()`",
                span,
            ));
            return core::Program {
                fns: vec![],
                entry,
                externs: vec![],
            };
        }
        let mut lw = Lower {
            cx,
            defs: &defs,
            env: Vec::new(),
            queue: VecDeque::from([entry.clone()]),
            seen: HashSet::from([entry.clone()]),
            helpers: HashMap::new(),
            extra: Vec::new(),
            ret_ty: None,
            loops: Vec::new(),
            map_entries: false,
            declared,
            used: Default::default(),
        };
        let mut fns = Vec::new();
        while let Some(name) = lw.queue.pop_front() {
            let Some(f) = fn_defs.get(&name).copied() else {
                lw.cx.emit(Diagnostic::error(
                    "internal",
                    format!("internal error: `{name}` is called but not defined (a library function the code generator does not know)"),
                    Span::default(),
                ));
                continue;
            };
            fns.push(lw.function(&name, f));
        }
        fns.append(&mut lw.extra);
        let externs = externs::used_externs(std::mem::take(&mut lw.used));
        core::Program {
            fns,
            entry,
            externs,
        }
    }
}

impl Lower<'_> {
    /// The kind of the argument of `t` (a `List<T>`, an `Option<T>`) as the runtime's
    /// `SORT_*` constants (runtime/src/library.rs) number them.
    fn word_kind(&mut self, t: &Option<Ty>, span: Span) -> i64 {
        let elem = match t {
            Some(Ty::Con(_, a)) if a.len() == 1 => a[0].clone(),
            _ => Ty::Unit,
        };
        match self.cty(Some(&elem), span) {
            CTy::Int => 0,
            CTy::Float => 1,
            CTy::Bool => 2,
            CTy::Unit => 4,
            _ => 3,
        }
    }
}

/// Core name of a module-level function: `Main.fib/1` (arity keeps overloads apart).
pub fn core_name(global: &str, arity: usize) -> String {
    format!("{global}/{arity}")
}

pub(crate) struct Lower<'a> {
    cx: &'a mut PassCx,
    defs: &'a TypeDefs,
    /// Surface local name → core name, innermost scope last.
    env: Vec<HashMap<String, String>>,
    queue: VecDeque<String>,
    seen: HashSet<String>,
    /// Synthesised helper functions by name (`display:Point`), for memoisation.
    helpers: HashMap<String, CTy>,
    extra: Vec<core::Fn>,
    /// The return type of the function being lowered (for `?` conversions).
    ret_ty: Option<Ty>,
    /// Enclosing loops, for `break` and `continue`.
    loops: Vec<loops::LoopCtx>,
    /// Set while synthesising a map's Display: pairs print as `k => v`.
    map_entries: bool,
    /// The library's `@extern` and `@intrinsic` declarations.
    declared: externs::Declared,
    /// The runtime functions called so far, by symbol.
    used: std::collections::BTreeMap<String, core::Extern>,
}

pub(crate) fn mk(kind: core::ExprKind, ty: CTy, span: Span) -> core::Expr {
    core::Expr { kind, ty, span }
}

pub(crate) fn var(n: &str, ty: CTy, span: Span) -> core::Expr {
    mk(core::ExprKind::Var(n.to_string()), ty, span)
}

pub(crate) fn if_(c: core::Expr, t: core::Expr, f: core::Expr) -> core::Expr {
    let (ty, span) = (t.ty, t.span);
    mk(
        core::ExprKind::If(Box::new(c), Box::new(t), Box::new(f)),
        ty,
        span,
    )
}

pub(crate) fn bool_(b: bool, span: Span) -> core::Expr {
    mk(core::ExprKind::Bool(b), CTy::Bool, span)
}

pub(crate) fn and(a: core::Expr, b: core::Expr) -> core::Expr {
    let span = a.span;
    mk(
        core::ExprKind::If(Box::new(a), Box::new(b), Box::new(bool_(false, span))),
        CTy::Bool,
        span,
    )
}

pub(crate) fn prim(p: Prim, args: Vec<core::Expr>, span: Span) -> core::Expr {
    mk(core::ExprKind::Prim(p, args), p.sig().1, span)
}

pub(crate) fn str_lit(s: &str, span: Span) -> core::Expr {
    mk(core::ExprKind::Str(s.to_string()), CTy::Str, span)
}

pub(crate) fn concat(parts: Vec<core::Expr>, span: Span) -> core::Expr {
    parts
        .into_iter()
        .reduce(|a, b| prim(Prim::StrConcat, vec![a, b], span))
        .unwrap_or_else(|| str_lit("", span))
}

pub(crate) fn let_(name: &str, v: core::Expr, body: core::Expr) -> core::Expr {
    let (ty, span) = (body.ty, body.span);
    mk(
        core::ExprKind::Let(name.to_string(), Box::new(v), Box::new(body)),
        ty,
        span,
    )
}

impl Lower<'_> {
    fn unsupported(&mut self, what: &str, span: Span) -> core::Expr {
        self.cx.emit(Diagnostic::error(
            "unsupported",
            format!("{what} are not supported by the code generator yet"),
            span,
        ));
        mk(core::ExprKind::Fail("unsupported".into()), CTy::Unit, span)
    }

    pub(crate) fn cty(&mut self, t: Option<&Ty>, span: Span) -> CTy {
        match t {
            Some(Ty::Int) => CTy::Int,
            Some(Ty::Float) => CTy::Float,
            Some(Ty::Bool) => CTy::Bool,
            Some(Ty::String) => CTy::Str,
            Some(Ty::Unit) | Some(Ty::Never) => CTy::Unit,
            Some(Ty::Con(k, _)) if self.defs.types.contains_key(k) => CTy::Obj,
            Some(Ty::Tuple(_)) | Some(Ty::Fun(..)) => CTy::Obj,
            Some(Ty::Con(k, _)) if k == "Map" || k == "Set" => CTy::Obj,
            // an instant is its Unix milliseconds; an atom is its (interned) text
            Some(Ty::Con(k, _)) if k == "DateTime" || k == "Pid" => CTy::Int,
            Some(Ty::Con(k, _)) if k == "Atom" => CTy::Str,
            Some(Ty::Param(_)) | Some(Ty::Var(_)) | None => {
                self.cx.emit(Diagnostic::error(
                    "internal",
                    "a generic type reached code generation",
                    span,
                ));
                CTy::Unit
            }
            Some(t) => {
                self.cx.emit(Diagnostic::error(
                    "unsupported",
                    format!("values of type `{t}` are not supported by the code generator yet"),
                    span,
                ));
                CTy::Unit
            }
        }
    }

    fn local(&self, n: &str) -> Option<String> {
        self.env.iter().rev().find_map(|s| s.get(n).cloned())
    }

    fn bind(&mut self, n: &str, core: String) {
        self.env.last_mut().unwrap().insert(n.to_string(), core);
    }

    fn function(&mut self, name: &str, f: &FnDef) -> core::Fn {
        self.env.push(HashMap::new());
        let (ptys, rty) = match &f.sig {
            Some(Ty::Fun(ps, r)) => (ps.clone(), (**r).clone()),
            _ => (vec![], Ty::Unit),
        };
        let mut params = Vec::new();
        for (p, t) in f.params.iter().zip(&ptys) {
            let ct = self.cty(Some(t), p.pat.span);
            let n = match &p.pat.kind {
                PatKind::Var(v) => {
                    let c = self.cx.fresh(v);
                    self.bind(v, c.clone());
                    c
                }
                PatKind::SelfParam => {
                    let c = self.cx.fresh("self");
                    self.bind("self", c.clone());
                    c
                }
                _ => self.cx.fresh("_"),
            };
            params.push((n, ct));
        }
        let ret = self.cty(Some(&rty), f.span);
        self.ret_ty = Some(rty.clone());
        let mut body = self.block(&f.body, true, f.span);
        if body.ty != ret
            && !matches!(
                body.kind,
                core::ExprKind::Fail(_) | core::ExprKind::Return(_)
            )
        {
            // a body of type Never (only a failure) or a discarded value for a unit function
            body = mk(
                core::ExprKind::Seq(
                    Box::new(body),
                    Box::new(mk(core::ExprKind::Unit, CTy::Unit, f.span)),
                ),
                CTy::Unit,
                f.span,
            );
        }
        self.env.pop();
        core::Fn {
            name: name.to_string(),
            params,
            ret,
            body,
            span: f.span,
        }
    }

    fn block(&mut self, b: &[Stmt], tail: bool, span: Span) -> core::Expr {
        self.env.push(HashMap::new());
        let e = self.stmts(b, tail, span);
        self.env.pop();
        e
    }

    fn stmts(&mut self, b: &[Stmt], tail: bool, span: Span) -> core::Expr {
        let Some((first, rest)) = b.split_first() else {
            return mk(core::ExprKind::Unit, CTy::Unit, span);
        };
        match &first.kind {
            StmtKind::Expr(e) if rest.is_empty() => self.expr(e, tail),
            StmtKind::Expr(e) => {
                let v = self.expr(e, false);
                let r = self.stmts(rest, tail, span);
                let ty = r.ty;
                mk(
                    core::ExprKind::Seq(Box::new(v), Box::new(r)),
                    ty,
                    first.span,
                )
            }
            StmtKind::Let { pat, value, .. } => {
                let v = self.expr(value, false);
                match &pat.kind {
                    PatKind::Var(n) => {
                        let c = self.cx.fresh(n);
                        self.bind(n, c.clone());
                        let r = self.stmts(rest, tail, span);
                        let_(&c, v, r)
                    }
                    PatKind::Wild => {
                        let r = self.stmts(rest, tail, span);
                        let ty = r.ty;
                        mk(
                            core::ExprKind::Seq(Box::new(v), Box::new(r)),
                            ty,
                            first.span,
                        )
                    }
                    _ => {
                        // an irrefutable destructuring: bind the value, then each variable
                        let tmp = self.cx.fresh("let");
                        let vt = v.ty;
                        let mut tests = Vec::new();
                        let mut binds = Vec::new();
                        self.pat_tests(pat, &var(&tmp, vt, pat.span), &mut tests, &mut binds);
                        self.env.push(HashMap::new());
                        let names: Vec<(String, core::Expr)> = binds
                            .into_iter()
                            .map(|(n, path)| {
                                let c = self.cx.fresh(&n);
                                self.bind(&n, c.clone());
                                (c, path)
                            })
                            .collect();
                        let mut r = self.stmts(rest, tail, span);
                        self.env.pop();
                        for (c, path) in names.into_iter().rev() {
                            r = let_(&c, path, r);
                        }
                        let_(&tmp, v, r)
                    }
                }
            }
            StmtKind::Item(i) => self.unsupported("nested definitions", i.span),
        }
    }

    pub(crate) fn expr(&mut self, e: &Expr, tail: bool) -> core::Expr {
        let span = e.span;
        let ty = self.cty(e.ty.as_ref(), span);
        let kind = match &e.kind {
            ExprKind::Int(n) => core::ExprKind::Int(*n),
            ExprKind::Float(f) => core::ExprKind::Float(*f),
            ExprKind::Bool(b) => core::ExprKind::Bool(*b),
            ExprKind::Unit => core::ExprKind::Unit,
            ExprKind::SelfPid => return self.extern_call("Process.self_pid", vec![], ty, span),
            ExprKind::Str(parts) => return self.interpolation(parts, span),
            ExprKind::Var(n) => match self.local(n) {
                Some(c) => core::ExprKind::Var(c),
                None => return self.unsupported("references to this name", span),
            },
            ExprKind::Variant { index, ty: key, .. } => {
                let def = &self.defs.types[key];
                if def.variants()[*index].fields.is_empty() {
                    core::ExprKind::Alloc {
                        tag: *index as u32,
                        fields: vec![],
                    }
                } else {
                    let fty = e.ty.clone().unwrap_or(Ty::Unit);
                    let tag = *index as u32;
                    let key = format!("{key}.{tag}:{fty}");
                    return self.function_value(
                        &key,
                        &fty,
                        move |_, args| {
                            mk(core::ExprKind::Alloc { tag, fields: args }, CTy::Obj, span)
                        },
                        span,
                    );
                }
            }
            ExprKind::Global(g) if g == "Math.pi" => core::ExprKind::Float(std::f64::consts::PI),
            ExprKind::Global(g) => {
                // a named function as a value: a closure around a wrapper
                let fty = e.ty.clone().unwrap_or(Ty::Unit);
                let arity = if let Ty::Fun(ps, _) = &fty {
                    ps.len()
                } else {
                    0
                };
                let g = g.clone();
                let ret_ty = if let Ty::Fun(_, r) = &fty {
                    Some((**r).clone())
                } else {
                    None
                };
                return self.function_value(
                    &g.clone(),
                    &fty,
                    move |lw, args| match g.as_str() {
                        "Prelude.println" | "IO.puts" => prim(Prim::Println, args, span),
                        "Prelude.print" => prim(Prim::Print, args, span),
                        _ if lw.declared.externs.contains_key(&g) => {
                            let rt = lw.cty(ret_ty.as_ref(), span);
                            lw.extern_call(&g, args, rt, span)
                        }
                        _ if lw.declared.intrinsics.contains(&g) => lw.unsupported(
                            &format!("references to `{g}` as a value (call it instead)"),
                            span,
                        ),
                        _ => {
                            let name = core_name(&g, arity);
                            if lw.seen.insert(name.clone()) {
                                lw.queue.push_back(name.clone());
                            }
                            let rt = lw.cty(ret_ty.as_ref(), span);
                            mk(
                                core::ExprKind::Call {
                                    func: name,
                                    args,
                                    tail: true,
                                },
                                rt,
                                span,
                            )
                        }
                    },
                    span,
                );
            }
            ExprKind::Closure(cs) => {
                let fty = e.ty.clone().unwrap_or(Ty::Unit);
                return self.closure(cs, &fty, span);
            }
            ExprKind::Json(fields) => return self.json_literal(fields, span),
            ExprKind::Atom(a) => core::ExprKind::Str(a.clone()),
            ExprKind::Regex { pattern, flags } => {
                let args = vec![str_lit(pattern, span), str_lit(flags, span)];
                return self.extern_call("Regex.literal", args, ty, span);
            }
            ExprKind::List(es) => {
                // `[a, b]` is `Cons(a, Cons(b, Nil))`; elements evaluate left to right
                let mut temps = Vec::new();
                for x in es {
                    let cx = self.expr(x, false);
                    let n = self.cx.fresh("el");
                    temps.push((n, cx));
                }
                let mut list = mk(
                    core::ExprKind::Alloc {
                        tag: 0,
                        fields: vec![],
                    },
                    CTy::Obj,
                    span,
                );
                for (n, cx) in temps.iter().rev() {
                    list = mk(
                        core::ExprKind::Alloc {
                            tag: 1,
                            fields: vec![var(n, cx.ty, span), list],
                        },
                        CTy::Obj,
                        span,
                    );
                }
                for (n, cx) in temps.into_iter().rev() {
                    list = let_(&n, cx, list);
                }
                return list;
            }
            ExprKind::Tuple(es) => core::ExprKind::Alloc {
                tag: 0,
                fields: es.iter().map(|x| self.expr(x, false)).collect(),
            },
            ExprKind::StructLit { fields, .. } => return self.struct_lit(e, fields, span),
            ExprKind::StructUpdate { base, fields } => {
                return self.struct_update(e, base, fields, span)
            }
            ExprKind::Field(base, member) => {
                let idx = self.field_index(base.ty.as_ref(), member);
                let b = self.expr(base, false);
                core::ExprKind::Load(Box::new(b), idx)
            }
            ExprKind::Call { callee, args } => return self.call(e, callee, args, ty, tail),
            ExprKind::Unary(op, x) => {
                let xt = self.cty(x.ty.as_ref(), x.span);
                let cx = self.expr(x, false);
                let p = match (op, xt) {
                    (UnOp::Neg, CTy::Float) => Prim::FNeg,
                    (UnOp::Neg, _) => Prim::INeg,
                    (UnOp::Not, _) => Prim::BNot,
                };
                core::ExprKind::Prim(p, vec![cx])
            }
            ExprKind::Binary(op, a, b) => return self.binary(*op, a, b, tail, span),
            ExprKind::If { cond, then, else_ } => {
                let c = self.expr(cond, false);
                match else_ {
                    Some(els) => {
                        let t = self.block(then, tail, span);
                        let f = self.block(els, tail, span);
                        core::ExprKind::If(Box::new(c), Box::new(t), Box::new(f))
                    }
                    None => {
                        let unit = |s| mk(core::ExprKind::Unit, CTy::Unit, s);
                        // the branch's value is dropped for `()`: its last call is in
                        // tail position only when that value already is `()`
                        let unit_branch = then
                            .last()
                            .and_then(|st| match &st.kind {
                                StmtKind::Expr(e) => e.ty.as_ref(),
                                _ => None,
                            })
                            .is_some_and(|t| *t == Ty::Unit);
                        let t = self.block(then, tail && unit_branch, span);
                        let t = if t.ty == CTy::Unit && unit_branch {
                            t
                        } else {
                            mk(
                                core::ExprKind::Seq(Box::new(t), Box::new(unit(span))),
                                CTy::Unit,
                                span,
                            )
                        };
                        return mk(
                            core::ExprKind::If(Box::new(c), Box::new(t), Box::new(unit(span))),
                            CTy::Unit,
                            span,
                        );
                    }
                }
            }
            ExprKind::Case { scrutinee, arms } => {
                return self.case(scrutinee, arms, ty, tail, span)
            }
            ExprKind::SelfRef => match self.local("self") {
                Some(c) => core::ExprKind::Var(c),
                None => return self.unsupported("`self` outside methods", span),
            },
            ExprKind::Return(v) => {
                let cv = match v {
                    Some(v) => self.expr(v, true),
                    None => mk(core::ExprKind::Unit, CTy::Unit, span),
                };
                core::ExprKind::Return(Box::new(cv))
            }
            ExprKind::For {
                pat,
                iter,
                filter,
                body,
            } => return self.for_loop(pat, iter, filter.as_deref(), body, e.ty.as_ref(), span),
            ExprKind::While { cond, body } => return self.while_loop(cond, body, span),
            ExprKind::Break => return self.break_continue(true, span),
            ExprKind::Continue => return self.break_continue(false, span),
            ExprKind::Try(x, convert) => return self.try_(x, convert.as_deref(), ty, span),
            _ => return self.unsupported("these expressions", span),
        };
        mk(kind, ty, span)
    }

    /// `x?`: the payload of `Some`/`Ok` (tag 0), else return `None` / `Err(e)` (tag 1).
    fn try_(&mut self, x: &Expr, convert: Option<&str>, ty: CTy, span: Span) -> core::Expr {
        let xt = x.ty.clone();
        let cx = self.expr(x, false);
        let t = self.cx.fresh("try");
        let obj = var(&t, CTy::Obj, span);
        let tag = mk(core::ExprKind::Tag(Box::new(obj.clone())), CTy::Int, span);
        let is_ok = prim(
            Prim::ICmp(Cmp::Eq),
            vec![tag, mk(core::ExprKind::Int(0), CTy::Int, span)],
            span,
        );
        let value = mk(core::ExprKind::Load(Box::new(obj.clone()), 0), ty, span);
        let failure = match &xt {
            Some(Ty::Con(k, args)) if k == "Result" => {
                let et = self.cty(args.get(1), span);
                let err = mk(core::ExprKind::Load(Box::new(obj), 0), et, span);
                // a `From` conversion of the error (spec 01 §4.15)
                let err = match convert {
                    Some(g) => {
                        let name = core_name(g, 1);
                        if self.seen.insert(name.clone()) {
                            self.queue.push_back(name.clone());
                        }
                        let rt = match self.ret_ty.clone() {
                            Some(Ty::Con(_, a)) => self.cty(a.get(1), span),
                            _ => CTy::Obj,
                        };
                        mk(
                            core::ExprKind::Call {
                                func: name,
                                args: vec![err],
                                tail: false,
                            },
                            rt,
                            span,
                        )
                    }
                    None => err,
                };
                mk(
                    core::ExprKind::Alloc {
                        tag: 1,
                        fields: vec![err],
                    },
                    CTy::Obj,
                    span,
                )
            }
            _ => mk(
                core::ExprKind::Alloc {
                    tag: 1,
                    fields: vec![],
                },
                CTy::Obj,
                span,
            ),
        };
        let ret = mk(core::ExprKind::Return(Box::new(failure)), ty, span);
        let_(&t, cx, if_(is_ok, value, ret))
    }

    fn field_index(&self, t: Option<&Ty>, member: &str) -> u32 {
        match t {
            Some(Ty::Con(k, _)) => match &self.defs.types[k].kind {
                TypeDefKind::Struct(fs) => {
                    fs.iter().position(|(n, _)| n == member).unwrap_or(0) as u32
                }
                _ => 0,
            },
            _ => 0,
        }
    }

    /// Fields are evaluated in the order written, then stored in declaration order.
    fn struct_lit(&mut self, e: &Expr, fields: &[(String, Expr)], span: Span) -> core::Expr {
        let Some(Ty::Con(k, _)) = &e.ty else {
            unreachable!()
        };
        let TypeDefKind::Struct(decl) = &self.defs.types[k].kind else {
            unreachable!()
        };
        let decl: Vec<String> = decl.iter().map(|(n, _)| n.clone()).collect();
        let mut temps: Vec<(String, core::Expr)> = Vec::new();
        let mut by_name: HashMap<String, (String, CTy)> = HashMap::new();
        for (n, v) in fields {
            let cv = self.expr(v, false);
            let t = self.cx.fresh(n);
            by_name.insert(n.clone(), (t.clone(), cv.ty));
            temps.push((t, cv));
        }
        let slots = decl.iter().map(|n| {
            let (t, ty) = &by_name[n];
            var(t, *ty, span)
        });
        let mut out = mk(
            core::ExprKind::Alloc {
                tag: 0,
                fields: slots.collect(),
            },
            CTy::Obj,
            span,
        );
        for (t, v) in temps.into_iter().rev() {
            out = let_(&t, v, out);
        }
        out
    }

    fn struct_update(
        &mut self,
        e: &Expr,
        base: &Expr,
        fields: &[(String, Expr)],
        span: Span,
    ) -> core::Expr {
        let Some(Ty::Con(k, args)) = &e.ty else {
            unreachable!()
        };
        let TypeDefKind::Struct(decl) = self.defs.types[k].kind.clone() else {
            unreachable!()
        };
        let b = self.expr(base, false);
        let bn = self.cx.fresh("base");
        let mut temps = Vec::new();
        let mut given: HashMap<String, (String, CTy)> = HashMap::new();
        for (n, v) in fields {
            let cv = self.expr(v, false);
            let t = self.cx.fresh(n);
            given.insert(n.clone(), (t.clone(), cv.ty));
            temps.push((t, cv));
        }
        let mut slots = Vec::new();
        for (i, (n, ft)) in decl.iter().enumerate() {
            slots.push(match given.get(n) {
                Some((t, ty)) => var(t, *ty, span),
                None => {
                    let ct = self.cty(Some(&ft.subst(args)), span);
                    mk(
                        core::ExprKind::Load(Box::new(var(&bn, CTy::Obj, span)), i as u32),
                        ct,
                        span,
                    )
                }
            });
        }
        let mut out = mk(
            core::ExprKind::Alloc {
                tag: 0,
                fields: slots,
            },
            CTy::Obj,
            span,
        );
        for (t, v) in temps.into_iter().rev() {
            out = let_(&t, v, out);
        }
        let_(&bn, b, out)
    }

    fn call(&mut self, e: &Expr, callee: &Expr, args: &[Arg], ty: CTy, tail: bool) -> core::Expr {
        let span = e.span;
        if let ExprKind::Field(recv, m) = &callee.kind {
            if m == "hash" {
                let t = recv.ty.clone().unwrap_or(Ty::Unit);
                let r = self.expr(recv, false);
                return self.hash(r, &t, span);
            }
            if m == "to_string" || m == "inspect" {
                let t = recv.ty.clone().unwrap_or(Ty::Unit);
                let r = self.expr(recv, false);
                return if m == "to_string" {
                    self.display(r, &t, span)
                } else {
                    self.debug(r, &t, span)
                };
            }
        }
        if let ExprKind::Variant { index, .. } = &callee.kind {
            let fields = args.iter().map(|a| self.expr(&a.value, false)).collect();
            return mk(
                core::ExprKind::Alloc {
                    tag: *index as u32,
                    fields,
                },
                CTy::Obj,
                span,
            );
        }
        let ExprKind::Global(g) = &callee.kind else {
            // a closure value
            let clo = self.expr(callee, false);
            let cargs = args.iter().map(|a| self.expr(&a.value, false)).collect();
            return mk(
                core::ExprKind::CallClosure {
                    closure: Box::new(clo),
                    args: cargs,
                    tail,
                },
                ty,
                span,
            );
        };
        let cargs: Vec<core::Expr> = args.iter().map(|a| self.expr(&a.value, false)).collect();
        if self.declared.externs.contains_key(g.as_str()) {
            return self.extern_call(g, cargs, ty, span);
        }
        if self.declared.intrinsics.contains(g.as_str()) {
            return self.intrinsic(e, g, args, cargs, ty, span);
        }
        let name = core_name(g, cargs.len());
        if self.seen.insert(name.clone()) {
            self.queue.push_back(name.clone());
        }
        mk(
            core::ExprKind::Call {
                func: name,
                args: cargs,
                tail,
            },
            ty,
            span,
        )
    }

    /// `assert(c)`, `assert_eq(a, b)`, `assert_ne(a, b)` outside tests (spec 03 §17.2):
    /// a failure is a runtime error naming the location and the source text; `assert_eq`
    /// shows both values (they need `Eq` and `Display`).
    fn assertion(
        &mut self,
        g: &str,
        args: &[Arg],
        cargs: Vec<core::Expr>,
        span: Span,
    ) -> core::Expr {
        // the panic prints the location (`file:line:col: `) itself
        let text = self
            .cx
            .sources
            .files
            .get(span.file as usize)
            .and_then(|f| f.text.get(span.lo as usize..span.hi as usize))
            .unwrap_or("")
            .to_string();
        let unit = || mk(core::ExprKind::Unit, CTy::Unit, span);
        let fail = |lw: &mut Self, msg: core::Expr| {
            let p = prim(Prim::Panic, vec![msg], span);
            let f = mk(core::ExprKind::Fail("unreachable".into()), CTy::Unit, span);
            let _ = lw;
            mk(
                core::ExprKind::Seq(Box::new(p), Box::new(f)),
                CTy::Unit,
                span,
            )
        };
        let mut it = cargs.into_iter();
        if g == "Prelude.assert" {
            let c = it.next().unwrap();
            let msg = str_lit(&format!("assert failed: {text}"), span);
            let f = fail(self, msg);
            return if_(c, unit(), f);
        }
        let t = args[0].value.ty.clone().unwrap_or(Ty::Unit);
        let (a, b) = (it.next().unwrap(), it.next().unwrap());
        let (x, y) = (self.cx.fresh("left"), self.cx.fresh("right"));
        let ct = a.ty;
        let same = self.equal(var(&x, ct, span), var(&y, ct, span), &t, span);
        let (shown_a, shown_b) = (
            self.display(var(&x, ct, span), &t, span),
            self.display(var(&y, ct, span), &t, span),
        );
        let name = if g == "Prelude.assert_eq" {
            "assert_eq"
        } else {
            "assert_ne"
        };
        let msg = concat(
            vec![
                str_lit(&format!("{name} failed: {text}\n  left: "), span),
                shown_a,
                str_lit("\n  right: ", span),
                shown_b,
            ],
            span,
        );
        let f = fail(self, msg);
        let body = if g == "Prelude.assert_eq" {
            if_(same, unit(), f)
        } else {
            if_(same, f, unit())
        };
        let_(&x, a, let_(&y, b, body))
    }

    /// `Math.max`/`min`/`abs` on Int or Float, inline.
    fn math(&mut self, g: &str, args: Vec<core::Expr>, span: Span) -> core::Expr {
        let t = args[0].ty;
        let float = t == CTy::Float;
        let names: Vec<String> = args.iter().map(|_| self.cx.fresh("m")).collect();
        let v = |i: usize| var(&names[i], t, span);
        let (lt, gt) = if float {
            (Prim::FCmp(Cmp::Lt), Prim::FCmp(Cmp::Gt))
        } else {
            (Prim::ICmp(Cmp::Lt), Prim::ICmp(Cmp::Gt))
        };
        let body = match g {
            "Math.max" => if_(prim(gt, vec![v(0), v(1)], span), v(0), v(1)),
            "Math.min" => if_(prim(lt, vec![v(0), v(1)], span), v(0), v(1)),
            _ => {
                let zero = if float {
                    mk(core::ExprKind::Float(0.0), t, span)
                } else {
                    mk(core::ExprKind::Int(0), t, span)
                };
                let neg = prim(
                    if float { Prim::FNeg } else { Prim::INeg },
                    vec![v(0)],
                    span,
                );
                if_(prim(lt, vec![v(0), zero], span), neg, v(0))
            }
        };
        let mut out = body;
        for (n, a) in names.iter().zip(args).rev() {
            out = let_(n, a, out);
        }
        out
    }

    fn interpolation(&mut self, parts: &[StrPart], span: Span) -> core::Expr {
        let mut pieces: Vec<core::Expr> = Vec::new();
        for p in parts {
            match p {
                StrPart::Text(t) => pieces.push(str_lit(t, span)),
                StrPart::Interp(x) => {
                    let t = x.ty.clone().unwrap_or(Ty::Unit);
                    let cx = self.expr(x, false);
                    pieces.push(self.display(cx, &t, x.span));
                }
            }
        }
        concat(pieces, span)
    }

    /// The right operand of `&&` / `||` is in tail position when the operation is (it
    /// is the last thing evaluated), so `p(x) && loop(rest)` runs in constant stack.
    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, tail: bool, span: Span) -> core::Expr {
        let t = a.ty.clone().unwrap_or(Ty::Unit);
        let at = self.cty(Some(&t), a.span);
        let ca = self.expr(a, false);
        let cb = self.expr(b, tail && matches!(op, BinOp::And | BinOp::Or));
        use BinOp::*;
        let float = at == CTy::Float;
        match op {
            Add => prim(
                if float { Prim::FAdd } else { Prim::IAdd },
                vec![ca, cb],
                span,
            ),
            Sub => prim(
                if float { Prim::FSub } else { Prim::ISub },
                vec![ca, cb],
                span,
            ),
            Mul => prim(
                if float { Prim::FMul } else { Prim::IMul },
                vec![ca, cb],
                span,
            ),
            Div => prim(
                if float { Prim::FDiv } else { Prim::IDiv },
                vec![ca, cb],
                span,
            ),
            Rem => prim(
                if float { Prim::FRem } else { Prim::IRem },
                vec![ca, cb],
                span,
            ),
            Concat => prim(Prim::StrConcat, vec![ca, cb], span),
            Eq => self.equal(ca, cb, &t, span),
            Ne => {
                let e = self.equal(ca, cb, &t, span);
                prim(Prim::BNot, vec![e], span)
            }
            Lt | Le | Gt | Ge => {
                let c = match op {
                    Lt => Cmp::Lt,
                    Le => Cmp::Le,
                    Gt => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                match at {
                    CTy::Int => prim(Prim::ICmp(c), vec![ca, cb], span),
                    CTy::Float => prim(Prim::FCmp(c), vec![ca, cb], span),
                    CTy::Str => prim(Prim::SCmp(c), vec![ca, cb], span),
                    _ => {
                        let r = self.compare(ca, cb, &t, span);
                        prim(
                            Prim::ICmp(c),
                            vec![r, mk(core::ExprKind::Int(0), CTy::Int, span)],
                            span,
                        )
                    }
                }
            }
            And => and(ca, cb),
            Or => mk(
                core::ExprKind::If(Box::new(ca), Box::new(bool_(true, span)), Box::new(cb)),
                CTy::Bool,
                span,
            ),
            // a range value is the prelude's `RangeOf(lo, hi)`
            Range => mk(
                core::ExprKind::Alloc {
                    tag: 0,
                    fields: vec![ca, cb],
                },
                CTy::Obj,
                span,
            ),
            ListConcat => unreachable!("`++` is rewritten to List.concat"),
        }
    }
}
