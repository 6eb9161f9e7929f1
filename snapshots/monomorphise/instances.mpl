# A generic function used at two types gets one copy per instance; a generic struct's
# derived Display is used at its concrete type.
struct Box<T> do
  value :: T
end deriving(Display, Eq)

fn first(a, b) = a
fn wrap(v) = Box { value: v }

fn main() do
  println("${first(1, "x")} ${first("y", 2)}")
  println("${wrap(3)} ${wrap("s") == wrap("s")}")
end
