# The Int module (spec 03 §10).

@intrinsic pub fn to_float(n :: Int) -> Float
@intrinsic pub fn to_string(n :: Int) -> String
@intrinsic pub fn default() -> Int
