# Selective receive (issue 6): a message no arm matches stays queued, in order, for a
# later receive; guards take part in the choice; `after` still applies.
type Msg do
  Hello(String)
  Number(Int)
  Stop
end

actor picky(done) do
  receive do
    Number(n) when n > 10 -> println("big number ${n} first")
  end
  receive do
    Hello(who) -> println("hello ${who}")
  end
  receive do
    Number(n) -> println("number ${n}")
  end
  receive do
    Number(n) -> println("number ${n}")
  after 30 -> println("no more numbers")
  end
  receive do
    Stop -> println("stop")
  end
  send(done, 1)
end

actor waiter() do
  receive do
    _ -> println("all done")
  end
end

fn main() do
  let w = spawn(waiter)
  let p = spawn(picky, w)
  send(p, Stop)
  send(p, Number(3))
  send(p, Hello("ada"))
  send(p, Number(42))
end
