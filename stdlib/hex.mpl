# The Hex module (spec 03 §13): lower-case hexadecimal.

@extern("mesh_rt_hex_encode") pub fn encode(s :: String) -> String
@extern("mesh_rt_hex_decode") pub fn decode(s :: String) -> Result<String, String>
