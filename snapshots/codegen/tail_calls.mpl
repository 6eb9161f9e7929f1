# Self and mutual tail calls are `tail call fastcc` followed by `ret`; Int division
# checks for zero and -1.
fn count(n :: Int, acc :: Int) -> Int do
  if n == 0 do
    acc
  else
    count(n - 1, acc + n / 2)
  end
end

fn ping(n :: Int) -> Bool = if n == 0 do true else pong(n - 1) end
fn pong(n :: Int) -> Bool = if n == 0 do false else ping(n - 1) end

fn main() do
  println("${count(10, 0)} ${ping(5)}")
end
