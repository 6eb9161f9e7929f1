# Signals in `receive` (issue 6): a monitor's Down, a trapped Exit of a linked process.
fn only_zero(0) = 0

actor worker(ms :: Int, crash :: Bool) do
  Timer.sleep(ms)
  if crash do
    let _ = only_zero(1)
    self()
  else
    self()
  end
end

actor watcher(done) do
  let w = spawn(worker, 10, false)
  let r = Process.monitor(w)
  receive do
    Down(ref, pid, reason) when ref == r -> println("down: ${reason} ${pid == w}")
  after 1000 -> println("no down")
  end
  let gone = Process.monitor(w)
  receive do
    Down(_, _, reason) -> println("monitoring an ended process: ${reason}")
  end
  Process.trap_exits(true)
  let c = spawn(worker, 10, true)
  link(c)
  receive do
    Exit(pid, reason) -> println("linked process ended: ${String.contains(reason, "no function clause")} ${pid == c}")
  end
  let n = spawn(worker, 5, false)
  link(n)
  receive do
    Exit(_, reason) -> println("linked process ended: ${reason}")
    m -> println("message ${m}")
  end
  send(self(), 7)
  receive do
    Exit(_, reason) -> println("exit ${reason}")
    m -> println("message ${m}")
  end
  send(done, gone)
end

actor unlinked_victim() do
  receive do
    _ -> println("never")
  end
end

actor bystander(v) do
  link(v)
  Timer.sleep(10)
  let _ = only_zero(2)
  self()
end

actor main_loop() do
  receive do
    _ -> println("watcher finished")
  end
end

fn main() do
  let m = spawn(main_loop)
  spawn(watcher, m)
  let v = spawn(unlinked_victim)
  spawn(bystander, v)
end
