# match-compile gave an arm matched through the second alternative of a binding
# or-pattern the variable of the first alternative when the tree shared the arm's body
# (arm-number dispatch re-read the path of the first leaf). Found by the property
# decision_trees_pick_the_first_matching_arm (shrunk by proptest) once its generator
# made binding or-patterns; fixed by one dispatch entry per alternative.
fn classify(a :: Int, b :: Option<Int>, c :: List<Int>) -> Int do
  let t = (a, b, c)
  case t do
    (0, _, _) -> 0
    (_, Some(_), _ :: _ :: _) -> do
      let u = 1
      let v = u * 2
      let w = v - u
      w + 0 * (u + v + w)
    end
    (1, Some(x2_0), _) | (_, _, x2_0 :: _) -> 2 * 1000 + x2_0
    _ -> 99
  end
end

fn main() do
  println("${classify(1, None, [0])}")
end
