# Ping-pong: N (default 1,000,000) round trips between two actors.
actor ponger() do
  receive do
    (from, n) -> do
      send(from, n)
      ponger()
    end
  end
end

actor pinger(p, left :: Int) do
  if left == 0 do
    println("pingpong done")
    self()
  else
    send(p, (self(), left))
    receive do
      _ -> pinger(p, left - 1)
    end
  end
end

fn main() do
  let p = spawn(ponger)
  let _ = spawn(pinger, p, Env.get_int("N", 1000000))
end
