# Operator precedence and associativity of spec 01 §5, made visible by parentheses.
fn main() do
  let a = 2 + 3 * 4 - 1
  let b = -2 * 3 < 4 == not true
  let c = 0..n + 1
  let d = x |> f(1) |2> g(2)
  let e = a or b and c != d
  let f = "s" <> "t" <> "${a + 1}"
end
