# The parts of the String module (spec 03 §3) written in Mesh; the others are runtime
# functions (see `RUNTIME_LIBRARY` in ir/src/core/mod.rs).

# Concatenates the strings of an iterator.
pub fn collect(it) = String.join(Iter.to_list(it), "")
