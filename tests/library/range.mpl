fn evens(r :: Range) -> List<Int> do
  for i in r when i % 2 == 0 do
    i
  end
end

fn main() do
  let r = 1..6
  println("#{Range.length(r)} #{Range.length(5..2)} #{Range.length(Range.new(0, 3))}")
  println("#{Range.to_list(r)} #{Range.to_list(3..3)}")
  println("#{Range.map(0..4, fn(x) -> x * x end)}")
  println("#{Range.filter(0..10, fn(x) -> x % 3 == 0 end)}")
  println("#{evens(r)} #{evens(Range.new(10, 15))}")
  let total = for i in r do
    i * 10
  end
  println("#{total}")
end
