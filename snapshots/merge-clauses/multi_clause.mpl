# Consecutive clauses become one function over fresh parameters with a `case`.
fn fib(0) = 0
fn fib(1) = 1
fn fib(n) = fib(n - 1) + fib(n - 2)

fn gcd(a :: Int, 0) = a
fn gcd(a :: Int, b :: Int) = gcd(b, a % b)

fn sign(n) when n < 0 = -1
fn sign(0) = 0
fn sign(_) = 1

fn main() do
  println("${fib(10)} ${gcd(12, 18)} ${sign(-3)}")
end
