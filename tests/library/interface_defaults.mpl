# Default methods of an interface (spec 02 §4): an impl that omits one takes the
# default, an impl may override it, a default may call the interface's required
# methods, and generic code bounded by the interface reaches either (issue 19: a
# default method used to crash the compiler).
interface Tagged do
  fn name(self) -> String
  fn tag(self) -> String do
    "[tag]"
  end
  fn label(self) -> String do
    "${self.tag()} ${self.name()}"
  end
end

struct Item do
  n :: String
end

struct Box do
  size :: Int
end

impl Tagged for Item do
  fn name(self) -> String do
    self.n
  end
end

impl Tagged for Box do
  fn name(self) -> String do
    "box of ${self.size}"
  end
  fn tag(self) -> String do
    "[box]"
  end
end

fn show<T>(x :: T) -> String where T: Tagged do
  x.label()
end

fn main() do
  let i = Item { n: "pen" }
  let b = Box { size: 3 }
  println(i.tag())
  println(b.tag())
  println(i.label())
  println(show(b))
  println(show(i))
end
