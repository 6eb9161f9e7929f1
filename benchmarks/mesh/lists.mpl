# build a 1,000,000-element list, map it twice, filter it, fold it
fn build(n :: Int, acc :: List<Int>) -> List<Int> do
  if n == 0 do acc else build(n - 1, Cons(n, acc)) end
end

fn main() do
  let xs = build(1000000, [])
  let ys = List.map(xs, fn(x) -> x * 2 end)
  let zs = List.map(ys, fn(x) -> x + 1 end)
  let ws = List.filter(zs, fn(x) -> x % 3 == 0 end)
  let total = List.reduce(ws, 0, fn(a, x) -> a + x end)
  println("${List.length(ws)} ${total}")
end
