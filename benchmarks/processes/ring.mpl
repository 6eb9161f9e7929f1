# Ring: PROCS (default 10,000) processes in a ring pass a token HOPS (default
# 1,000,000) times.
actor node(next, boss) do
  receive do
    m -> do
      if m == 0 do
        send(boss, 0)
      else
        send(next, m - 1)
      end
      node(next, boss)
    end
  end
end

fn build(k :: Int, next, boss) do
  if k == 0 do
    next
  else
    build(k - 1, spawn(node, next, boss), boss)
  end
end

actor ring(procs :: Int, hops :: Int) do
  let me = self()
  let first = build(procs - 1, me, me)
  send(first, hops)
  relay(first)
end

actor relay(first) do
  receive do
    m -> if m == 0 do
      println("ring done")
      self()
    else
      send(first, m - 1)
      relay(first)
    end
  end
end

fn main() do
  let _ = spawn(ring, Env.get_int("PROCS", 10000), Env.get_int("HOPS", 1000000))
end
