fn main() do
  let it = Iter.from([1, 2, 3, 4])
  case Iter.find(it, fn(x) -> x > 2 end) do
    Some(x) -> println("found #{x}")
    None -> println("none")
  end
  let t = ("a", 1, [2, 3])
  println("size #{Tuple.size(t)} #{Tuple.size((1, 2))}")
  Timer.sleep(5)
  let doc = """{"name": "mesh", "n": 3, "inner": {"k": "v", "l": [1,2]}}"""
  println("#{Json.get(doc, "name")}|#{Json.get(doc, "n")}|#{Json.get(doc, "missing")}|#{Json.get_nested(doc, "inner", "k")}|#{Json.get_nested(doc, "inner", "l")}|#{Json.get("nope", "x")}")
end
