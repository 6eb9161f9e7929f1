# The List module (spec 03 §4), written in Mesh over the prelude's `List<T>`.
# Loops are tail-recursive helpers that build their result reversed, then reverse it,
# so they run in constant stack for any length.

pub fn new() = Nil

pub fn length(xs) = count(xs, 0)

fn count(xs, n) do
  case xs do
    _ :: t -> count(t, n + 1)
    _ -> n
  end
end

pub fn reverse(xs) = rev_onto(xs, Nil)

fn rev_onto(xs, acc) do
  case xs do
    h :: t -> rev_onto(t, Cons(h, acc))
    _ -> acc
  end
end

pub fn concat(xs, ys) = rev_onto(reverse(xs), ys)

pub fn append(xs, x) = rev_onto(reverse(xs), [x])

pub fn head(xs) do
  case xs do
    h :: _ -> h
    _ -> Kernel.panic("List.head: empty list")
  end
end

pub fn tail(xs) do
  case xs do
    _ :: t -> t
    _ -> Kernel.panic("List.tail: empty list")
  end
end

pub fn last(xs) do
  case xs do
    h :: t -> last_of(t, h)
    _ -> Kernel.panic("List.last: empty list")
  end
end

fn last_of(xs, prev) do
  case xs do
    h :: t -> last_of(t, h)
    _ -> prev
  end
end

pub fn get(xs, i :: Int) = get_at(xs, i, i, length(xs))

pub fn nth(xs, i :: Int) = get(xs, i)

fn get_at(xs, i, orig, len) do
  case xs do
    h :: t -> if i == 0 do h else get_at(t, i - 1, orig, len) end
    _ -> Kernel.panic("List.get: index ${orig} out of bounds (len ${len})")
  end
end

pub fn take(xs, n :: Int) = reverse(take_rev(xs, n, Nil))

fn take_rev(xs, n, acc) do
  case xs do
    h :: t -> if n <= 0 do acc else take_rev(t, n - 1, Cons(h, acc)) end
    _ -> acc
  end
end

pub fn drop(xs, n :: Int) do
  case xs do
    _ :: t -> if n <= 0 do xs else drop(t, n - 1) end
    _ -> xs
  end
end

pub fn map(xs, f) = reverse(map_rev(xs, f, Nil))

fn map_rev(xs, f, acc) do
  case xs do
    h :: t -> map_rev(t, f, Cons(f(h), acc))
    _ -> acc
  end
end

pub fn filter(xs, keep) = reverse(filter_rev(xs, keep, Nil))

fn filter_rev(xs, keep, acc) do
  case xs do
    h :: t -> if keep(h) do filter_rev(t, keep, Cons(h, acc)) else filter_rev(t, keep, acc) end
    _ -> acc
  end
end

pub fn reduce(xs, acc, f) do
  case xs do
    h :: t -> reduce(t, f(acc, h), f)
    _ -> acc
  end
end

pub fn flat_map(xs, f) = reverse(reduce(xs, Nil, fn(acc, x) -> rev_onto(f(x), acc) end))

pub fn flatten(xss) = flat_map(xss, fn(xs) -> xs end)

pub fn find(xs, p) do
  case xs do
    h :: t -> if p(h) do Some(h) else find(t, p) end
    _ -> None
  end
end

pub fn any(xs, p) do
  case xs do
    h :: t -> if p(h) do true else any(t, p) end
    _ -> false
  end
end

pub fn all(xs, p) do
  case xs do
    h :: t -> if p(h) do all(t, p) else false end
    _ -> true
  end
end

pub fn contains(xs, x) = any(xs, fn(y) -> y == x end)

pub fn zip(xs, ys) = reverse(zip_rev(xs, ys, Nil))

fn zip_rev(xs, ys, acc) do
  case (xs, ys) do
    (a :: s, b :: t) -> zip_rev(s, t, Cons((a, b), acc))
    _ -> acc
  end
end

pub fn enumerate(xs) = reverse(enum_rev(xs, 0, Nil))

fn enum_rev(xs, i, acc) do
  case xs do
    h :: t -> enum_rev(t, i + 1, Cons((i, h), acc))
    _ -> acc
  end
end

pub fn sum(xs) = reduce(xs, 0, fn(a, b) -> a + b end)

# `for x in a..b` iterates this list (spec 01 §4.11: empty when b <= a).
pub fn range(a :: Int, b :: Int) -> List<Int> = range_rev(b - 1, a, Nil)

fn range_rev(i, lo, acc) do
  if i < lo do acc else range_rev(i - 1, lo, Cons(i, acc)) end
end

# `List.sort(xs, cmp)` (stable; `cmp` returns negative / 0 / positive) is a runtime
# merge sort over the list's elements (runtime/src/library.rs, papers/stdlib-sort.md).

# Materialises an iterator (spec 03 §4).
pub fn collect(it) = Iter.to_list(it)
