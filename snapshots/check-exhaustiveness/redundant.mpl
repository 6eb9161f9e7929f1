# An arm after a catch-all, and a repeated literal, are redundant (warnings only).
fn f(n :: Int) -> String do
  case n do
    0 -> "zero"
    0 -> "again"
    _ -> "other"
    5 -> "five"
  end
end

fn main() do
  println(f(0))
end
