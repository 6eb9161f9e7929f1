# The Result module: helpers over the prelude's `Result<T, E>` (spec 03 gives none; the
# set follows Rust's `Result`, decision 26). `unwrap` of an `Err` is a runtime error.

pub fn is_ok(r) do
  case r do
    Ok(_) -> true
    Err(_) -> false
  end
end

pub fn is_err(r) do
  case r do
    Ok(_) -> false
    Err(_) -> true
  end
end

pub fn unwrap(r) do
  case r do
    Ok(v) -> v
    Err(_) -> Kernel.panic("Result.unwrap: the value is an Err")
  end
end

pub fn unwrap_or(r, default) do
  case r do
    Ok(v) -> v
    Err(_) -> default
  end
end

pub fn map(r, f) do
  case r do
    Ok(v) -> Ok(f(v))
    Err(e) -> Err(e)
  end
end

pub fn map_err(r, f) do
  case r do
    Ok(v) -> Ok(v)
    Err(e) -> Err(f(e))
  end
end

pub fn and_then(r, f) do
  case r do
    Ok(v) -> f(v)
    Err(e) -> Err(e)
  end
end

pub fn ok(r) do
  case r do
    Ok(v) -> Some(v)
    Err(_) -> None
  end
end
