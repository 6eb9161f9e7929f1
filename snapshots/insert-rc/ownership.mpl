# Counted locals are owned once: a second use takes a dup, an unused one is dropped,
# reading a field dups it, primitives borrow, a loop borrows outer locals and gives them
# back when it ends, and `return` inside the loop gives back what it leaves behind.
struct Pair do
  a :: String
  b :: String
end

fn first_long(xs :: List<String>, min :: Int) -> String do
  for x in xs do
    if String.length(x) >= min do
      return x
    end
  end
  ""
end

fn main() do
  let p = Pair { a: "left", b: "right" }
  let both = p.a <> p.b
  println(both <> both)
  println(first_long(["a", "abcd", "xyz"], 3))
end
