# The Option and Result helper modules (decision 26).
fn half(n :: Int) -> Result<Int, String> do
  if n % 2 == 0 do
    Ok(n / 2)
  else
    Err("odd: #{n}")
  end
end

fn main() do
  let found = List.find([1, 4, 9], fn(x) -> x > 3 end)
  let missing = List.find([1, 4, 9], fn(x) -> x > 30 end)
  println("#{Option.is_some(found)} #{Option.is_none(missing)} #{Option.unwrap(found)}")
  println("#{Option.unwrap_or(missing, -1)} #{Option.unwrap_or(Option.map(found, fn(x) -> x * 10 end), 0)}")
  let chained = Option.and_then(found, fn(x) -> if x > 100 do Some(x) else None end end)
  println("#{Option.is_none(chained)}")
  case Option.ok_or(missing, "nothing") do
    Ok(v) -> println("ok #{v}")
    Err(e) -> println("err #{e}")
  end
  println("#{Result.is_ok(half(4))} #{Result.is_err(half(3))} #{Result.unwrap(half(8))}")
  println("#{Result.unwrap_or(half(3), 0)} #{Result.unwrap_or(Result.map(half(6), fn(x) -> x + 1 end), 0)}")
  case Result.map_err(half(5), fn(e) -> String.length(e) end) do
    Ok(v) -> println("ok #{v}")
    Err(n) -> println("err length #{n}")
  end
  case Result.and_then(half(12), fn(x) -> half(x) end) do
    Ok(v) -> println("twice halved #{v}")
    Err(e) -> println(e)
  end
  println("#{Option.unwrap_or(Result.ok(half(7)), 99)}")
end
