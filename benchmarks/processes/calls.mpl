# Service calls: N (default 100,000) calls of `Counter.next` from `main` (CALLERS=1),
# or from CALLERS actors sharing N calls on one service.
service Counter do
  fn init() -> Int do
    0
  end

  call Next() :: Int do |n|
    (n + 1, n + 1)
  end
end

fn calls(c, left :: Int, last :: Int) -> Int do
  if left == 0 do
    last
  else
    calls(c, left - 1, Counter.next(c))
  end
end

actor caller(c, n :: Int, boss) do
  send(boss, calls(c, n, 0))
  self()
end

actor gather(left :: Int, top :: Int) do
  if left == 0 do
    println("calls done, last ${top}")
    self()
  else
    receive do
      last -> gather(left - 1, if last > top do last else top end)
    end
  end
end

actor spread(c, callers :: Int, each :: Int) do
  let boss = spawn(gather, callers, 0)
  spawn_callers(c, callers, each, boss)
  self()
end

fn spawn_callers(c, k :: Int, each :: Int, boss) do
  if k > 0 do
    let _ = spawn(caller, c, each, boss)
    spawn_callers(c, k - 1, each, boss)
  end
end

fn main() do
  let n = Env.get_int("N", 100000)
  let callers = Env.get_int("CALLERS", 1)
  let c = Counter.start()
  if callers == 1 do
    println("calls done, last ${calls(c, n, 0)}")
  else
    let _ = spawn(spread, c, callers, n / callers)
  end
end
