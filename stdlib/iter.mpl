# The Iter module (spec 03 §9): lazy iterators over the prelude's `Iter<T>`. Nothing is
# computed until a consumer (`sum`, `count`, `List.collect`, …) pulls elements.

pub fn from(xs) = IterOf(fn -> from_next(xs) end)

fn from_next(xs) do
  case xs do
    h :: t -> Some((h, from(t)))
    _ -> None
  end
end

# The next element and the rest, or None.
pub fn next(it) do
  case it do
    IterOf(step) -> step()
  end
end

fn empty() = IterOf(fn -> None end)

pub fn map(it, f) = IterOf(fn -> map_next(it, f) end)

fn map_next(it, f) do
  case next(it) do
    Some((x, rest)) -> Some((f(x), map(rest, f)))
    None -> None
  end
end

pub fn filter(it, keep) = IterOf(fn -> filter_next(it, keep) end)

fn filter_next(it, keep) do
  case next(it) do
    Some((x, rest)) -> if keep(x) do Some((x, filter(rest, keep))) else filter_next(rest, keep) end
    None -> None
  end
end

pub fn take(it, n :: Int) = IterOf(fn -> take_next(it, n) end)

fn take_next(it, n) do
  if n <= 0 do
    None
  else
    case next(it) do
      Some((x, rest)) -> Some((x, take(rest, n - 1)))
      None -> None
    end
  end
end

pub fn skip(it, n :: Int) = IterOf(fn -> next(drop(it, n)) end)

fn drop(it, n) do
  if n <= 0 do
    it
  else
    case next(it) do
      Some((_, rest)) -> drop(rest, n - 1)
      None -> empty()
    end
  end
end

pub fn enumerate(it) = enumerate_from(it, 0)

fn enumerate_from(it, i) = IterOf(fn -> enumerate_next(it, i) end)

fn enumerate_next(it, i) do
  case next(it) do
    Some((x, rest)) -> Some(((i, x), enumerate_from(rest, i + 1)))
    None -> None
  end
end

pub fn zip(a, b) = IterOf(fn -> zip_next(a, b) end)

fn zip_next(a, b) do
  case (next(a), next(b)) do
    (Some((x, ra)), Some((y, rb))) -> Some(((x, y), zip(ra, rb)))
    _ -> None
  end
end

pub fn reduce(it, acc, f) do
  case next(it) do
    Some((x, rest)) -> reduce(rest, f(acc, x), f)
    None -> acc
  end
end

pub fn sum(it) = reduce(it, 0, fn(a, x) -> a + x end)

pub fn count(it) = reduce(it, 0, fn(n, _) -> n + 1 end)

pub fn any(it, p) do
  case next(it) do
    Some((x, rest)) -> if p(x) do true else any(rest, p) end
    None -> false
  end
end

pub fn all(it, p) do
  case next(it) do
    Some((x, rest)) -> if p(x) do all(rest, p) else false end
    None -> true
  end
end

pub fn to_list(it) = List.reverse(reduce(it, [], fn(acc, x) -> Cons(x, acc) end))

pub fn find(it, p) do
  case next(it) do
    Some((x, rest)) -> if p(x) do Some(x) else find(rest, p) end
    None -> None
  end
end
