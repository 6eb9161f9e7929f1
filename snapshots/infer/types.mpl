# Types of every expression; unannotated parameters are inferred from use.
fn half(n) = n / 2
fn avg(a :: Float, b :: Float) -> Float = (a + b) / 2.0

fn main() do
  let big = half(10) > 3
  println("${big} ${avg(1.0, 2.0)}")
end
