actor p(n :: Int) do
  receive do
    m -> p(n + m)
  end
end

fn main() do
  let x = spawn(p, 0)
  send(x, "one")
end
