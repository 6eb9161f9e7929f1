# Declaration forms of spec 01 and 04: structs, sum types, interfaces, impls, actors,
# services, supervisors, attributes, imports.
import Math.Vector
from Utils import (double,
                   triple,)

pub struct Point do
  x :: Int
  y :: Int
end deriving(Eq, Display)

type Shape do
  Circle(Float)
  Rect(width :: Float, height :: Float)
  Empty
end

interface Describe do
  type Item
  fn describe(self) -> String
end

impl Describe for Point do
  type Item = Int
  fn describe(self) -> String = "p"
end

actor counter(n :: Int) do
  receive do
    m when m > 0 -> counter(n + m)
  after 100 -> self()
  end
end

service Bank do
  fn init() -> Int = 0
  call Get() :: Int do |s|
    (s, s)
  end
end

supervisor Sup do
  strategy: one_for_one
  child w do
    start: fn -> spawn(counter, 0) end
  end
end

@cluster(3)
pub fn work(x :: Int) -> Int? = Some(x)
