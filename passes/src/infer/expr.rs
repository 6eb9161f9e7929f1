//! Typing rules for expressions (spec 02 §3.5–3.6, §2.4–2.7, §7).

use super::{Inferer, Scheme};
use crate::diag::Diagnostic;
use mesh_ir::surface::*;
use mesh_ir::types::{Ty, TypeDefKind};
use mesh_ir::Span;
use std::collections::{HashMap, HashSet};

impl Inferer<'_> {
    pub(crate) fn expr(&mut self, e: &mut Expr) -> Ty {
        let t = self.expr_inner(e);
        e.ty = Some(t.clone());
        t
    }

    fn expr_inner(&mut self, e: &mut Expr) -> Ty {
        let span = e.span;
        match &mut e.kind {
            ExprKind::Int(_) => Ty::Int,
            ExprKind::Float(_) => Ty::Float,
            ExprKind::Bool(_) => Ty::Bool,
            ExprKind::Unit => Ty::Unit,
            ExprKind::Str(parts) => {
                for p in parts {
                    if let StrPart::Interp(x) = p {
                        let t = self.expr(x);
                        let head = self.table.shallow(&t);
                        if let Some(f) = self
                            .env
                            .defs
                            .impl_for("Display", &head, None)
                            .and_then(|i| i.methods.get("to_string"))
                            .cloned()
                        {
                            // a user `impl Display`: interpolation calls its `to_string`
                            let inner = std::mem::replace(x, Expr::new(ExprKind::Unit, x.span));
                            let callee = Expr {
                                kind: ExprKind::Global(f),
                                span: inner.span,
                                ty: Some(Ty::Fun(vec![t.clone()], Box::new(Ty::String))),
                            };
                            *x = Expr {
                                span: inner.span,
                                kind: ExprKind::Call {
                                    callee: Box::new(callee),
                                    args: vec![Arg {
                                        name: None,
                                        value: inner,
                                    }],
                                },
                                ty: Some(Ty::String),
                            };
                            continue;
                        }
                        self.displayable(&t, x.span);
                    }
                }
                Ty::String
            }
            ExprKind::Var(n) => {
                if let Some(t) = self.lookup(n) {
                    return t;
                }
                let n = n.clone();
                if let Some((key, index)) = self.env.ctor(&self.module, &n) {
                    return self.constructor(e, key, index);
                }
                // lower-case names were reported by `resolve-names`
                if n.starts_with(|c: char| c.is_uppercase()) {
                    self.cx.emit(
                        Diagnostic::error("unbound variable", format!("unknown name `{n}`"), span)
                            .with_code("E0004"),
                    );
                }
                self.table.fresh()
            }
            ExprKind::Global(g) => {
                let g = g.clone();
                // `Geo.Circle` (after `import Geo`)
                if let Some((key, index)) = self.module_ctor(&g) {
                    return self.constructor(e, key, index);
                }
                match self.global_type(&g, None) {
                    Some(t) => t,
                    None => {
                        self.cx.emit(Diagnostic::error(
                            "unsupported",
                            format!("`{g}` is not supported by this compiler yet"),
                            span,
                        ));
                        self.table.fresh()
                    }
                }
            }
            ExprKind::Variant { ty, index, .. } => {
                // re-inferring an already resolved constructor (a method receiver)
                let (key, index) = (ty.clone(), *index);
                self.constructor(e, key, index)
            }
            ExprKind::Field(base, member) => {
                // `Type.Variant`: a qualified constructor
                if let ExprKind::Var(tn) = &base.kind {
                    if self.lookup(tn).is_none() {
                        if let Some((key, index)) =
                            self.env
                                .qualified_ctor(&self.module, &tn.clone(), &member.clone())
                        {
                            return self.constructor(e, key, index);
                        }
                    }
                }
                let bt = self.expr(base);
                let member = member.clone();
                self.field_type(&bt, &member, span)
            }
            ExprKind::Call { callee, args } => {
                // method-call syntax (spec 01 §4.5): impl methods, static trait methods,
                // conversions, methods of `where`-bounded type variables
                if let Some(t) = self.method_call(callee, args, span) {
                    return t;
                }
                let arg_tys: Vec<Ty> = args.iter_mut().map(|a| self.expr(&mut a.value)).collect();
                let callee_name = match &callee.kind {
                    ExprKind::Global(g) if !self.is_module_ctor(g) => Some(g.clone()),
                    _ => None,
                };
                if callee_name.as_deref() == Some("Process.receive") {
                    let r = self.receive(&arg_tys, args, span);
                    callee.ty = Some(Ty::Fun(vec![Ty::Int], Box::new(r.clone())));
                    return r;
                }
                if callee_name.as_deref() == Some("Process.receive_signal") {
                    // (timeout, matcher over `Received<M>`)
                    let r = self.receive(&arg_tys[..1], &args[..1], span);
                    let Ty::Con(_, m) = &r else { unreachable!() };
                    let received = Ty::Con("Received".into(), vec![m[0].clone()]);
                    let matcher = Ty::Fun(vec![received.clone()], Box::new(Ty::Bool));
                    if let Some(t) = arg_tys.get(1) {
                        self.expect(&matcher, t, args[1].value.span, "the receive arms");
                    }
                    callee.ty = Some(Ty::Fun(vec![Ty::Int, matcher], Box::new(received.clone())));
                    return received;
                }
                if callee_name.as_deref() == Some("Process.receive_matching") {
                    // (timeout, matcher): the matcher takes a message
                    let r = self.receive(&arg_tys[..1], &args[..1], span);
                    let Ty::Con(_, m) = &r else { unreachable!() };
                    let matcher = Ty::Fun(vec![m[0].clone()], Box::new(Ty::Bool));
                    if let Some(t) = arg_tys.get(1) {
                        self.expect(&matcher, t, args[1].value.span, "the receive arms");
                    }
                    callee.ty = Some(Ty::Fun(vec![Ty::Int, matcher], Box::new(r.clone())));
                    return r;
                }
                if callee_name.as_deref() == Some("Tuple.nth") {
                    let r = self.tuple_nth(&arg_tys, args, span);
                    callee.ty = Some(Ty::Fun(arg_tys, Box::new(r.clone())));
                    return r;
                }
                let ft = match &callee_name {
                    Some(g) => match self.global_type(g, Some(arg_tys.len())) {
                        Some(t) => t,
                        None => {
                            self.bad_arity(g, arg_tys.len(), span, callee.span);
                            callee.ty = Some(Ty::Never);
                            return self.table.fresh();
                        }
                    },
                    None => self.expr(callee),
                };
                callee.ty = Some(ft.clone());
                let ret = self.table.fresh();
                let fname = match &callee.kind {
                    ExprKind::Global(g) => short(g).to_string(),
                    ExprKind::Variant { name, .. } => name.clone(),
                    _ => "the function".to_string(),
                };
                match self.table.shallow(&ft) {
                    Ty::Fun(ps, r) if ps.len() == arg_tys.len() => {
                        for (i, ((p, a), arg)) in
                            ps.iter().zip(&arg_tys).zip(args.iter()).enumerate()
                        {
                            if i == 2 && callee_name.as_deref() == Some("Process.sup_child") {
                                if self.table.unify(p, a).is_err() {
                                    let found = self.show(a);
                                    self.cx.emit(
                                        Diagnostic::error(
                                            "supervisor child",
                                            format!("a supervisor child's `start` must return a Pid (`fn -> spawn(…) end`), found {found}"),
                                            arg.value.span,
                                        )
                                        .with_code("E0018"),
                                    );
                                }
                            } else if fname == "send"
                                && i == 1
                                && callee_name.as_deref() == Some("Prelude.send")
                            {
                                if self.table.unify(p, a).is_err() {
                                    let (want, found) = (self.show(p), self.show(a));
                                    self.cx.emit(
                                        Diagnostic::error(
                                            "send type mismatch",
                                            format!("send type mismatch: the process accepts messages of type {want}, found {found}"),
                                            arg.value.span,
                                        )
                                        .with_code("E0014"),
                                    );
                                }
                            } else if fname == "println" || fname == "print" {
                                if self.table.unify(p, a).is_err() {
                                    let f = self.show(a);
                                    self.cx.emit(
                                        Diagnostic::error(
                                            "type mismatch",
                                            format!(
                                                "type mismatch: {fname} expects String, found {f}"
                                            ),
                                            arg.value.span,
                                        )
                                        .with_code("E0001")
                                        .with_note(
                                            "interpolate the value instead: println(\"${x}\")",
                                        ),
                                    );
                                }
                            } else {
                                self.expect(
                                    p,
                                    a,
                                    arg.value.span,
                                    &format!("argument {} of `{fname}`", i + 1),
                                );
                            }
                        }
                        self.expect(&ret, &r, span, "");
                    }
                    Ty::Fun(ps, _) => {
                        let noun = if ps.len() == 1 {
                            "argument"
                        } else {
                            "arguments"
                        };
                        self.cx.emit(
                            Diagnostic::error(
                                "arity mismatch",
                                format!(
                                    "arity mismatch: expected {} {noun}, found {}",
                                    ps.len(),
                                    arg_tys.len()
                                ),
                                span,
                            )
                            .with_code("E0003")
                            .with_label(format!("`{fname}` takes {} {noun}", ps.len())),
                        );
                    }
                    _ => {
                        let want = Ty::Fun(arg_tys.clone(), Box::new(ret.clone()));
                        self.expect(&want, &ft, callee.span, "called as a function");
                    }
                }
                ret
            }
            ExprKind::StructLit { ty, fields } => {
                // `Pt { … }`, `Geo.Pt { … }` (resolve-names made it `Global("Geo.Pt")`)
                let (name, key) = match &ty.kind {
                    ExprKind::Var(name) => (name.clone(), self.env.type_named(&self.module, name)),
                    ExprKind::Global(g) => match g.rsplit_once('.') {
                        Some((owner, n)) => (
                            n.to_string(),
                            self.env.type_of_module(&self.module, owner, n),
                        ),
                        None => (g.clone(), None),
                    },
                    _ => {
                        self.unsupported("struct literals of this form", span);
                        return self.table.fresh();
                    }
                };
                let private = matches!(&ty.kind, ExprKind::Global(g)
                    if key.is_none() && g.rsplit_once('.').is_some_and(|(o, n)| self.env.defines(o, n)));
                if private {
                    // reported by resolve-names
                    for (_, value) in fields.iter_mut() {
                        self.expr(value);
                    }
                    return self.table.fresh();
                }
                let Some(key) =
                    key.filter(|k| matches!(self.env.defs.types[k].kind, TypeDefKind::Struct(_)))
                else {
                    self.cx.emit(
                        Diagnostic::error(
                            "unknown type",
                            format!("unknown struct `{name}`"),
                            ty.span,
                        )
                        .with_code("E0005"),
                    );
                    return self.table.fresh();
                };
                let targs = self.fresh_args(&key);
                let TypeDefKind::Struct(decl) = self.env.defs.types[&key].kind.clone() else {
                    unreachable!()
                };
                let mut seen = HashSet::new();
                for (fname, value) in fields.iter_mut() {
                    let vt = self.expr(value);
                    match decl.iter().find(|(n, _)| n == fname) {
                        Some((_, ft)) => {
                            let ft = ft.subst(&targs);
                            self.expect(
                                &ft,
                                &vt,
                                value.span,
                                &format!("field `{fname}` of `{name}`"),
                            );
                        }
                        None => self.cx.emit(
                            Diagnostic::error(
                                "struct field error",
                                format!("unknown field `{fname}` in struct `{name}`"),
                                value.span,
                            )
                            .with_code("E0009"),
                        ),
                    }
                    if !seen.insert(fname.clone()) {
                        self.cx.emit(
                            Diagnostic::error(
                                "struct field error",
                                format!("field `{fname}` given twice in struct `{name}`"),
                                value.span,
                            )
                            .with_code("E0009"),
                        );
                    }
                }
                for (n, _) in &decl {
                    if !seen.contains(n) {
                        self.cx.emit(
                            Diagnostic::error(
                                "struct field error",
                                format!("missing field `{n}` in struct `{name}`"),
                                span,
                            )
                            .with_code("E0009"),
                        );
                    }
                }
                ty.ty = Some(Ty::Unit);
                Ty::Con(key, targs)
            }
            ExprKind::StructUpdate { base, fields } => {
                let bt = self.expr(base);
                for (fname, value) in fields.iter_mut() {
                    let vt = self.expr(value);
                    let ft = self.field_type(&bt, fname, value.span);
                    self.expect(&ft, &vt, value.span, &format!("field `{fname}`"));
                }
                bt
            }
            ExprKind::Unary(op, x) => {
                let t = self.expr(x);
                if *op == UnOp::Neg {
                    let head = self.table.shallow(&t);
                    if let Some(f) = self
                        .env
                        .defs
                        .impl_for("Neg", &head, None)
                        .and_then(|i| i.methods.get("neg"))
                        .cloned()
                    {
                        let ExprKind::Unary(_, x) = std::mem::replace(&mut e.kind, ExprKind::Unit)
                        else {
                            unreachable!()
                        };
                        return self.rewrite_call(e, f, vec![*x], span);
                    }
                }
                match op {
                    UnOp::Neg => {
                        if self.table.constrain_numeric(&t).is_err() {
                            let f = self.show(&t);
                            self.cx.emit(
                                Diagnostic::error(
                                    "trait not satisfied",
                                    format!("type {f} does not satisfy trait `Neg` (unary `-`)"),
                                    span,
                                )
                                .with_code("E0006"),
                            );
                        }
                        t
                    }
                    UnOp::Not => {
                        self.expect(&Ty::Bool, &t, x.span, "operand of `not`");
                        Ty::Bool
                    }
                }
            }
            ExprKind::Binary(op, a, b) => {
                let op = *op;
                let ta = self.expr(a);
                let tb = self.expr(b);
                let method = match op {
                    BinOp::Add => Some(("Add", "add")),
                    BinOp::Sub => Some(("Sub", "sub")),
                    BinOp::Mul => Some(("Mul", "mul")),
                    BinOp::Div => Some(("Div", "div")),
                    BinOp::Rem => Some(("Mod", "mod")),
                    _ => None,
                };
                if let Some((tr, m)) = method {
                    let head = self.table.shallow(&ta);
                    if let Some(f) = self
                        .env
                        .defs
                        .impl_for(tr, &head, None)
                        .and_then(|i| i.methods.get(m))
                        .cloned()
                    {
                        // operator overloading (spec 02 §4.5): `a + b` calls `add(a, b)`
                        let ExprKind::Binary(_, a, b) =
                            std::mem::replace(&mut e.kind, ExprKind::Unit)
                        else {
                            unreachable!()
                        };
                        return self.rewrite_call(e, f, vec![*a, *b], span);
                    }
                }
                if op == BinOp::ListConcat {
                    // `xs ++ ys` is `List.concat(xs, ys)`
                    let ExprKind::Binary(_, a, b) = std::mem::replace(&mut e.kind, ExprKind::Unit)
                    else {
                        unreachable!()
                    };
                    return self.rewrite_call(e, "List.concat".into(), vec![*a, *b], span);
                }
                self.binary(op, &ta, &tb, a.span, b.span, span)
            }
            ExprKind::If { cond, then, else_ } => {
                let ct = self.expr(cond);
                self.expect(&Ty::Bool, &ct, cond.span, "`if` condition");
                let (tt, tspan) = self.block(then, span);
                match else_ {
                    None => Ty::Unit,
                    Some(els) => {
                        let (et, espan) = self.block(els, span);
                        if self.table.unify(&tt, &et).is_err() {
                            let (a, b) = (self.show(&tt), self.show(&et));
                            self.cx.emit(
                                Diagnostic::error("type mismatch", format!("type mismatch: if/else branches have different types {} and {}", a.trim_matches('`'), b.trim_matches('`')), espan)
                                    .with_code("E0001")
                                    .with_label(format!("this branch is {b}"))
                                    .with_secondary(tspan, format!("this branch is {a}")),
                            );
                        }
                        tt
                    }
                }
            }
            ExprKind::Case { scrutinee, arms } => {
                let st = self.expr(scrutinee);
                let result = self.table.fresh();
                for arm in arms {
                    self.scopes.push(HashMap::new());
                    self.pat(&mut arm.pat, &st);
                    if let Some(g) = &mut arm.guard {
                        let gt = self.expr(g);
                        self.expect(
                            &Ty::Bool,
                            &gt,
                            g.span,
                            "guard expression must return `Bool`",
                        );
                    }
                    let (bt, bspan) = self.block(&mut arm.body, arm.span);
                    self.expect(&result, &bt, bspan, "all `case` arms must have one type");
                    self.scopes.pop();
                }
                result
            }
            ExprKind::Tuple(es) => Ty::Tuple(es.iter_mut().map(|x| self.expr(x)).collect()),
            ExprKind::Try(x, convert) => {
                // spec 01 §4.15: Ok(v)/Some(v) → v; Err/None return from the function
                let xt = self.expr(x);
                let ret = self.ret.last().cloned().unwrap_or(Ty::Unit);
                // an unannotated function takes its return type from the first `?`
                if let Ty::Var(_) = self.table.shallow(&ret) {
                    if self.current_fn != "main" {
                        if let Ty::Con(k, a) = self.table.zonk(&xt) {
                            let shape = match k.as_str() {
                                "Option" => Some(Ty::Con(k.clone(), vec![self.table.fresh()])),
                                "Result" if a.len() == 2 => {
                                    Some(Ty::Con(k.clone(), vec![self.table.fresh(), a[1].clone()]))
                                }
                                _ => None,
                            };
                            if let Some(shape) = shape {
                                let _ = self.table.unify(&ret, &shape);
                            }
                        }
                    }
                }
                let (ret_kind, ret_args) = match self.table.zonk(&ret) {
                    Ty::Con(k, a) if k == "Option" || k == "Result" => (k, a),
                    other => {
                        let shown = match other {
                            _ if self.current_fn == "main" => "main returns ()".to_string(),
                            Ty::Var(_) => format!(
                                "the return type of `{}` is not known here; annotate it",
                                self.current_fn
                            ),
                            other => format!("`{}` returns {other}", self.current_fn),
                        };
                        self.cx.emit(
                            Diagnostic::error("? operator misuse", format!("`?` requires the enclosing function to return Result or Option ({shown})"), span)
                                .with_code("E0036")
                                .with_note("annotate the function's return type as `T?` or `T!E`"),
                        );
                        return self.table.fresh();
                    }
                };
                let v = self.table.fresh();
                match ret_kind.as_str() {
                    "Option" => {
                        let want = Ty::Con("Option".into(), vec![v.clone()]);
                        if self.table.unify(&want, &xt).is_err() {
                            let f = self.show(&xt);
                            self.cx.emit(Diagnostic::error("? operator misuse", format!("`?` needs an Option here (the function returns an Option), found {f}"), x.span).with_code("E0037"));
                        }
                    }
                    _ => {
                        // a different error type converts through `From` (spec 01 §4.15)
                        if let Ty::Con(k, a) = self.table.zonk(&xt) {
                            let target = self.table.zonk(&ret_args[1]);
                            if k == "Result" && a.len() == 2 && self.table.zonk(&a[1]) != target {
                                let from = self.table.zonk(&a[1]);
                                if let Some(f) = self
                                    .env
                                    .defs
                                    .impl_for("From", &target, Some(std::slice::from_ref(&from)))
                                    .and_then(|i| i.methods.get("from"))
                                    .cloned()
                                {
                                    *convert = Some(f);
                                    let _ = self.table.unify(&a[0], &v);
                                    return v;
                                }
                            }
                        }
                        let want = Ty::Con("Result".into(), vec![v.clone(), ret_args[1].clone()]);
                        if self.table.unify(&want, &xt).is_err() {
                            let f = self.show(&xt);
                            self.cx.emit(Diagnostic::error("? operator misuse", format!("`?` needs a Result with the function's error type here, found {f}"), x.span).with_code("E0037"));
                        }
                    }
                }
                v
            }
            ExprKind::SelfRef => match self.lookup("self") {
                Some(t) => t,
                None => {
                    self.cx.emit(
                        Diagnostic::error(
                            "unbound variable",
                            "`self` is only available in methods",
                            span,
                        )
                        .with_code("E0004"),
                    );
                    self.table.fresh()
                }
            },
            ExprKind::Return(v) => {
                let t = match v {
                    Some(v) => self.expr(v),
                    None => Ty::Unit,
                };
                if let Some(r) = self.ret.last().cloned() {
                    self.expect(&r, &t, span, "the function's return type");
                }
                Ty::Never
            }
            ExprKind::For {
                pat,
                iter,
                filter,
                body,
            } => {
                // spec 02 §3.5: the element type from the iterable; the value is a list
                let elem = match &mut iter.kind {
                    ExprKind::Binary(BinOp::Range, a, b) => {
                        let (ta, tb) = (self.expr(a), self.expr(b));
                        self.expect(&Ty::Int, &ta, a.span, "range bounds are Int");
                        self.expect(&Ty::Int, &tb, b.span, "range bounds are Int");
                        iter.ty = Some(Ty::Con("Range".into(), vec![]));
                        Ty::Int
                    }
                    _ => {
                        let it = self.expr(iter);
                        match self.table.shallow(&it) {
                            Ty::Con(k, _) if k == "Range" || k == "Set" => Ty::Int,
                            Ty::Con(k, a) if k == "Map" => Ty::Tuple(a),
                            _ => {
                                let elem = self.table.fresh();
                                self.expect(
                                    &Ty::Con("List".into(), vec![elem.clone()]),
                                    &it,
                                    iter.span,
                                    "`for` iterates over a list or a range",
                                );
                                elem
                            }
                        }
                    }
                };
                self.scopes.push(HashMap::new());
                self.pat(pat, &elem);
                if let Some(f) = filter {
                    let ft = self.expr(f);
                    self.expect(&Ty::Bool, &ft, f.span, "`for … when` filter");
                }
                let (bt, _) = self.block(body, span);
                self.scopes.pop();
                Ty::Con("List".into(), vec![bt])
            }
            ExprKind::While { cond, body } => {
                let ct = self.expr(cond);
                self.expect(&Ty::Bool, &ct, cond.span, "`while` condition");
                self.block(body, span);
                Ty::Unit
            }
            ExprKind::Break | ExprKind::Continue => Ty::Never,
            ExprKind::Atom(_) => atom(),
            ExprKind::Json(fields) => {
                // spec 03 §12.1: a String holding a JSON object
                for (_, v) in fields.iter_mut() {
                    let t = self.expr(v);
                    self.has_trait(&t, "Json", v.span);
                }
                Ty::String
            }
            ExprKind::Regex { pattern, flags } => {
                // spec 01 §2.9: checked here, compiled by the runtime
                let full = if flags.is_empty() {
                    pattern.clone()
                } else {
                    format!("(?{flags}){pattern}")
                };
                if let Err(err) = regex::Regex::new(&full) {
                    let first = err
                        .to_string()
                        .lines()
                        .last()
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    self.cx.emit(
                        Diagnostic::error(
                            "invalid regex",
                            format!("invalid regex literal: {first}"),
                            span,
                        )
                        .with_code("E0045"),
                    );
                }
                regex()
            }
            ExprKind::Map(kvs) => {
                // `%{k => v, …}` is `Map.from_list([(k, v), …])`, `%{}` is `Map.new()`
                let kvs = std::mem::take(kvs);
                if kvs.is_empty() {
                    return self.rewrite_call(e, "Map.new".into(), vec![], span);
                }
                let pairs: Vec<Expr> = kvs
                    .into_iter()
                    .map(|(k, v)| Expr::new(ExprKind::Tuple(vec![k, v]), span))
                    .collect();
                return self.rewrite_call(
                    e,
                    "Map.from_list".into(),
                    vec![Expr::new(ExprKind::List(pairs), span)],
                    span,
                );
            }
            ExprKind::List(es) => {
                let elem = self.table.fresh();
                for x in es.iter_mut() {
                    let t = self.expr(x);
                    self.expect(&elem, &t, x.span, "list elements must have one type");
                }
                Ty::Con("List".into(), vec![elem])
            }
            ExprKind::Closure(clauses) => {
                // spec 01 §4.12, spec 02 §3.4: parameters from annotations or use
                let arity = clauses.first().map(|c| c.params.len()).unwrap_or(0);
                let mut named = HashMap::new();
                let first_params: Vec<Option<TypeExpr>> = clauses
                    .first()
                    .map(|c| c.params.iter().map(|p| p.ty.clone()).collect())
                    .unwrap_or_default();
                let ps: Vec<Ty> = first_params
                    .iter()
                    .map(|t| self.annotation(t.as_ref(), &mut named))
                    .collect();
                let ret = self.table.fresh();
                self.ret.push(ret.clone());
                for c in clauses.iter_mut() {
                    if c.params.len() != arity {
                        self.cx.emit(
                            Diagnostic::error(
                                "arity mismatch",
                                format!("all clauses of a closure must take {arity} parameter(s)"),
                                span,
                            )
                            .with_code("E0003"),
                        );
                        continue;
                    }
                    self.scopes.push(HashMap::new());
                    for (p, t) in c.params.iter_mut().zip(&ps) {
                        self.pat(&mut p.pat, t);
                    }
                    if let Some(g) = &mut c.guard {
                        let gt = self.expr(g);
                        self.expect(
                            &Ty::Bool,
                            &gt,
                            g.span,
                            "guard expression must return `Bool`",
                        );
                    }
                    let (bt, bspan) = self.block(&mut c.body, span);
                    self.expect(&ret, &bt, bspan, "closure body");
                    self.scopes.pop();
                }
                self.ret.pop();
                Ty::Fun(ps, Box::new(ret))
            }
            ExprKind::SelfPid => match self.actor_msg.clone() {
                Some(m) => pid_ty(m),
                None => {
                    self.cx.emit(
                        Diagnostic::error(
                            "self outside actor",
                            "`self()` is only available inside an `actor` body",
                            span,
                        )
                        .with_code("E0015"),
                    );
                    self.table.fresh()
                }
            },
            _ => {
                self.unsupported(expr_word(&e.kind), span);
                self.table.fresh()
            }
        }
    }

    /// `Process.receive(timeout)`, the scrutinee `lower-actors` made of a `receive`:
    /// `Option<M>` for the enclosing actor's message type `M` (spec 04 §7).
    fn receive(&mut self, arg_tys: &[Ty], args: &[Arg], span: Span) -> Ty {
        if let (Some(t), Some(a)) = (arg_tys.first(), args.first()) {
            self.expect(
                &Ty::Int,
                t,
                a.value.span,
                "the `after` timeout (milliseconds)",
            );
        }
        let m = match self.actor_msg.clone() {
            Some(m) => m,
            None => {
                self.cx.emit(
                    Diagnostic::error(
                        "receive outside actor",
                        "`receive` is only available inside an `actor` body",
                        span,
                    )
                    .with_code("E0017"),
                );
                self.table.fresh()
            }
        };
        Ty::Con("Option".into(), vec![m])
    }

    /// The constructor a resolved global names (`Global("Geo.Circle")`), if it is one.
    fn module_ctor(&self, g: &str) -> Option<(String, usize)> {
        let (owner, name) = g.rsplit_once('.')?;
        if !name.starts_with(|c: char| c.is_uppercase()) {
            return None;
        }
        self.env.ctor_of_module(&self.module, owner, name)
    }

    fn is_module_ctor(&self, g: &str) -> bool {
        self.module_ctor(g).is_some()
    }

    /// A constructor used as a value: rewrites `e` to `Variant` and returns its type.
    fn constructor(&mut self, e: &mut Expr, key: String, index: usize) -> Ty {
        let targs = self.fresh_args(&key);
        let v = self.env.defs.types[&key].variants()[index].clone();
        let result = Ty::Con(key.clone(), targs.clone());
        e.kind = ExprKind::Variant {
            ty: key,
            index,
            name: v.name.clone(),
        };
        if v.fields.is_empty() {
            result
        } else {
            Ty::Fun(
                v.fields.iter().map(|(_, t)| t.subst(&targs)).collect(),
                Box::new(result),
            )
        }
    }

    /// Replaces `e` by a call of global function `f` on already-typed `args`.
    fn rewrite_call(&mut self, e: &mut Expr, f: String, args: Vec<Expr>, span: Span) -> Ty {
        let callee = Expr::new(ExprKind::Global(f), span);
        e.kind = ExprKind::Call {
            callee: Box::new(callee),
            args: args
                .into_iter()
                .map(|value| Arg { name: None, value })
                .collect(),
        };
        self.expr_inner(e)
    }

    /// Method-call syntax. Returns the call's type when it handled the call entirely;
    /// `None` to continue as an ordinary call (possibly rewritten to a global function).
    fn method_call(
        &mut self,
        callee: &mut Box<Expr>,
        args: &mut Vec<Arg>,
        span: Span,
    ) -> Option<Ty> {
        let ExprKind::Field(recv, m) = &mut callee.kind else {
            return None;
        };
        let m = m.clone();
        // `Type.method(...)`: a static trait method
        if let ExprKind::Var(tn) = &recv.kind {
            if self.lookup(tn).is_none() && tn.starts_with(|c: char| c.is_uppercase()) {
                let t = match self.env.type_named(&self.module, tn) {
                    Some(key) => Ty::Con(key, vec![]),
                    None => Ty::Con(tn.clone(), vec![]),
                };
                if let Some((_, f)) = self.env.defs.method_for(&t, &m) {
                    callee.kind = ExprKind::Global(f.clone());
                    return None;
                }
                // `T.from_json(s)` for `deriving(Json)` types (spec 03 §12.3) and
                // `T.from_row(row)` for `deriving(Row)` structs (spec 06 §7)
                let decoder = match m.as_str() {
                    "from_json" => Some(("Json", "Json.decode", Ty::String, "the JSON text")),
                    "from_row" => Some((
                        "Row",
                        "Row.decode",
                        Ty::Con("Map".into(), vec![Ty::String, Ty::String]),
                        "a row (`Map<String, String>`)",
                    )),
                    _ => None,
                };
                if let (Ty::Con(key, _), Some((derive, global, input, what))) = (&t, decoder) {
                    if self
                        .env
                        .defs
                        .types
                        .get(key)
                        .is_some_and(|d| d.derives(derive))
                    {
                        let targs = self.fresh_args(key);
                        let ret = Ty::Con(
                            "Result".into(),
                            vec![Ty::Con(key.clone(), targs), Ty::String],
                        );
                        for a in args.iter_mut() {
                            let at = self.expr(&mut a.value);
                            self.expect(&input, &at, a.value.span, &format!("`{m}` takes {what}"));
                        }
                        callee.kind = ExprKind::Global(global.into());
                        callee.ty = Some(Ty::Fun(vec![input], Box::new(ret.clone())));
                        return Some(ret);
                    }
                }
                return None;
            }
        }
        if self.is_type_or_module(recv) {
            return None;
        }
        let rt = self.expr(recv);
        let head = self.table.shallow(&rt);
        if let Ty::Con(k, _) = &head {
            if let Some(TypeDefKind::Struct(fs)) = self.env.defs.types.get(k).map(|d| &d.kind) {
                if fs.iter().any(|(n, _)| n == &m) {
                    return None; // a struct field holding a function
                }
            }
        }
        if let Some((_, f)) = self.env.defs.method_for(&head, &m) {
            let f = f.clone();
            let ExprKind::Field(recv, _) = std::mem::replace(&mut callee.kind, ExprKind::Global(f))
            else {
                unreachable!()
            };
            args.insert(
                0,
                Arg {
                    name: None,
                    value: *recv,
                },
            );
            return None;
        }
        // `xs.map(f)` is `List.map(xs, f)` (spec 01 §4.5, rule 3)
        if let Ty::Con(k, _) = &head {
            let g = format!("{k}.{m}");
            if matches!(k.as_str(), "List" | "Map" | "Set") && self.globals.contains_key(&g) {
                let ExprKind::Field(recv, _) =
                    std::mem::replace(&mut callee.kind, ExprKind::Global(g))
                else {
                    unreachable!()
                };
                args.insert(
                    0,
                    Arg {
                        name: None,
                        value: *recv,
                    },
                );
                return None;
            }
        }
        if head == Ty::String && self.globals.contains_key(&format!("String.{m}")) {
            let g = format!("String.{m}");
            let ExprKind::Field(recv, _) = std::mem::replace(&mut callee.kind, ExprKind::Global(g))
            else {
                unreachable!()
            };
            args.insert(
                0,
                Arg {
                    name: None,
                    value: *recv,
                },
            );
            return None;
        }
        // `x.hash()`; `x.into()` / `x.try_into()` (from `From` / `TryFrom` impls, resolved
        // by monomorphisation once the target type is known; spec 02 §4.4)
        if m == "hash" && args.is_empty() {
            self.has_trait(&rt, "Hash", recv.span);
            callee.ty = Some(Ty::Fun(vec![], Box::new(Ty::Int)));
            return Some(Ty::Int);
        }
        if (m == "into" || m == "try_into") && args.is_empty() {
            let target = self.table.fresh();
            let ret = if m == "into" {
                target
            } else {
                Ty::Con("Result".into(), vec![target, self.table.fresh()])
            };
            callee.ty = Some(Ty::Fun(vec![], Box::new(ret.clone())));
            return Some(ret);
        }
        if matches!(m.as_str(), "to_string" | "inspect") && args.is_empty() {
            let trait_ = if m == "to_string" { "Display" } else { "Debug" };
            self.has_trait(&rt, trait_, recv.span);
            callee.ty = Some(Ty::Fun(vec![], Box::new(Ty::String)));
            return Some(Ty::String);
        }
        // a method of a `where`-bounded type variable: typed from the interface;
        // monomorphisation picks the impl
        if let Ty::Var(_) = head {
            // no `where` bound names the method: the one interface declaring it is an
            // implicit bound (`impl Display for Box<T>` calling `self.v.describe()`),
            // checked where monomorphisation knows the type (spec 02 §5: derived impls
            // of generic types need the trait of the type arguments at use sites)
            let bounded = self.bounds.iter().any(|(bv, tr)| {
                self.table.shallow(bv) == head
                    && self
                        .interfaces
                        .get(tr)
                        .is_some_and(|i| i.methods.iter().any(|f| f.name == m))
            });
            if !bounded {
                let declaring: Vec<String> = self
                    .interfaces
                    .iter()
                    .filter(|(_, i)| i.methods.iter().any(|f| f.name == m))
                    .map(|(n, _)| n.clone())
                    .collect();
                if let [tr] = declaring.as_slice() {
                    self.bounds.push((head.clone(), tr.clone()));
                }
            }
            let bounds = self.bounds.clone();
            for (bv, tr) in bounds {
                if self.table.shallow(&bv) != head {
                    continue;
                }
                let Some(method) = self
                    .interfaces
                    .get(&tr)
                    .and_then(|i| i.methods.iter().find(|f| f.name == m))
                    .cloned()
                else {
                    continue;
                };
                let mut named = HashMap::from([("Self".to_string(), rt.clone())]);
                let ps: Vec<Ty> = method
                    .params
                    .iter()
                    .filter(|p| !matches!(p.pat.kind, PatKind::SelfParam))
                    .map(|p| self.annotation(p.ty.as_ref(), &mut named))
                    .collect();
                let ret = self.annotation(method.ret.as_ref(), &mut named);
                if ps.len() != args.len() {
                    self.cx.emit(
                        Diagnostic::error(
                            "arity mismatch",
                            format!(
                                "arity mismatch: `{m}` expects {} arguments, found {}",
                                ps.len(),
                                args.len()
                            ),
                            span,
                        )
                        .with_code("E0003"),
                    );
                }
                for (p, a) in ps.iter().zip(args.iter_mut()) {
                    let at = self.expr(&mut a.value);
                    self.expect(p, &at, a.value.span, &format!("argument of `{m}`"));
                }
                callee.ty = Some(Ty::Fun(ps, Box::new(ret.clone())));
                return Some(ret);
            }
        }
        let shown = self.show(&rt);
        self.cx.emit(
            Diagnostic::error(
                "no method",
                if matches!(head, Ty::Var(_)) {
                    let mut declaring: Vec<&String> = self
                        .interfaces
                        .iter()
                        .filter(|(_, i)| i.methods.iter().any(|f| f.name == m))
                        .map(|(n, _)| n)
                        .collect();
                    declaring.sort();
                    if declaring.is_empty() {
                        format!("no method `{m}` on a value of unknown type (no interface declares `{m}`; annotate the value's type)")
                    } else {
                        let names: Vec<String> = declaring.iter().map(|n| format!("`{n}`")).collect();
                        format!("method `{m}` of a value of unknown type is ambiguous: declared by {}; add `where T: …` or annotate the type", names.join(" and "))
                    }
                } else {
                    format!("no method `{m}` on type {shown}")
                },
                span,
            )
            .with_code("E0007"),
        );
        Some(self.table.fresh())
    }

    fn is_type_or_module(&self, e: &Expr) -> bool {
        matches!(&e.kind, ExprKind::Var(n) if self.lookup(n).is_none() && n.starts_with(|c: char| c.is_uppercase()))
    }

    /// The type of field `member` of a value of type `bt` (which must be known here).
    fn field_type(&mut self, bt: &Ty, member: &str, span: Span) -> Ty {
        match self.table.shallow(bt) {
            Ty::Con(key, args) if self.env.defs.types.contains_key(&key) => {
                let def = &self.env.defs.types[&key];
                if let TypeDefKind::Struct(fields) = &def.kind {
                    if let Some((_, ft)) = fields.iter().find(|(n, _)| n == member) {
                        return ft.subst(&args);
                    }
                }
                let name = def.name.clone();
                self.cx.emit(
                    Diagnostic::error(
                        "struct field error",
                        format!("type `{name}` has no field `{member}`"),
                        span,
                    )
                    .with_code("E0009"),
                );
                self.table.fresh()
            }
            Ty::Var(_) => {
                self.cx.emit(
                    Diagnostic::error(
                        "type annotation needed",
                        format!("the type of this value must be known to access `.{member}`"),
                        span,
                    )
                    .with_code("E0035")
                    .with_note("annotate the parameter or variable with its struct type"),
                );
                self.table.fresh()
            }
            t => {
                self.cx.emit(
                    Diagnostic::error(
                        "struct field error",
                        format!("type `{t}` has no field `{member}`"),
                        span,
                    )
                    .with_code("E0009"),
                );
                self.table.fresh()
            }
        }
    }

    /// `Tuple.nth(t, k)` (spec 03 §8): the type of component `k` — so `t`'s type must be
    /// a tuple known here and `k` an integer literal within it.
    fn tuple_nth(&mut self, arg_tys: &[Ty], args: &[Arg], span: Span) -> Ty {
        if args.len() != 2 {
            self.cx.emit(
                Diagnostic::error(
                    "arity",
                    format!(
                        "`Tuple.nth` takes 2 arguments, but {} were given",
                        args.len()
                    ),
                    span,
                )
                .with_code("E0009"),
            );
            return self.table.fresh();
        }
        self.expect(
            &Ty::Int,
            &arg_tys[1],
            args[1].value.span,
            "the component index",
        );
        let tuple = self.table.shallow(&arg_tys[0]);
        let index = match args[1].value.kind {
            ExprKind::Int(k) => Some(k),
            _ => None,
        };
        match (tuple, index) {
            (Ty::Tuple(ts), Some(k)) if k >= 0 && (k as usize) < ts.len() => ts[k as usize].clone(),
            (Ty::Tuple(ts), Some(k)) => {
                self.cx.emit(Diagnostic::error(
                    "type",
                    format!(
                        "`Tuple.nth`: index {k} is out of range for a tuple of {} components",
                        ts.len()
                    ),
                    args[1].value.span,
                ));
                self.table.fresh()
            }
            (Ty::Tuple(_), None) => {
                self.cx.emit(
                    Diagnostic::error(
                        "type",
                        "`Tuple.nth` needs an integer literal as its index (the component's type depends on it)".to_string(),
                        args[1].value.span,
                    )
                    .with_note("or take the tuple apart with a pattern: `let (a, b) = t`"),
                );
                self.table.fresh()
            }
            _ => {
                let msg = match self.table.shallow(&arg_tys[0]) {
                    Ty::Var(_) => "`Tuple.nth` needs a tuple whose type is known here; this value's type is not known yet".to_string(),
                    _ => format!("`Tuple.nth` needs a tuple; this is {}", self.show(&arg_tys[0])),
                };
                self.cx.emit(
                    Diagnostic::error("type", msg, args[0].value.span).with_note(
                        "annotate the value with its tuple type, or match it with a pattern",
                    ),
                );
                self.table.fresh()
            }
        }
    }

    fn bad_arity(&mut self, g: &str, given: usize, span: Span, callee_span: Span) {
        let arities = self.global_arities(g);
        let private = g
            .rsplit_once('.')
            .is_some_and(|(owner, name)| self.env.defines(owner, name));
        if arities.is_empty() && private {
            // a private constructor of another module: reported by resolve-names
        } else if arities.is_empty() {
            self.cx.emit(Diagnostic::error(
                "unsupported",
                format!("`{g}` is not supported by this compiler yet"),
                callee_span,
            ));
        } else {
            let expected = arities
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(" or ");
            let noun = if arities == [1] {
                "argument"
            } else {
                "arguments"
            };
            self.cx.emit(
                Diagnostic::error(
                    "arity mismatch",
                    format!("arity mismatch: expected {expected} {noun}, found {given}"),
                    span,
                )
                .with_code("E0003")
                .with_label(format!("`{}` takes {expected} {noun}", short(g))),
            );
        }
    }

    fn binary(&mut self, op: BinOp, ta: &Ty, tb: &Ty, sa: Span, sb: Span, span: Span) -> Ty {
        use BinOp::*;
        let sym = op.symbol();
        match op {
            Add | Sub | Mul | Div | Rem => {
                if self.table.unify(ta, tb).is_err() {
                    let (a, b) = (self.show(ta), self.show(tb));
                    self.cx.emit(
                        Diagnostic::error("type mismatch", format!("type mismatch: {} vs {} in `{sym}` (no implicit numeric conversion)", a.trim_matches('`'), b.trim_matches('`')), span)
                            .with_code("E0001")
                            .with_secondary(sa, format!("this is {a}"))
                            .with_secondary(sb, format!("this is {b}")),
                    );
                    return ta.clone();
                }
                if self.table.constrain_numeric(ta).is_err() {
                    let a = self.show(ta);
                    let trait_ = match op {
                        Add => "Add",
                        Sub => "Sub",
                        Mul => "Mul",
                        Div => "Div",
                        _ => "Mod",
                    };
                    let hint = if op == Add && self.table.zonk(ta) == Ty::String {
                        " (use `<>` to concatenate strings)"
                    } else {
                        ""
                    };
                    self.cx.emit(Diagnostic::error("trait not satisfied", format!("type {a} does not satisfy trait `{trait_}` (operator `{sym}`){hint}"), span).with_code("E0006"));
                }
                ta.clone()
            }
            Concat => {
                self.expect(&Ty::String, ta, sa, "operand of `<>`");
                self.expect(&Ty::String, tb, sb, "operand of `<>`");
                Ty::String
            }
            Eq | Ne => {
                self.expect(
                    ta,
                    tb,
                    sb,
                    &format!("both sides of `{sym}` must have one type"),
                );
                self.has_trait(ta, "Eq", span);
                Ty::Bool
            }
            Lt | Gt | Le | Ge => {
                self.expect(
                    ta,
                    tb,
                    sb,
                    &format!("both sides of `{sym}` must have one type"),
                );
                self.has_trait(ta, "Ord", span);
                Ty::Bool
            }
            And | Or => {
                self.expect(&Ty::Bool, ta, sa, &format!("operand of `{sym}`"));
                self.expect(&Ty::Bool, tb, sb, &format!("operand of `{sym}`"));
                Ty::Bool
            }
            Range => {
                self.expect(&Ty::Int, ta, sa, "range bounds are Int");
                self.expect(&Ty::Int, tb, sb, "range bounds are Int");
                Ty::Con("Range".into(), vec![])
            }
            ListConcat => unreachable!("`++` is rewritten to List.concat"),
        }
    }

    /// Checks a compiler-known trait on a type that is already known here; unknown
    /// types are checked when monomorphisation makes them concrete (spec 02 §3.2).
    pub(crate) fn has_trait(&mut self, t: &Ty, trait_: &str, span: Span) {
        let z = self.table.zonk(t);
        if self.env.defs.impl_for(trait_, &z, None).is_some() {
            return;
        }
        let ok = match z {
            Ty::Int | Ty::Float | Ty::String | Ty::Never | Ty::Var(_) | Ty::Param(_) => true,
            Ty::Bool => trait_ != "Ord",
            Ty::Con(key, _)
                if trait_ == "Json" && matches!(key.as_str(), "List" | "Option" | "Map") =>
            {
                true
            }
            Ty::Unit => matches!(trait_, "Eq" | "Display" | "Debug"),
            Ty::Con(key, _) if matches!(key.as_str(), "List" | "Map" | "Set") => trait_ != "Hash",
            // process ids print as `<0.N>` and compare as numbers (spec 04 §1)
            Ty::Con(key, _) if key == "Pid" => trait_ != "Json",
            // a parsed JSON value prints and encodes as its compact text
            Ty::Con(key, _) if key == "Json" => matches!(trait_, "Display" | "Debug" | "Json"),
            Ty::Con(key, _) => match self.env.defs.types.get(&key) {
                Some(def) => {
                    def.derives(trait_)
                        || (key == "Option" || key == "Result" || key == "Ordering")
                            && trait_ != "Display"
                }
                None => key == "List" && trait_ != "Hash",
            },
            Ty::Tuple(_) | Ty::Fun(..) => false,
        };
        if !ok {
            let shown = self.show(t);
            let how = match trait_ {
                "Display" => " (derive it with `deriving(Display)` or write `impl Display`)",
                _ => "",
            };
            self.cx.emit(
                Diagnostic::error(
                    "trait not satisfied",
                    format!("type {shown} does not satisfy trait `{trait_}`{how}"),
                    span,
                )
                .with_code("E0006"),
            );
        }
    }

    /// Interpolated values need `Display`.
    fn displayable(&mut self, t: &Ty, span: Span) {
        if let Ty::Var(_) = self.table.shallow(t) {
            // not known yet: checked when monomorphisation makes it concrete
            return;
        }
        self.has_trait(t, "Display", span);
    }

    fn global_arities(&self, g: &str) -> Vec<usize> {
        match self.globals.get(g) {
            Some(ts) => ts
                .iter()
                .filter_map(|s| {
                    if let Ty::Fun(ps, _) = &s.ty {
                        Some(ps.len())
                    } else {
                        None
                    }
                })
                .collect(),
            None => vec![],
        }
    }

    /// The (instantiated) type of a global function, chosen by arity when given.
    fn global_type(&mut self, g: &str, arity: Option<usize>) -> Option<Ty> {
        let candidates: Vec<Scheme> = match self.globals.get(g) {
            Some(ts) => ts.clone(),
            None => vec![],
        };
        let s = match arity {
            None => candidates.into_iter().next(),
            Some(n) => candidates
                .into_iter()
                .find(|s| matches!(&s.ty, Ty::Fun(ps, _) if ps.len() == n)),
        }?;
        Some(self.instantiate(&s))
    }
}

/// `Pid<M>`.
fn pid_ty(m: Ty) -> Ty {
    Ty::Con("Pid".into(), vec![m])
}

fn atom() -> Ty {
    Ty::Con("Atom".into(), vec![])
}

fn regex() -> Ty {
    Ty::Con("Regex".into(), vec![])
}

fn short(g: &str) -> &str {
    g.rsplit('.').next().unwrap_or(g)
}

fn expr_word(k: &ExprKind) -> &'static str {
    match k {
        ExprKind::Nil => "`nil` values",
        ExprKind::SelfRef => "`self` receivers",
        ExprKind::SelfPid => "`self()` process ids",
        ExprKind::List(_) => "lists",
        ExprKind::Map(_) => "maps",
        ExprKind::Index(..) => "index expressions",
        ExprKind::Receive { .. } => "`receive` expressions",
        _ => "these expressions",
    }
}
