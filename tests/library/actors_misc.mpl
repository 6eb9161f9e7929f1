# Actors beyond the spec examples: receive guards, `after 0`, Timer.send_after, links,
# the registry, a crash that ends only its process, calls to a service that ended.

actor echo() do
  receive do
    (from, n) when n > 100 -> do
      send(from, "big ${n}")
      echo()
    end
    (from, n) -> do
      send(from, "small ${n}")
      echo()
    end
  end
end

fn only_zero(0) = 0

actor doomed(target) do
  link(target)
  Timer.sleep(20)
  let _ = only_zero(1)
  self()
end

actor victim() do
  receive do
    _ -> println("the victim got a message")
  end
end

service Box do
  fn init(v :: Int) -> Int do
    v
  end

  call Get() :: Int do |v|
    (v, v)
  end

  cast Stop() do |v|
    v / 0
  end
end

actor caller(b) do
  println("box holds ${Box.get(b)}")
  Box.stop(b)
  Timer.sleep(20)
  println("box holds ${Box.get(b)}")
end

actor driver(e) do
  send(e, (self(), 5))
  let a = receive do
    m -> m
  end
  send(e, (self(), 500))
  let b = receive do
    m -> m
  end
  println(a)
  println(b)
  let c = receive do
    m -> m
  after 0 -> "nothing yet"
  end
  println(c)
  Timer.send_after(self(), 10, "later")
  let d = receive do
    m -> m
  after 1000 -> "timeout"
  end
  println(d)
  let v = spawn(victim)
  let _ = Process.register("victim", v)
  println("registered: ${Process.whereis("victim") == v}")
  println("taken: ${Process.register("victim", self())}")
  let _ = spawn(doomed, v)
  Timer.sleep(100)
  println("victim gone: ${Process.whereis("victim")}")
  let _ = spawn(caller, Box.start(7))
  Timer.sleep(100)
  println("driver done")
end

fn main() do
  let e = spawn(echo)
  spawn(driver, e)
end
