pub fn square(side :: Int) -> Int = side * side

pub fn ratio(a :: Int, b :: Int) -> Int = a / b
