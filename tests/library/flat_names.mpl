# The flat names older Mesh programs call (issue 19): accepted, with a warning naming
# the module function; a function of the program with such a name is its own.
fn list_total(xs) = List.reduce(xs, 0, fn(a, b) -> a + b end)

fn main() do
  println("${string_length("héllo")} ${string_contains("abc", "b")}")
  io_println(string_to_upper("shout"))
  println("${list_total([1, 2, 3])} ${list_length([1, 2])}")
end
