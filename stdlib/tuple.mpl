# The Tuple module (spec 03 §8): components of pairs. Pattern matching is preferred.

pub fn first(t) do
  let (a, _) = t
  a
end

pub fn second(t) do
  let (_, b) = t
  b
end
