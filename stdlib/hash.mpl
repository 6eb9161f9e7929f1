# Hashes of primitives, for derived `Hash` (spec 02 §4.4).

@extern("mesh_rt_hash_str") fn string(s :: String) -> Int
@extern("mesh_rt_hash_float") fn float(x :: Float) -> Int
