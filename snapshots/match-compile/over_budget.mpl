# A matrix whose decision tree would exceed the budget (wildcards copied into every
# branch of many literal columns) is compiled row by row instead: `if row 0 matches do
# 0 else if row 1 matches …`, then one case on the arm's number.
fn pick(a :: Int, b :: Int, c :: Int, d :: Int, e :: Int, f :: Int) -> Int do
  case (a, b, c, d, e, f) do
    (1 | 2, _, 3, _, 5 | 6, _) -> 0
    (_, 1 | 3, _, 4, _, 6 | 7) -> 1
    (2 | 3, _, 1 | 4, _, 5, _) -> 2
    (_, 2 | 4, _, 1 | 5, _, 3) -> 3
    (3 | 4, 3, _, _, 1 | 2, _) -> 4
    (_, _, 2 | 5, 2, _, 1 | 4) -> 5
    (x, y, _, _, _, _) when x > y -> 6
    _ -> 99
  end
end

fn main() do
  println("${pick(1, 2, 3, 4, 5, 6)} ${pick(2, 1, 4, 4, 5, 6)} ${pick(9, 1, 0, 0, 0, 0)} ${pick(0, 0, 0, 0, 0, 0)}")
end
