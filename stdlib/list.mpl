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

# Stable merge sort; `cmp` returns negative / 0 / positive. The algorithm is OCaml's
# `List.stable_sort` (papers/stdlib-sort.md): sort the first n elements into ascending
# order by merging two halves sorted descending, and vice versa, so no pass copies a
# half or reverses a result; each level allocates one cell per element.
pub fn sort(xs, cmp) do
  let n = length(xs)
  if n < 2 do
    xs
  else
    let (sorted, _) = sort_n(n, xs, cmp)
    sorted
  end
end

# The first n (>= 1) elements of xs in ascending order, and the elements after them.
fn sort_n(n, xs, cmp) do
  if n == 1 do
    one(xs)
  else
    let half = n / 2
    let (s1, r1) = rev_sort_n(half, xs, cmp)
    let (s2, r2) = rev_sort_n(n - half, r1, cmp)
    (rev_merge_rev(s1, s2, cmp, Nil), r2)
  end
end

# The first n (>= 1) elements in descending order, equal elements last-first (the
# reverse of the stable ascending order), and the elements after them.
fn rev_sort_n(n, xs, cmp) do
  if n == 1 do
    one(xs)
  else
    let half = n / 2
    let (s1, r1) = sort_n(half, xs, cmp)
    let (s2, r2) = sort_n(n - half, r1, cmp)
    (rev_merge(s1, s2, cmp, Nil), r2)
  end
end

fn one(xs) do
  case xs do
    x :: rest -> (Cons(x, Nil), rest)
    _ -> (Nil, Nil)
  end
end

# Merges ascending l1 and l2 (l1 first among equals) onto acc: acc gets the descending order.
fn rev_merge(l1, l2, cmp, acc) do
  case l1 do
    h1 :: t1 -> case l2 do
        h2 :: t2 -> if cmp(h1, h2) <= 0 do rev_merge(t1, l2, cmp, Cons(h1, acc)) else rev_merge(l1, t2, cmp, Cons(h2, acc)) end
        _ -> rev_onto(l1, acc)
      end
    _ -> rev_onto(l2, acc)
  end
end

# Merges descending l1 and l2 onto acc: acc gets the ascending order, l1's equals first.
fn rev_merge_rev(l1, l2, cmp, acc) do
  case l1 do
    h1 :: t1 -> case l2 do
        h2 :: t2 -> if cmp(h1, h2) > 0 do rev_merge_rev(t1, l2, cmp, Cons(h1, acc)) else rev_merge_rev(l1, t2, cmp, Cons(h2, acc)) end
        _ -> rev_onto(l1, acc)
      end
    _ -> rev_onto(l2, acc)
  end
end

# Materialises an iterator (spec 03 §4).
pub fn collect(it) = Iter.to_list(it)
