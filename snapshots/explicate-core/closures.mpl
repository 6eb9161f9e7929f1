# Closure conversion: captured variables go into the closure object, bodies become
# lifted functions taking the object first; named functions and constructors used as
# values get wrappers; generic higher-order functions are instantiated per use.
fn apply(f :: Fun(Int) -> Int, x :: Int) -> Int = f(x)
fn twice(f, x) = f(f(x))
fn square(x :: Int) -> Int = x * x
fn make_adder(n :: Int) -> Fun(Int) -> Int = fn(x) -> x + n end

fn main() do
  let k = 10
  let add_k = fn(x :: Int) -> x + k end
  println("${apply(add_k, 5)} ${apply(square, 7)} ${twice(square, 3)}")
  let add3 = make_adder(3)
  println("${add3(4)} ${twice(add3, 0)}")
  let sign = fn 0 -> "zero" | n when n > 0 -> "pos" | _ -> "neg" end
  println(sign(0) <> sign(5) <> sign(-2))
  let wrap = Some
  case wrap(3) do
    Some(v) -> println("some ${v}")
    None -> println("none")
  end
end
