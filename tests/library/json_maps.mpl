# Maps encode as JSON objects, keys in ascending byte order of their text (spec 06 §2).
struct P do
  name :: String
  tags :: Map<String, List<Int>>
end deriving(Json)

fn main() do
  let m = %{3 => "c", 10 => "x", 1 => "a"}
  println(Json.encode(m))
  println(Json.encode(P { name: "n", tags: %{"z" => [1], "a" => []} }))
  println(json { counts: %{"b" => 2, "a" => 1}, empty: Map.new() |> Map.put("k", true) })
  let e :: Map<String, Int> = Map.new()
  println(Json.encode(e))
end
