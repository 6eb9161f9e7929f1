# The Set module (spec 03 §6). `Set` is a built-in type: an insertion-ordered set of
# `Int` in the runtime (runtime/src/map.rs), which provides `new`, `add`, `remove`,
# `contains`, `size` and `to_list`.

@intrinsic pub fn new() -> Set
@extern("mesh_rt_set_add", owns) pub fn add(s :: Set, x :: Int) -> Set
@extern("mesh_rt_map_delete", owns) pub fn remove(s :: Set, x :: Int) -> Set
@extern("mesh_rt_map_has_key") pub fn contains(s :: Set, x :: Int) -> Bool
@extern("mesh_rt_map_size") pub fn size(s :: Set) -> Int
@extern("mesh_rt_map_keys") pub fn to_list(s :: Set) -> List<Int>

pub fn from_list(xs) = List.reduce(xs, Set.new(), fn(s, x) -> Set.add(s, x) end)

pub fn union(a, b) = List.reduce(Set.to_list(b), a, fn(s, x) -> Set.add(s, x) end)

pub fn intersection(a, b) = from_list(List.filter(Set.to_list(a), fn(x) -> Set.contains(b, x) end))

pub fn difference(a, b) = from_list(List.filter(Set.to_list(a), fn(x) -> not Set.contains(b, x) end))

# A set from an iterator (spec 03 §6).
pub fn collect(it) = from_list(Iter.to_list(it))
