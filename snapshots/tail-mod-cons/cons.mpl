# A constructor holding the recursive call in tail position: `double` gets a
# destination-passing companion (`%dps`) that fills the hole of the cell built before it
# and tail-calls itself; `evens` also has a plain tail call (it stays one, in `%dps`);
# `count` has no such constructor and is left alone.
fn double(xs :: List<Int>) -> List<Int> do
  case xs do
    h :: t -> Cons(h * 2, double(t))
    _ -> []
  end
end

fn evens(xs :: List<Int>) -> List<Int> do
  case xs do
    h :: t -> if h % 2 == 0 do Cons(h, evens(t)) else evens(t) end
    _ -> []
  end
end

fn count(xs :: List<Int>, n :: Int) -> Int do
  case xs do
    _ :: t -> count(t, n + 1)
    _ -> n
  end
end

fn main() do
  println("${double([1, 2])} ${evens([1, 2, 3, 4])} ${count([1], 0)}")
end
