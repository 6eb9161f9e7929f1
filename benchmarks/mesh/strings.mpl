# string building: 200,000 interpolations and concatenations into a list, then a join
fn build(i :: Int, n :: Int, acc :: List<String>) -> List<String> do
  if i == n do
    acc
  else
    build(i + 1, n, Cons("item-${i}:" <> "${i * 2}", acc))
  end
end

fn main() do
  let parts = build(0, 200000, [])
  let s = String.join(parts, ",")
  println("${String.length(s)}")
end
