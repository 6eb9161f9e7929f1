# String.reverse: characters, not bytes, in reverse order (the example of adding a
# runtime function: one #[no_mangle] function, one @extern line; decision 47).
fn main() do
  println(String.reverse("stressed"))
  println(String.reverse("añoñé"))
  println(String.reverse(""))
  println("mesh" |> String.reverse())
end
