# An `if` without `else` whose branch ends in a call: the call is in tail position only
# when the branch's value is already `()` (it was marked tail regardless, an internal
# compiler error); a non-unit branch's value is dropped.
fn count(k :: Int) do
  if k > 0 do
    println("k=${k}")
    count(k - 1)
  end
end

fn twice(k :: Int) -> Int do
  if k > 0 do
    k * 2
  end
  k
end

fn deep(k :: Int) do
  if k > 0 do
    deep(k - 1)
  end
end

fn main() do
  count(3)
  println("${twice(4)}")
  deep(1000000)
  println("deep done")
end
