# Taking a cons cell apart and building one: the drop becomes a reuse token and the
# allocation is made in the token's cell (map, reverse); a branch that builds nothing
# frees the token (filter).
fn double_all(xs :: List<Int>, acc :: List<Int>) -> List<Int> do
  case xs do
    h :: t -> double_all(t, Cons(h * 2, acc))
    _ -> acc
  end
end

fn evens(xs :: List<Int>, acc :: List<Int>) -> List<Int> do
  case xs do
    h :: t -> if h % 2 == 0 do evens(t, Cons(h, acc)) else evens(t, acc) end
    _ -> acc
  end
end

fn main() do
  println("${double_all([1, 2, 3], [])} ${evens([1, 2, 3, 4], [])}")
end
