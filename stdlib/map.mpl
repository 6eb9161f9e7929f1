# The Map module (spec 03 §5): insertion-ordered maps over the prelude's `Map<K, V>`,
# a list of entries. Keys compare with `==` (Int or String).

pub fn new() = MapOf([])

fn entries(m) do
  case m do
    MapOf(es) -> es
  end
end

pub fn size(m) = List.length(entries(m))

pub fn to_list(m) = entries(m)

pub fn has_key(m, k) = List.any(entries(m), fn(e) -> key_of(e) == k end)

fn key_of(e) do
  let (k, _) = e
  k
end

fn value_of(e) do
  let (_, v) = e
  v
end

pub fn get(m, k) do
  case lookup(entries(m), k) do
    Some(v) -> v
    None -> Kernel.panic("Map.get: key not found: ${k}")
  end
end

fn lookup(es, k) do
  case es do
    e :: t -> if key_of(e) == k do Some(value_of(e)) else lookup(t, k) end
    _ -> None
  end
end

# Replacing keeps the key's position; a new key goes last.
pub fn put(m, k, v) do
  if has_key(m, k) do
    MapOf(List.map(entries(m), fn(e) -> if key_of(e) == k do (k, v) else e end end))
  else
    MapOf(List.append(entries(m), (k, v)))
  end
end

pub fn delete(m, k) = MapOf(List.filter(entries(m), fn(e) -> key_of(e) != k end))

pub fn keys(m) = List.map(entries(m), fn(e) -> key_of(e) end)

pub fn values(m) = List.map(entries(m), fn(e) -> value_of(e) end)

pub fn from_list(es) = List.reduce(es, new(), fn(m, e) -> put(m, key_of(e), value_of(e)) end)

# Entries of the first, then new keys of the second; the second's values win.
pub fn merge(a, b) = List.reduce(entries(b), a, fn(m, e) -> put(m, key_of(e), value_of(e)) end)

# A map from an iterator of pairs (spec 03 §5).
pub fn collect(it) = from_list(Iter.to_list(it))
