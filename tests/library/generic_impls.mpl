# Impls for generic types: a method of `Box<T>` calling the interface on its `T`
# (an implicit bound, checked per use), impls for `List<T>`, calls made before the
# impl is defined, and through a `where`-bounded function.
interface Describe do
  fn describe(self) -> String
end

fn show<T>(x :: T) -> String where T: Describe do
  x.describe()
end

fn main() do
  println(Box { v: 1 }.describe())
  println(show(Box { v: Box { v: "s" } }))
  println([1, 2, 3].describe())
  println(show(Pair { a: 7, b: ["x"] }))
  println("${Box { v: 2 }} ${Pair { a: "p", b: 1 }}")
end

impl Describe for Int do
  fn describe(self) -> String do
    "int ${self}"
  end
end

impl Describe for String do
  fn describe(self) -> String do
    "string ${self}"
  end
end

struct Box<T> do
  v :: T
end

impl Describe for Box<T> do
  fn describe(self) -> String do
    "box of " <> self.v.describe()
  end
end

impl Display for Box<T> do
  fn to_string(self) -> String do
    "Box(${self.v})"
  end
end

impl Describe for List<T> do
  fn describe(self) -> String do
    "list of ${List.length(self)}"
  end
end

struct Pair<A, B> do
  a :: A
  b :: B
end deriving(Display)

impl Describe for Pair<A, B> do
  fn describe(self) -> String do
    "pair of " <> self.a.describe() <> " and " <> self.b.describe()
  end
end
