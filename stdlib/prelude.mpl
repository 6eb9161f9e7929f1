# The prelude: built-in sum types of spec 02 §2.2. Compiled like user code and visible
# in every module; its constructors (Some, None, Ok, Err, Less, Equal, Greater) are
# always in scope.

pub type Option<T> do
  Some(T)
  None
end

pub type Result<T, E> do
  Ok(T)
  Err(E)
end

# Immutable lists (spec 02 §2.2). `[a, b]` is `Cons(a, Cons(b, Nil))` and the pattern
# `h :: t` is `Cons(h, t)`; the functions are in the `List` module (stdlib/list.mpl).
pub type List<T> do
  Nil
  Cons(T, List<T>)
end

pub type Ordering do
  Less
  Equal
  Greater
end
