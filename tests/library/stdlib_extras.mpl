# The functions beyond spec 03 that users of Elixir's and Gleam's libraries look for
# (papers/stdlib.md): List.is_empty/max/min, String.chars/repeat/index_of,
# Map.get_or/update.
fn main() do
  let none :: List<Int> = []
  println("${List.is_empty(none)} ${List.is_empty([1])}")
  println("${Option.unwrap_or(List.max([3, 9, 2]), 0)} ${Option.unwrap_or(List.min([3, 9, 2]), 0)}")
  println("${Option.unwrap_or(List.max(["b", "c", "a"]), "")} ${Option.unwrap_or(List.min([2.5, 1.5]), 0.0)} ${Option.is_none(List.max(none))}")
  println(String.join(String.chars("héllo"), "|"))
  println("${List.length(String.chars(""))}")
  println(String.repeat("ab", 3) <> "." <> String.repeat("x", 0) <> String.repeat("x", -2) <> ".")
  println("${Option.unwrap_or(String.index_of("héllo world", "wor"), -1)} ${Option.unwrap_or(String.index_of("abc", "z"), -1)} ${Option.unwrap_or(String.index_of("abc", ""), -1)}")
  let m = Map.put(Map.new(), "a", 1)
  let m = Map.update(m, "a", 0, fn(v) -> v + 10 end)
  let m = Map.update(m, "b", 5, fn(v) -> v + 10 end)
  println("${Map.get_or(m, "a", 0)} ${Map.get_or(m, "b", 0)} ${Map.get_or(m, "zz", 42)} ${Map.size(m)}")
end
