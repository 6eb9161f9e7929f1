# Found by valgrind: the synthesised list reversal copied counted elements as raw words,
# so a list of lists lost its inner lists.
fn main() do
  let pairs = for a in [1, 2] do
    for b in [10, 20] do
      a * b
    end
  end
  println("${pairs}")
end
