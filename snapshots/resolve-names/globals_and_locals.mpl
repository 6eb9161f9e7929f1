# Module functions become `Main.f`, prelude names `Prelude.println`, locals stay.
fn twice(x :: Int) -> Int = x + x

fn main() do
  let x = 4
  let x = twice(x)
  println("${x}")
end
