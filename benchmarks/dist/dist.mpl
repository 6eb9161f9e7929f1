# Two nodes on loopback (issue 17, `just bench-dist`): ROLE=echo answers pings and
# counts loads; ROLE=drive makes N round trips (each timed), then sends M one-way
# messages of a ~100-byte struct and waits for the count. Prints
# `rtt_p50_us=… rtt_p99_us=… msgs_per_s=…`.

struct Load do
  id :: Int
  name :: String
  tags :: List<Int>
end

type Bench do
  Ping(Pid<Answer>, Int)
  Carry(Load)
  Total(Pid<Answer>)
end

type Answer do
  Pong(Int)
  Count(Int)
end

actor echo(count :: Int) do
  receive do
    Ping(from, n) -> do
      send(from, Pong(n))
      echo(count)
    end
    Carry(_) -> echo(count + 1)
    Total(from) -> do
      send(from, Count(count))
      echo(0)
    end
  end
end

fn loads(to, left :: Int, load :: Load) do
  if left > 0 do
    send(to, Carry(%{load | id: left}))
    loads(to, left - 1, load)
  else
    ()
  end
end

fn at(xs :: List<Int>, q :: Int) -> Int do
  let sorted = List.sort(xs, fn(a, b) -> a - b end)
  List.get(sorted, List.length(sorted) * q / 100)
end

# Stage 1: warm-up round trips; 2: timed ones (`acc`); 3: the one-way load.
actor driver(to :: Pid, stage :: Int, left :: Int, acc :: List<Int>) do
  if stage < 3 and left == 0 do
    if stage == 1 do
      driver(to, 2, Env.get_int("N", 20000), [])
    else
      driver(to, 3, 0, acc)
    end
  else
    if stage < 3 do
      let t0 = Timer.monotonic_us()
      send(to, Ping(self(), left))
      receive do
        Pong(_) -> driver(to, stage, left - 1, Cons(Timer.monotonic_us() - t0, acc))
        Count(_) -> self()
      end
    else
      let m = Env.get_int("M", 200000)
      let load = Load { id: 0, name: "a payload of about one hundred bytes once it is framed and", tags: [1, 2, 3] }
      let t0 = Timer.monotonic_us()
      loads(to, m, load)
      send(to, Total(self()))
      receive do
        Count(n) -> do
          let us = Timer.monotonic_us() - t0
          println("rtt_p50_us=#{at(acc, 50)} rtt_p99_us=#{at(acc, 99)} msgs_per_s=#{n * 1000000 / us} received=#{n}")
          self()
        end
        Pong(_) -> self()
      end
    end
  end
end

fn main() do
  let port = Env.get("PORT", "7400")
  if Env.get("ROLE", "drive") == "echo" do
    let _ = Node.start("echo@127.0.0.1:#{port}", "bench")
    let _ = Global.register("echo", spawn(echo, 0))
    println("ready")
    Timer.sleep(Env.get_int("STAY_MS", 600000))
  else
    let _ = Node.start("drive@127.0.0.2:#{port}", "bench")
    let rc = Node.connect("echo@127.0.0.1:#{port}")
    if rc == 0 do
      Timer.sleep(200)
      spawn(driver, Global.whereis("echo"), 1, 1000, [])
      ()
    else
      println("connect failed: #{rc}")
    end
  end
end
