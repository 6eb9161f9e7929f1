# Method calls, operators and interpolation resolve to impl functions; a `where`-bounded
# call stays generic until monomorphisation.
interface Shape do
  fn area(self) -> Int
end

struct Sq do
  side :: Int
end

impl Shape for Sq do
  fn area(self) -> Int = self.side * self.side
end

impl Add for Sq do
  type Output = Sq
  fn add(self, other :: Sq) -> Sq = Sq { side: self.side + other.side }
end

impl Display for Sq do
  fn to_string(self) -> String = "Sq(${self.side})"
end

fn total<T>(a :: T, b :: T) -> Int where T: Shape do
  a.area() + b.area()
end

fn main() do
  let s = Sq { side: 2 } + Sq { side: 1 }
  println("${s} ${s.area()} ${total(s, s)}")
end
