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

pub type Ordering do
  Less
  Equal
  Greater
end
