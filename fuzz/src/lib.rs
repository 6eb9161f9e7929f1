//! Proptest generators of Mesh programs, and the reference meaning the properties
//! compare compiled programs against.
//!
//! `int_program` generates well-typed programs of the compiler's current subset: Int
//! arithmetic (wrapping, truncating division by non-zero literals), comparisons, `if`,
//! `let` and shadowing, literal `case` with guards, calls of helper functions and
//! multi-clause functions. Each program comes with the exact stdout it must produce,
//! computed here by a direct evaluator of the generated tree.

use proptest::prelude::*;

/// A generated Int expression over the variables `x`, `y` (and let-bound `t0..`).
#[derive(Clone, Debug)]
pub enum E {
    Lit(i64),
    Var(usize),
    Bin(char, Box<E>, Box<E>),
    /// `if a < b do t else f end`
    IfLt(Box<E>, Box<E>, Box<E>, Box<E>),
    /// `let t = a` then body (body may use the new variable)
    Let(Box<E>, Box<E>),
    /// `case e do 0 -> a; n when n > k -> b; _ -> c end`
    Case(Box<E>, i64, Box<E>, Box<E>, Box<E>),
    /// `helper(a, b)` where `helper(a, b) = a * 2 - b`
    Helper(Box<E>, Box<E>),
    /// `sign(e)`, a multi-clause function with guards
    Sign(Box<E>),
}

fn arb_e(vars: usize, depth: u32) -> BoxedStrategy<E> {
    let leaf = prop_oneof![(-50i64..50).prop_map(E::Lit), (0..vars).prop_map(E::Var)].boxed();
    if depth == 0 {
        return leaf;
    }
    let sub = move |v| arb_e(v, depth - 1);
    prop_oneof![
        2 => leaf,
        3 => (prop::sample::select(vec!['+', '-', '*']), sub(vars), sub(vars)).prop_map(|(o, a, b)| E::Bin(o, Box::new(a), Box::new(b))),
        1 => (prop::sample::select(vec!['/', '%']), sub(vars), prop_oneof![1i64..9, -9i64..-2]).prop_map(|(o, a, d)| E::Bin(o, Box::new(a), Box::new(E::Lit(d)))),
        1 => (sub(vars), sub(vars), sub(vars), sub(vars)).prop_map(|(a, b, t, f)| E::IfLt(Box::new(a), Box::new(b), Box::new(t), Box::new(f))),
        1 => (sub(vars), sub(vars + 1)).prop_map(|(v, b)| E::Let(Box::new(v), Box::new(b))),
        1 => (sub(vars), -5i64..5, sub(vars), sub(vars + 1), sub(vars)).prop_map(|(s, k, a, b, c)| E::Case(Box::new(s), k, Box::new(a), Box::new(b), Box::new(c))),
        1 => (sub(vars), sub(vars)).prop_map(|(a, b)| E::Helper(Box::new(a), Box::new(b))),
        1 => sub(vars).prop_map(|a| E::Sign(Box::new(a))),
    ]
    .boxed()
}

fn name(i: usize) -> String {
    match i {
        0 => "x".into(),
        1 => "y".into(),
        n => format!("t{}", n - 2),
    }
}

impl E {
    /// The reference meaning: spec 02 §8 wrapping Int arithmetic.
    pub fn eval(&self, env: &mut Vec<i64>) -> i64 {
        match self {
            E::Lit(n) => *n,
            E::Var(i) => env[*i],
            E::Bin(o, a, b) => {
                let (a, b) = (a.eval(env), b.eval(env));
                match o {
                    '+' => a.wrapping_add(b),
                    '-' => a.wrapping_sub(b),
                    '*' => a.wrapping_mul(b),
                    '/' => a.wrapping_div(b),
                    _ => a.wrapping_rem(b),
                }
            }
            E::IfLt(a, b, t, f) => {
                if a.eval(env) < b.eval(env) {
                    t.eval(env)
                } else {
                    f.eval(env)
                }
            }
            E::Let(v, b) => {
                let v = v.eval(env);
                env.push(v);
                let r = b.eval(env);
                env.pop();
                r
            }
            E::Case(s, k, a, b, c) => {
                let s = s.eval(env);
                if s == 0 {
                    a.eval(env)
                } else if s > *k {
                    env.push(s);
                    let r = b.eval(env);
                    env.pop();
                    r
                } else {
                    c.eval(env)
                }
            }
            E::Helper(a, b) => a.eval(env).wrapping_mul(2).wrapping_sub(b.eval(env)),
            E::Sign(a) => a.eval(env).signum(),
        }
    }
}

fn lit(n: i64) -> String {
    if n < 0 {
        format!("(0 - {})", -n)
    } else {
        n.to_string()
    }
}

/// A whole program: `main` binds `x` and `y` with `let` and prints the expression.
#[derive(Clone, Debug)]
pub struct IntProgram {
    pub source: String,
    pub expected_stdout: String,
}

pub fn int_program() -> impl Strategy<Value = IntProgram> {
    (-1000i64..1000, -1000i64..1000, arb_e(2, 4)).prop_map(|(x, y, e)| {
        let expected = e.eval(&mut vec![x, y]);
        let mut source = String::new();
        source.push_str("fn helper(a :: Int, b :: Int) -> Int = a * 2 - b\n\n");
        source.push_str("fn sign(n) when n < 0 = 0 - 1\nfn sign(0) = 0\nfn sign(_) = 1\n\n");
        source.push_str(&lower_lets(&e, x, y));
        IntProgram {
            source,
            expected_stdout: format!("{expected}\n"),
        }
    })
}

/// Renders the program's functions and `main`: each `Let` and each binding `case` arm
/// becomes a function of all variables in scope (the subset has no closures yet).
fn lower_lets(e: &E, x: i64, y: i64) -> String {
    let mut fns = Vec::new();
    let main_expr = render(e, 2, &mut fns);
    let mut out = String::new();
    for f in fns {
        out.push_str(&f);
        out.push('\n');
    }
    out.push_str(&format!("fn main() do\n  let x = {}\n  let y = {}\n  let x = x\n  println(\"${{{main_expr}}}\")\nend\n", lit(x), lit(y)));
    out
}

/// Renders an expression where each `Let` becomes a call of a fresh function taking all
/// variables in scope plus the new one.
fn render(e: &E, vars: usize, fns: &mut Vec<String>) -> String {
    let r = |x: &E, v: usize, fns: &mut Vec<String>| render(x, v, fns);
    match e {
        E::Lit(n) => lit(*n),
        E::Var(i) => name(*i),
        E::Bin(o, a, b) => format!("({} {o} {})", r(a, vars, fns), r(b, vars, fns)),
        E::IfLt(a, b, t, f) => format!(
            "(if {} < {} do {} else {} end)",
            r(a, vars, fns),
            r(b, vars, fns),
            r(t, vars, fns),
            r(f, vars, fns)
        ),
        E::Helper(a, b) => format!("helper({}, {})", r(a, vars, fns), r(b, vars, fns)),
        E::Sign(a) => format!("sign({})", r(a, vars, fns)),
        E::Case(s, k, a, b, c) => {
            // the arm binding a new variable is also a function of all variables
            let id = fns.len();
            let params: Vec<String> = (0..=vars).map(|i| format!("{} :: Int", name(i))).collect();
            let body = r(b, vars + 1, fns);
            fns.push(format!(
                "fn arm_{id}({}) -> Int do\n  {body}\nend",
                params.join(", ")
            ));
            let args: Vec<String> = (0..vars).map(name).chain([name(vars)]).collect();
            format!(
                "(case {} do\n  0 -> {}\n  {} when {} > {} -> arm_{id}({})\n  _ -> {}\nend)",
                r(s, vars, fns),
                r(a, vars, fns),
                name(vars),
                name(vars),
                lit(*k),
                args.join(", "),
                r(c, vars, fns)
            )
        }
        E::Let(v, b) => {
            let id = fns.len();
            let params: Vec<String> = (0..=vars).map(|i| format!("{} :: Int", name(i))).collect();
            let body = r(b, vars + 1, fns);
            fns.push(format!(
                "fn let_{id}({}) -> Int do\n  let {} = {}\n  {body}\nend",
                params.join(", "),
                name(vars),
                name(vars)
            ));
            let args: Vec<String> = (0..vars).map(name).chain([r(v, vars, fns)]).collect();
            format!("let_{id}({})", args.join(", "))
        }
    }
}

/// Token soup for parser robustness: Mesh tokens, keywords and odd bytes.
pub fn token_soup() -> impl Strategy<Value = String> {
    let tok = prop::sample::select(vec![
        "fn", "do", "end", "let", "case", "if", "else", "x", "f", "(", ")", "[", "]", "{", "}",
        "%{", "\"", "\"\"\"", "${", "#{", "#", "#=", "=#", "\n", " ", "->", "=>", "|>", "|2>",
        "::", ":", ",", ";", "+", "-", "*", "/", "==", "<", "<>", "..", "1", "2.5", "0x", "~r/",
        "@", "|", "when", "receive", "after", "actor", "json", "é", "\u{0}", "\t", "\\",
    ]);
    prop::collection::vec(tok, 0..60).prop_map(|v| v.concat())
}

// ---------------------------------------------------------------------------------
// Richer programs: strings, lists, closures, structs, loops and patterns. Their meaning
// comes from the `core` interpreter (see the e2e property); they exercise reference
// counting by using values several times, capturing them and dropping them early.

#[derive(Clone, Debug)]
enum Ty3 {
    Int,
    Str,
    List,
}

fn arb_typed(t: Ty3, depth: u32) -> BoxedStrategy<String> {
    let leaf: BoxedStrategy<String> = match t {
        Ty3::Int => prop_oneof![
            (0i64..20).prop_map(|n| n.to_string()),
            Just("n".to_string()),
            Just("p.count".to_string())
        ]
        .boxed(),
        Ty3::Str => prop_oneof![
            Just("\"ab\"".to_string()),
            Just("s".to_string()),
            Just("p.label".to_string()),
            Just("\"\"".to_string())
        ]
        .boxed(),
        Ty3::List => prop_oneof![
            Just("xs".to_string()),
            Just("[1, 2, 3]".to_string()),
            Just("[]".to_string())
        ]
        .boxed(),
    };
    if depth == 0 {
        return leaf;
    }
    let d = depth - 1;
    match t {
        Ty3::Int => prop_oneof![
            2 => leaf,
            2 => (arb_typed(Ty3::Int, d), arb_typed(Ty3::Int, d)).prop_map(|(a, b)| format!("({a} + {b})")),
            1 => arb_typed(Ty3::Str, d).prop_map(|a| format!("String.length({a})")),
            1 => arb_typed(Ty3::List, d).prop_map(|a| format!("List.length({a})")),
            1 => arb_typed(Ty3::List, d).prop_map(|a| format!("List.reduce({a}, 0, fn(acc, x) -> acc + x end)")),
            1 => (arb_typed(Ty3::List, d), arb_typed(Ty3::Str, d)).prop_map(|(l, s)| format!("total_len(tags_of({l}, {s}), 0)")),
            1 => (arb_typed(Ty3::List, d), arb_typed(Ty3::Int, d), arb_typed(Ty3::Int, d)).prop_map(|(l, a, b)| format!("(case {l} do\n h :: _ -> h + {a}\n _ -> {b}\n end)")),
            1 => (arb_typed(Ty3::Str, d), arb_typed(Ty3::Int, d)).prop_map(|(s, a)| format!("(if {s} == \"ab\" do {a} else 7 end)")),
        ]
        .boxed(),
        Ty3::Str => prop_oneof![
            2 => leaf,
            2 => (arb_typed(Ty3::Str, d), arb_typed(Ty3::Str, d)).prop_map(|(a, b)| format!("({a} <> {b})")),
            1 => (arb_typed(Ty3::Int, d), arb_typed(Ty3::Str, d)).prop_map(|(a, b)| format!("\"<${{{a}}}|${{{b}}}>\"")),
            1 => arb_typed(Ty3::List, d).prop_map(|a| format!("\"${{{a}}}\"")),
            1 => arb_typed(Ty3::Str, d).prop_map(|a| format!("label_of(Pair {{ label: {a}, count: 1 }})")),
        ]
        .boxed(),
        Ty3::List => prop_oneof![
            2 => leaf,
            1 => (arb_typed(Ty3::Int, d), arb_typed(Ty3::Int, d)).prop_map(|(a, b)| format!("[{a}, {b}, n]")),
            1 => (arb_typed(Ty3::List, d), arb_typed(Ty3::Int, d)).prop_map(|(l, a)| format!("List.map({l}, fn(x) -> x + {a} end)")),
            1 => (arb_typed(Ty3::List, d), arb_typed(Ty3::Int, d)).prop_map(|(l, a)| format!("List.filter({l}, fn(x) -> x > {a} end)")),
            1 => (arb_typed(Ty3::List, d), arb_typed(Ty3::List, d)).prop_map(|(a, b)| format!("({a} ++ {b})")),
            1 => (arb_typed(Ty3::List, d), arb_typed(Ty3::Int, d)).prop_map(|(l, a)| format!("(for x in {l} when x != {a} do\n x * 2\n end)")),
            1 => arb_typed(Ty3::List, d).prop_map(|l| format!("List.reverse({l})")),
            1 => (arb_typed(Ty3::List, d), arb_typed(Ty3::Int, d)).prop_map(|(l, a)| format!("bump_all({l}, {a})")),
        ]
        .boxed(),
    }
}

/// A program of the richer kind: its output is what the `core` interpreter says.
pub fn rich_program() -> impl Strategy<Value = String> {
    (
        arb_typed(Ty3::Str, 3),
        arb_typed(Ty3::List, 3),
        arb_typed(Ty3::Int, 3),
        arb_typed(Ty3::Str, 3),
        0i64..5,
    )
        .prop_map(|(s0, l0, i0, s1, n)| {
            format!(
                r#"struct Pair do
  label :: String
  count :: Int
end

fn label_of(p :: Pair) -> String = p.label

# recursion under a constructor (tail-mod-cons), with a plain tail call too
fn bump_all(xs :: List<Int>, d :: Int) -> List<Int> do
  case xs do
    h :: t -> if h > d do Cons(h + d, bump_all(t, d)) else bump_all(t, d) end
    _ -> []
  end
end

# counted fields built under a constructor; a parameter stored in the last cell
fn tags_of(xs :: List<Int>, s :: String) -> List<String> do
  case xs do
    h :: t -> Cons("${{s}}${{h}}", tags_of(t, s))
    _ -> [s]
  end
end

# a read-only walk (borrowed parameter)
fn total_len(ss :: List<String>, acc :: Int) -> Int do
  case ss do
    h :: t -> total_len(t, acc + String.length(h))
    _ -> acc
  end
end

type Shape do
  Circle(Int)
  Tag(String, List<Int>)
end deriving(Display, Eq)

fn first_over(xs :: List<Int>, limit :: Int) -> Int do
  for x in xs do
    if x > limit do
      return x
    end
  end
  0 - 1
end

fn main() do
  let n = {n}
  let s = "s${{n}}"
  let xs = [n, n + 1, 5]
  let p = Pair {{ label: s, count: n }}
  let a = {s0}
  let l = {l0}
  let k = {i0}
  let keep = fn(x) -> x + k end
  println(a)
  println("${{l}} ${{List.map(l, keep)}}")
  println("${{k}} ${{first_over(l, k)}} ${{label_of(p)}} ${{a}}")
  println({s1})
  let o = if k > 3 do Some(a) else None end
  let shown = case o do
    Some(v) -> v <> "!"
    None -> "none"
  end
  let m = Map.put(Map.put(%{{"x" => l}}, s, [k]), "x", xs)
  let (t1, t2) = (a, l)
  let q = %{{p | label: t1}}
  let twice = fn(x) -> keep(keep(x)) end
  let sh = if k % 2 == 0 do Circle(k) else Tag(t1, t2) end
  println("${{shown}} ${{m}} ${{Map.get(m, s)}} ${{q.label}} ${{p.label}}")
  println("${{List.map(t2, twice)}} ${{sh}} ${{sh == Tag(a, l)}} ${{Iter.from(l) |> Iter.map(keep) |> Iter.take(2) |> List.collect()}}")
end
"#
            )
        })
}

// ---------------------------------------------------------------- pattern matrices

/// A pattern over `Int`, `Option<Int>` and `List<Int>` values (for `match-compile`).
#[derive(Clone, Debug)]
pub enum P {
    Wild,
    /// Binds an Int (guards may test it) — only in Int positions.
    Var,
    Lit(i64),
    /// `1 | 2`
    Or(i64, i64),
    None_,
    Some_(Box<P>),
    Cons(Box<P>, Box<P>),
}

/// A value of the generated matches.
#[derive(Clone, Debug)]
pub enum V {
    Int(i64),
    Opt(Option<i64>),
    List(Vec<i64>),
}

fn arb_int_pat() -> BoxedStrategy<P> {
    prop_oneof![
        2 => Just(P::Wild),
        2 => Just(P::Var),
        3 => (0i64..4).prop_map(P::Lit),
        1 => (0i64..4, 0i64..4).prop_map(|(a, b)| P::Or(a, b)),
    ]
    .boxed()
}

fn arb_opt_pat() -> BoxedStrategy<P> {
    prop_oneof![
        1 => Just(P::Wild),
        1 => Just(P::None_),
        3 => arb_int_pat().prop_map(|p| P::Some_(Box::new(p))),
    ]
    .boxed()
}

fn arb_list_pat(depth: u32) -> BoxedStrategy<P> {
    if depth == 0 {
        return Just(P::Wild).boxed();
    }
    prop_oneof![
        1 => Just(P::Wild),
        3 => (arb_int_pat(), arb_list_pat(depth - 1))
            .prop_map(|(h, t)| P::Cons(Box::new(h), Box::new(t))),
    ]
    .boxed()
}

impl P {
    /// Mesh syntax; Int variables are named `x{arm}_{k}` (`vars` counts them).
    fn render(&self, arm: usize, vars: &mut usize) -> String {
        match self {
            P::Wild => "_".into(),
            P::Var => {
                *vars += 1;
                format!("x{arm}_{}", *vars - 1)
            }
            P::Lit(n) => lit(*n),
            P::Or(a, b) => format!("{} | {}", lit(*a), lit(*b)),
            P::None_ => "None".into(),
            P::Some_(p) => format!("Some({})", p.render(arm, vars)),
            P::Cons(h, t) => format!("{} :: {}", h.render(arm, vars), t.render(arm, vars)),
        }
    }

    /// Whether `v` matches; pushes the Int values bound by `Var`s in order.
    fn matches(&self, v: &V, bound: &mut Vec<i64>) -> bool {
        match (self, v) {
            (P::Wild, _) => true,
            (P::Var, V::Int(n)) => {
                bound.push(*n);
                true
            }
            (P::Lit(k), V::Int(n)) => k == n,
            (P::Or(a, b), V::Int(n)) => a == n || b == n,
            (P::None_, V::Opt(o)) => o.is_none(),
            (P::Some_(p), V::Opt(Some(n))) => p.matches(&V::Int(*n), bound),
            (P::Cons(h, t), V::List(xs)) if !xs.is_empty() => {
                h.matches(&V::Int(xs[0]), bound) && t.matches(&V::List(xs[1..].to_vec()), bound)
            }
            _ => false,
        }
    }
}

impl V {
    fn render(&self) -> String {
        match self {
            V::Int(n) => lit(*n),
            V::Opt(None) => "None".into(),
            V::Opt(Some(n)) => format!("Some({})", lit(*n)),
            V::List(xs) => format!(
                "[{}]",
                xs.iter().map(|x| lit(*x)).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// A generated `case` over `(Int, Option<Int>, List<Int>)` columns — nested and
/// overlapping patterns, or-patterns, guards on bound variables — with the values it is
/// applied to and the exact stdout (the first matching arm's number for each value).
#[derive(Clone, Debug)]
pub struct MatchProgram {
    pub source: String,
    pub expected: String,
}

/// An Int-position pattern that binds nothing.
fn arb_int_pat_novar() -> BoxedStrategy<P> {
    prop_oneof![
        1 => Just(P::Wild),
        2 => (0i64..4).prop_map(P::Lit),
    ]
    .boxed()
}

/// One alternative of a binding or-pattern: `(a, b, c)` binding exactly one Int
/// variable, in column `a`, inside `Some(_)`, or as the head of the list.
fn arb_bind_alt() -> BoxedStrategy<(P, P, P)> {
    let opt = prop_oneof![
        Just(P::Wild),
        Just(P::None_),
        arb_int_pat_novar().prop_map(|p| P::Some_(Box::new(p)))
    ];
    let list = prop_oneof![
        Just(P::Wild),
        arb_int_pat_novar().prop_map(|h| P::Cons(Box::new(h), Box::new(P::Wild)))
    ];
    (0u8..3, arb_int_pat_novar(), opt, list)
        .prop_map(|(slot, a, b, c)| match slot {
            0 => (P::Var, b, c),
            1 => (a, P::Some_(Box::new(P::Var)), c),
            _ => (a, b, P::Cons(Box::new(P::Var), Box::new(P::Wild))),
        })
        .boxed()
}

/// An arm of a generated `case`: one pattern (variables only in Int positions) or an
/// or-pattern of two alternatives binding the same variable; a guard on the first
/// variable; a body big enough to be shared (`big`) or not.
#[derive(Clone, Debug)]
struct MatchArm {
    alts: Vec<(P, P, P)>,
    guard: Option<i64>,
    big: bool,
}

fn arb_match_arm() -> BoxedStrategy<MatchArm> {
    let plain = (arb_int_pat(), arb_opt_pat(), arb_list_pat(3)).prop_map(|a| vec![a]);
    let or_bind = proptest::collection::vec(arb_bind_alt(), 2..3);
    (
        prop_oneof![3 => plain, 1 => or_bind],
        proptest::option::of(0i64..4),
        any::<bool>(),
    )
        .prop_map(|(alts, guard, big)| MatchArm { alts, guard, big })
        .boxed()
}

pub fn match_program() -> impl Strategy<Value = MatchProgram> {
    let value = (
        0i64..4,
        proptest::option::of(0i64..4),
        proptest::collection::vec(0i64..4, 0..4),
    );
    (
        proptest::collection::vec(arb_match_arm(), 1..7),
        proptest::collection::vec(value, 1..10),
        any::<bool>(),
    )
        .prop_map(|(arms, values, tuple_scrutinee)| {
            let mut src =
                String::from("fn classify(a :: Int, b :: Option<Int>, c :: List<Int>) -> Int do\n");
            src.push_str(if tuple_scrutinee {
                "  case (a, b, c) do\n"
            } else {
                "  let t = (a, b, c)\n  case t do\n"
            });
            for (i, arm) in arms.iter().enumerate() {
                let mut vars = 0;
                let alts: Vec<String> = arm
                    .alts
                    .iter()
                    .map(|(pa, pb, pc)| {
                        vars = 0;
                        format!(
                            "({}, {}, {})",
                            pa.render(i, &mut vars),
                            pb.render(i, &mut vars),
                            pc.render(i, &mut vars)
                        )
                    })
                    .collect();
                let g = match arm.guard {
                    Some(k) if vars > 0 => format!(" when x{i}_0 > {}", lit(k)),
                    _ => String::new(),
                };
                // an or-pattern arm shows which value its variable got
                let value = if arm.alts.len() > 1 {
                    format!("{i} * 1000 + x{i}_0")
                } else {
                    i.to_string()
                };
                let body = if arm.big {
                    format!("do\n      let u = {value}\n      let v = u * 2\n      let w = v - u\n      w + 0 * (u + v + w)\n    end")
                } else {
                    value
                };
                src.push_str(&format!("    {}{g} -> {body}\n", alts.join(" | ")));
            }
            src.push_str("    _ -> 99\n  end\nend\n\nfn main() do\n");
            let mut expected = String::new();
            for (a, b, c) in &values {
                let vs = [V::Int(*a), V::Opt(*b), V::List(c.clone())];
                src.push_str(&format!(
                    "  println(\"${{classify({}, {}, {})}}\")\n",
                    vs[0].render(),
                    vs[1].render(),
                    vs[2].render()
                ));
                let result = arms.iter().enumerate().find_map(|(i, arm)| {
                    // alternatives are tried left to right; the guard is tested with
                    // the bindings of each one that matches (Rust's or-patterns)
                    let bound = arm.alts.iter().find_map(|(pa, pb, pc)| {
                        let mut bound = Vec::new();
                        let ok = pa.matches(&vs[0], &mut bound)
                            && pb.matches(&vs[1], &mut bound)
                            && pc.matches(&vs[2], &mut bound);
                        let guard_ok = match arm.guard {
                            Some(k) if !bound.is_empty() => bound[0] > k,
                            _ => true,
                        };
                        (ok && guard_ok).then_some(bound)
                    })?;
                    Some(bound).map(|bound| {
                        if arm.alts.len() > 1 {
                            i as i64 * 1000 + bound[0]
                        } else {
                            i as i64
                        }
                    })
                });
                expected.push_str(&format!("{}\n", result.unwrap_or(99)));
            }
            src.push_str("end\n");
            MatchProgram {
                source: src,
                expected,
            }
        })
}

/// A message value of one of the generated message types.
#[derive(Clone, Debug)]
pub enum Msg {
    Int(i64),
    Str(String),
    Pair(i64, String),
    List(Vec<i64>),
}

impl Msg {
    fn mesh(&self) -> String {
        let s = |t: &String| format!("\"{t}\"");
        match self {
            Msg::Int(n) => lit(*n),
            Msg::Str(t) => s(t),
            Msg::Pair(n, t) => format!("({}, {})", lit(*n), s(t)),
            Msg::List(xs) => format!(
                "[{}]",
                xs.iter().map(|x| lit(*x)).collect::<Vec<_>>().join(", ")
            ),
        }
    }

    fn printed(&self) -> String {
        match self {
            Msg::Int(n) => n.to_string(),
            Msg::Str(t) => t.clone(),
            Msg::Pair(n, t) => format!("{n} {t}"),
            Msg::List(xs) => xs
                .iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

/// Messages of one type: which type, and the values.
fn messages() -> impl Strategy<Value = (u8, Vec<Msg>)> {
    let text = "[a-z]{0,6}";
    prop_oneof![
        prop::collection::vec((-50i64..50).prop_map(Msg::Int), 1..8).prop_map(|v| (0, v)),
        prop::collection::vec(text.prop_map(Msg::Str), 1..8).prop_map(|v| (1, v)),
        prop::collection::vec((-50i64..50, text).prop_map(|(n, t)| Msg::Pair(n, t)), 1..8)
            .prop_map(|v| (2, v)),
        prop::collection::vec(
            prop::collection::vec(-50i64..50, 0..5).prop_map(Msg::List),
            1..8
        )
        .prop_map(|v| (3, v)),
    ]
}

/// An actor program: `main` sends messages through a chain of relay actors to a sink
/// that prints them; per-sender FIFO order (spec 04 §5) fixes the output. The relays
/// never stop (the program still ends, spec 04 §17).
pub fn actor_program() -> impl Strategy<Value = IntProgram> {
    (messages(), 0usize..4, any::<bool>()).prop_map(|((kind, msgs), relays, crash)| {
        let print = match kind {
            0 | 1 => "m -> do\n        println(\"${m}\")",
            2 => "(n, t) -> do\n        println(\"${n} ${t}\")",
            _ => "m -> do\n        println(String.join(List.map(m, fn(x) -> \"${x}\" end), \",\"))",
        };
        let mut src = format!(
            "actor sink(left :: Int) do\n  if left == 0 do\n    self()\n  else\n    receive do\n      {print}\n        sink(left - 1)\n      end\n    end\n  end\nend\n\n\
             actor relay(next) do\n  receive do\n    m -> do\n      send(next, m)\n      relay(next)\n    end\n  end\nend\n\n\
             fn only_zero(0) = 0\n\nactor doomed() do\n  let _ = only_zero(1)\n  self()\nend\n\n\
             fn main() do\n  let p0 = spawn(sink, {})\n",
            msgs.len()
        );
        for i in 1..=relays {
            src.push_str(&format!("  let p{i} = spawn(relay, p{})\n", i - 1));
        }
        if crash {
            // a crashing process ends alone
            src.push_str("  let _ = spawn(doomed)\n");
        }
        for m in &msgs {
            src.push_str(&format!("  send(p{relays}, {})\n", m.mesh()));
        }
        src.push_str("end\n");
        let expected: String = msgs.iter().map(|m| m.printed() + "\n").collect();
        IntProgram {
            source: src,
            expected_stdout: expected,
        }
    })
}

/// One method of a generated interface: required (`None`), or with a default body:
/// `Some((k, call))` is `k`, plus `self.<first required method>()` when `call`.
type MethodShape = Option<(i64, bool)>;

/// `trait_program` generates interfaces whose methods are required or have defaults
/// (constants, or calls of a required method of the same interface), structs, and impls
/// that implement any subset of the interfaces and override any subset of the defaults;
/// `main` calls every method of every impl, directly and through a generic function
/// bounded by the interface. Its stdout is computed here (issue 19: a default method
/// crashed the compiler).
pub fn trait_program() -> impl Strategy<Value = IntProgram> {
    let iface = prop::collection::vec(prop::option::of((0i64..50, any::<bool>())), 1..=3);
    let ifaces = prop::collection::vec(iface, 1..=2);
    (ifaces, 1usize..=3).prop_flat_map(|(ifaces, structs)| {
        let methods: usize = ifaces.iter().map(|i| i.len()).sum();
        // per struct and interface: implemented?; per struct and method: an override
        // (`Some((c, d))`: `self.v * c + d`), used where the method is required or when
        // the impl overrides its default
        let impls = prop::collection::vec(any::<bool>(), structs * ifaces.len());
        let bodies =
            prop::collection::vec(prop::option::of((-3i64..4, -20i64..20)), structs * methods);
        let values = prop::collection::vec(-100i64..100, structs);
        (Just(ifaces), impls, bodies, values).prop_map(|(ifaces, impls, bodies, values)| {
            render_traits(&ifaces, &impls, &bodies, &values)
        })
    })
}

fn render_traits(
    ifaces: &[Vec<MethodShape>],
    impls: &[bool],
    bodies: &[Option<(i64, i64)>],
    values: &[i64],
) -> IntProgram {
    let methods: usize = ifaces.iter().map(|i| i.len()).sum();
    let mut src = String::new();
    let mut out = String::new();
    // method `j` of interface `i` is `m{i}_{j}`; its index among all methods `base[i] + j`
    let base: Vec<usize> = ifaces
        .iter()
        .scan(0, |n, i| {
            let b = *n;
            *n += i.len();
            Some(b)
        })
        .collect();
    let required = |i: usize| ifaces[i].iter().position(|m| m.is_none());
    for (i, ms) in ifaces.iter().enumerate() {
        src.push_str(&format!("interface I{i} do\n"));
        for (j, m) in ms.iter().enumerate() {
            match m {
                None => src.push_str(&format!("  fn m{i}_{j}(self) -> Int\n")),
                Some((k, call)) => {
                    let body = match (call, required(i)) {
                        (true, Some(r)) => format!("self.m{i}_{r}() + {k}"),
                        _ => k.to_string(),
                    };
                    src.push_str(&format!(
                        "  fn m{i}_{j}(self) -> Int do\n    {body}\n  end\n"
                    ));
                }
            }
        }
        src.push_str("end\n\n");
        src.push_str(&format!(
            "fn via{i}<T>(x :: T) -> Int where T: I{i} do\n  x.m{i}_0()\nend\n\n"
        ));
    }
    for s in 0..values.len() {
        src.push_str(&format!("struct S{s} do\n  v :: Int\nend\n\n"));
    }
    // the value of method (i, j) on struct s, and the impls' source
    let mut main = String::from("fn main() do\n");
    for (s, v) in values.iter().enumerate() {
        main.push_str(&format!("  let x{s} = S{s} {{ v: {} }}\n", lit(*v)));
        for (i, ms) in ifaces.iter().enumerate() {
            if !impls[s * ifaces.len() + i] {
                continue;
            }
            let own = |j: usize| -> Option<(i64, i64)> {
                let b = bodies[s * methods + base[i] + j];
                match ms[j] {
                    None => Some(b.unwrap_or((1, 0))),
                    Some(_) => b,
                }
            };
            src.push_str(&format!("impl I{i} for S{s} do\n"));
            for j in 0..ms.len() {
                if let Some((c, d)) = own(j) {
                    src.push_str(&format!(
                        "  fn m{i}_{j}(self) -> Int do\n    self.v * {} + {}\n  end\n",
                        lit(c),
                        lit(d)
                    ));
                }
            }
            src.push_str("end\n\n");
            let value = |j: usize| -> i64 {
                match (own(j), ms[j]) {
                    (Some((c, d)), _) => v * c + d,
                    (None, Some((k, call))) => match (call, required(i)) {
                        (true, Some(r)) => {
                            let (c, d) = own(r).unwrap();
                            v * c + d + k
                        }
                        _ => k,
                    },
                    (None, None) => unreachable!("a required method is always implemented"),
                }
            };
            for j in 0..ms.len() {
                main.push_str(&format!("  println(\"${{x{s}.m{i}_{j}()}}\")\n"));
                out.push_str(&format!("{}\n", value(j)));
            }
            main.push_str(&format!("  println(\"${{via{i}(x{s})}}\")\n"));
            out.push_str(&format!("{}\n", value(0)));
        }
    }
    main.push_str("  println(\"done\")\nend\n");
    out.push_str("done\n");
    src.push_str(&main);
    IntProgram {
        source: src,
        expected_stdout: out,
    }
}
