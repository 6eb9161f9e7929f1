# The IO module (spec 03 §2).

@intrinsic pub fn puts(s :: String) -> ()
# A line on stderr (stdout is flushed first, so the two interleave as written).
@extern("mesh_rt_eprintln") pub fn eprintln(s :: String) -> ()
# A line of stdin without its line ending; `Err` at the end of input or on an error.
@extern("mesh_rt_read_line") pub fn read_line() -> Result<String, String>
# `println` under the module's name, as older programs call it (`io_println`).
pub fn println(s :: String) -> () = puts(s)
