# The Base64 module (spec 03 §13): standard and URL-safe alphabets, with padding.

@extern("mesh_rt_base64_encode") pub fn encode(s :: String) -> String
@extern("mesh_rt_base64_decode") pub fn decode(s :: String) -> Result<String, String>
@extern("mesh_rt_base64_encode_url") pub fn encode_url(s :: String) -> String
@extern("mesh_rt_base64_decode_url") pub fn decode_url(s :: String) -> Result<String, String>
