# build and fold a map of 2,000 entries (the Map is an entry list for now: O(n) per put)
fn fill(i :: Int, n :: Int, m :: Map<Int, Int>) -> Map<Int, Int> do
  if i == n do
    m
  else
    fill(i + 1, n, Map.put(m, i, i * 3))
  end
end

fn main() do
  let m = fill(0, 2000, Map.new())
  let total = List.reduce(Map.values(m), 0, fn(a, v) -> a + v end)
  println("${Map.size(m)} ${total}")
end
