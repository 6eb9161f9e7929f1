# Pipes become calls: first argument, slot N, and plain function names.
fn add(a :: Int, b :: Int) -> Int = a + b
fn double(x :: Int) -> Int = x * 2

fn main() do
  let a = 1 |> add(2) |> double
  let b = 10 |2> add(5)
  println("${a} ${b}")
end
