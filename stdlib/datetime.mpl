# The DateTime module (spec 03 §15): an instant in UTC, kept as Unix milliseconds.

@extern("mesh_rt_dt_from_iso8601") pub fn from_iso8601(s :: String) -> Result<DateTime, String>
@extern("mesh_rt_dt_to_iso8601") pub fn to_iso8601(t :: DateTime) -> String
@extern("mesh_rt_dt_from_unix_ms") pub fn from_unix_ms(ms :: Int) -> Result<DateTime, String>
@extern("mesh_rt_dt_from_unix_secs") pub fn from_unix_secs(s :: Int) -> Result<DateTime, String>
@intrinsic pub fn to_unix_ms(t :: DateTime) -> Int
@intrinsic pub fn to_unix_secs(t :: DateTime) -> Int
@extern("mesh_rt_dt_add") pub fn add(t :: DateTime, n :: Int, unit :: Atom) -> DateTime
@extern("mesh_rt_dt_diff") pub fn diff(a :: DateTime, b :: DateTime, unit :: Atom) -> Float
@intrinsic pub fn is_before(a :: DateTime, b :: DateTime) -> Bool
@intrinsic pub fn is_after(a :: DateTime, b :: DateTime) -> Bool
@extern("mesh_rt_dt_utc_now") pub fn utc_now() -> DateTime
