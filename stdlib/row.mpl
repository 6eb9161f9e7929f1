# Row decoding (spec 06 §7): `T.from_row(row)` is the decoder generated for `T`.

@intrinsic pub fn decode<T>(row :: Map<String, String>) -> Result<T, String>
@extern("mesh_rt_row_field") fn field(row :: Map<String, String>, name :: String, kind :: Int) -> Result<Int, String>
