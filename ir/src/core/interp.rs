//! An interpreter for `core`: the meaning the code generator must preserve. Small on
//! purpose (Siek, *Essentials of Compilation*, gives every language such an `interp`):
//! values are Rust values, objects are reference-counted vectors, output is collected.
//! Runtime-library functions outside the numeric and string basics are not modelled;
//! evaluating one is reported as `Unsupported`.

use super::*;
use std::collections::HashMap;
use std::rc::Rc;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(Rc<str>),
    Unit,
    Obj(Rc<(u32, Vec<Value>)>),
    Code(String),
    /// The code of a lambda that is still nested in its function.
    Lambda(Rc<LambdaCode>),
    /// A map or set (runtime/src/map.rs): entries in insertion order.
    Map(Rc<Vec<(Value, Value)>>),
    /// A closure of the surface evaluator (`surface::eval`).
    Fun(Rc<crate::surface::eval::Closure>),
    /// A field built as a hole (`tail-mod-cons`) and filled once afterwards; reading
    /// the field reads what was put there.
    Hole(Rc<std::cell::RefCell<Value>>),
}

/// A field's value, through a filled hole.
pub fn filled(v: &Value) -> Value {
    match v {
        Value::Hole(h) => filled(&h.borrow()),
        v => v.clone(),
    }
}

/// A nested lambda's code: its parameters (the closure object first, for a converted
/// lambda), its body, and — for an unconverted lambda — the locals it sees.
#[derive(Debug, PartialEq)]
pub struct LambdaCode {
    params: Vec<String>,
    body: Expr,
    outer: Option<HashMap<String, Value>>,
}

/// How an evaluation ended: the program's output, and an error if it failed.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub stdout: String,
    pub error: Option<String>,
}

enum Flow {
    Value(Value),
    Return(Value),
    Exit(String, Value),
    Recur(String, Vec<Value>),
    TailCall(String, Vec<Value>),
}

struct Interp<'a> {
    fns: HashMap<&'a str, &'a Fn>,
    out: String,
    fuel: u64,
}

type R<T> = Result<T, String>;

/// Runs `main`; `fuel` bounds the number of evaluation steps.
pub fn run(p: &Program, fuel: u64) -> Outcome {
    let mut it = Interp {
        fns: p.fns.iter().map(|f| (f.name.as_str(), f)).collect(),
        out: String::new(),
        fuel,
    };
    let error = it.call(&p.entry, vec![]).err();
    Outcome {
        stdout: it.out,
        error,
    }
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(n) => *n,
        Value::Bool(b) => *b as i64,
        _ => 0,
    }
}

fn float(v: &Value) -> f64 {
    if let Value::Float(x) = v {
        *x
    } else {
        0.0
    }
}

fn entries(v: &Value) -> R<&[(Value, Value)]> {
    match v {
        Value::Map(m) => Ok(m),
        _ => Err("a map operation on a value that is not a map".into()),
    }
}

/// The elements of a list in the compiler's layout.
pub fn elements(l: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cur = l.clone();
    while let Value::Obj(o) = &cur {
        if o.0 != 1 {
            break;
        }
        out.push(filled(&o.1[0]));
        let next = filled(&o.1[1]);
        cur = next;
    }
    out
}

/// A list in the compiler's layout: `Nil` = tag 0, `Cons(head, tail)` = tag 1.
pub fn list(items: impl DoubleEndedIterator<Item = Value>) -> Value {
    items
        .rev()
        .fold(Value::Obj(Rc::new((0, vec![]))), |tail, x| {
            Value::Obj(Rc::new((1, vec![x, tail])))
        })
}

fn text(v: &Value) -> Rc<str> {
    if let Value::Str(s) = v {
        s.clone()
    } else {
        Rc::from("")
    }
}

fn cmp<T: PartialOrd>(c: Cmp, a: T, b: T) -> bool {
    match c {
        Cmp::Eq => a == b,
        Cmp::Ne => a != b,
        Cmp::Lt => a < b,
        Cmp::Le => a <= b,
        Cmp::Gt => a > b,
        Cmp::Ge => a >= b,
    }
}

impl Interp<'_> {
    fn call(&mut self, name: &str, mut args: Vec<Value>) -> R<Value> {
        let mut name = name.to_string();
        loop {
            let f = *self
                .fns
                .get(name.as_str())
                .ok_or_else(|| format!("unknown function {name}"))?;
            let mut env: HashMap<String, Value> =
                f.params.iter().map(|p| p.0.clone()).zip(args).collect();
            match self.eval(&f.body, &mut env)? {
                Flow::Value(v) | Flow::Return(v) => return Ok(v),
                Flow::TailCall(n, a) => {
                    name = n;
                    args = a;
                }
                Flow::Exit(..) | Flow::Recur(..) => {
                    return Err("loop control escaped its function".into())
                }
            }
        }
    }

    /// Evaluates operands; a non-value flow (return, exit, …) is handed back as `Err(flow)`.
    fn vals(
        &mut self,
        es: &[Expr],
        env: &mut HashMap<String, Value>,
    ) -> R<Result<Vec<Value>, Flow>> {
        let mut out = Vec::new();
        for e in es {
            match self.eval(e, env)? {
                Flow::Value(v) => out.push(v),
                other => return Ok(Err(other)),
            }
        }
        Ok(Ok(out))
    }

    fn eval(&mut self, e: &Expr, env: &mut HashMap<String, Value>) -> R<Flow> {
        if self.fuel == 0 {
            return Err("out of fuel".into());
        }
        self.fuel -= 1;
        macro_rules! val {
            ($e:expr) => {
                match self.eval($e, env)? {
                    Flow::Value(v) => v,
                    other => return Ok(other),
                }
            };
        }
        macro_rules! vals {
            ($es:expr) => {
                match self.vals($es, env)? {
                    Ok(v) => v,
                    Err(flow) => return Ok(flow),
                }
            };
        }
        Ok(Flow::Value(match &e.kind {
            ExprKind::Int(n) => Value::Int(*n),
            ExprKind::Float(x) => Value::Float(*x),
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Str(s) => Value::Str(Rc::from(s.as_str())),
            ExprKind::Unit => Value::Unit,
            ExprKind::Var(v) => env.get(v).cloned().ok_or_else(|| format!("unbound {v}"))?,
            ExprKind::Let(n, v, body) => {
                let x = val!(v);
                env.insert(n.clone(), x);
                return self.eval(body, env);
            }
            ExprKind::Seq(a, b) => {
                val!(a);
                return self.eval(b, env);
            }
            ExprKind::If(c, t, f) => {
                let c = val!(c);
                return self.eval(if c == Value::Bool(true) { t } else { f }, env);
            }
            ExprKind::Call { func, args, tail } => {
                let a = vals!(args);
                if *tail {
                    return Ok(Flow::TailCall(func.clone(), a));
                }
                self.call(func, a)?
            }
            ExprKind::Fail(m) => return Err(m.clone()),
            ExprKind::Return(v) => return Ok(Flow::Return(val!(v))),
            ExprKind::Alloc { tag, fields } | ExprKind::Reuse { tag, fields, .. } => {
                Value::Obj(Rc::new((*tag, vals!(fields))))
            }
            ExprKind::Load(o, i) => match val!(o) {
                Value::Obj(obj) => obj
                    .1
                    .get(*i as usize)
                    .map(filled)
                    .ok_or("load past the end of an object")?,
                _ => return Err("load from a non-object".into()),
            },
            ExprKind::Tag(o) => match val!(o) {
                Value::Obj(obj) => Value::Int(obj.0 as i64),
                _ => return Err("tag of a non-object".into()),
            },
            ExprKind::FnRef(f) => Value::Code(f.clone()),
            ExprKind::Lambda {
                params,
                body,
                env: closure_env,
                ..
            } => {
                // a closure object: the code, then (converted) the captured values
                let mut names = Vec::new();
                let mut fields = Vec::new();
                let outer = match closure_env {
                    Some(c) => {
                        names.push(c.param.clone());
                        for (n, _) in &c.captured {
                            fields.push(env.get(n).cloned().ok_or_else(|| format!("unbound {n}"))?);
                        }
                        None
                    }
                    None => Some(env.clone()),
                };
                names.extend(params.iter().map(|p| p.0.clone()));
                let code = Value::Lambda(Rc::new(LambdaCode {
                    params: names,
                    body: (**body).clone(),
                    outer,
                }));
                fields.insert(0, code);
                Value::Obj(Rc::new((0, fields)))
            }
            // memory management has no observable meaning
            ExprKind::Dup(v) => env.get(v).cloned().ok_or_else(|| format!("unbound {v}"))?,
            ExprKind::Drop(_, body) => return self.eval(body, env),
            ExprKind::CallClosure { closure, args, .. } => {
                let clo = val!(closure);
                let a = vals!(args);
                self.call_closure(clo, a)?
            }
            ExprKind::Loop {
                label,
                params,
                inits,
                body,
            } => {
                let mut cur = vals!(inits);
                loop {
                    for ((n, _), v) in params.iter().zip(cur.drain(..)) {
                        env.insert(n.clone(), v);
                    }
                    match self.eval(body, env)? {
                        Flow::Recur(l, vs) if &l == label => cur = vs,
                        Flow::Exit(l, v) if &l == label => break v,
                        Flow::Value(v) => break v,
                        other => return Ok(other),
                    }
                }
            }
            ExprKind::Recur { label, args } => return Ok(Flow::Recur(label.clone(), vals!(args))),
            ExprKind::Exit { label, value } => return Ok(Flow::Exit(label.clone(), val!(value))),
            ExprKind::Runtime(sym, args) => {
                let a = vals!(args);
                if sym == "mesh_rt_list_sort" {
                    self.sort(&a[0], &a[1])?
                } else {
                    library(sym, &a)?
                }
            }
            ExprKind::Prim(p, args) => {
                let a = vals!(args);
                self.prim(*p, &a)?
            }
        }))
    }

    /// Calls a closure object: slot 0 is its code (a function taking the closure first,
    /// or a still-nested lambda).
    fn call_closure(&mut self, clo: Value, mut a: Vec<Value>) -> R<Value> {
        let Value::Obj(obj) = &clo else {
            return Err("call of a non-closure".into());
        };
        match obj.1.first().cloned() {
            Some(Value::Code(f)) => {
                a.insert(0, clo);
                self.call(&f, a)
            }
            Some(Value::Lambda(code)) => {
                let mut locals = code.outer.clone().unwrap_or_default();
                if code.outer.is_none() {
                    a.insert(0, clo.clone());
                }
                for (n, v) in code.params.iter().zip(a) {
                    locals.insert(n.clone(), v);
                }
                match self.eval(&code.body, &mut locals)? {
                    Flow::Value(v) | Flow::Return(v) => Ok(v),
                    Flow::TailCall(f, args) => self.call(&f, args),
                    _ => Err("loop control escaped a lambda".into()),
                }
            }
            _ => Err("closure without code".into()),
        }
    }

    /// `List.sort`: the definition (a stable insertion sort calling the comparator), not
    /// the runtime's algorithm.
    fn sort(&mut self, xs: &Value, cmp: &Value) -> R<Value> {
        let mut items = elements(xs);
        for i in 1..items.len() {
            let mut j = i;
            while j > 0 {
                let c =
                    self.call_closure(cmp.clone(), vec![items[j - 1].clone(), items[j].clone()])?;
                if int(&c) <= 0 {
                    break;
                }
                items.swap(j - 1, j);
                j -= 1;
            }
        }
        Ok(list(items.into_iter()))
    }

    fn prim(&mut self, p: Prim, a: &[Value]) -> R<Value> {
        use Prim::*;
        Ok(match p {
            IAdd => Value::Int(int(&a[0]).wrapping_add(int(&a[1]))),
            ISub => Value::Int(int(&a[0]).wrapping_sub(int(&a[1]))),
            IMul => Value::Int(int(&a[0]).wrapping_mul(int(&a[1]))),
            IDiv | IRem => {
                let (x, y) = (int(&a[0]), int(&a[1]));
                if y == 0 {
                    return Err(format!(
                        "{} by zero",
                        if p == IDiv { "division" } else { "remainder" }
                    ));
                }
                if p == IDiv {
                    Value::Int(x.checked_div(y).ok_or("integer overflow in division")?)
                } else {
                    Value::Int(x.wrapping_rem(y))
                }
            }
            INeg => Value::Int(int(&a[0]).wrapping_neg()),
            FAdd => Value::Float(float(&a[0]) + float(&a[1])),
            FSub => Value::Float(float(&a[0]) - float(&a[1])),
            FMul => Value::Float(float(&a[0]) * float(&a[1])),
            FDiv => Value::Float(float(&a[0]) / float(&a[1])),
            FRem => Value::Float(float(&a[0]) % float(&a[1])),
            FNeg => Value::Float(-float(&a[0])),
            ICmp(c) | BCmp(c) => Value::Bool(cmp(c, int(&a[0]), int(&a[1]))),
            FCmp(c) => Value::Bool(cmp(c, float(&a[0]), float(&a[1]))),
            SCmp(c) => Value::Bool(cmp(c, text(&a[0]).as_bytes(), text(&a[1]).as_bytes())),
            BNot => Value::Bool(a[0] != Value::Bool(true)),
            StrConcat => Value::Str(Rc::from(format!("{}{}", text(&a[0]), text(&a[1])))),
            IntToStr => Value::Str(Rc::from(int(&a[0]).to_string())),
            IntToFloat => Value::Float(int(&a[0]) as f64),
            FloatToStr => Value::Str(Rc::from(float(&a[0]).to_string())),
            BoolToStr => Value::Str(Rc::from(if a[0] == Value::Bool(true) {
                "true"
            } else {
                "false"
            })),
            Print => {
                self.out.push_str(&text(&a[0]));
                Value::Unit
            }
            Println => {
                self.out.push_str(&text(&a[0]));
                self.out.push('\n');
                Value::Unit
            }
            Panic => return Err(text(&a[0]).to_string()),
            // reuse tokens only change where memory comes from
            DropReuse | FreeReuse | DropReuseMoved | DropMoved => Value::Unit,
            Hole => Value::Hole(Rc::new(std::cell::RefCell::new(Value::Unit))),
            SetSlot => {
                let (Value::Obj(o), Value::Int(i)) = (&a[0], &a[1]) else {
                    return Err("set_slot of a non-object".into());
                };
                match o.1.get(*i as usize) {
                    Some(Value::Hole(h)) => *h.borrow_mut() = a[2].clone(),
                    _ => return Err("set_slot of a field that is not a hole".into()),
                }
                Value::Unit
            }
            // one process: preemption and stack checks have nothing to do
            Check => Value::Unit,
        })
    }
}

/// The runtime-library functions the interpreters model, by runtime symbol.
pub fn library(sym: &str, a: &[Value]) -> R<Value> {
    Ok(match sym {
        "mesh_rt_str_length" => Value::Int(text(&a[0]).chars().count() as i64),
        "mesh_rt_float_to_int" => Value::Int(float(&a[0]) as i64),
        "mesh_rt_math_sqrt" => Value::Float(float(&a[0]).sqrt()),
        "mesh_rt_math_pow" => Value::Float(float(&a[0]).powf(float(&a[1]))),
        "mesh_rt_math_floor" => Value::Int(float(&a[0]).floor() as i64),
        "mesh_rt_math_ceil" => Value::Int(float(&a[0]).ceil() as i64),
        "mesh_rt_math_round" => Value::Int(float(&a[0]).round() as i64),
        "mesh_rt_str_to_upper" => Value::Str(Rc::from(text(&a[0]).to_uppercase())),
        "mesh_rt_str_to_lower" => Value::Str(Rc::from(text(&a[0]).to_lowercase())),
        "mesh_rt_str_trim" => Value::Str(Rc::from(text(&a[0]).trim())),
        "mesh_rt_str_contains" => Value::Bool(text(&a[0]).contains(&*text(&a[1]))),
        "mesh_rt_str_starts_with" => Value::Bool(text(&a[0]).starts_with(&*text(&a[1]))),
        "mesh_rt_str_ends_with" => Value::Bool(text(&a[0]).ends_with(&*text(&a[1]))),
        "mesh_rt_str_slice" => {
            let t = text(&a[0]);
            let len = t.chars().count() as i64;
            let lo = int(&a[1]).clamp(0, len);
            let hi = int(&a[2]).clamp(0, len).max(lo);
            let out: String = t
                .chars()
                .skip(lo as usize)
                .take((hi - lo) as usize)
                .collect();
            Value::Str(Rc::from(out))
        }
        "mesh_rt_str_join" => {
            let parts: Vec<String> = elements(&a[0])
                .iter()
                .map(|x| text(x).to_string())
                .collect();
            Value::Str(Rc::from(parts.join(&*text(&a[1]))))
        }
        "mesh_rt_str_split" => {
            let (t, sep) = (text(&a[0]), text(&a[1]));
            let parts: Vec<String> = if sep.is_empty() {
                std::iter::once(String::new())
                    .chain(t.chars().map(|c| c.to_string()))
                    .chain(std::iter::once(String::new()))
                    .collect()
            } else {
                t.split(&*sep).map(str::to_string).collect()
            };
            list(parts.into_iter().map(|x| Value::Str(Rc::from(x))))
        }
        "mesh_rt_str_chars" => list(
            text(&a[0])
                .chars()
                .map(|c| Value::Str(Rc::from(c.to_string()))),
        ),
        "mesh_rt_str_repeat" => {
            Value::Str(Rc::from(text(&a[0]).repeat(int(&a[1]).max(0) as usize)))
        }
        "mesh_rt_str_index_of" => {
            let (t, part) = (text(&a[0]), text(&a[1]));
            // Option: Some = tag 0, None = tag 1
            match t.find(&*part) {
                Some(b) => Value::Obj(Rc::new((
                    0,
                    vec![Value::Int(t[..b].chars().count() as i64)],
                ))),
                None => Value::Obj(Rc::new((1, vec![]))),
            }
        }
        "mesh_rt_map_new" => Value::Map(Rc::new(Vec::new())),
        "mesh_rt_map_put" | "mesh_rt_set_add" => {
            let mut m = entries(&a[0])?.to_vec();
            let v = a.get(2).cloned().unwrap_or(Value::Int(0));
            match m.iter_mut().find(|(k, _)| *k == a[1]) {
                Some(e) if sym == "mesh_rt_map_put" => e.1 = v,
                Some(_) => {}
                None => m.push((a[1].clone(), v)),
            }
            Value::Map(Rc::new(m))
        }
        "mesh_rt_map_delete" => {
            let m = entries(&a[0])?.iter().filter(|(k, _)| *k != a[1]);
            Value::Map(Rc::new(m.cloned().collect()))
        }
        "mesh_rt_map_get" => match entries(&a[0])?.iter().find(|(k, _)| *k == a[1]) {
            Some((_, v)) => v.clone(),
            None => return Err("Map.get: key not found".into()),
        },
        "mesh_rt_map_has_key" => Value::Bool(entries(&a[0])?.iter().any(|(k, _)| *k == a[1])),
        "mesh_rt_map_size" => Value::Int(entries(&a[0])?.len() as i64),
        "mesh_rt_map_keys" => list(entries(&a[0])?.iter().map(|e| e.0.clone())),
        "mesh_rt_map_values" => list(entries(&a[0])?.iter().map(|e| e.1.clone())),
        "mesh_rt_map_to_list" => list(
            entries(&a[0])?
                .iter()
                .map(|(k, v)| Value::Obj(Rc::new((0, vec![k.clone(), v.clone()])))),
        ),
        _ => {
            return Err(format!(
                "Unsupported: runtime function {sym} in the interpreter"
            ))
        }
    })
}
