# Two independent syntax errors: both are reported, with what was expected.
fn main() do
  let x =
end

fn other() do
  case 1 do
    1 ->
  end
end
