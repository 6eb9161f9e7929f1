# a self-tail-recursive loop, a function that calls, and a leaf that does neither
fn add(a :: Int, b :: Int) -> Int = a + b

fn sum(n :: Int, acc :: Int) -> Int do
  if n == 0 do acc else sum(n - 1, add(acc, n)) end
end

fn main() do
  println("${sum(10, 0)}")
end
