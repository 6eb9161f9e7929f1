# an actor, spawn with arguments, receive with a guard and an `after`
actor counter(total :: Int) do
  receive do
    n when n > 0 -> counter(total + n)
    _ -> do
      println("total ${total}")
      self()
    end
  after 100 -> self()
  end
end

fn main() do
  let p = spawn(counter, 0)
  send(p, 5)
  send(p, 0)
end
