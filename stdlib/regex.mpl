# The Regex module (spec 03 §14), on the `regex` crate.

@extern("mesh_rt_regex_compile") pub fn compile(pattern :: String) -> Result<Regex, String>
@extern("mesh_rt_regex_is_match") pub fn is_match(re :: Regex, s :: String) -> Bool
@extern("mesh_rt_regex_replace") pub fn replace(re :: Regex, s :: String, replacement :: String) -> String
@extern("mesh_rt_regex_split") pub fn split(re :: Regex, s :: String) -> List<String>
@extern("mesh_rt_regex_captures") pub fn captures(re :: Regex, s :: String) -> Option<List<String>>
# A `~r/…/flags` literal (checked at compile time).
@extern("mesh_rt_regex_literal") fn literal(pattern :: String, flags :: String) -> Regex
