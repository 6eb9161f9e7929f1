# Reusing cells of different sizes: a dropped `Small` cell (one slot) is too small for
# a `Big` (three), a dropped `Big` has room for a `Small`; lists of them are rebuilt in
# place. Checked leak-free here and under valgrind.
type Shape do
  Small(Int)
  Big(Int, Int, Int)
end deriving(Display)

fn grow(s :: Shape) -> Shape do
  case s do
    Small(a) -> Big(a, a + 1, a + 2)
    Big(a, b, c) -> Small(a + b + c)
  end
end

fn flip_all(xs :: List<Shape>, acc :: List<Shape>) -> List<Shape> do
  case xs do
    s :: rest -> flip_all(rest, Cons(grow(s), acc))
    _ -> acc
  end
end

fn main() do
  let shapes = [Small(1), Big(1, 2, 3), Small(5)]
  let once = flip_all(shapes, [])
  let twice = flip_all(once, [])
  println("${once}")
  println("${twice}")
  println("${flip_all([Big(2, 2, 2), Small(0)], [])}")
end
