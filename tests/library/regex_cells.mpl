# Regexes are counted cells: literals made in a loop and compiled ones are all freed.
fn count(i :: Int, n :: Int) -> Int do
  if i == n do
    0
  else
    let r = ~r/a+b/
    let k = if Regex.is_match(r, "xaab") do 1 else 0 end
    k + count(i + 1, n)
  end
end

fn main() do
  println("#{count(0, 1000)}")
  case Regex.compile("[0-9]+") do
    Ok(re) -> println("#{Regex.replace(re, "a1b22", "#")} #{Regex.split(re, "a1b22c")}")
    Err(e) -> println("bad #{e}")
  end
  case Regex.compile("(") do
    Ok(_) -> println("??")
    Err(e) -> println("error ok")
  end
  let pairs = [(~r/x/, 1), (~r/y/, 2)]
  println("#{List.length(pairs)}")
end
