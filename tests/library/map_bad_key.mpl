# Map keys are Int or String (spec 03 §5): a tuple key is a compile error at the user's
# expression, not a failure inside the library.
fn main() do
  let m = %{(1, 2) => "a"}
  println("${Map.size(m)}")
end
