# Stress (issue 6): over 10,000 processes at once. 6,000 counters receive every round
# from 10 senders (per-sender FIFO; nothing may be lost: the sum is exact) while 2,000
# supervisors restart workers that crash at random (a crash ends only its process).

service Log do
  fn init() -> Int do
    0
  end

  call Bump() :: Int do |n|
    (n + 1, n + 1)
  end
end

fn explode(0) = 0

# crashes (and is restarted) until its start number is a multiple of 4, then ends
actor fragile() do
  let g = Log.bump(Process.whereis("log"))
  Timer.sleep(g % 5)
  if g % 4 == 0 do
    self()
  else
    let _ = explode(g)
    self()
  end
end

supervisor FragileSup do
  strategy: one_for_one
  max_restarts: 1000
  max_seconds: 10

  child worker do
    start: fn -> spawn(fragile) end
    restart: transient
    shutdown: brutal_kill
  end
end

actor counter(total :: Int, left :: Int, sink) do
  if left == 0 do
    send(sink, total)
    self()
  else
    receive do
      n -> counter(total + n, left - 1, sink)
    end
  end
end

actor sink(left :: Int, sum :: Int) do
  if left == 0 do
    println("counted ${sum}")
    self()
  else
    receive do
      n -> sink(left - 1, sum + n)
    end
  end
end

fn send_round(targets, n :: Int) -> Int do
  case targets do
    t :: rest -> do
      send(t, n)
      send_round(rest, n)
    end
    _ -> n
  end
end

actor sender(targets, round :: Int, rounds :: Int) do
  if round > rounds do
    self()
  else
    let _ = send_round(targets, round)
    sender(targets, round + 1, rounds)
  end
end

fn counters(i :: Int, n :: Int, per :: Int, sink, acc) do
  if i == n do
    acc
  else
    counters(i + 1, n, per, sink, Cons(spawn(counter, 0, per, sink), acc))
  end
end

fn supervisors(i :: Int) -> Int do
  if i == 0 do
    0
  else
    let _ = spawn(FragileSup)
    supervisors(i - 1)
  end
end

fn senders(i :: Int, targets, rounds :: Int) -> Int do
  if i == 0 do
    0
  else
    let _ = spawn(sender, targets, 1, rounds)
    senders(i - 1, targets, rounds)
  end
end

fn main() do
  let n = Env.get_int("COUNTERS", 6000)
  let rounds = 20
  let _ = Process.register("log", Log.start())
  let s = spawn(sink, n, 0)
  let targets = counters(0, n, 10 * rounds, s, [])
  let _ = supervisors(Env.get_int("SUPERVISORS", 2000))
  let _ = senders(10, targets, rounds)
  # every counter gets 10 * (1 + 2 + … + rounds)
  println("expect  ${n * 10 * rounds * (rounds + 1) / 2}")
end
