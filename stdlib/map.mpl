# The Map module (spec 03 §5). `Map<K, V>` is a built-in type: an insertion-ordered hash
# map in the runtime (runtime/src/map.rs), which provides `new`, `put`, `get`,
# `has_key`, `delete`, `size`, `keys`, `values` and `to_list`; an update changes a map
# held only once in place (`owns`). Keys are `Int` or `String` (or `Bool`); keys and
# values cross into the runtime as 64-bit words.

# An empty map; the compiler passes the runtime how its keys compare.
@intrinsic pub fn new<K, V>() -> Map<K, V>
@extern("mesh_rt_map_new") fn new_with<K, V>(key_kind :: Int) -> Map<K, V>
@extern("mesh_rt_map_put", owns) pub fn put<K, V>(m :: Map<K, V>, key :: K, value :: V) -> Map<K, V>
# The value under `key`; a runtime error naming the call when there is none.
@extern("mesh_rt_map_get", located) pub fn get<K, V>(m :: Map<K, V>, key :: K) -> V
@extern("mesh_rt_map_has_key") pub fn has_key<K, V>(m :: Map<K, V>, key :: K) -> Bool
@extern("mesh_rt_map_delete", owns) pub fn delete<K, V>(m :: Map<K, V>, key :: K) -> Map<K, V>
@extern("mesh_rt_map_size") pub fn size<K, V>(m :: Map<K, V>) -> Int
@extern("mesh_rt_map_keys") pub fn keys<K, V>(m :: Map<K, V>) -> List<K>
@extern("mesh_rt_map_values") pub fn values<K, V>(m :: Map<K, V>) -> List<V>
@extern("mesh_rt_map_to_list") pub fn to_list<K, V>(m :: Map<K, V>) -> List<(K, V)>
# The entries in key order, for JSON objects (spec 06 §2).
@extern("mesh_rt_map_json_pairs") fn json_pairs<K, V>(m :: Map<K, V>) -> List<(K, V)>

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

# Beyond spec 03 (papers/stdlib.md), as Elixir's `Map.get/3` and `Map.update/4`: the
# value under `key` or `default`; `key`'s value replaced by `f(value)`, or `initial`
# when it is absent.
pub fn get_or(m, key, default) = if Map.has_key(m, key) do Map.get(m, key) else default end

pub fn update(m, key, initial, f) do
  if Map.has_key(m, key) do
    Map.put(m, key, f(Map.get(m, key)))
  else
    Map.put(m, key, initial)
  end
end
