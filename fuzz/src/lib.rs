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
