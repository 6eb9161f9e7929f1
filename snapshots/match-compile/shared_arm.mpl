# An arm reached from several leaves with a big body: the tree computes the arm's
# number and a second case runs each body once, re-reading its variables from the
# scrutinee.
fn describe(p :: (Int, Int)) -> String do
  case p do
    (0, 0) -> "origin"
    (x, y) -> do
      let sum = x + y
      let prod = x * y
      let diff = x - y
      "point ${x},${y} sum ${sum} prod ${prod} diff ${diff} twice ${sum + sum}"
    end
  end
end

fn main() do
  println(describe((0, 1)))
end
