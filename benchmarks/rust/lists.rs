// build a 1,000,000-element vector, map it twice, filter it, fold it
fn main() {
    let xs: Vec<i64> = (1..=1_000_000).collect();
    let ys: Vec<i64> = xs.into_iter().map(|x| x * 2).collect();
    let zs: Vec<i64> = ys.into_iter().map(|x| x + 1).collect();
    let ws: Vec<i64> = zs.into_iter().filter(|x| x % 3 == 0).collect();
    let total: i64 = ws.iter().sum();
    println!("{} {}", ws.len(), total);
}
