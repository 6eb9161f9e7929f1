# A guard under a binding or-pattern is tested with the bindings of each alternative
# that matches, left to right (Rust's meaning, decision 30): here the first alternative
# binds x0_0 = 0 and fails the guard, the second binds 2 and passes. Found by the
# property decision_trees_pick_the_first_matching_arm, whose reference matcher and the
# surface evaluator had tested the guard only for the first matching alternative.
fn classify(a :: Int, b :: Option<Int>, c :: List<Int>) -> Int do
  let t = (a, b, c)
  case t do
    (_, Some(x0_0), _) | (x0_0, _, _) when x0_0 > 1 -> 0 * 1000 + x0_0
    _ -> 99
  end
end

fn main() do
  println("${classify(2, Some(0), [])}")
end
