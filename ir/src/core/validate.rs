//! Validator for `core` (the invariants in `mod.rs`).

use super::*;
use std::collections::{HashMap, HashSet};

/// Whether `e` never produces a value (it fails or returns): it fits any type.
fn diverges(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Fail(_) | ExprKind::Return(_) | ExprKind::Recur { .. } | ExprKind::Exit { .. }
    )
}

pub fn validate(p: &Program) -> Result<(), Vec<String>> {
    let mut errs = Vec::new();
    let sigs: HashMap<&str, (Vec<CTy>, CTy)> = p
        .fns
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                (f.params.iter().map(|p| p.1).collect(), f.ret),
            )
        })
        .collect();
    if sigs.len() != p.fns.len() {
        errs.push("two functions share a name".to_string());
    }
    if p.externs.windows(2).any(|w| w[0].symbol >= w[1].symbol) {
        errs.push(
            "the runtime functions are not sorted by symbol, or one is listed twice".to_string(),
        );
    }
    if !sigs.contains_key(p.entry.as_str()) {
        errs.push(format!("entry function `{}` is missing", p.entry));
    }
    for f in &p.fns {
        let mut cx = Cx {
            program: p,
            sigs: &sigs,
            errs: &mut errs,
            bound: HashSet::new(),
            scope: HashMap::new(),
            func: &f.name,
            ret: f.ret,
            loops: Vec::new(),
        };
        for (n, t) in &f.params {
            cx.bind(n, *t);
        }
        if f.body.ty != f.ret && !diverges(&f.body) {
            cx.err(format!(
                "body has type {} but the function returns {}",
                f.body.ty.name(),
                f.ret.name()
            ));
        }
        cx.expr(&f.body, true);
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

struct Cx<'a> {
    program: &'a Program,
    sigs: &'a HashMap<&'a str, (Vec<CTy>, CTy)>,
    errs: &'a mut Vec<String>,
    bound: HashSet<String>,
    scope: HashMap<String, CTy>,
    func: &'a str,
    ret: CTy,
    /// Enclosing loops: label, parameter types, result type.
    loops: Vec<(String, Vec<CTy>, CTy)>,
}

impl Cx<'_> {
    fn err(&mut self, m: String) {
        self.errs.push(format!("in {}: {m}", self.func));
    }

    fn bind(&mut self, n: &str, t: CTy) {
        if !self.bound.insert(n.to_string()) {
            self.err(format!("local `{n}` is bound twice"));
        }
        self.scope.insert(n.to_string(), t);
    }

    fn expect(&mut self, e: &Expr, t: CTy) {
        if e.ty != t && !diverges(e) {
            self.err(format!("expected {} but found {}", t.name(), e.ty.name()));
        }
    }

    fn expr(&mut self, e: &Expr, tail: bool) {
        match &e.kind {
            ExprKind::Int(_) => self.expect(e, CTy::Int),
            ExprKind::Float(_) => self.expect(e, CTy::Float),
            ExprKind::Bool(_) => self.expect(e, CTy::Bool),
            ExprKind::Str(_) => self.expect(e, CTy::Str),
            ExprKind::Unit => self.expect(e, CTy::Unit),
            ExprKind::Fail(_) => {}
            ExprKind::Return(v) => {
                self.expr(v, true);
                let r = self.ret;
                self.expect(v, r);
            }
            ExprKind::Var(v) => match self.scope.get(v).copied() {
                Some(t) => self.expect(e, t),
                None => self.err(format!("unbound local `{v}`")),
            },
            ExprKind::Let(n, v, b) => {
                self.expr(v, false);
                let saved = self.scope.clone();
                self.bind(n, v.ty);
                self.expr(b, tail);
                self.expect(b, e.ty);
                self.scope = saved;
            }
            ExprKind::Seq(a, b) => {
                self.expr(a, false);
                self.expr(b, tail);
                self.expect(b, e.ty);
            }
            ExprKind::If(c, t, f) => {
                self.expr(c, false);
                self.expect(c, CTy::Bool);
                self.expr(t, tail);
                self.expr(f, tail);
                self.expect(t, e.ty);
                self.expect(f, e.ty);
            }
            ExprKind::Call {
                func,
                args,
                tail: is_tail,
            } => {
                if *is_tail && !tail {
                    self.err(format!(
                        "call of `{func}` is marked tail but is not in tail position"
                    ));
                }
                args.iter().for_each(|a| self.expr(a, false));
                match self.sigs.get(func.as_str()).cloned() {
                    None => self.err(format!("call of unknown function `{func}`")),
                    Some((ps, r)) => {
                        if ps.len() != args.len() {
                            self.err(format!(
                                "`{func}` takes {} arguments, given {}",
                                ps.len(),
                                args.len()
                            ));
                        }
                        for (a, t) in args.iter().zip(ps) {
                            self.expect(a, t);
                        }
                        self.expect(e, r);
                    }
                }
            }
            ExprKind::Alloc { fields, .. } => {
                fields.iter().for_each(|a| self.expr(a, false));
                self.expect(e, CTy::Obj);
            }
            ExprKind::Reuse { token, fields, .. } => {
                match self.scope.get(token.as_str()).copied() {
                    Some(CTy::Raw) => {}
                    Some(t) => self.err(format!("reuse token `{token}` has type {}", t.name())),
                    None => self.err(format!("reuse of unbound token `{token}`")),
                }
                if fields.is_empty() {
                    self.err("a reuse allocation without fields".into());
                }
                fields.iter().for_each(|a| self.expr(a, false));
                self.expect(e, CTy::Obj);
            }
            ExprKind::Load(o, _) => {
                self.expr(o, false);
                self.expect(o, CTy::Obj);
            }
            ExprKind::Loop {
                label,
                params,
                inits,
                body,
            } => {
                inits.iter().for_each(|a| self.expr(a, false));
                for (i, (_, t)) in inits.iter().zip(params) {
                    self.expect(i, *t);
                }
                let saved = self.scope.clone();
                for (n, t) in params {
                    self.bind(n, *t);
                }
                self.loops
                    .push((label.clone(), params.iter().map(|p| p.1).collect(), e.ty));
                self.expr(body, tail);
                self.expect(body, e.ty);
                self.loops.pop();
                self.scope = saved;
            }
            ExprKind::Recur { label, args } => {
                args.iter().for_each(|a| self.expr(a, false));
                match self.loops.iter().rev().find(|l| &l.0 == label).cloned() {
                    None => self.err(format!("`recur {label}` outside that loop")),
                    Some((_, ps, _)) => {
                        if ps.len() != args.len() {
                            self.err(format!(
                                "`recur {label}` with {} values for {} parameters",
                                args.len(),
                                ps.len()
                            ));
                        }
                        for (a, t) in args.iter().zip(ps) {
                            self.expect(a, t);
                        }
                    }
                }
            }
            ExprKind::Exit { label, value } => {
                self.expr(value, false);
                match self.loops.iter().rev().find(|l| &l.0 == label).cloned() {
                    None => self.err(format!("`exit {label}` outside that loop")),
                    Some((_, _, r)) => self.expect(value, r),
                }
            }
            ExprKind::Lambda {
                params,
                ret,
                body,
                env,
            } => {
                self.expect(e, CTy::Obj);
                let saved = (self.scope.clone(), self.loops.clone(), self.ret);
                if let Some(c) = env {
                    // a converted lambda is closed: only its parameters are in scope
                    self.scope.clear();
                    self.bind(&c.param, CTy::Obj);
                }
                self.loops.clear();
                for (n, t) in params {
                    self.bind(n, *t);
                }
                self.ret = *ret;
                self.expr(body, true);
                self.expect(body, *ret);
                (self.scope, self.loops, self.ret) = saved;
            }
            ExprKind::Dup(v) => match self.scope.get(v).copied() {
                Some(t) if t.is_counted() => self.expect(e, t),
                Some(_) => self.err(format!("`dup {v}` of an uncounted local")),
                None => self.err(format!("`dup` of unbound local `{v}`")),
            },
            ExprKind::Drop(v, body) => {
                match self.scope.get(v).copied() {
                    Some(t) if t.is_counted() => {}
                    Some(_) => self.err(format!("`drop {v}` of an uncounted local")),
                    None => self.err(format!("`drop` of unbound local `{v}`")),
                }
                self.expr(body, tail);
                self.expect(body, e.ty);
            }
            ExprKind::Runtime(sym, args) => {
                args.iter().for_each(|a| self.expr(a, false));
                match self.program.extern_sig(sym).map(|x| (&x.params, x.ret)) {
                    None => self.err(format!("unknown runtime function `{sym}`")),
                    Some((ps, r)) => {
                        if ps.len() != args.len() {
                            self.err(format!(
                                "`{sym}` takes {} arguments, given {}",
                                ps.len(),
                                args.len()
                            ));
                        }
                        for (a, t) in args.iter().zip(ps.iter()) {
                            if let RtTy::Is(t) = t {
                                self.expect(a, *t);
                            }
                        }
                        if let RtTy::Is(r) = r {
                            self.expect(e, r);
                        }
                    }
                }
            }
            ExprKind::FnRef(f) => {
                if !self.sigs.contains_key(f.as_str()) {
                    self.err(format!("reference to unknown function `{f}`"));
                }
                self.expect(e, CTy::Raw);
            }
            ExprKind::CallClosure {
                closure,
                args,
                tail: is_tail,
            } => {
                if *is_tail && !tail {
                    self.err("closure call marked tail but not in tail position".into());
                }
                self.expr(closure, false);
                self.expect(closure, CTy::Obj);
                args.iter().for_each(|a| self.expr(a, false));
            }
            ExprKind::Tag(o) => {
                self.expr(o, false);
                self.expect(o, CTy::Obj);
                self.expect(e, CTy::Int);
            }
            ExprKind::Prim(p, args) => {
                args.iter().for_each(|a| self.expr(a, false));
                let (ps, r) = p.sig();
                if ps.len() != args.len() {
                    self.err(format!(
                        "primitive {} takes {} operands",
                        p.name(),
                        ps.len()
                    ));
                }
                for (a, t) in args.iter().zip(ps) {
                    self.expect(a, *t);
                }
                self.expect(e, r);
            }
        }
    }
}
