# a selective receive (no arm takes every message), a service and a supervisor
type Msg do
  Ping(Int)
  Stop
end

actor picky() do
  receive do
    Ping(n) when n > 0 -> picky()
    Stop -> self()
  end
end

service Counter do
  fn init(start :: Int) -> Int do
    start
  end

  call Get() :: Int do |n|
    (n, n)
  end

  cast Add(k :: Int) do |n|
    n + k
  end
end

supervisor Sup do
  strategy: one_for_all
  child p do
    start: fn -> spawn(picky) end
    restart: transient
  end
end

fn main() do
  let c = Counter.start(1)
  Counter.add(c, 2)
  println("${Counter.get(c)}")
  let _ = spawn(Sup)
end
