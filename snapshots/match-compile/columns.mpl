# A tuple scrutinee is split into columns (never built); each value is tested once per
# path; a guard that fails falls back to the rows below it.
type Shape do
  Circle(Int)
  Rect(Int, Int)
  Empty
end

fn classify(a :: Shape, b :: Shape) -> String do
  case (a, b) do
    (Circle(r), Circle(s)) when r == s -> "same circles"
    (Circle(_), _) -> "circle first"
    (_, Rect(w, h)) -> "rect second ${w}x${h}"
    (Empty, _) -> "empty"
    _ -> "other"
  end
end

fn main() do
  println(classify(Circle(1), Rect(2, 3)))
end
