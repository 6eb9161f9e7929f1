# The Json module (spec 03 §12, spec 06 §2). Encoding and decoding of typed values are
# generated per type by the compiler (`@intrinsic`); `Json` values are parsed JSON in
# the runtime (runtime/src/json.rs, decision 39).

@intrinsic pub fn encode<T>(value :: T) -> String
@intrinsic pub fn encode_string(s :: String) -> String
@intrinsic pub fn encode_int(n :: Int) -> String
@intrinsic pub fn encode_bool(b :: Bool) -> String
@intrinsic pub fn encode_list<T>(xs :: List<T>) -> String
@intrinsic pub fn encode_map<K, V>(m :: Map<K, V>) -> String
# `T.from_json(text)`: the decoder generated for `T`.
@intrinsic pub fn decode<T>(text :: String) -> Result<T, String>
@extern("mesh_rt_json_parse") pub fn parse(text :: String) -> Result<Json, String>
@extern("mesh_rt_json_field") pub fn field(j :: Json, key :: String) -> Result<Json, String>
@extern("mesh_rt_json_as_int") pub fn as_int(j :: Json) -> Result<Int, String>
@extern("mesh_rt_json_as_float") pub fn as_float(j :: Json) -> Result<Float, String>
@extern("mesh_rt_json_as_string") pub fn as_string(j :: Json) -> Result<String, String>
@extern("mesh_rt_json_as_bool") pub fn as_bool(j :: Json) -> Result<Bool, String>
@extern("mesh_rt_json_as_array") pub fn as_array(j :: Json) -> Result<List<Json>, String>
@extern("mesh_rt_json_is_null") pub fn is_null(j :: Json) -> Bool
# A top-level field of JSON text as text (spec 06 §2): `""` when missing.
@extern("mesh_rt_json_get") pub fn get(text :: String, key :: String) -> String
@extern("mesh_rt_json_get_nested") pub fn get_nested(text :: String, k1 :: String, k2 :: String) -> String
# Pieces of generated encoders.
@extern("mesh_rt_json_quote") fn quote(s :: String) -> String
@extern("mesh_rt_json_float") fn float(x :: Float) -> String
@extern("mesh_rt_json_text") fn text(j :: Json) -> String
