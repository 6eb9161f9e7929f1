# List.sort is a stable sort: checked on many lengths against the defining property.
fn pairs(n :: Int) -> List<(Int, Int)> do
  for i in 0..n do
    ((i * 7919 + 13) % 5, i)
  end
end

fn ordered(xs :: List<(Int, Int)>) -> Bool do
  case xs do
    a :: rest -> case rest do
      b :: _ -> stable_pair(a, b) && ordered(rest)
      _ -> true
    end
    _ -> true
  end
end

fn stable_pair(a :: (Int, Int), b :: (Int, Int)) -> Bool do
  let (ka, ia) = a
  let (kb, ib) = b
  ka < kb || (ka == kb && ia < ib)
end

fn main() do
  let results = for n in 0..70 do
    let sorted = List.sort(pairs(n), fn(a, b) -> Tuple.first(a) - Tuple.first(b) end)
    ordered(sorted) && List.length(sorted) == n
  end
  println("small: #{List.all(results, fn(r) -> r end)}")
  let big = List.sort(pairs(100001), fn(a, b) -> Tuple.first(a) - Tuple.first(b) end)
  println("big: #{ordered(big)} #{List.length(big)}")
  println("#{List.sort([5, 3, 9, 1, 3, 0, -2], fn(a, b) -> a - b end)}")
  println("#{List.sort(["pear", "fig", "apple"], fn(a, b) -> String.length(a) - String.length(b) end)}")
end
