# `for` and `while` become core loops with block arguments; `continue` recurs without a
# result, `break` exits with the results so far, `return` leaves the function.
fn first_negative(xs :: List<Int>) -> Int do
  for x in xs do
    if x < 0 do
      return x
    end
  end
  0
end

fn main() do
  let squares = for i in 0..5 when i != 2 do
    if i == 4 do
      break
    end
    i * i
  end
  println("${squares} ${first_negative([3, -2, -5])}")
end
