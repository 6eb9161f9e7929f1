# Found by native_code_matches_the_core_interpreter: `++` is rewritten to List.concat
# after its operands were inferred; re-inferring a resolved constructor pattern failed.
fn main() do
  let xs = [1, 2]
  let l = [0] ++ [(case xs do
    h :: _ -> h
    _ -> 10
  end)]
  println("${l}")
end
