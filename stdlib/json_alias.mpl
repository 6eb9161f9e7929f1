# `JSON` is another name of the Json module (spec 06 §2).

@intrinsic pub fn encode<T>(value :: T) -> String
