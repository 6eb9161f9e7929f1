# sort 1,000,000 Ints (pseudo-random, linear congruential)
fn gen(n :: Int, seed :: Int, acc :: List<Int>) -> List<Int> do
  if n == 0 do
    acc
  else
    let next = (seed * 1103515245 + 12345) % 2147483648
    gen(n - 1, next, Cons(next, acc))
  end
end

fn main() do
  let xs = gen(1000000, 42, [])
  let sorted = List.sort(xs, fn(a, b) -> a - b end)
  println("${List.head(sorted)} ${List.last(sorted)}")
end
