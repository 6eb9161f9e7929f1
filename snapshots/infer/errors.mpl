# Independent type errors are all reported, in Mesh syntax.
fn double(x :: Int) -> Int = x * 2

fn main() do
  println("${double("two")}")
  let y = 1 + 2.0
  let z = if true do "a" else 1 end
  println(42)
  println("${double(1, 2)}")
end
