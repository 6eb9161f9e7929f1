# The Float module (spec 03 §10).

# Truncates towards zero; a runtime error for NaN and out-of-range values.
@extern("mesh_rt_float_to_int") pub fn to_int(x :: Float) -> Int
@intrinsic pub fn to_string(x :: Float) -> String
@intrinsic pub fn from(n :: Int) -> Float
@intrinsic pub fn default() -> Float
