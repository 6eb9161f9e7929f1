# The Set module (spec 03 §6): insertion-ordered sets of Int over the prelude's `Set`.

pub fn new() = SetOf([])

pub fn to_list(s) do
  case s do
    SetOf(xs) -> xs
  end
end

pub fn size(s) = List.length(to_list(s))

pub fn contains(s, x :: Int) = List.contains(to_list(s), x)

pub fn add(s, x :: Int) = if contains(s, x) do s else SetOf(List.append(to_list(s), x)) end

pub fn remove(s, x :: Int) = SetOf(List.filter(to_list(s), fn(y) -> y != x end))

pub fn from_list(xs) = List.reduce(xs, new(), fn(s, x) -> add(s, x) end)

pub fn union(a, b) = List.reduce(to_list(b), a, fn(s, x) -> add(s, x) end)

pub fn intersection(a, b) = SetOf(List.filter(to_list(a), fn(x) -> contains(b, x) end))

pub fn difference(a, b) = SetOf(List.filter(to_list(a), fn(x) -> not contains(b, x) end))

# A set from an iterator (spec 03 §6).
pub fn collect(it) = from_list(Iter.to_list(it))
