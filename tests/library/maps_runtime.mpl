# Maps and sets in the runtime: persistence (an update never changes a map someone
# else holds), order on replace/delete, counted keys and values, equality, big maps.

fn fill(i :: Int, n :: Int, m :: Map<Int, Int>) -> Map<Int, Int> do
  if i == n do
    m
  else
    fill(i + 1, n, Map.put(m, i, i * i))
  end
end

fn main() do
  let a = %{"x" => [1, 2], "y" => [3]}
  let b = Map.put(a, "z", [4, 5, 6])
  let c = Map.put(b, "x", [])
  let d = Map.delete(c, "y")
  println("${a}")
  println("${b}")
  println("${c}")
  println("${d}")
  println("${Map.keys(d)} ${Map.values(d)} ${List.length(Map.to_list(d))}")
  println("${a == %{"x" => [1, 2], "y" => [3]}} ${a == b} ${Map.delete(b, "z") == a}")
  println("${Map.delete(a, "nope")} ${Map.size(Map.new())}")
  # a key built at run time finds the literal's entry
  let key = String.join(["x"], "")
  println("${Map.get(a, key)} ${Map.has_key(a, "x" <> "")}")
  let big = fill(0, 100000, Map.new())
  println("${Map.size(big)} ${Map.get(big, 99999)} ${Map.get(big, 1234)}")
  let total = List.reduce(Map.values(big), 0, fn(acc, v) -> acc + v end)
  println("${total}")
  let small = Map.delete(Map.delete(fill(0, 5, Map.new()), 0), 3)
  println("${small}")
  let nested = %{1 => %{"a" => 1.5}, 2 => %{}}
  println("${nested} ${Map.get(Map.get(nested, 1), "a")}")
  let flags = Map.put(Map.put(Map.new(), true, "yes"), false, "no")
  println("${flags}")
  let s = Set.from_list([5, 1, 5, 3, 1])
  let t = Set.add(s, 9)
  println("${s} ${t} ${Set.remove(t, 5)} ${Set.size(t)} ${Set.contains(s, 9)}")
  println("${Set.union(s, Set.from_list([7, 1]))} ${Set.intersection(t, s)} ${Set.difference(t, s)}")
  let mut_count = List.reduce(["a", "b", "a", "c", "a"], Map.new(), fn(m, w) ->
    if Map.has_key(m, w) do Map.put(m, w, Map.get(m, w) + 1) else Map.put(m, w, 1) end
  end)
  println("${mut_count}")
  for {k, v} in mut_count do
    println("${k}: ${v}")
  end
  println("${Map.merge(mut_count, %{"c" => 10, "d" => 4})}")
end
