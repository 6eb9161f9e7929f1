# An impl for `Box<T>` that calls `describe` on its `T` needs `T` to implement the
# interface where it is used: `Box<Float>` does not.
interface Describe do
  fn describe(self) -> String
end

struct Box<T> do
  v :: T
end

impl Describe for Box<T> do
  fn describe(self) -> String do
    "box of " <> self.v.describe()
  end
end

fn main() do
  println(Box { v: 1.5 }.describe())
end
