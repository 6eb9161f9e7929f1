# A pid that lost its message type (`Process.whereis`, an annotation `Pid<String>` on
# it) still reaches only a process of the right type: the right type is delivered, a
# wrong one ends the sender with a runtime error naming both types (issue 19, decision
# 49), never a value of another type read as garbage.
actor adder(total :: Int) do
  receive do
    n -> do
      println("total ${total + n}")
      adder(total + n)
    end
  end
end

fn main() do
  let p = spawn(adder, 0)
  Process.register("adder", p)
  send(p, 5)
  send(Process.whereis("adder"), 32)
  let untyped :: Pid = p
  send(untyped, 5)
  Timer.sleep(50)
  let wrong :: Pid<String> = Process.whereis("adder")
  send(wrong, "ten")
  println("not reached")
end
