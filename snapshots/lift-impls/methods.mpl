# Impl methods become module functions `Trait::Type::method` with `self` typed and
# `Self` / `Self.Item` replaced; a default method is copied in; a missing one is an error.
interface Container do
  type Item
  fn first(self) -> Self.Item
  fn describe(self) -> String do
    "a container"
  end
end

struct Bag do
  item :: Int
end

impl Container for Bag do
  type Item = Int
  fn first(self) -> Self.Item = self.item
end

impl Add for Bag do
  type Output = Bag
end

fn main() do
  let b = Bag { item: 3 }
  println("${b.first()} ${b.describe()}")
end
