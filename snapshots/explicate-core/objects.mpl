# Structs, tuples and variants become objects; fields are loads; a derived Display and
# Eq are synthesised for the concrete type.
type Shape do
  Circle(Int)
  Rect(Int, Int)
end deriving(Display, Eq)

fn area(s :: Shape) -> Int do
  case s do
    Circle(r) -> 3 * r * r
    Rect(w, h) -> w * h
  end
end

fn main() do
  let s = Rect(2, 3)
  println("${s} ${area(s)} ${s == Circle(1)}")
end
