//! An evaluator for the typed surface tree (`typed`, `mono`, `matched`): the meaning
//! `monomorphise`, `match-compile` and `explicate-core` must preserve. A direct
//! tree-walker over the same value model and the same observable result as the `core`
//! interpreter (`core::interp`): printed output, and the runtime error if any. It
//! reads the static types the tree carries where the meaning depends on them (`Display`
//! of a value, arithmetic on `Int` or `Float`, user trait impls).
//!
//! Library functions implemented by the runtime are modelled for the common ones
//! (printing, conversions, maps, sets, `List.sort`, strings); others end the run with
//! an `Unsupported:` error, which properties treat as "no verdict".

use super::*;
use crate::core::interp::{Outcome, Value};
use crate::types::{Ty, TypeDefKind, TypeDefs};
use std::collections::HashMap;
use std::rc::Rc;

/// A closure value: its clauses and the locals it captured.
#[derive(Debug)]
pub struct Closure {
    clauses: Vec<Clause>,
    env: Vec<(String, Value)>,
}

impl PartialEq for Closure {
    fn eq(&self, other: &Closure) -> bool {
        std::ptr::eq(self, other)
    }
}

enum Ctrl {
    Break,
    Continue,
    Return(Value),
    Error(String),
    /// A call in tail position, made by the caller's loop (constant stack).
    TailCall(Value, Vec<Value>),
}

type R<T> = Result<T, Ctrl>;

fn err<T>(m: impl Into<String>) -> R<T> {
    Err(Ctrl::Error(m.into()))
}

fn unsupported<T>(what: &str) -> R<T> {
    err(format!("Unsupported: {what} in the surface evaluator"))
}

struct Eval<'a> {
    fns: HashMap<String, &'a FnDef>,
    /// The runtime symbols of the library's `@extern` functions, by Mesh name.
    externs: HashMap<String, &'a str>,
    defs: &'a TypeDefs,
    out: String,
    fuel: u64,
    env: Vec<(String, Value)>,
}

/// Runs `Main.main` of a typed program; `fuel` bounds the number of evaluation steps.
/// Mesh loops are tail calls, which this tree-walker does not eliminate: it runs on a
/// thread with a large (lazily committed) stack.
pub fn run(p: &Program, defs: &TypeDefs, fuel: u64) -> Outcome {
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(1 << 30)
            .spawn_scoped(s, || run_here(p, defs, fuel))
            .expect("a thread for the evaluator")
            .join()
            .unwrap_or_else(|_| Outcome {
                stdout: String::new(),
                error: Some("the evaluator panicked".into()),
            })
    })
}

fn run_here(p: &Program, defs: &TypeDefs, fuel: u64) -> Outcome {
    let mut fns = HashMap::new();
    let mut externs = HashMap::new();
    for m in &p.modules {
        for it in &m.items {
            if let ItemKind::Fn(f) = &it.kind {
                let name = format!("{}.{}", m.name, f.name);
                match (&f.external, f.extern_symbol()) {
                    (_, Some(sym)) => {
                        externs.insert(name, sym);
                    }
                    (Some(_), None) => {}
                    (None, _) => {
                        fns.insert(name, f);
                    }
                }
            }
        }
    }
    let mut ev = Eval {
        fns,
        externs,
        defs,
        out: String::new(),
        fuel,
        env: Vec::new(),
    };
    let error = match ev.call_global("Main.main", vec![]) {
        Ok(_) => None,
        Err(Ctrl::Error(m)) => Some(m),
        Err(_) => Some("control left main".into()),
    };
    Outcome {
        stdout: ev.out,
        error,
    }
}

fn obj(tag: u32, fields: Vec<Value>) -> Value {
    Value::Obj(Rc::new((tag, fields)))
}

fn list(items: Vec<Value>) -> Value {
    crate::core::interp::list(items.into_iter())
}

fn items(v: &Value) -> Vec<Value> {
    crate::core::interp::elements(v)
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(n) => *n,
        _ => 0,
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        _ => String::new(),
    }
}

fn entries(v: &Value) -> Vec<(Value, Value)> {
    match v {
        Value::Map(m) => m.to_vec(),
        _ => vec![],
    }
}

fn ty_of(e: &Expr) -> Ty {
    e.ty.clone().unwrap_or(Ty::Unit)
}

impl Eval<'_> {
    fn tick(&mut self) -> R<()> {
        if self.fuel == 0 {
            return err("out of fuel");
        }
        self.fuel -= 1;
        Ok(())
    }

    fn lookup(&self, n: &str) -> Option<Value> {
        self.env
            .iter()
            .rev()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
    }

    fn call_global(&mut self, g: &str, args: Vec<Value>) -> R<Value> {
        self.call_value(Value::Code(g.to_string()), args)
    }

    /// Calls `f`, then whatever it tail-calls, until a value comes back.
    fn call_value(&mut self, f: Value, args: Vec<Value>) -> R<Value> {
        let (mut f, mut args) = (f, args);
        loop {
            match self.enter(f, args) {
                Err(Ctrl::TailCall(g, a)) => {
                    f = g;
                    args = a;
                }
                r => return r,
            }
        }
    }

    fn enter_global(&mut self, g: &str, args: Vec<Value>) -> R<Value> {
        let Some(f) = self.fns.get(g).copied() else {
            return self.builtin(g, args);
        };
        let saved = std::mem::take(&mut self.env);
        for (p, a) in f.params.iter().zip(args) {
            if !self.bind(&p.pat, &a) {
                self.env = saved;
                return err(format!("{g}: argument does not match its pattern"));
            }
        }
        let r = self.block_in(&f.body, true);
        self.env = saved;
        match r {
            Ok(v) | Err(Ctrl::Return(v)) => Ok(v),
            Err(c) => Err(c),
        }
    }

    /// One call: a tail call it makes comes back as `Ctrl::TailCall`.
    fn enter(&mut self, f: Value, args: Vec<Value>) -> R<Value> {
        match f {
            Value::Code(g) => match g.strip_prefix("%ctor:") {
                Some(tag) => Ok(obj(tag.parse().unwrap_or(0), args)),
                None => self.enter_global(&g, args),
            },
            Value::Fun(c) => {
                let saved = std::mem::replace(&mut self.env, c.env.clone());
                for cl in &c.clauses {
                    let mark = self.env.len();
                    let ok = cl
                        .params
                        .iter()
                        .zip(&args)
                        .all(|(p, a)| self.bind(&p.pat, a));
                    let guard = match (&cl.guard, ok) {
                        (Some(g), true) => match self.expr(g) {
                            Ok(v) => v == Value::Bool(true),
                            Err(e) => {
                                self.env = saved;
                                return Err(e);
                            }
                        },
                        (_, ok) => ok,
                    };
                    if guard {
                        let r = self.block_in(&cl.body, true);
                        self.env = saved;
                        return match r {
                            Ok(v) | Err(Ctrl::Return(v)) => Ok(v),
                            Err(c) => Err(c),
                        };
                    }
                    self.env.truncate(mark);
                }
                self.env = saved;
                err("no clause of the closure matched")
            }
            _ => err("call of a value that is not a function"),
        }
    }

    fn block(&mut self, b: &Block) -> R<Value> {
        self.block_in(b, false)
    }

    /// A block; `tail`: its value is the function's (its last call is a tail call).
    fn block_in(&mut self, b: &Block, tail: bool) -> R<Value> {
        let mark = self.env.len();
        let mut last = Value::Unit;
        for (i, s) in b.iter().enumerate() {
            let r = match &s.kind {
                StmtKind::Let { pat, value, .. } => match self.expr(value) {
                    Ok(v) => {
                        if self.bind(pat, &v) {
                            Ok(Value::Unit)
                        } else {
                            err("let pattern does not match")
                        }
                    }
                    Err(e) => Err(e),
                },
                StmtKind::Expr(e) => self.expr_in(e, tail && i + 1 == b.len()),
                StmtKind::Item(_) => Ok(Value::Unit),
            };
            match r {
                Ok(v) => last = v,
                Err(e) => {
                    self.env.truncate(mark);
                    return Err(e);
                }
            }
        }
        self.env.truncate(mark);
        Ok(last)
    }

    /// Matches `v` against `p`, binding its variables; false (bindings undone by the
    /// caller's scope) when it does not match.
    fn bind(&mut self, p: &Pat, v: &Value) -> bool {
        match (&p.kind, v) {
            (PatKind::Wild, _) => true,
            (PatKind::SelfParam, _) => {
                self.env.push(("self".into(), v.clone()));
                true
            }
            (PatKind::Var(n), _) => {
                self.env.push((n.clone(), v.clone()));
                true
            }
            (PatKind::As(q, n), _) => {
                self.env.push((n.clone(), v.clone()));
                self.bind(q, v)
            }
            (PatKind::Int(k), Value::Int(n)) => k == n,
            (PatKind::Float(k), Value::Float(x)) => k == x,
            (PatKind::Bool(k), Value::Bool(b)) => k == b,
            (PatKind::Str(k), Value::Str(s)) | (PatKind::Atom(k), Value::Str(s)) => {
                k.as_str() == &**s
            }
            (PatKind::Tuple(ps), Value::Obj(o)) | (PatKind::Brace(ps), Value::Obj(o)) => {
                ps.len() == o.1.len() && ps.iter().zip(&o.1).all(|(q, x)| self.bind(q, x))
            }
            (PatKind::Brace(ps), Value::Map(_)) => ps.is_empty(),
            (PatKind::Variant { index, args, .. }, Value::Obj(o)) => {
                o.0 as usize == *index && args.iter().zip(&o.1).all(|(q, x)| self.bind(q, x))
            }
            (PatKind::Or(alts), _) => alts.iter().any(|q| {
                let mark = self.env.len();
                let ok = self.bind(q, v);
                if !ok {
                    self.env.truncate(mark);
                }
                ok
            }),
            _ => false,
        }
    }

    fn exprs(&mut self, es: &[Expr]) -> R<Vec<Value>> {
        es.iter().map(|e| self.expr(e)).collect()
    }

    fn expr(&mut self, e: &Expr) -> R<Value> {
        self.expr_in(e, false)
    }

    fn expr_in(&mut self, e: &Expr, tail: bool) -> R<Value> {
        self.tick()?;
        Ok(match &e.kind {
            ExprKind::Int(n) => Value::Int(*n),
            ExprKind::Float(x) => Value::Float(*x),
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Unit | ExprKind::Nil => Value::Unit,
            ExprKind::Atom(a) => Value::Str(Rc::from(a.as_str())),
            ExprKind::Str(parts) => {
                let mut s = String::new();
                for p in parts {
                    match p {
                        StrPart::Text(l) => s.push_str(l),
                        StrPart::Interp(x) => {
                            let v = self.expr(x)?;
                            s.push_str(&self.display(&v, &ty_of(x))?);
                        }
                    }
                }
                Value::Str(Rc::from(s))
            }
            ExprKind::Var(n) => match self.lookup(n) {
                Some(v) => v,
                None => return err(format!("unbound local {n}")),
            },
            ExprKind::Global(g) => Value::Code(g.clone()),
            ExprKind::SelfRef => match self.lookup("self") {
                Some(v) => v,
                None => return err("`self` outside a method"),
            },
            ExprKind::Variant { index, .. } => match &e.ty {
                Some(Ty::Fun(..)) => Value::Code(format!("%ctor:{index}")),
                _ => obj(*index as u32, vec![]),
            },
            ExprKind::Tuple(es) => obj(0, self.exprs(es)?),
            ExprKind::List(es) => list(self.exprs(es)?),
            ExprKind::StructLit { fields, .. } => {
                let order = self.struct_fields(&ty_of(e));
                let mut vals = vec![Value::Unit; order.len()];
                for (n, x) in fields {
                    let v = self.expr(x)?;
                    if let Some(i) = order.iter().position(|f| f == n) {
                        vals[i] = v;
                    }
                }
                obj(0, vals)
            }
            ExprKind::StructUpdate { base, fields } => {
                let order = self.struct_fields(&ty_of(e));
                let Value::Obj(b) = self.expr(base)? else {
                    return err("update of a value that is not a struct");
                };
                let mut vals = b.1.clone();
                for (n, x) in fields {
                    let v = self.expr(x)?;
                    if let Some(i) = order.iter().position(|f| f == n) {
                        vals[i] = v;
                    }
                }
                obj(0, vals)
            }
            ExprKind::Field(b, name) => {
                let order = self.struct_fields(&ty_of(b));
                let Value::Obj(o) = self.expr(b)? else {
                    return err("field of a value that is not a struct");
                };
                match order.iter().position(|f| f == name) {
                    Some(i) => o.1[i].clone(),
                    None => return unsupported(&format!("field `{name}` of `{}`", ty_of(b))),
                }
            }
            ExprKind::Call { callee, args } => {
                let vals: Vec<Value> =
                    args.iter().map(|a| self.expr(&a.value)).collect::<R<_>>()?;
                match &callee.kind {
                    // derived `Display` / `Debug` methods (user methods are globals)
                    ExprKind::Field(recv, m) if m == "to_string" || m == "inspect" => {
                        let v = self.expr(recv)?;
                        Value::Str(Rc::from(self.show(&v, &ty_of(recv), m == "inspect")?))
                    }
                    // conversions to text are `Display` at the argument's type
                    ExprKind::Global(g)
                        if matches!(
                            g.as_str(),
                            "String.from" | "Int.to_string" | "Float.to_string"
                        ) =>
                    {
                        let t = ty_of(&args[0].value);
                        Value::Str(Rc::from(self.display(&vals[0], &t)?))
                    }
                    ExprKind::Variant { index, .. } => obj(*index as u32, vals),
                    _ => {
                        let f = self.expr(callee)?;
                        if tail {
                            return Err(Ctrl::TailCall(f, vals));
                        }
                        self.call_value(f, vals)?
                    }
                }
            }
            ExprKind::Unary(op, x) => {
                let v = self.expr(x)?;
                match (op, v) {
                    (UnOp::Neg, Value::Int(n)) => Value::Int(n.wrapping_neg()),
                    (UnOp::Neg, Value::Float(f)) => Value::Float(-f),
                    (UnOp::Not, Value::Bool(b)) => Value::Bool(!b),
                    _ => return unsupported("this unary operator"),
                }
            }
            ExprKind::Binary(op, a, b) => return self.binary(*op, a, b),
            ExprKind::If { cond, then, else_ } => {
                if self.expr(cond)? == Value::Bool(true) {
                    self.block_in(then, tail)?
                } else {
                    match else_ {
                        Some(b) => self.block_in(b, tail)?,
                        None => Value::Unit,
                    }
                }
            }
            ExprKind::Case { scrutinee, arms } => {
                let v = self.expr(scrutinee)?;
                for a in arms {
                    // with a guard, each alternative of a binding or-pattern is tried
                    let alts = match &a.guard {
                        Some(_) => super::patterns::expand_pat(&a.pat),
                        None => vec![a.pat.clone()],
                    };
                    for pat in &alts {
                        let mark = self.env.len();
                        if self.bind(pat, &v) {
                            let pass = match &a.guard {
                                Some(g) => self.expr(g)? == Value::Bool(true),
                                None => true,
                            };
                            if pass {
                                let r = self.block_in(&a.body, tail);
                                self.env.truncate(mark);
                                return r;
                            }
                        }
                        self.env.truncate(mark);
                    }
                }
                return err("no clause matched");
            }
            ExprKind::While { cond, body } => {
                while self.expr(cond)? == Value::Bool(true) {
                    match self.block(body) {
                        Ok(_) | Err(Ctrl::Continue) => {}
                        Err(Ctrl::Break) => break,
                        Err(c) => return Err(c),
                    }
                }
                Value::Unit
            }
            ExprKind::For {
                pat,
                iter,
                filter,
                body,
            } => {
                let xs: Vec<Value> = match &iter.kind {
                    ExprKind::Binary(BinOp::Range, a, b) => {
                        let (lo, hi) = (int(&self.expr(a)?), int(&self.expr(b)?));
                        (lo..hi).map(Value::Int).collect()
                    }
                    _ => {
                        let v = self.expr(iter)?;
                        match (ty_of(iter), &v) {
                            (Ty::Con(k, _), Value::Obj(o)) if k == "Range" => {
                                (int(&o.1[0])..int(&o.1[1])).map(Value::Int).collect()
                            }
                            (Ty::Con(k, _), _) if k == "Map" => entries(&v)
                                .into_iter()
                                .map(|(k, v)| obj(0, vec![k, v]))
                                .collect(),
                            (Ty::Con(k, _), _) if k == "Set" => {
                                entries(&v).into_iter().map(|(k, _)| k).collect()
                            }
                            _ => items(&v),
                        }
                    }
                };
                let mut out = Vec::new();
                for x in xs {
                    let mark = self.env.len();
                    if !self.bind(pat, &x) {
                        self.env.truncate(mark);
                        continue;
                    }
                    let keep = match filter {
                        Some(f) => self.expr(f)? == Value::Bool(true),
                        None => true,
                    };
                    let r = if keep { Some(self.block(body)) } else { None };
                    self.env.truncate(mark);
                    match r {
                        None | Some(Err(Ctrl::Continue)) => {}
                        Some(Ok(v)) => out.push(v),
                        Some(Err(Ctrl::Break)) => break,
                        Some(Err(c)) => return Err(c),
                    }
                }
                match &e.ty {
                    Some(Ty::Con(k, _)) if k == "List" => list(out),
                    _ => Value::Unit,
                }
            }
            ExprKind::Break => return Err(Ctrl::Break),
            ExprKind::Continue => return Err(Ctrl::Continue),
            ExprKind::Return(v) => {
                let v = match v {
                    Some(x) => self.expr(x)?,
                    None => Value::Unit,
                };
                return Err(Ctrl::Return(v));
            }
            ExprKind::Closure(cs) => Value::Fun(Rc::new(Closure {
                clauses: cs.clone(),
                env: self.env.clone(),
            })),
            ExprKind::Try(x, convert) => {
                let Value::Obj(o) = self.expr(x)? else {
                    return err("`?` on a value that is not a Result or an Option");
                };
                let is_option = matches!(&x.ty, Some(Ty::Con(k, _)) if k == "Option");
                match (o.0, is_option) {
                    (0, _) => o.1[0].clone(),
                    (_, true) => return Err(Ctrl::Return(obj(1, vec![]))),
                    _ => {
                        let mut e = o.1[0].clone();
                        if let Some(g) = convert {
                            e = self.call_global(g, vec![e])?;
                        }
                        return Err(Ctrl::Return(obj(1, vec![e])));
                    }
                }
            }
            k => {
                let kind = format!("{k:?}");
                return unsupported(kind.split(['(', ' ', '{']).next().unwrap_or("?"));
            }
        })
    }

    fn struct_fields(&self, t: &Ty) -> Vec<String> {
        match t {
            Ty::Con(k, _) => match self.defs.types.get(k).map(|d| &d.kind) {
                Some(TypeDefKind::Struct(fs)) => fs.iter().map(|(n, _)| n.clone()).collect(),
                _ => vec![],
            },
            _ => vec![],
        }
    }

    /// The user impl's method `m` of `trait_` for `t`, if any.
    fn user_impl(&self, trait_: &str, m: &str, t: &Ty) -> Option<String> {
        self.defs
            .impl_for(trait_, t, None)
            .and_then(|i| i.methods.get(m))
            .cloned()
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr) -> R<Value> {
        use BinOp::*;
        if op == And || op == Or {
            let x = self.expr(a)? == Value::Bool(true);
            return match (op, x) {
                (And, false) => Ok(Value::Bool(false)),
                (Or, true) => Ok(Value::Bool(true)),
                _ => self.expr(b),
            };
        }
        let t = ty_of(a);
        let (x, y) = (self.expr(a)?, self.expr(b)?);
        let trait_ = match op {
            Add => Some(("Add", "add")),
            Sub => Some(("Sub", "sub")),
            Mul => Some(("Mul", "mul")),
            Div => Some(("Div", "div")),
            Rem => Some(("Mod", "mod")),
            _ => None,
        };
        if let Some((tr, m)) = trait_ {
            if let Some(g) = self.user_impl(tr, m, &t) {
                return self.call_global(&g, vec![x, y]);
            }
        }
        Ok(match (op, &x, &y) {
            (Add, Value::Int(p), Value::Int(q)) => Value::Int(p.wrapping_add(*q)),
            (Sub, Value::Int(p), Value::Int(q)) => Value::Int(p.wrapping_sub(*q)),
            (Mul, Value::Int(p), Value::Int(q)) => Value::Int(p.wrapping_mul(*q)),
            (Div | Rem, Value::Int(_), Value::Int(0)) => {
                return err(if op == Div {
                    "division by zero"
                } else {
                    "remainder by zero"
                })
            }
            (Div, Value::Int(p), Value::Int(q)) => match p.checked_div(*q) {
                Some(r) => Value::Int(r),
                None => return err("integer overflow in division"),
            },
            (Rem, Value::Int(p), Value::Int(q)) => Value::Int(p.wrapping_rem(*q)),
            (Add, Value::Float(p), Value::Float(q)) => Value::Float(p + q),
            (Sub, Value::Float(p), Value::Float(q)) => Value::Float(p - q),
            (Mul, Value::Float(p), Value::Float(q)) => Value::Float(p * q),
            (Div, Value::Float(p), Value::Float(q)) => Value::Float(p / q),
            (Rem, Value::Float(p), Value::Float(q)) => Value::Float(p % q),
            (Concat, Value::Str(p), Value::Str(q)) => Value::Str(Rc::from(format!("{p}{q}"))),
            (Range, _, _) => obj(0, vec![x, y]),
            (Eq, _, _) => Value::Bool(self.equal(&x, &y, &t)?),
            (Ne, _, _) => Value::Bool(!self.equal(&x, &y, &t)?),
            (Lt | Gt | Le | Ge, _, _) => {
                let c = self.compare(&x, &y, &t)?;
                Value::Bool(match op {
                    Lt => c < 0,
                    Gt => c > 0,
                    Le => c <= 0,
                    _ => c >= 0,
                })
            }
            _ => return unsupported("this operator"),
        })
    }

    fn equal(&mut self, x: &Value, y: &Value, t: &Ty) -> R<bool> {
        if let Some(g) = self.user_impl("Eq", "eq", t) {
            return Ok(self.call_global(&g, vec![x.clone(), y.clone()])? == Value::Bool(true));
        }
        Ok(x == y)
    }

    fn compare(&mut self, x: &Value, y: &Value, t: &Ty) -> R<i64> {
        if let Some(g) = self.user_impl("Ord", "cmp", t) {
            let Value::Obj(o) = self.call_global(&g, vec![x.clone(), y.clone()])? else {
                return err("cmp did not return an Ordering");
            };
            return Ok(o.0 as i64 - 1);
        }
        Ok(match (x, y) {
            (Value::Int(p), Value::Int(q)) => p.cmp(q) as i64,
            (Value::Float(p), Value::Float(q)) => p.partial_cmp(q).map(|o| o as i64).unwrap_or(0),
            (Value::Str(p), Value::Str(q)) => p.cmp(q) as i64,
            (Value::Bool(p), Value::Bool(q)) => p.cmp(q) as i64,
            // derived `Ord`: variant order first, then the fields in order
            (Value::Obj(p), Value::Obj(q)) => {
                if p.0 != q.0 {
                    return Ok(p.0.cmp(&q.0) as i64);
                }
                for (x, y) in p.1.iter().zip(&q.1) {
                    let c = self.compare(x, y, &Ty::Unit)?;
                    if c != 0 {
                        return Ok(c);
                    }
                }
                0
            }
            _ => return unsupported("ordering of these values"),
        })
    }

    /// `Display` of `v : t` (as `explicate-core`'s derived impls print it).
    fn display(&mut self, v: &Value, t: &Ty) -> R<String> {
        self.show(v, t, false)
    }

    fn show(&mut self, v: &Value, t: &Ty, debug: bool) -> R<String> {
        let (tr, m) = if debug {
            ("Debug", "inspect")
        } else {
            ("Display", "to_string")
        };
        if let Some(g) = self.user_impl(tr, m, t) {
            return Ok(text(&self.call_global(&g, vec![v.clone()])?));
        }
        Ok(match (t, v) {
            (Ty::Int, Value::Int(n)) => n.to_string(),
            (Ty::Float, Value::Float(x)) => x.to_string(),
            (Ty::Bool, Value::Bool(b)) => b.to_string(),
            (Ty::String, Value::Str(s)) => s.to_string(),
            (Ty::Con(k, _), Value::Str(s)) if k == "Atom" => s.to_string(),
            (Ty::Unit, _) => "()".into(),
            (Ty::Con(k, a), _) if k == "List" => {
                let parts: Vec<String> = items(v)
                    .iter()
                    .map(|x| self.show(x, &a[0], debug))
                    .collect::<R<_>>()?;
                format!("[{}]", parts.join(", "))
            }
            (Ty::Con(k, a), Value::Map(es)) if k == "Map" => {
                let mut parts = Vec::new();
                for (x, y) in es.iter() {
                    let (sx, sy) = (self.show(x, &a[0], debug)?, self.show(y, &a[1], debug)?);
                    parts.push(format!("{sx} => {sy}"));
                }
                format!("%{{{}}}", parts.join(", "))
            }
            (Ty::Con(k, _), Value::Map(es)) if k == "Set" => {
                let parts: Vec<String> = es
                    .iter()
                    .map(|(x, _)| self.show(x, &Ty::Int, debug))
                    .collect::<R<_>>()?;
                format!("#{{{}}}", parts.join(", "))
            }
            (Ty::Tuple(ts), Value::Obj(o)) => {
                let parts: Vec<String> = ts
                    .iter()
                    .zip(&o.1)
                    .map(|(ft, x)| self.show(x, ft, debug))
                    .collect::<R<_>>()?;
                format!("({})", parts.join(", "))
            }
            (Ty::Con(k, args), Value::Obj(o)) => {
                let Some(def) = self.defs.types.get(k) else {
                    return unsupported("Display of this type");
                };
                let (name, fields): (String, Vec<(Option<String>, Ty)>) = match &def.kind {
                    TypeDefKind::Struct(fs) => (
                        def.name.clone(),
                        fs.iter()
                            .map(|(n, t)| (Some(n.clone()), t.subst(args)))
                            .collect(),
                    ),
                    TypeDefKind::Sum(vs) => {
                        let Some(var) = vs.get(o.0 as usize) else {
                            return err("a variant out of range");
                        };
                        (
                            var.name.clone(),
                            var.fields
                                .iter()
                                .map(|(n, t)| (n.clone(), t.subst(args)))
                                .collect(),
                        )
                    }
                    TypeDefKind::Opaque => return unsupported("Display of a runtime value"),
                };
                if fields.is_empty() {
                    return Ok(name);
                }
                let is_struct = matches!(def.kind, TypeDefKind::Struct(_));
                let mut parts = Vec::new();
                for ((fname, ft), x) in fields.iter().zip(&o.1) {
                    let s = self.show(x, ft, debug)?;
                    parts.push(if debug && is_struct {
                        format!("{}: {s}", fname.clone().unwrap_or_default())
                    } else {
                        s
                    });
                }
                if debug && is_struct {
                    format!("{name} {{ {} }}", parts.join(", "))
                } else {
                    format!("{name}({})", parts.join(", "))
                }
            }
            _ => return unsupported("Display of this value"),
        })
    }

    /// Library functions without a Mesh definition (the runtime's, in compiled code).
    fn builtin(&mut self, g: &str, a: Vec<Value>) -> R<Value> {
        Ok(match g {
            "Prelude.println" | "IO.puts" => {
                self.out.push_str(&text(&a[0]));
                self.out.push('\n');
                Value::Unit
            }
            "Prelude.print" => {
                self.out.push_str(&text(&a[0]));
                Value::Unit
            }
            "Kernel.panic" => return err(text(&a[0])),
            "Int.to_float" | "Float.from" => Value::Float(int(&a[0]) as f64),
            // `Ordering`: Less, Equal, Greater
            "Prelude.compare" => obj(
                (self.compare(&a[0], &a[1], &Ty::Unit)?.signum() + 1) as u32,
                vec![],
            ),
            "Math.max" | "Math.min" => {
                let c = self.compare(&a[0], &a[1], &Ty::Unit)?;
                let first = (g == "Math.max") == (c >= 0);
                if first {
                    a[0].clone()
                } else {
                    a[1].clone()
                }
            }
            "Math.abs" => match &a[0] {
                Value::Int(n) => Value::Int(n.wrapping_abs()),
                Value::Float(x) => Value::Float(x.abs()),
                _ => return unsupported("Math.abs of this value"),
            },
            "List.sort" => {
                let mut xs = items(&a[0]);
                // a stable insertion sort: the definition, not the runtime's algorithm
                for i in 1..xs.len() {
                    let mut j = i;
                    while j > 0 {
                        let c =
                            self.call_value(a[1].clone(), vec![xs[j - 1].clone(), xs[j].clone()])?;
                        if int(&c) <= 0 {
                            break;
                        }
                        xs.swap(j - 1, j);
                        j -= 1;
                    }
                }
                list(xs)
            }
            // maps, sets, numbers, strings: as the core interpreter models the runtime
            "Map.new" | "Set.new" => Value::Map(Rc::new(vec![])),
            _ => match self.externs.get(g) {
                Some(sym) => crate::core::interp::library(sym, &a).map_err(Ctrl::Error)?,
                None => return unsupported(&format!("library function {g}")),
            },
        })
    }
}
