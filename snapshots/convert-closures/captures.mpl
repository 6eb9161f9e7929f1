# A lambda's free locals become its captures and are read back from the environment;
# a nested lambda's captures are uses in the enclosing one.
fn make(n :: Int, s :: String) -> Fun(Int) -> String do
  fn(x) -> "${s}:${x + n}" <> (fn(y) -> "${y * n}" end)(x) end
end

fn main() do
  println(make(2, "k")(5))
end
