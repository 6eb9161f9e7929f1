# Undefined lower-case names are reported, each once.
fn main() do
  let total = 1
  println("${totl + cnt}")
end
