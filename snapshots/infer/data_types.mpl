# Structs, generic sum types, constructors (plain and qualified), patterns and
# generalisation: `size` is generic over the payload type.
type Tree<T> do
  Leaf
  Node(Tree<T>, T, Tree<T>)
end

struct Point do
  x :: Int
  y :: Int
end

fn size(t) do
  case t do
    Leaf -> 0
    Node(l, _, r) -> size(l) + 1 + size(r)
  end
end

fn main() do
  let t = Node(Tree.Leaf, Point { y: 2, x: 1 }, Leaf)
  println("${size(t)}")
end
