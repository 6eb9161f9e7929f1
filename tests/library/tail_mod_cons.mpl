# Recursion under a constructor runs in constant stack (`tail-mod-cons`): a million
# elements through plain recursive functions, results built front to back, side effects
# in order, the recursive call in the middle of a constructor, trees, and shared inputs.
# Run leak-checked.
type Tree do
  Leaf
  Node(Tree, Int, Tree)
end

fn double(xs :: List<Int>) -> List<Int> do
  case xs do
    h :: t -> Cons(h * 2, double(t))
    _ -> []
  end
end

fn upto(i :: Int, n :: Int) -> List<Int> do
  if i > n do [] else Cons(i, upto(i + 1, n)) end
end

fn noisy(xs :: List<Int>) -> List<String> do
  case xs do
    h :: t -> Cons(say(h), noisy(t))
    _ -> []
  end
end

fn say(n :: Int) -> String do
  println("visit ${n}")
  "v${n}"
end

# a right spine built by recursion in the last field, a left value before it
fn spine(n :: Int) -> Tree do
  if n == 0 do Leaf else Node(Leaf, n, spine(n - 1)) end
end

# the recursive call in the middle: later fields are locals
fn left_spine(n :: Int, marker :: Tree) -> Tree do
  if n == 0 do marker else Node(left_spine(n - 1, marker), n, marker) end
end

fn depth(t :: Tree, acc :: Int) -> Int do
  case t do
    Node(_, _, r) -> depth(r, acc + 1)
    Leaf -> acc
  end
end

fn left_depth(t :: Tree, acc :: Int) -> Int do
  case t do
    Node(l, _, _) -> left_depth(l, acc + 1)
    Leaf -> acc
  end
end

fn main() do
  let big = upto(1, 1000000)
  let doubled = double(big)
  println("${List.length(doubled)} ${List.head(doubled)} ${List.last(doubled)}")
  # `big` is still held: the input was shared, so it is intact
  println("${List.length(big)} ${List.head(big)} ${List.last(big)}")
  println("${noisy([1, 2, 3])}")
  println("${List.map(List.range(0, 5), fn(i) -> i * i end)} ${List.filter(big, fn(x) -> x % 250000 == 0 end)}")
  println("${List.take(big, 3)} ${List.map(List.zip([1, 2, 3], ["a", "b"]), fn((n, s)) -> "${n}${s}" end)} ${List.length(List.enumerate(big))}")
  println("${List.concat([1, 2], [3])} ${List.append([1], 2)} ${List.length(List.concat(big, big))}")
  println("${depth(spine(1000000), 0)} ${left_depth(left_spine(3, Leaf), 0)}")
end
