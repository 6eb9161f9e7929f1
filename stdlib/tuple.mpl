# The Tuple module (spec 03 §8): components of pairs. Pattern matching is preferred.

pub fn first(t) do
  let (a, _) = t
  a
end

pub fn second(t) do
  let (_, b) = t
  b
end

# The number of components (known from the type).
@intrinsic pub fn size<T>(t :: T) -> Int
# Component `k` (a literal index: its type is that component's, decision 44).
@intrinsic pub fn nth<T>(t :: T, k :: Int) -> Int
