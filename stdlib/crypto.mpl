# The Crypto module (spec 03 §13): digests as lower-case hex.

@extern("mesh_rt_sha256") pub fn sha256(s :: String) -> String
@extern("mesh_rt_sha512") pub fn sha512(s :: String) -> String
@extern("mesh_rt_hmac_sha256") pub fn hmac_sha256(key :: String, message :: String) -> String
@extern("mesh_rt_hmac_sha512") pub fn hmac_sha512(key :: String, message :: String) -> String
# Equal strings, compared in time independent of where they differ.
@extern("mesh_rt_secure_compare") pub fn secure_compare(a :: String, b :: String) -> Bool
@extern("mesh_rt_uuid4") pub fn uuid4() -> String
