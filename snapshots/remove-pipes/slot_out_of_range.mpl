# A slot beyond the call's arguments is reported.
fn add(a :: Int, b :: Int) -> Int = a + b

fn main() do
  println("${1 |4> add(2)}")
end
