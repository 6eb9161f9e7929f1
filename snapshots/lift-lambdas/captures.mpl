# Converted lambdas become top-level functions taking the closure object first; in
# their place the object is built: the code address, then the captured locals.
fn make(n :: Int, s :: String) -> Fun(Int) -> String do
  fn(x) -> "${s}:${x + n}" <> (fn(y) -> "${y * n}" end)(x) end
end

fn main() do
  println(make(2, "k")(5))
end
