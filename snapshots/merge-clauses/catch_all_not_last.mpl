# A catch-all clause before other clauses is an error (E0022).
fn f(n) = n
fn f(0) = 100

fn main() do
  println("${f(1)}")
end
