# Found by the libFuzzer typecheck target: a line in a struct body that is not a
# field was read as an annotation and left untyped (an internal error with validation
# on). It is a struct field error.
struct Score do
  points :: Int
  println("x")
end

fn main() do
  println("${Score { points: 1 }.points}")
end
