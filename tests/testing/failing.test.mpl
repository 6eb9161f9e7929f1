# Failing tests: every kind of failure is reported and the other tests still run.
from Shapes.Area import square

test("passes") do
  assert(true)
end

describe("group") do
  test("wrong values") do
    assert_eq(square(2), 5)
    assert(square(1) > 1)
    assert_ne("a", "a")
  end
  describe("inner") do
    test("crashes") do
      let xs = [1]
      println("#{List.get(xs, 3)}")
    end
  end
end

test("raises nothing") do
  assert_raises(fn() -> println("quiet") end)
end

test("last") do
  assert_eq("#{square(4)}", "16")
end
