# Nested functions that capture nothing become module functions (recursive, generic:
# `id` is used at two types); one that captures `base` becomes a let-bound closure.
fn outer(n :: Int) -> Int do
  fn fact(k) = if k <= 1 do 1 else k * fact(k - 1) end
  fn id(x) = x
  let base = 100
  fn add_base(x :: Int) -> Int = x + base
  println("${id("poly")} ${id(7)}")
  fact(n) + add_base(1)
end

fn main() do
  println("${outer(5)}")
end
