# List literals become Cons chains; `h :: t` tests the Cons tag and loads both fields;
# Display of List<Int> is a synthesised `[a, b]` printer.
fn describe(xs :: List<Int>) -> String do
  case xs do
    h :: t -> "${h} then ${t}"
    _ -> "empty"
  end
end

fn main() do
  println(describe([1, 2, 3]))
end
