# The test DSL of `mesh test` (spec 03 §17). In a `*.test.mpl` file the parser turns the
# top-level `test(...)` and `describe(...)` blocks into calls of `run` in a generated
# `main`, and gives each assertion its source text (passes/src/parse/test_files.rs).
# Failures are recorded by the runtime (runtime/src/testing.rs), which prints the report.

# One test: its setup, body and teardown each run in a process of its own (a job), so a
# crash ends only that part and is reported as the test's failure; then the report line.
pub fn run(name :: String, setup :: Fun() -> (), body :: Fun() -> (), teardown :: Fun() -> ()) do
  contained(setup, "setup ")
  contained(body, "")
  contained(teardown, "teardown ")
  Testing.report(name)
end

fn contained(f :: Fun() -> (), what :: String) do
  case Job.await(Job.async(fn() -> f() end)) do
    Ok(_) -> ()
    Err(reason) -> Testing.fail(what <> "error: " <> reason)
  end
end

# `assert(ok)`: records `assert failed: <source>` when `ok` is false; the test goes on.
pub fn assert(ok :: Bool, source :: String) do
  if ok do
    ()
  else
    Testing.fail("assert failed: " <> source)
  end
end

# `assert_eq(a, b)`: records the failure with both sides when `a != b`.
pub fn assert_eq(a, b, source :: String) do
  if a == b do
    ()
  else
    Testing.fail("assert_eq failed: #{source}\n  left:  #{a}\n  right: #{b}")
  end
end

# `assert_ne(a, b)`: records the failure when `a == b`.
pub fn assert_ne(a, b, source :: String) do
  if a == b do
    Testing.fail("assert_ne failed: #{source}\n  both:  #{a}")
  else
    ()
  end
end

# `assert_raises(f)`: passes when calling `f` fails an assertion or crashes (contained:
# neither counts against the test); records a failure when it returns normally.
pub fn assert_raises(f :: Fun() -> (), source :: String) do
  let before = Testing.failures()
  let raised = case Job.await(Job.async(fn() -> f() end)) do
    Ok(_) -> Testing.failures() > before
    Err(_) -> true
  end
  Testing.truncate(before)
  if raised do
    ()
  else
    Testing.fail("assert_raises failed: #{source} raised nothing")
  end
end

# The summary after the last test (exits with status 1 when a test failed).
pub fn summary() = Testing.summary()
