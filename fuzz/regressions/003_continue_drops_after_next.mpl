# Found while checking reference counting with valgrind: `continue` gave back the
# iteration's locals before computing the next cursor from them (use after free).
fn main() do
  let found = for x in [1, 2, 3, 4, 5, 6] do
    if x == 5 do
      break
    end
    if x % 2 == 0 do
      continue
    end
    x * 100
  end
  println("${found}")
end
