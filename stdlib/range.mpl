# The Range module (spec 03 §7): `lo..hi` is `RangeOf(lo, hi)`, the half-open range
# lo, lo+1, …, hi-1 (empty when lo >= hi).

pub fn new(lo :: Int, hi :: Int) = RangeOf(lo, hi)

pub fn length(r) do
  case r do
    RangeOf(lo, hi) -> if hi > lo do hi - lo else 0 end
  end
end

pub fn to_list(r) do
  case r do
    RangeOf(lo, hi) -> down(hi - 1, lo, [])
  end
end

# the list lo..=i, built from the top so that no reverse is needed
fn down(i :: Int, lo :: Int, acc :: List<Int>) -> List<Int> do
  if i < lo do acc else down(i - 1, lo, Cons(i, acc)) end
end

pub fn map(r, f) = List.map(to_list(r), f)

pub fn filter(r, p) = List.filter(to_list(r), p)
