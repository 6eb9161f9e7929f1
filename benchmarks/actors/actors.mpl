# N actors (default 1,000,000) are spawned and wait (idle) for one message each; then each gets one and
# answers it; the coordinator sums the answers.
actor worker(boss) do
  receive do
    n -> send(boss, n)
  end
end

fn spawn_all(i :: Int, n :: Int, boss, acc) do
  if i == n do
    acc
  else
    spawn_all(i + 1, n, boss, Cons(spawn(worker, boss), acc))
  end
end

fn send_all(ws, i :: Int) -> Int do
  case ws do
    w :: rest -> do
      send(w, i)
      send_all(rest, i + 1)
    end
    _ -> i
  end
end

actor collector(left :: Int, sum :: Int) do
  if left == 0 do
    println("answered, sum ${sum}")
    self()
  else
    receive do
      n -> collector(left - 1, sum + n)
    end
  end
end

actor coordinator(n :: Int) do
  let ws = spawn_all(0, n, self(), [])
  Timer.sleep(Env.get_int("IDLE_MS", 0))
  let _ = send_all(ws, 1)
  collector(n, 0)
end

fn main() do
  spawn(coordinator, Env.get_int("N", 1000000))
end
