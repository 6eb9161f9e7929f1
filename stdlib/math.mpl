# The Math module (spec 03 §10).

@intrinsic pub pi :: Float
@extern("mesh_rt_math_pow") pub fn pow(x :: Float, y :: Float) -> Float
@extern("mesh_rt_math_sqrt") pub fn sqrt(x :: Float) -> Float
@extern("mesh_rt_math_floor") pub fn floor(x :: Float) -> Int
@extern("mesh_rt_math_ceil") pub fn ceil(x :: Float) -> Int
@extern("mesh_rt_math_round") pub fn round(x :: Float) -> Int
@intrinsic pub fn max<T>(a :: T, b :: T) -> T where T: Number
@intrinsic pub fn min<T>(a :: T, b :: T) -> T where T: Number
@intrinsic pub fn abs<T>(x :: T) -> T where T: Number
