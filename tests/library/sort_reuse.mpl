# List.sort reuses the cells of a list nobody else holds; a shared list or a shared
# suffix is left as it was.
fn by(a :: Int, b :: Int) -> Int = a - b

fn main() do
  let shared = [3, 1, 2]
  let s1 = List.sort(shared, by)
  println("${s1} ${shared}")
  let t = [50, 40, 30]
  let xs = Cons(9, Cons(1, t))
  let s2 = List.sort(xs, by)
  println("${s2} ${t}")
  let once = List.sort(List.map([6, 5, 4, 7], fn(x) -> x * 10 end), by)
  println("${once}")
  let words = ["kiwi", "fig", "banana", "apple", "date"]
  let tail = List.drop(words, 2)
  let sorted = List.sort(Cons("zucchini", tail), fn(a, b) -> String.length(a) - String.length(b) end)
  println("${sorted} ${tail} ${words}")
  println("${List.sort(List.reverse(List.range(0, 20)), by)}")
end
