# Borrowed parameters: functions that only read a parameter take no reference to it;
# the caller keeps its own (and gives it back after the call when that was its last
# use). Run leak-checked: reads, returned fields, stored parameters, arguments with
# side effects in order, tail calls through borrowed parameters, shared and unique
# values.
struct Config do
  name :: String
  limits :: List<Int>
  tags :: Map<String, Int>
end

fn size(c :: Config) -> Int do
  List.length(c.limits) + Map.size(c.tags)
end

fn label(c :: Config) -> String do
  c.name
end

fn keep(c :: Config, acc :: List<Config>) -> List<Config> do
  Cons(c, acc)
end

fn nth(xs :: List<String>, i :: Int) -> String do
  case xs do
    h :: t -> if i == 0 do h else nth(t, i - 1) end
    _ -> "none"
  end
end

fn loud(tag :: String, x :: String) -> String do
  println("eval ${tag}")
  x
end

fn pick(a :: String, b :: String, c :: String) -> String do
  a <> b <> c
end

fn sum_lengths(xs :: List<String>, acc :: Int) -> Int do
  case xs do
    h :: t -> sum_lengths(t, acc + String.length(h))
    _ -> acc
  end
end

fn main() do
  let c = Config { name: "svc", limits: [1, 2, 3], tags: %{"a" => 1} }
  println("${size(c)} ${label(c)} ${size(c)}")
  let kept = keep(c, [])
  println("${List.length(kept)} ${label(c)}")
  let words = String.split("alpha beta gamma delta", " ")
  println("${nth(words, 2)} ${nth(words, 9)} ${sum_lengths(words, 0)}")
  # the last use of `words` is a borrowed argument: given back after the call
  println("${sum_lengths(words, 0)}")
  # arguments with side effects are evaluated left to right
  println(pick(loud("a", "x"), "-${nth(["p", "q"], 1)}-", loud("c", "z")))
  # a fresh value passed to a borrowed parameter is freed after the call
  println("${sum_lengths(String.split("a bb ccc", " "), 0)}")
  println("${size(Config { name: "tmp", limits: [], tags: %{} })}")
  # a returned field outlives the value it was read from
  let n = label(Config { name: "fresh", limits: [9], tags: %{} })
  println(n)
end
