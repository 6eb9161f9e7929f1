fn main() do
  let me = self()
  receive do
    m -> println(m)
  end
end
