# The String module (spec 03 §3): strings are UTF-8; lengths and indexes count
# characters (runtime/src/strings.rs, runtime/src/library.rs).

@extern("mesh_rt_str_length") pub fn length(s :: String) -> Int
# The characters from index `from` up to (not including) `until`, clamped to the string.
@extern("mesh_rt_str_slice") pub fn slice(s :: String, from :: Int, until :: Int) -> String
@extern("mesh_rt_str_contains") pub fn contains(s :: String, part :: String) -> Bool
@extern("mesh_rt_str_starts_with") pub fn starts_with(s :: String, prefix :: String) -> Bool
@extern("mesh_rt_str_ends_with") pub fn ends_with(s :: String, suffix :: String) -> Bool
@extern("mesh_rt_str_trim") pub fn trim(s :: String) -> String
@extern("mesh_rt_str_to_upper") pub fn to_upper(s :: String) -> String
@extern("mesh_rt_str_reverse") pub fn reverse(s :: String) -> String
@extern("mesh_rt_str_to_lower") pub fn to_lower(s :: String) -> String
@extern("mesh_rt_str_replace") pub fn replace(s :: String, from :: String, to :: String) -> String
@extern("mesh_rt_str_split") pub fn split(s :: String, sep :: String) -> List<String>
@extern("mesh_rt_str_join") pub fn join(parts :: List<String>, sep :: String) -> String
# Beyond spec 03 (papers/stdlib.md): code points as strings, `n` copies, the index
# (in code points, as `length` and `slice` count) of the first occurrence.
@extern("mesh_rt_str_chars") pub fn chars(s :: String) -> List<String>
@extern("mesh_rt_str_repeat") pub fn repeat(s :: String, n :: Int) -> String
@extern("mesh_rt_str_index_of") pub fn index_of(s :: String, part :: String) -> Option<Int>
@extern("mesh_rt_str_to_int") pub fn to_int(s :: String) -> Option<Int>
@extern("mesh_rt_str_to_float") pub fn to_float(s :: String) -> Option<Float>
# Any value as its `Display` text.
@intrinsic pub fn from<T>(value :: T) -> String
@intrinsic pub fn default() -> String

# Concatenates the strings of an iterator.
pub fn collect(it) = String.join(Iter.to_list(it), "")
