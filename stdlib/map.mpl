# The Map module (spec 03 §5). `Map<K, V>` is a built-in type: an insertion-ordered hash
# map in the runtime (runtime/src/map.rs), which provides `new`, `put`, `get`,
# `has_key`, `delete`, `size`, `keys`, `values` and `to_list`; an update changes a map
# held only once in place. Keys are `Int` or `String` (or `Bool`).

fn key_of(e) do
  let (k, _) = e
  k
end

fn value_of(e) do
  let (_, v) = e
  v
end

# Puts in list order: later duplicates replace earlier ones (keeping their position).
pub fn from_list(es) = List.reduce(es, Map.new(), fn(m, e) -> Map.put(m, key_of(e), value_of(e)) end)

# Entries of the first, then new keys of the second; the second's values win.
pub fn merge(a, b) = List.reduce(Map.to_list(b), a, fn(m, e) -> Map.put(m, key_of(e), value_of(e)) end)

# A map from an iterator of pairs (spec 03 §5).
pub fn collect(it) = from_list(Iter.to_list(it))
