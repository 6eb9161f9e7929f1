# The Bool module.

@intrinsic pub fn default() -> Bool
