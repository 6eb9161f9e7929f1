# Trailing keyword arguments become one map literal appended to the call.
fn tag(prefix :: String, opts :: Map<String, String>) -> String do
  prefix <> ":" <> Map.get(opts, "v")
end

fn main() do
  println(tag("k", v: "42", w: "x"))
end
