supervisor S do
  strategy: one_for_none
  child c do
    start: fn -> 42 end
    restart: sometimes
    shutdown: 0
  end
end

fn main() do
  let _ = spawn(S)
end
