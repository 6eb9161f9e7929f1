# Borrowed parameters: `total` and `size` only read theirs (no dup at the call, no
# drop in the body, fields read without a reference); `wrap` stores its parameter (owned);
# `main` gives `xs` back after its last, borrowed, use.
struct Box do
  items :: List<Int>
end

fn total(xs :: List<Int>, acc :: Int) -> Int do
  case xs do
    h :: t -> total(t, acc + h)
    _ -> acc
  end
end

fn size(b :: Box) -> Int do
  List.length(b.items)
end

fn wrap(xs :: List<Int>) -> Box do
  Box { items: xs }
end

fn main() do
  let xs = [1, 2, 3]
  let b = wrap(xs)
  println("${size(b)} ${total(xs, 0)}")
end
