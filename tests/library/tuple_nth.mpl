# Tuple.nth (spec 03 §8): the component at a literal index, typed as that component.
fn main() do
  let t = (1, "two", 3.5, [4, 5])
  println("#{Tuple.nth(t, 0) + 1} #{Tuple.nth(t, 1)} #{Tuple.nth(t, 2)} #{List.length(Tuple.nth(t, 3))}")
  println("#{Tuple.size(t)} #{Tuple.first((7, 8))} #{Tuple.second((7, 8))}")
  let pairs = [("a", 1), ("b", 2)]
  println(String.join(List.map(pairs, fn(p :: (String, Int)) -> Tuple.nth(p, 0) end), ","))
end
