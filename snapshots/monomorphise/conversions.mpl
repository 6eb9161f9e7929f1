# into()/try_into() are resolved by monomorphisation to the From/TryFrom impls of the
# annotated target types; hash() and default() follow spec 02 §4.4.
struct Meters do
  value :: Int
end deriving(Display, Hash, Eq)

struct Natural do
  n :: Int
end deriving(Display)

impl From<Int> for Meters do
  fn from(n :: Int) -> Meters = Meters { value: n }
end

impl TryFrom<Int> for Natural do
  fn try_from(n :: Int) -> Result<Natural, String> = if n >= 0 do Ok(Natural { n: n }) else Err("negative") end
end

fn main() do
  let m :: Meters = 21.into()
  let r :: Result<Natural, String> = 5.try_into()
  let bad :: Result<Natural, String> = (-1).try_into()
  case r do
    Ok(v) -> println("${m} ${v}")
    Err(e) -> println(e)
  end
  case bad do
    Ok(v) -> println("${v}")
    Err(e) -> println(e)
  end
  let d :: Int = default()
  println("${d} ${"abc".hash() == "abc".hash()} ${Meters { value: 1 }.hash() == Meters { value: 1 }.hash()} ${Int.default()}")
end
