# `terminate` runs once when an actor exits, normally or by a crash.
fn only_zero(0) = 0

actor counter(n :: Int) do
  receive do
    0 -> do
      println("counter stops at ${n}")
      self()
    end
    k -> counter(n + k)
  end
terminate do
  println("counter cleans up")
end
end

actor fragile() do
  receive do
    k -> do
      # after the counter's lines (the two actors run side by side)
      Timer.sleep(100)
      only_zero(k)
    end
  end
terminate do
  println("fragile cleans up after its crash")
end
end

fn main() do
  let c = spawn(counter, 0)
  send(c, 2)
  send(c, 3)
  send(c, 0)
  let f = spawn(fragile)
  send(f, 1)
end
