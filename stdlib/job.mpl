# Jobs (spec 04 §14): a process that computes one value for the process that started
# it. The runtime (runtime/src/actor) keeps the result for the starter until it awaits
# that job; a job that crashes gives `Err(reason)`, and its crash ends only the job.

# Starts a job computing `f()`; its pid identifies it to `await`.
pub fn async(f) = Process.job(fn() -> Process.finish_job(f()) end, f)

# `Ok(value)` when the job has finished; `Err(reason)` if it crashed.
pub fn await(job) = Process.await_job(job, -1)

# As `await`, but `Err("timeout")` when no result came within `ms` milliseconds.
pub fn await_timeout(job, ms :: Int) = Process.await_job(job, ms)

# `f` on every element in parallel jobs; the results in the order of `xs`.
pub fn map(xs, f) = List.map(List.map(xs, fn(x) -> async(fn() -> f(x) end) end), fn(j) -> await(j) end)
