# A test file (spec 03 §17): its top-level test/describe blocks become a generated
# `main` calling Test.run (describe: prefixed names, its setup/teardown given to each
# of its tests), and the assertions get their source text.
fn twice(x :: Int) -> Int = x * 2

test("twice") do
  assert_eq(twice(2), 4)
end

describe("group") do
  setup do
    println("setup")
  end
  test("raises") do
    assert_raises(fn() -> assert(twice(1) == 3) end)
  end
  describe("inner") do
    test("ne") do
      assert_ne(twice(1), 3)
    end
  end
end
