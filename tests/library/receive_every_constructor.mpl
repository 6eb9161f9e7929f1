# A selective `receive` whose arms cover every constructor of the message type: no
# "redundant match arm" warning (its matcher's fallback is no arm of the user's), and a
# mistake in a receive pattern is reported once.
type Cmd do
  Add(Int)
  Show
  Stop
end

actor counter(total :: Int) do
  receive do
    Add(n) when n > 0 -> counter(total + n)
    Add(_) -> counter(total)
    Show -> do
      println("total ${total}")
      counter(total)
    end
    Stop -> do
      println("stopped at ${total}")
      self()
    end
  end
end

fn main() do
  let c = spawn(counter, 0)
  send(c, Add(2))
  send(c, Add(-5))
  send(c, Add(3))
  send(c, Show)
  send(c, Stop)
  Timer.sleep(50)
end
