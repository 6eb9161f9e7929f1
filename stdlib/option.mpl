# The Option module: helpers over the prelude's `Option<T>` (spec 03 gives none; the
# set follows Rust's `Option`, decision 26). `unwrap` of `None` is a runtime error.

pub fn is_some(o) do
  case o do
    Some(_) -> true
    None -> false
  end
end

pub fn is_none(o) do
  case o do
    Some(_) -> false
    None -> true
  end
end

pub fn unwrap(o) do
  case o do
    Some(v) -> v
    None -> Kernel.panic("Option.unwrap: the value is None")
  end
end

pub fn unwrap_or(o, default) do
  case o do
    Some(v) -> v
    None -> default
  end
end

pub fn map(o, f) do
  case o do
    Some(v) -> Some(f(v))
    None -> None
  end
end

pub fn and_then(o, f) do
  case o do
    Some(v) -> f(v)
    None -> None
  end
end

pub fn ok_or(o, err) do
  case o do
    Some(v) -> Ok(v)
    None -> Err(err)
  end
end
