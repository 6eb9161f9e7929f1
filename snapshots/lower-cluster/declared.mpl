# `@cluster` and `@cluster(1)` become wrappers registered in `main` under their runtime
# names; the legacy pair gets the running attempt's key and id; a private target is an
# error.
@cluster pub fn warm_cache() -> Int do
  42
end

@cluster(1) pub fn nightly(request_key :: String, attempt_id :: String) do
  println("#{request_key} #{attempt_id}")
end

@cluster fn hidden() do
  0
end

fn main() do
  println("main")
end
