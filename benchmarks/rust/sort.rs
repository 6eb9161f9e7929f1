fn main() {
    let mut seed: i64 = 42;
    let mut xs = Vec::with_capacity(1_000_000);
    for _ in 0..1_000_000 {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        xs.push(seed);
    }
    xs.sort();
    println!("{} {}", xs[0], xs[xs.len() - 1]);
}
