# A service call through a pid of another service fails with a runtime error naming
# both message types, instead of the other service reading a message it cannot match
# (issue 19, decision 49). `Timer.send_after` through an untyped pid is checked too.
service Counter do
  fn init(start :: Int) -> Int do
    start
  end

  call next() :: Int do |n|
    (n + 1, n + 1)
  end
end

service Names do
  fn init() -> List<String> do
    []
  end

  call count() :: Int do |names|
    (names, List.length(names))
  end
end

actor sink() do
  receive do
    s -> do
      println("sink got ${s}")
      sink()
    end
  end
end

fn main() do
  let c = Counter.start(10)
  let n = Names.start()
  println("next ${Counter.next(c)}")
  println("count ${Names.count(n)}")
  let s :: Pid = spawn(sink)
  Timer.send_after(s, 1, "late")
  Timer.sleep(50)
  println("next ${Counter.next(n)}")
end
