# The malformed and legacy forms of `@cluster` (spec 05 §10.1) get the spec's messages.
@cluster(
pub fn a() -> Int do
  1
end

@cluster(x) pub fn b() -> Int do
  2
end

@cluster(1, 2) pub fn c() -> Int do
  3
end

@cluster pub struct D do
  x :: Int
end

clustered(work) pub fn e() -> Int do
  5
end

@cluster fn f() -> Int do
  6
end

fn main() do
  println("#{a() + b() + c() + e() + f()}")
end
