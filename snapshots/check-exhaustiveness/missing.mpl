# Missing patterns are shown as example values, nested and across tuple columns;
# guarded arms do not count.
type Light do
  Red
  Yellow
  Green
end

fn both(a :: Option<Bool>, b :: Light) -> Int do
  case (a, b) do
    (Some(true), _) -> 1
    (None, Red) -> 2
    (_, Green) -> 3
    (Some(false), Yellow) when false -> 4
  end
end

fn main() do
  println("${both(None, Red)}")
end
