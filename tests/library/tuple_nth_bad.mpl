# Tuple.nth needs a literal index within a tuple whose type is known.
fn main() do
  let t = (1, 2)
  let i = 1
  println("#{Tuple.nth(t, i)} #{Tuple.nth(t, 5)} #{Tuple.nth(3, 0)}")
end
