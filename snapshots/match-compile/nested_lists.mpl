# Nested constructor patterns (cons cells inside cons cells, options inside lists),
# literals and or-patterns become one-test cases on fresh locals.
fn sum_pairs(xs :: List<Option<Int>>) -> Int do
  case xs do
    Some(a) :: Some(b) :: rest -> a + b + sum_pairs(rest)
    None :: rest -> sum_pairs(rest)
    Some(1 | 2) :: rest -> 1 + sum_pairs(rest)
    Some(n) :: _ -> n
    _ -> 0
  end
end

fn main() do
  println("${sum_pairs([Some(1), Some(2), None, Some(7)])}")
end
