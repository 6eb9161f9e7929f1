# Drop specialisation: cells taken apart when unique, shared, or holding counted
# fields the reader does not read. Run leak-checked: every count must come out even.
struct Node do
  name :: String
  tags :: List<String>
  next :: Option<Node>
end

fn names(n :: Option<Node>, acc :: List<String>) -> List<String> do
  case n do
    Some(node) -> names(node.next, Cons(node.name, acc))
    None -> List.reverse(acc)
  end
end

fn firsts(xs :: List<(String, List<Int>)>) -> List<String> do
  case xs do
    (s, _) :: rest -> Cons(s, firsts(rest))
    _ -> []
  end
end

fn lengths(xs :: List<(String, List<Int>)>) -> List<Int> do
  case xs do
    (_, ys) :: rest -> Cons(List.length(ys), lengths(rest))
    _ -> []
  end
end

fn swap_pairs(xs :: List<String>) -> List<String> do
  case xs do
    a :: b :: rest -> Cons(b, Cons(a, swap_pairs(rest)))
    other -> other
  end
end

fn main() do
  let words = ["ant", "bee", "cat", "dog", "eel"]
  # shared: `words` is used again below
  let shouted = List.map(words, fn(w) -> String.to_upper(w) end)
  println("${shouted} ${words}")
  # unique: built here and consumed once
  let built = List.map(List.range(0, 5), fn(i) -> "w${i}" end)
  println("${swap_pairs(built)}")
  # shared and unique cells in one list (a shared suffix)
  let tail = ["x", "y"]
  let front = Cons("a", Cons("b", tail))
  println("${swap_pairs(front)} ${tail}")
  # tuples with a counted field the reader skips
  let entries = [("one", [1]), ("two", [1, 2]), ("three", [1, 2, 3])]
  println("${firsts(entries)} ${lengths(entries)}")
  println("${firsts([("solo", [9, 9])])}")
  # struct fields: read one, skip the others
  let chain = Some(Node { name: "a", tags: ["t"], next: Some(Node { name: "b", tags: [], next: None }) })
  println("${names(chain, [])}")
  let kept = chain
  println("${names(kept, [])} ${names(Some(Node { name: "c", tags: ["u", "v"], next: None }), [])}")
end
