# Distribution end to end (issue 17), one binary in two roles. The spoke hosts a sink
# that prints every message it gets and answers through a pid that crossed the wire;
# the hub sends it values of every sendable kind, spawns workers on it with struct
# and pid arguments, checks the global registry's rules, then watches the spoke's
# processes and the node itself while the test harness kills, restarts and freezes
# the spoke. NAME/HUB/SPOKE give the node names.

struct Address do
  city :: String
  zip :: Int
end deriving(Eq, Display)

struct Person do
  name :: String
  height :: Float
  address :: Address
  tags :: List<String>
  boss :: Option<String>
end deriving(Eq, Display)

type Shape do
  Circle(Float)
  Rect(Int, Int)
  Blank
end deriving(Display)

type Msg do
  Who(Person)
  Shapes(List<Shape>)
  Scores(Map<String, Int>)
  Ids(Set)
  Pair(Int, Bool)
  Nested(List<List<Option<Int>>>)
  Outcome(Result<Int, String>)
  Text(String)
  Ask(Pid<String>, String)
  Seq(Int, Person)
end

# The n-th of the numbered messages.
fn numbered(n :: Int) -> Person do
  let boss = if n % 2 == 0 do Some("B#{n}") else None end
  Person { name: "P#{n}", height: 1.5, address: Address { city: "C", zip: n }, tags: ["t#{n}", "u"], boss: boss }
end

# Prints what it gets; `next` is the number the next `Seq` message must have.
actor sink(next :: Int) do
  let upto = receive do
    Who(p) -> seen(next, "who ${p}")
    Shapes(s) -> seen(next, "shapes ${s}")
    Scores(m) -> seen(next, "scores ${Map.get(m, "a")} ${Map.get(m, "b")} ${Map.size(m)}")
    Ids(s) -> seen(next, "ids ${Set.to_list(s)}")
    Pair(n, b) -> seen(next, "pair ${n} ${b}")
    Nested(l) -> seen(next, "nested ${show_nested(l)}")
    Outcome(Ok(n)) -> seen(next, "outcome ok ${n}")
    Outcome(Err(e)) -> seen(next, "outcome err ${e}")
    Text(t) -> seen(next, "text ${String.length(t)}")
    Ask(back, q) -> do
      send(back, "answer to ${q}")
      next
    end
    Seq(n, p) -> do
      if n != next or p != numbered(n) do
        println("[spoke] seq ${n} out of order or changed (wanted ${next}): ${p}")
      else
        if n == 9999 do
          println("[spoke] seq 10000 in order and intact")
        else
          ()
        end
      end
      next + 1
    end
  end
  sink(upto)
end

fn seen(next :: Int, what :: String) -> Int do
  println("[spoke] ${what}")
  next
end

# A service on the spoke, called from the hub: its calls and replies cross the wire.
service Tally do
  fn init(start :: Int) -> Int do
    start
  end

  call Add(p :: Person) :: String do |n|
    (n + p.address.zip, "${p.name} makes ${n + p.address.zip}")
  end

  # Answers after a minute: the call is in flight when the test kills the spoke.
  call Slow() :: Int do |n|
    Timer.sleep(60000)
    (n, n)
  end
end

actor slow_caller() do
  println("[hub] slow call started")
  println("[hub] slow call gave ${Tally.slow(Global.whereis("tally"))}")
end

actor fun_sink() do
  receive do
    f -> println("[spoke] fun ${f()}")
  end
end

actor fun_sender() do
  send(Global.whereis("funs"), fn() -> 1 end)
end

actor add_back(n :: Int, back :: Pid<Int>) do
  send(back, n)
end

# Sums `left` numbers, then prints.
actor summer(left :: Int, total :: Int) do
  if left == 0 do
    println("[hub] spawns 1000 sum=${total}")
    self()
  else
    receive do
      n -> summer(left - 1, total + n)
    end
  end
end

fn spawn_many(spoke :: String, i :: Int, back :: Pid<Int>) do
  if i < 1000 do
    let _ = Node.spawn(spoke, add_back, i, back)
    spawn_many(spoke, i + 1, back)
  else
    ()
  end
end

fn send_numbered(sink, n :: Int) do
  if n < 10000 do
    send(sink, Seq(n, numbered(n)))
    send_numbered(sink, n + 1)
  else
    ()
  end
end

fn show_opt(o :: Option<Int>) -> String do
  case o do
    Some(n) -> "${n}"
    None -> "-"
  end
end

fn show_nested(l :: List<List<Option<Int>>>) -> String do
  String.join(List.map(l, fn(inner) do String.join(List.map(inner, show_opt), ",") end), "/")
end

actor worker(p :: Person, back :: Pid<String>, n :: Int) do
  send(back, "worker ${n} on ${Node.self()} for ${p.name} in ${p.address.city}")
end

actor sleeper() do
  receive do
    _ -> ()
  end
end

actor owner(stop :: Int) do
  receive do
    _ -> ()
  end
end

actor inbox(n :: Int) do
  receive do
    s -> println("[hub] got ${s}")
  end
  if n > 1 do
    inbox(n - 1)
  else
    self()
  end
end

# Links to one spoke process and monitors another and the spoke node itself (`r` is 0
# before it has), then prints each signal.
actor watcher(spoke :: String, r :: Int) do
  if r == 0 do
    Process.trap_exits(true)
    let _ = Node.monitor(spoke)
    let linked = Node.spawn_link(spoke, sleeper)
    let watched = Node.spawn(spoke, sleeper)
    let r = Process.monitor(watched)
    println("[hub] armed")
    watcher(spoke, r)
  else
    receive do
      Exit(_, why) -> println("[hub] exit ${why}")
      Down(ref, _, why) when ref == r -> println("[hub] down ${why}")
      NodeDown(name) -> println("[hub] nodedown ${name == spoke} sink=${Global.whereis("sink") == Node.no_pid()}")
      NodeUp(name) -> println("[hub] nodeup ${name == spoke}")
    after 30000 -> println("[hub] watch timed out")
    end
    watcher(spoke, r)
  end
end

fn long_text(s :: String, n :: Int) -> String do
  if n == 0 do
    s
  else
    long_text("${s}${s}", n - 1)
  end
end

fn run_spoke(name :: String, hub :: String) do
  let _ = Node.start(name, "test-cookie")
  let s = spawn(sink, 0)
  let _ = Process.register("local_sink", s)
  let _ = Global.register("tally", Tally.start(100))
  println("[spoke] sink=${Global.register("sink", s)} funs=${Global.register("funs", spawn(fun_sink))}")
  let o = spawn(owner, 0)
  let first = Global.register("owned", o)
  let second = Global.register("owned", s)
  println("[spoke] owned=${first} again=${second}")
  if hub != "" do
    println("[spoke] rejoin=${Node.connect(hub)}")
  else
    ()
  end
  println("[spoke] ready")
  receive_stop(o)
end

fn receive_stop(o) do
  Timer.sleep(Env.get_int("SPOKE_OWNER_MS", 60000))
  send(o, 1)
  Timer.sleep(300)
  println("[spoke] owned after exit=${Global.whereis("owned") == Node.no_pid()}")
  Timer.sleep(60000)
end

fn run_hub(name :: String, spoke :: String) do
  let _ = Node.start(name, "test-cookie")
  println("[hub] connect=${Node.connect(spoke)} peers=${List.length(Node.list())}")
  let sink = Global.whereis("sink")
  let home = Address { city: "Oslo", zip: 150 }
  let ida = Person { name: "Ida", height: 1.75, address: home, tags: ["dev", "ops"], boss: Some("Eva") }
  Timer.send_after(sink, 20, Text("later"))
  send(sink, Who(ida))
  send(sink, Shapes([Circle(2.5), Rect(3, 4), Blank]))
  send(sink, Scores(Map.put(Map.put(Map.new(), "a", 1), "b", -2)))
  send(sink, Ids(Set.from_list([3, 1, 2])))
  send(sink, Pair(42, true))
  send(sink, Nested([[Some(1), None], [], [Some(-3)]]))
  send(sink, Outcome(Err("bad")))
  send(sink, Text(long_text("é", 17)))
  Node.send(spoke, "local_sink", Text("by name!"))
  let me = spawn(inbox, 3)
  send(sink, Ask(me, "life"))
  let _ = Node.spawn(spoke, worker, ida, me, 1)
  let _ = Node.spawn(spoke, worker, %{ida | name: "Bo"}, me, 2)
  let tally = Global.whereis("tally")
  println("[hub] tally ${Tally.add(tally, ida)}, ${Tally.add(tally, numbered(7))}")
  send_numbered(sink, 0)
  spawn_many(spoke, 0, spawn(summer, 1000, 0))
  spawn(fun_sender)
  Timer.sleep(500)
  println("[hub] owned taken=${Global.register("owned", spawn(sleeper))} remote=${Global.whereis("owned") != Node.no_pid()}")
  spawn(watcher, spoke, 0)
  wait_owner(0)
  Timer.sleep(Env.get_int("HUB_MS", 60000))
end

fn wait_owner(n :: Int) do
  if Global.whereis("owned") == Node.no_pid() do
    Timer.sleep(1000)
    println("[hub] owned gone, register=${Global.register("owned", spawn(sleeper))}")
    let _ = spawn(slow_caller)
  else
    if n < 600 do
      Timer.sleep(50)
      wait_owner(n + 1)
    else
      println("[hub] owned never went")
    end
  end
end

fn main() do
  let name = Env.get("NAME", "")
  if Env.get("ROLE", "hub") == "spoke" do
    run_spoke(name, Env.get("HUB", ""))
  else
    run_hub(name, Env.get("SPOKE", ""))
  end
end
