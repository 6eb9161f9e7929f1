# Fan-out/fan-in: JOBS (default 100,000) jobs, each squaring its number; the results
# are awaited in order and summed.
fn start(i :: Int, n :: Int, acc) do
  if i == n do
    acc
  else
    start(i + 1, n, Cons(Job.async(fn() -> i * i end), acc))
  end
end

fn collect(js, sum :: Int) -> Int do
  case js do
    j :: rest -> case Job.await(j) do
      Ok(v) -> collect(rest, sum + v)
      Err(_) -> collect(rest, sum)
    end
    _ -> sum
  end
end

fn main() do
  let n = Env.get_int("JOBS", 100000)
  println("fanout done, sum ${collect(start(0, n, []), 0)}")
end
