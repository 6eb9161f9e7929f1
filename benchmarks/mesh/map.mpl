# build a 1,000,000-entry map (Int -> Int), then fold over its values
fn fill(i :: Int, n :: Int, m :: Map<Int, Int>) -> Map<Int, Int> do
  if i == n do
    m
  else
    fill(i + 1, n, Map.put(m, i * 7919 % 1000003, i * 3))
  end
end

fn main() do
  let m = fill(0, 1000000, Map.new())
  let total = List.reduce(Map.values(m), 0, fn(a, v) -> a + v end)
  println("${Map.size(m)} ${total} ${Map.get(m, 7919)}")
end
