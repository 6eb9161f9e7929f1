# Fields read before their cell is dropped lose their dup: the drop says which slots
# were read (`mesh_rt_drop_moved`, or `mesh_rt_drop_reuse_moved` for a reuse token).
# `total` only reads (plain drop), `bump` rebuilds (reuse), `pairs` reads two levels
# of a nested pattern, `keep_tail` passes the tail on (the dup moves all the same).
fn total(xs :: List<Int>, acc :: Int) -> Int do
  case xs do
    h :: t -> total(t, acc + h)
    _ -> acc
  end
end

fn bump(xs :: List<String>, acc :: List<String>) -> List<String> do
  case xs do
    h :: t -> bump(t, Cons(h <> "!", acc))
    _ -> acc
  end
end

fn pairs(xs :: List<Int>) -> Int do
  case xs do
    a :: b :: rest -> a * b + pairs(rest)
    _ -> 0
  end
end

fn main() do
  let xs = [1, 2, 3, 4]
  println("${total(xs, 0)} ${bump(["a", "b"], [])} ${pairs(xs)} ${xs}")
end
