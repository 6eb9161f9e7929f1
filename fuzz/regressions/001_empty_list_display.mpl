# Found by native_code_matches_the_core_interpreter: an empty list whose element type is
# never constrained is List<()>; displaying it must print [] (decision 20).
fn main() do
  let l = List.reverse([])
  println("${l} ${[]}")
end
