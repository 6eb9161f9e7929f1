# Passing tests of the project's module Shapes.Area.
from Shapes.Area import square, ratio

fn twice(x :: Int) -> Int = x * 2

test("square") do
  assert_eq(square(3), 9)
  assert(square(0) == 0)
  assert_ne(square(2), 5)
end

describe("ratio") do
  setup do
    println("[setup]")
  end
  teardown do
    println("[teardown]")
  end
  test("divides") do
    assert_eq(ratio(9, 3), 3)
    assert_eq(twice(ratio(8, 2)), 8)
  end
  test("by zero raises") do
    assert_raises(fn() -> println("#{ratio(1, 0)}") end)
  end
end
