# The List module (spec 03 §4), written in Mesh over the prelude's `List<T>`.
# Loops are tail-recursive helpers that build their result reversed, then reverse it,
# so they run in constant stack for any length.

pub fn new() = Nil

# A stable sort by the comparator (negative: the first goes first), in the runtime
# (runtime/src/library.rs); the compiler passes it how the elements are held.
@intrinsic pub fn sort<T>(xs :: List<T>, cmp :: Fun(T, T) -> Int) -> List<T>
@extern("mesh_rt_list_sort", owns) fn sort_words<T>(xs :: List<T>, cmp :: Fun(T, T) -> Int, kind :: Int) -> List<T>

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

# Written as plain recursion: `tail-mod-cons` makes these loops that build the result
# front to back (reusing the cells of a list they own).
pub fn concat(xs, ys) do
  case xs do
    h :: t -> Cons(h, concat(t, ys))
    _ -> ys
  end
end

pub fn append(xs, x) = concat(xs, [x])

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

pub fn take(xs, n :: Int) do
  case xs do
    h :: t -> if n <= 0 do [] else Cons(h, take(t, n - 1)) end
    _ -> []
  end
end

pub fn drop(xs, n :: Int) do
  case xs do
    _ :: t -> if n <= 0 do xs else drop(t, n - 1) end
    _ -> xs
  end
end

pub fn map(xs, f) do
  case xs do
    h :: t -> Cons(f(h), map(t, f))
    _ -> []
  end
end

pub fn filter(xs, keep) do
  case xs do
    h :: t -> if keep(h) do Cons(h, filter(t, keep)) else filter(t, keep) end
    _ -> []
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

pub fn zip(xs, ys) do
  case (xs, ys) do
    (a :: s, b :: t) -> Cons((a, b), zip(s, t))
    _ -> []
  end
end

pub fn enumerate(xs) = enum_from(xs, 0)

fn enum_from(xs, i) do
  case xs do
    h :: t -> Cons((i, h), enum_from(t, i + 1))
    _ -> []
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

# Beyond spec 03 (papers/stdlib.md): what a user of Elixir's `Enum` or Gleam's `list`
# looks for.
pub fn is_empty(xs) do
  case xs do
    _ :: _ -> false
    _ -> true
  end
end

# The largest element (`>` of the element type), or None for [].
pub fn max(xs) do
  case xs do
    h :: t -> Some(reduce(t, h, fn(m, x) -> if x > m do x else m end end))
    _ -> None
  end
end

# The smallest element, or None for [].
pub fn min(xs) do
  case xs do
    h :: t -> Some(reduce(t, h, fn(m, x) -> if x < m do x else m end end))
    _ -> None
  end
end
