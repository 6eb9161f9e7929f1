# Or-patterns whose alternatives bind the same variable at different places: with a
# small arm (copied into each leaf), a big arm (run once after the tree picks it: one
# entry per alternative) and a matrix over the decision-tree budget (row by row, the
# or-pattern split into one row per alternative).
fn small(p :: (Int, Int)) -> Int do
  case p do
    (x, 0) | (0, x) -> x
    _ -> -1
  end
end

fn big(p :: (Int, Int)) -> String do
  case p do
    (x, 0) | (0, x) -> do
      let a = x + 1
      let b = x * 2
      let c = x - 3
      "x=${x} a=${a} b=${b} c=${c} sum=${a + b + c}"
    end
    (a, b) -> "other ${a} ${b}"
  end
end

fn wide(a :: Int, b :: Int, c :: Int, d :: Int, e :: Int, f :: Int) -> Int do
  case (a, b, c, d, e, f) do
    (1 | 2, _, 3, _, 5 | 6, _) -> 0
    (_, 1 | 3, _, 4, _, 6 | 7) -> 1
    (2 | 3, _, 1 | 4, _, 5, _) -> 2
    (_, 2 | 4, _, 1 | 5, _, 3) -> 3
    (3 | 4, 3, _, _, 1 | 2, _) -> 4
    (x, 9, _, _, _, _) | (9, _, x, _, _, _) -> 100 + x
    (_, _, 2 | 5, 2, _, 1 | 4) -> 5
    (x, y, _, _, _, _) when x > y + 100 -> 6
    _ -> 99
  end
end

fn main() do
  println("${small((5, 0))} ${small((0, 7))} ${small((1, 2))}")
  println(big((5, 0)))
  println(big((0, 7)))
  println(big((1, 2)))
  println("${wide(7, 9, 0, 0, 0, 0)} ${wide(9, 0, 8, 0, 0, 0)} ${wide(1, 2, 3, 4, 5, 6)} ${wide(0, 0, 0, 0, 0, 0)}")
end
