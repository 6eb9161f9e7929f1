# A literal case becomes a chain of tests ending in a runtime failure; and/or become ifs.
fn classify(n :: Int) -> String do
  case n do
    0 -> "zero"
    x when x < 0 and x > -10 -> "small negative"
    1 | 2 -> "one or two"
    _ -> "other"
  end
end

fn main() do
  println(classify(5) <> "${1.5 * 2.0}")
end
